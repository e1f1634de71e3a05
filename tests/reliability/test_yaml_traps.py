"""YAML 1.1 traps, handled as activity-format.md says: YAML 1.2 core scalars, except
that a leading-zero integer (0755) stays text and unquoted dates stay text.

Documents here are written as raw text: going through a YAML dumper would quote
the very scalars under test.
"""

from __future__ import annotations

import json

import pytest

from policycheck.load import LoadError, parse
from policycheck.testing import starter

from reliability_support import COMMON, activity, assert_clean_failure, cli

# (scalar as written, the value it loads as)
TRAPS = [
    ("NO", "NO"),
    ("no", "no"),
    ("No", "No"),
    ("yes", "yes"),
    ("Yes", "Yes"),
    ("on", "on"),
    ("off", "off"),
    ("y", "y"),
    ("n", "n"),
    ("0755", "0755"),
    ("-0755", "-0755"),
    ("007", "007"),
    ("0755.5", "0755.5"),
    ("1e3", 1000.0),
    ("1E3", 1000.0),
    ("-1.5e-3", -0.0015),
    ("2027-01-15", "2027-01-15"),
    ("2027-01-15T10:00:00Z", "2027-01-15T10:00:00Z"),
    ("12:30", "12:30"),  # sexagesimal in YAML 1.1
    ("1_000", "1_000"),  # an underscore number in YAML 1.1
    ("true", True),
    ("False", False),
    ("null", None),
    ("~", None),
    ("0", 0),
    ("42", 42),
    ("-7", -7),
    ("0o17", 15),
    ("0x1F", 31),
    ("3.25", 3.25),
    # not finite: JSON has no such number, so they are refused (LOAD001), quoted they are text
    (".inf", LoadError),
    (".nan", LoadError),
    ("1e999", LoadError),
]


def _loads(scalar: str):
    return parse(f"value: {scalar}\n").data["value"]


@pytest.mark.parametrize(("written", "expected"), TRAPS, ids=[written for written, _ in TRAPS])
def test_unquoted_scalar(written, expected):
    if expected is LoadError:
        with pytest.raises(LoadError, match="finite|infinite"):
            _loads(written)
        return
    value = _loads(written)
    assert value == expected
    assert type(value) is type(expected)  # True == 1 and 1000 == 1000.0: the type matters too


@pytest.mark.parametrize("written", [written for written, _ in TRAPS])
@pytest.mark.parametrize("quote", ["'", '"'])
def test_quoted_scalar_is_always_text(written, quote):
    assert _loads(f"{quote}{written}{quote}") == written


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("!!str 0755", "0755"),
        ("!!str yes", "yes"),
        ("!!float 1e3", 1000.0),
        ("!!int 42", 42),
        ("!!str 2027-01-15", "2027-01-15"),
    ],
)
def test_explicit_core_tags(written, expected):
    value = _loads(written)
    assert value == expected and type(value) is type(expected)


def test_a_number_that_is_not_finite_is_refused_through_the_cli(tmp_path):
    """`budget.amount: .nan` (or .inf, 1e999) passed the schema; JSON has no such number, so it is LOAD001."""
    for written in (".nan", ".inf", "1e999"):
        path = tmp_path / "activity.yaml"
        path.write_text(activity(("amount: 850000", f"amount: {written}")), encoding="utf-8")
        run = cli(str(path), *COMMON, "--format", "json")
        assert_clean_failure(run, 1, '"rule": "LOAD001"', "finite" if written.startswith(".") else "infinite")


# --- through the CLI -------------------------------------------------------------------


