"""A file's `facts` are taken only when a format of the run reads them (`OutputFormat.reads_facts`)."""

import json
from datetime import date

from policycheck.config import Config
from policycheck.discover import Source
from policycheck.engine import Engine
from policycheck.policy import Policy

from .conftest import HERE

PLUGIN = """
import json
from datetime import date
import policycheck
from policycheck.report import OutputFormat


def _titles(report):
    return json.dumps([result.facts.get("title") for result in report.results])


@policycheck.hookimpl
def policycheck_output_formats():
    return {
        "titles": OutputFormat("titles", _titles, "each file's title, from its facts"),
        "blind": OutputFormat("blind", _titles, "the same, saying it reads no facts", reads_facts=False),
    }
"""


def test_a_plugin_format_gets_the_facts_unless_it_says_it_reads_none(run, tmp_path, monkeypatch):
    (tmp_path / "titles_plugin.py").write_text(PLUGIN, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    titles = run("fixtures/clean.yaml", "-p", "titles_plugin", "--format", "titles")
    assert json.loads(titles.output) == ["Advisory support to a defense strategy"]
    blind = run("fixtures/clean.yaml", "-p", "titles_plugin", "--format", "blind")
    assert json.loads(blind.output) == [None]
    # with a format that reads them beside it, every format of the run gets them
    both = run(
        "fixtures/clean.yaml",
        "-p",
        "titles_plugin",
        "--format",
        "blind",
        "--format",
        "json",
        "--output",
        str(tmp_path / "report.json"),
    )
    assert json.loads(both.output) == ["Advisory support to a defense strategy"]


def test_leaving_the_facts_out_changes_no_finding():
    source = Source("typo.yaml", (HERE / "fixtures" / "typo.yaml").read_bytes())
    policy = Policy(Config(), date(2026, 11, 23), entry_points=False)
    with_facts = Engine.from_policy(policy).check(source)
    without = Engine.from_policy(policy._replace(review_facts=False)).check(source)
    assert with_facts.facts and without.facts == {}
    assert without.findings == with_facts.findings and without.outcomes == with_facts.outcomes
