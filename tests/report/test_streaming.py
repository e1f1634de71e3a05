"""Streamed formats write exactly what `render` returns, piece by piece."""

import io
from datetime import date
from pathlib import Path

import pytest

from policycheck.config import Config
from policycheck.discover import discover
from policycheck.engine import Engine
from policycheck.finish import finish
from policycheck.parallel import check_sources
from policycheck.policy import Policy
from policycheck.report import OutputFormat, Report, json_format, text

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="module")
def example_results():
    engine = Engine.from_policy(Policy(config=Config(), today=date(2026, 11, 23), entry_points=False))
    sources = discover([str(path) for path in sorted(EXAMPLES.rglob("*.yaml"))])
    return finish(engine, check_sources(engine, sources, jobs=1)).results


def test_streamed_text_and_json_equal_render(example_results):
    for module in (text, json_format):
        report = Report(results=example_results, rules={}, rule_plugins={})
        pieces = list(module.stream(report))
        assert len(pieces) > len(example_results)  # one piece per file at least: never one big string
        assert "".join(pieces) == module.render(report)


def test_empty_run_streams_valid_json():
    import json

    report = Report(results=[], rules={}, rule_plugins={})
    assert json.loads(json_format.render(report))["files"] == []


def test_output_format_without_stream_writes_render():
    buffer = io.StringIO()
    OutputFormat("plain", lambda report: "whole\n").write(Report(results=[], rules={}, rule_plugins={}), buffer)
    assert buffer.getvalue() == "whole\n"
