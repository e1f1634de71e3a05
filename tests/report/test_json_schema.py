"""The JSON report is what schemas/report.schema.json says it is."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def validator():
    from jsonschema import Draft202012Validator

    schema = json.loads((ROOT / "schemas" / "report.schema.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def assert_valid(validator, report: dict) -> None:
    errors = sorted(validator.iter_errors(report), key=lambda error: list(error.path))
    assert not errors, [f"{list(error.path)}: {error.message}" for error in errors[:5]]


def test_report_on_every_kind_of_finding_is_valid(run, validator, monkeypatch):
    monkeypatch.syspath_prepend(str(HERE.parent / "plugin_modules"))
    report = json.loads(run("fixtures", "-p", "crashing_plugin", "--format", "json").output)
    assert_valid(validator, report)
    levels = {finding["level"] for file in report["files"] for finding in file["findings"]}
    statuses = {file["status"] for file in report["files"]}
    assert levels == {"fail", "warn", "waived"} and "error" in statuses  # every branch of the schema was exercised


def test_report_with_a_baseline_is_valid(run, validator, tmp_path):
    baseline = tmp_path / "baseline.json"
    run("fixtures", "--write-baseline", str(baseline))
    report = json.loads(run("fixtures", "--baseline", str(baseline), "--format", "json").output)
    assert_valid(validator, report)
    assert report["baseline"]["written"] is False


def test_the_schema_rejects_what_the_report_must_not_contain(run, validator):
    report = json.loads(run("fixtures/expired.yaml", "--format", "json").output)
    report["files"][0]["findings"][0]["level"] = "error"
    assert list(validator.iter_errors(report))
    del report["files"][0]["findings"][0]["level"]
    report["surprise"] = True
    assert len(list(validator.iter_errors(report))) == 2
