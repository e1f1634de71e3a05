"""The `info` level: advice shown in every format and counted, that never gates and never changes the exit code."""

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from policycheck import Rule, Violation
from policycheck.cli import main
from policycheck.testing import activity_text, assert_findings

ROOT = Path(__file__).resolve().parents[2]

ADVICE = """
import policycheck

@policycheck.rule(id="ADV001", title="Advice", family="test", level="info", rationale="-", source="tests")
def advice(activity, ctx):
    yield policycheck.Violation("/title", "consider a shorter title", hint="reviewers read the first words")

@policycheck.rule(id="ADV002", title="Fails, but advises here", family="test", level="fail", rationale="-",
                  source="tests")
def downgraded(activity, ctx):
    yield policycheck.Violation("/id", "only advice for this one", level="info")

@policycheck.hookimpl
def policycheck_rules():
    return [advice, downgraded]
"""


@pytest.fixture
def advice(plugin_module, tmp_path):
    name = plugin_module(ADVICE)
    path = tmp_path / "a.yaml"
    path.write_text(activity_text(""), encoding="utf-8")

    def run(*args):
        return CliRunner().invoke(
            main, [str(path), "-p", name, "--select", "ADV", "--no-plugins", "--no-config", *args]
        )

    return run


@pytest.mark.parametrize("fail_on", ["fail", "warn"])
def test_info_never_gates(advice, fail_on):
    result = advice("--fail-on", fail_on)
    assert result.exit_code == 0, result.output
    assert "INFO ADV001 consider a shorter title [reviewers read the first words]" in result.output
    assert "INFO ADV002 only advice for this one" in result.output
    assert result.output.rstrip().endswith(
        "1 file checked: 0 failed, 0 with warnings, 1 passed (0 fail, 0 warn, 0 waived, 2 info)"
    )


def test_json_counts_info_and_validates(advice):
    report = json.loads(advice("--format", "json").output)
    schema = json.loads((ROOT / "schemas" / "report.schema.json").read_text(encoding="utf-8"))
    Draft202012Validator(schema).validate(report)
    [file] = report["files"]
    assert file["status"] == "info" and file["rules"]["ADV001"] == "info" and file["rules"]["ADV002"] == "info"
    assert [finding["level"] for finding in file["findings"]] == ["info", "info"]
    assert report["summary"]["info"] == 2 and report["summary"]["files_passed"] == 1


def test_every_other_format_shows_info_as_advice(advice):
    sarif = json.loads(advice("--format", "sarif").output)["runs"][0]
    assert {result["level"] for result in sarif["results"]} == {"note"}
    levels = {rule["id"]: rule["defaultConfiguration"]["level"] for rule in sarif["tool"]["driver"]["rules"]}
    assert (levels["ADV001"], levels["ADV002"]) == ("note", "error")
    assert sarif["invocations"] == [{"executionSuccessful": True}]
    suites = ET.fromstring(advice("--format", "junit", "--fail-on", "warn").output)
    assert suites.get("failures") == "0" and suites.get("errors") == "0"
    [case] = [case for case in suites.iter("testcase") if case.get("name").startswith("ADV001")]
    assert "INFO ADV001 consider a shorter title" in case.find("system-out").text
    github = advice("--format", "github").output
    assert "::notice file=" in github and "title=ADV001::consider a shorter title" in github
    markdown = advice("--format", "markdown").output
    assert "| 2 info |" in markdown and "- **INFO** `ADV001`" in markdown and "0 waived, 2 info)" in markdown


def test_configuration_can_make_any_rule_advice(tmp_path):
    (tmp_path / "a.yaml").write_text(
        activity_text('activity:\n  start: "2028-01-01"\n  end: "2027-01-01"\n'), encoding="utf-8"
    )
    (tmp_path / "config.yaml").write_text("rules:\n  DAT001: {level: info}\n", encoding="utf-8")
    result = CliRunner().invoke(
        main, [str(tmp_path / "a.yaml"), "--select", "DAT", "--config", str(tmp_path / "config.yaml"), "--no-plugins"]
    )
    assert result.exit_code == 0 and "INFO DAT001 the activity ends" in result.output


def test_rules_and_violations_take_the_info_level(plugin_module):
    Rule(id="ADV009", title="t", family="f", level="info", rationale="r", source="s", check=lambda a, c: [])
    assert Violation("/id", "m", level="info").level == "info"
    name = plugin_module(ADVICE)
    [first, second] = assert_findings("", ["ADV001", "ADV002"], plugins=[name], select=["ADV"])
    assert first.level == second.level == "info"
