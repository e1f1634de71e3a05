"""SARIF 2.1.0: valid against the official schema, rules described, results located and fingerprinted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
STABLE_RULES = "SCH001,DAT001,PRT001,WVR001,WVR002,LOAD001"


def sarif_of(result) -> dict:
    return json.loads(result.output)


@pytest.fixture(scope="module")
def official_validator():
    from jsonschema import FormatChecker
    from jsonschema.validators import validator_for

    schema = json.loads((HERE / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    return validator_for(schema)(schema, format_checker=FormatChecker())


def test_output_is_valid_against_the_official_sarif_schema(run, official_validator, monkeypatch):
    monkeypatch.syspath_prepend(str(HERE))
    log = sarif_of(run("fixtures", "-p", "report_help_plugin", "--format", "sarif"))
    errors = sorted(official_validator.iter_errors(log), key=lambda error: list(error.path))
    assert not errors, [f"{list(error.path)}: {error.message}" for error in errors[:5]]
    assert log["version"] == "2.1.0"
    assert len(log["runs"][0]["results"]) >= 7  # every fixture's finding is there to be validated


def test_the_schema_check_catches_an_invalid_log(official_validator):
    # the validator is no rubber stamp: a result without a message is refused
    log = {
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "policycheck"}}, "results": [{"ruleId": "DAT001"}]}],
    }
    assert list(official_validator.iter_errors(log))


def test_rules_are_described_with_help_level_and_family(run, monkeypatch):
    monkeypatch.syspath_prepend(str(HERE))
    log = sarif_of(
        run("fixtures/clean.yaml", "-p", "report_help_plugin", "--select", "DAT001,TRP", "--format", "sarif")
    )
    rules = {rule["id"]: rule for rule in log["runs"][0]["tool"]["driver"]["rules"]}
    assert list(rules) == sorted(rules)
    dat = rules["DAT001"]
    assert dat["name"] == "ActivityEndsBeforeItStarts"
    assert dat["shortDescription"]["text"] == "Activity ends before it starts"
    assert dat["fullDescription"]["text"].startswith("An activity whose end precedes its start")
    assert "policycheck explain DAT001" in dat["help"]["text"]
    assert '```yaml\nactivity:\n  start: "2028-01-01"' in dat["help"]["markdown"]
    assert dat["defaultConfiguration"] == {"level": "error"}
    assert dat["properties"]["family"] == "core"
    assert rules["TRP001"]["helpUri"] == "https://example.org/rules/TRP001"
    assert rules["TRP001"]["defaultConfiguration"] == {"level": "warning"}
    # a rule without its own link points at its section of docs/rules.md, at this version
    assert (
        dat["helpUri"]
        == f"https://github.com/policycheck/policycheck/blob/v{log['runs'][0]['tool']['driver']['version']}/docs/rules.md#dat001"
    )
    assert rules["TRP002"]["helpUri"].endswith("/docs/rules.md#trp002")


def test_results_have_rule_level_location_and_fingerprint(run):
    log = sarif_of(run("fixtures/expired.yaml", "--select", "DAT001,WVR001", "--format", "sarif"))
    run_ = log["runs"][0]
    rules = [rule["id"] for rule in run_["tool"]["driver"]["rules"]]
    dat, wvr = run_["results"]
    assert rules[dat["ruleIndex"]] == dat["ruleId"] == "DAT001"
    assert dat["level"] == "error"
    assert dat["message"]["text"].startswith("the activity ends (2027-06-30) before it starts (2028-03-01) [swap")
    location = dat["locations"][0]["physicalLocation"]
    assert location == {
        "artifactLocation": {"uri": "tests/report/fixtures/expired.yaml", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 12, "startColumn": 3},
    }
    assert dat["properties"] == {"jsonPointer": "/activity/end", "activityId": "FIX-2027-EXPIRED"}
    assert dat["partialFingerprints"]["policycheck/v1"].endswith(":1")
    assert dat["partialFingerprints"] != wvr["partialFingerprints"]
    assert "suppressions" not in dat


def test_waived_finding_is_a_suppressed_result_with_the_justification(run):
    log = sarif_of(run("fixtures/waived.yaml", "--select", "DAT001", "--format", "sarif"))
    [result] = log["runs"][0]["results"]
    [suppression] = result["suppressions"]
    assert suppression["kind"] == "inSource"  # the waiver is written in the activity file itself
    assert suppression["status"] == "accepted"
    assert suppression["justification"].startswith("Dates follow the partner's fiscal year: 100% funded")
    assert "approved by Director, Office of Defense Cooperation, expires 2027-06-30" in suppression["justification"]
    assert suppression["location"]["physicalLocation"]["region"]["startLine"] == 33
    assert result["level"] == "error"  # the rule's level: the suppression, not the level, says it does not gate


def test_uri_is_relative_with_forward_slashes_even_for_an_absolute_path(run):
    absolute = str(HERE / "fixtures" / "expired.yaml")
    log = sarif_of(run(absolute, "--select", "DAT001", "--format", "sarif"))
    uri = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "tests/report/fixtures/expired.yaml"  # relative to the repository root, %SRCROOT%


def test_fingerprint_survives_moved_lines(run, tmp_path, monkeypatch):
    text = (HERE / "fixtures" / "expired.yaml").read_text(encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    Path("a.yaml").write_text(text, encoding="utf-8")
    from click.testing import CliRunner

    from policycheck.cli import main

    def fingerprint_and_line():
        out = (
            CliRunner()
            .invoke(
                main, ["a.yaml", "--select", "DAT001", "--format", "sarif", "--no-plugins", "--today", "2026-11-23"]
            )
            .output
        )
        [result] = [r for r in json.loads(out)["runs"][0]["results"] if r["ruleId"] == "DAT001"]
        return result["partialFingerprints"]["policycheck/v1"], result["locations"][0]["physicalLocation"]["region"][
            "startLine"
        ]

    before = fingerprint_and_line()
    Path("a.yaml").write_text("# a comment\n# and another\n" + text, encoding="utf-8")
    after = fingerprint_and_line()
    assert after[1] == before[1] + 2
    assert after[0] == before[0]


def test_a_crash_marks_the_invocation_unsuccessful(run, monkeypatch):
    monkeypatch.syspath_prepend(str(HERE.parent / "plugin_modules"))
    result = run("fixtures/clean.yaml", "-p", "crashing_plugin", "--select", "TST901", "--format", "sarif")
    assert result.exit_code == 3
    log = json.loads(result.output)
    assert log["runs"][0]["invocations"] == [{"executionSuccessful": False}]
    assert [r["ruleId"] for r in log["runs"][0]["results"]] == ["ERR001"]
