"""Registers the built-in output formats through the public `policycheck_output_formats` hook."""

from __future__ import annotations

import sys

from ..hookimpl import hookimpl
from . import OutputFormat, Report


def _lazy(module: str, function: str):
    # a format's module (XML, SARIF...) is imported only when that format is written; by __import__,
    # as importing importlib (with warnings) for import_module cost each start 1.6 M instructions
    name = f"{__package__}.{module}"

    def call(report: Report):
        __import__(name)
        return getattr(sys.modules[name], function)(report)

    return call


def _format(name: str, module: str, description: str, streams: bool = False, facts: bool = False) -> OutputFormat:
    stream = _lazy(module, "stream") if streams else None
    return OutputFormat(name, _lazy(module, "render"), description, stream, reads_facts=facts)


@hookimpl
def policycheck_output_formats() -> dict[str, OutputFormat]:
    return {
        "text": _format("text", "text", "grouped by file, for a terminal", streams=True),
        "json": _format(
            "json", "json_format", "stable, described by schemas/report.schema.json", streams=True, facts=True
        ),
        "sarif": _format("sarif", "sarif", "SARIF 2.1.0, for GitHub code scanning", streams=True),
        "junit": _format(
            "junit", "junit", "JUnit XML, one testcase per file and rule, for CI test reports", streams=True
        ),
        "markdown": _format(
            "markdown", "markdown", "summary table per file and family, for $GITHUB_STEP_SUMMARY", facts=True
        ),
        "github": _format("github", "github", "GitHub Actions workflow commands (annotations)"),
        # html's entry points take a Report or a stored JSON report, hence their own names
        "html": OutputFormat(
            "html",
            _lazy("html", "render_report"),
            "one self-contained page for reviewers: decision queue, roll-ups, charts, waivers",
            _lazy("html", "stream_report"),
        ),
    }