def _check(tmp_path, text: str, name: str = "activity.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    run = cli(str(path), *COMMON, "--format", "json")
    assert "Traceback" not in run.output, run.output
    return run, json.loads(run.stdout)


def _findings(report: dict) -> list[tuple]:
    return [
        (f["rule"], f["line"], f["column"], f["message"], f["hint"])
        for file in report["files"]
        for f in file["findings"]
    ]


def test_unquoted_NO_is_Norway_s_code_not_false(tmp_path):
    unquoted, report = _check(tmp_path, activity(("country: ALB", "country: NO")))
    quoted, quoted_report = _check(tmp_path, activity(("country: ALB", "country: 'NO'")), "quoted.yaml")
    assert unquoted.exit_code == quoted.exit_code == 1
    assert _findings(report) == _findings(quoted_report)
    schema = [f for f in _findings(report) if f[0] == "SCH001"]
    assert schema == [
        (
            "SCH001",
            13,
            3,
            "partner.country: 'NO' is not an ISO 3166-1 alpha-3 country code",
            "did you mean 'NOR' (Norway)?",
        )
    ]


def test_NO_in_rel_to_is_text_too(tmp_path):
    run, report = _check(tmp_path, activity(("rel_to: [USA, ALB]", "rel_to: [USA, ALB, NO]")))
    assert run.exit_code == 1
    messages = " ".join(f[3] for f in _findings(report))
    assert "'NO'" in messages and "False" not in messages


def test_unquoted_dates_stay_text_and_pass(tmp_path):
    text = activity(
        ('start: "2027-01-15"', "start: 2027-01-15"),
        ('end: "2028-06-30"', "end: 2028-06-30"),
        ('due: "2027-12-31"', "due: 2027-12-31"),
    )
    run, report = _check(tmp_path, text)
    assert_clean_failure(run, 0)
    assert _findings(report) == []


def test_impossible_unquoted_date_is_a_schema_error_not_a_crash(tmp_path):
    run, report = _check(tmp_path, activity(('start: "2027-01-15"', "start: 2027-02-30")))
    assert run.exit_code == 1
    assert (
        "SCH001",
        25,
        3,
        "activity.start: '2027-02-30' is not a valid date",
        "write dates as YYYY-MM-DD",
    ) in _findings(report)


def test_1e3_is_a_number(tmp_path):
    run, report = _check(tmp_path, activity(("amount: 850000", "amount: 1e3")))
    assert_clean_failure(run, 0)
    quoted, quoted_report = _check(tmp_path, activity(("amount: 850000", "amount: '1e3'")), "quoted.yaml")
    assert quoted.exit_code == 1
    assert [f[:4] for f in _findings(quoted_report)] == [
        ("SCH001", 28, 5, "activity.budget.amount: expected a number, found text ('1e3')")
    ]


def test_leading_zero_id_stays_text(tmp_path):
    run, report = _check(tmp_path, activity(("id: ALB-2027-NDS-01", "id: 0755")))
    assert_clean_failure(run, 0)
    assert report["files"][0]["activity_id"] == "0755"


def test_leading_zero_quantity_is_text_so_the_schema_says_so(tmp_path):
    systems = (
        "systems:\n    - "
        "{name: Radio, origin: USA, quantity: 0755,"
        " sustainment: {training: true, spare_parts: true, maintenance: true, funded_years: 5}}\n"
    )
    run, report = _check(
        tmp_path,
        activity(("systems: []                       # equipment the activity delivers or depends on\n", systems)),
    )
    assert run.exit_code == 1
    schema = [f for f in _findings(report) if f[0] == "SCH001"]
    assert [f[3] for f in schema] == [
        "interoperability.systems[0].quantity: expected a whole number, found text ('0755')"
    ]


@pytest.mark.parametrize("word", ["yes", "on", "Yes", "ON"])
def test_yes_and_on_are_not_booleans(tmp_path, word):
    systems = (
        "systems:\n    - "
        f"{{name: Radio, origin: USA, quantity: 4,"
        f" sustainment: {{training: {word}, spare_parts: true, maintenance: true, funded_years: 5}}}}\n"
    )
    run, report = _check(
        tmp_path,
        activity(("systems: []                       # equipment the activity delivers or depends on\n", systems)),
    )
    assert run.exit_code == 1
    schema = [f[3] for f in _findings(report) if f[0] == "SCH001"]
    assert schema == [
        f"interoperability.systems[0].sustainment.training: expected true or false, found text ('{word}')"
    ]


def test_true_is_the_boolean(tmp_path):
    systems = (
        "systems:\n    - "
        "{name: Radio, origin: USA, quantity: 4,"
        " sustainment: {training: true, spare_parts: True, maintenance: TRUE, funded_years: 5}}\n"
    )
    run, report = _check(
        tmp_path,
        activity(("systems: []                       # equipment the activity delivers or depends on\n", systems)),
    )
    assert [f for f in _findings(report) if f[0] == "SCH001"] == []


def test_off_in_a_text_field_is_just_text(tmp_path):
    run, report = _check(
        tmp_path, activity(("transparency: Unclassified summary of the strategy is published.", "transparency: off"))
    )
    assert_clean_failure(run, 0)
    assert _findings(report) == []


def test_starter_line_numbers_used_above():
    lines = starter().splitlines()
    assert lines[12].strip().startswith("country: ALB")
    assert lines[24].strip().startswith("start:")
    assert lines[27].strip().startswith("amount:")
