"""The FMS extension: its schema section, its rules, and its CSV output format."""

import csv
import io
import json
from datetime import date

import pytest
from click.testing import CliRunner

from policycheck.cli import main
from policycheck.testing import activity_text, assert_examples, assert_findings, check, rule_ids

PLUGIN = ["policycheck_fms"]


def fms(snippet, expected, **options):
    return assert_findings(snippet, expected, plugins=PLUGIN, select=["FMS"], **options)


def case(**fields):
    values = {"case_id": "AL-B-ZAA", "implementing_agency": "Army", "status": "offered", **fields}
    body = "".join(f"  {key}: {json.dumps(value)}\n" for key, value in values.items() if value is not None)
    return "activity: {type: fms-case}\nx-fms:\n" + body


@pytest.mark.parametrize("rule_id", ["FMS001", "FMS002"])
def test_explain_examples_hold(rule_id):
    assert_examples(rule_id, plugins=PLUGIN)


# --- the x-fms schema fragment ---------------------------------------------------


def test_a_complete_section_is_valid():
    fms(
        case(
            offer_date="2026-10-01", offer_expiration="2027-06-01", case_value={"amount": 12000000, "currency": "USD"}
        ),
        [],
    )


@pytest.mark.parametrize(
    "fields, pointer",
    [
        ({"case_id": "AL-B-ZA1"}, "/x-fms/case_id"),
        ({"case_id": "ALB-B-ZAA"}, "/x-fms/case_id"),
        ({"implementing_agency": "Marines"}, "/x-fms/implementing_agency"),
        ({"offer_expiration": "next spring"}, "/x-fms/offer_expiration"),
        ({"implementing_agency": None}, "/x-fms"),
    ],
)
def test_schema_errors_in_the_section_are_sch001(fields, pointer):
    findings = fms(case(**fields), ["SCH001"])
    assert findings[0].pointer == pointer


def test_unknown_key_in_the_section_is_sch001_with_a_hint():
    [finding] = fms(case(case_idd="AL-B-ZAA"), ["SCH001"])
    assert "case_idd" in finding.message + (finding.hint or "")


def test_without_the_plugin_the_section_is_not_checked():
    assert rule_ids(check(case(case_id="not a case"), select=["SCH001"])) == []


def test_schema_command_includes_the_section():
    result = CliRunner().invoke(main, ["schema", "--no-plugins", "-p", "policycheck_fms"])
    schema = json.loads(result.output)
    assert schema["properties"]["x-fms"]["properties"]["case_id"]["pattern"] == "^[A-Z]{2}-[A-Z]-[A-Z]{3}$"


# --- FMS001 --------------------------------------------------------------------


def test_fms_case_without_section_warns():
    [finding] = fms("activity: {type: fms-case}\n", ["FMS001"])
    assert finding.level == "warn" and finding.pointer == "/activity/type"


def test_other_activities_need_no_section():
    fms("activity: {type: training}\n", [])


# --- FMS002 --------------------------------------------------------------------


def test_expired_offer_fails():
    [finding] = fms(case(offer_expiration="2026-12-31"), ["FMS002"], today=date(2027, 1, 1))
    assert finding.level == "fail"
    assert "AL-B-ZAA expired on 2026-12-31" in finding.message


def test_offer_about_to_expire_warns_within_the_parameter():
    snippet = case(offer_expiration="2027-01-20")
    [finding] = fms(snippet, ["FMS002"], today=date(2027, 1, 1))
    assert finding.level == "warn" and "in 19 days" in finding.message
    fms(snippet, [], today=date(2027, 1, 1), config={"rules": {"FMS002": {"warn_within_days": 7}}})


@pytest.mark.parametrize("status", ["accepted", "implemented", "closed"])
def test_accepted_offers_do_not_expire(status):
    fms(case(status=status, offer_expiration="2020-01-01"), [])


# --- the csv output format -------------------------------------------------------


def test_csv_format_writes_one_row_per_finding(tmp_path):
    path = tmp_path / "case.yaml"
    path.write_text(activity_text(case(offer_expiration="2026-06-01")), encoding="utf-8")
    args = [
        str(path),
        "--no-plugins",
        "-p",
        "policycheck_fms",
        "--select",
        "FMS",
        "--today",
        "2027-01-01",
        "--format",
        "csv",
    ]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [(row["rule"], row["level"], row["pointer"]) for row in rows] == [
        ("FMS002", "fail", "/x-fms/offer_expiration")
    ]
    assert rows[0]["file"] == str(path) and int(rows[0]["line"]) > 1
    assert rows[0]["activity_id"] == "ALB-2027-NDS-01"


def test_csv_is_just_the_header_when_clean(tmp_path):
    path = tmp_path / "clean.yaml"
    path.write_text(activity_text(""), encoding="utf-8")
    result = CliRunner().invoke(
        main, [str(path), "--no-plugins", "-p", "policycheck_fms", "--select", "FMS", "--format", "csv"]
    )
    assert result.exit_code == 0
    assert result.output == "file,line,column,level,rule,message,hint,activity_id,pointer\n"


def test_csv_quotes_a_message_with_a_comma(tmp_path):
    path = tmp_path / "soon.yaml"
    path.write_text(activity_text(case(offer_expiration="2027-01-20")), encoding="utf-8")
    args = [
        str(path),
        "--no-plugins",
        "-p",
        "policycheck_fms",
        "--select",
        "FMS",
        "--today",
        "2027-01-01",
        "--format",
        "csv",
    ]
    result = CliRunner().invoke(main, args)
    assert ',"LOA AL-B-ZAA expires on 2027-01-20, in 19 days",' in result.output
    [row] = list(csv.DictReader(io.StringIO(result.output)))
    assert row["message"] == "LOA AL-B-ZAA expires on 2027-01-20, in 19 days" and row["level"] == "warn"
