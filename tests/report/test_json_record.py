"""The JSON report as the review record: each file's facts, findings' source lines, what the run judged by."""

from __future__ import annotations

import json
from pathlib import Path

from .test_json_schema import assert_valid, validator  # noqa: F401 (a fixture)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def records(run, *args: str) -> dict:
    return json.loads(run(*args, "--format", "json").output)


def by_name(report: dict) -> dict:
    return {Path(record["file"]).name: record for record in report["files"]}


def test_each_file_carries_what_a_reviewer_decides_from_v1_and_v2(run, validator):  # noqa: F811
    report = records(run, str(EXAMPLES / "lithuania-333-javelin.yaml"), "fixtures/clean.yaml")
    assert_valid(validator, report)
    v2, v1 = by_name(report)["lithuania-333-javelin.yaml"], by_name(report)["clean.yaml"]
    assert v2["partners"][0] == {"country": "LTU", "name": "Lithuania", "category": "frontline"}
    assert (v2["type"], v2["funding"], v2["notification"]) == (
        "equipment",
        "10-usc-333",
        {"required": True, "submitted": "2026-10-15"},
    )
    assert v2["budget"]["currency"] == "USD" and isinstance(v2["budget"]["amount"], int)
    assert v2["marking"]["classification"] == "CUI" and v2["start"] < v2["end"]
    assert v1["title"] == "Advisory support to a defense strategy"
    assert (v1["start"], v1["end"], v1["vetting"]) == ("2027-01-15", "2028-06-30", "not-required")
    assert "funding" not in v1 and "notification" not in v1  # only what the document gives


def test_the_run_records_today_the_rules_and_the_hashes_of_what_it_judged_by(run, validator):  # noqa: F811
    report = records(run, "fixtures/clean.yaml")
    assert_valid(validator, report)
    assert report["today"] == "2026-11-23" and report["schema"] == "policycheck-report/v2"
    assert report["rules"]["DAT001"] == {"title": "Activity ends before it starts", "family": "core", "level": "fail"}
    assert set(report["rules"]) == set(report["files"][0]["rules"])  # the rules that ran
    again = records(run, "fixtures/clean.yaml")["catalogue"]
    assert again == report["catalogue"]
    fewer = records(run, "fixtures/clean.yaml", "--ignore", "GOV004")["catalogue"]
    assert fewer["sha256"] != again["sha256"] and fewer["configuration_sha256"] != again["configuration_sha256"]
    builtin = [plugin for plugin in again["plugins"] if plugin["name"].startswith("policycheck.")]
    assert builtin and {plugin["version"] for plugin in builtin} == {report["tool"]["version"]}


def test_a_finding_carries_its_source_lines_and_the_report_is_valid_with_them(run, validator):  # noqa: F811
    report = records(run, "fixtures/typo.yaml")
    assert_valid(validator, report)
    [finding] = [f for f in report["files"][0]["findings"] if f["rule"] == "SCH001"]
    context = finding["context"]
    assert context["first_line"] == finding["line"] - 2 and len(context["lines"]) == 5
    assert context["lines"][2].startswith("sumary:")


def test_hostile_text_in_facts_and_source_lines_is_cut_and_inert(run, validator, tmp_path):  # noqa: F811
    text = (ROOT / "tests" / "report" / "fixtures" / "typo.yaml").read_text(encoding="utf-8")
    hostile = "evil \\e[31m \\u202e <script>" + "x" * 5000  # YAML's escapes: the loaded title has the controls
    text = text.replace("title: Advisory support to a defense strategy", f'title: "{hostile}"')
    text = text.replace("sumary: ", "sumary: " + "y" * 900 + " \u00ad ")
    path = tmp_path / "hostile.yaml"
    path.write_text(text, encoding="utf-8")
    report = records(run, str(path))
    assert_valid(validator, report)
    record = report["files"][0]
    assert len(record["title"]) <= 300 and "\x1b" not in record["title"] and "\u202e" not in record["title"]
    lines = [line for finding in record["findings"] for line in finding.get("context", {}).get("lines", [])]
    assert lines and all(len(line) <= 200 for line in lines)


def test_a_compared_report_is_valid_and_the_same_bytes_each_run(run, validator, tmp_path):  # noqa: F811
    previous = tmp_path / "previous.json"
    previous.write_text(run("fixtures", "--format", "json").output, encoding="utf-8")
    first = run("fixtures/typo.yaml", "fixtures/clean.yaml", "--format", "json", "--compare", str(previous)).output
    again = run("fixtures/typo.yaml", "fixtures/clean.yaml", "--format", "json", "--compare", str(previous)).output
    assert first == again
    report = json.loads(first)
    assert_valid(validator, report)
    assert report["since_previous"]["proposals"]["removed"] == 4


def test_facts_survive_the_results_store_past_the_files_it_keeps_unpickled(run, tmp_path):
    from policycheck.results import KEPT_FILES

    source = (ROOT / "tests" / "report" / "fixtures" / "clean.yaml").read_text(encoding="utf-8")
    for index in range(KEPT_FILES + 3):
        (tmp_path / f"p{index:03d}.yaml").write_text(source.replace("FIX-2027-CLEAN", f"FIX-2027-C{index:03d}"))
    report = records(run, str(tmp_path))
    assert len(report["files"]) == KEPT_FILES + 3
    assert {record["title"] for record in report["files"]} == {"Advisory support to a defense strategy"}
    assert all(record["partners"][0]["country"] == "ALB" for record in report["files"])


def test_a_notification_not_yet_submitted_has_no_submitted_date(run, validator):  # noqa: F811
    report = records(run, str(EXAMPLES / "japan-fms-sm6-national-funds.yaml"))
    assert_valid(validator, report)
    assert report["files"][0]["notification"] == {"required": True}
