"""Baseline: record today's findings, then report and gate only new ones."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from policycheck.baseline import BASELINE_SCHEMA, Applying, fingerprint
from policycheck.cli import main
from policycheck.findings import Finding, Waiver

FIXTURES = Path(__file__).resolve().parent / "report" / "fixtures"
# DAT001 fail; without its expired waiver, whose WVR001 no selection can turn off
EXPIRED = (FIXTURES / "expired.yaml").read_text(encoding="utf-8").split("waivers:")[0]
CLEAN = (FIXTURES / "clean.yaml").read_text(encoding="utf-8")
RULES = "DAT001,PRT001,WVR002"


@pytest.fixture
def project(tmp_path, monkeypatch):
    """proposals/a.yaml (DAT001) and b.yaml (same id as c.yaml: PRT001 on c.yaml)."""
    folder = tmp_path / "proposals"
    folder.mkdir()
    (folder / "a.yaml").write_text(EXPIRED, encoding="utf-8")
    (folder / "b.yaml").write_text(CLEAN.replace("FIX-2027-CLEAN", "FIX-2027-B"), encoding="utf-8")
    (folder / "c.yaml").write_text(CLEAN.replace("FIX-2027-CLEAN", "FIX-2027-B"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return folder


def check(*args: str, rules: str = RULES):
    return CliRunner().invoke(
        main,
        ["check", "proposals", *args, "--select", rules, "--no-plugins", "--no-config", "--today", "2026-11-23"],
        catch_exceptions=False,
    )


def reported(result) -> list[tuple[str, str]]:
    report = json.loads(result.output)
    return [(Path(file["file"]).name, finding["rule"]) for file in report["files"] for finding in file["findings"]]


def test_round_trip_write_then_nothing_is_new(project):
    written = check("--write-baseline", "baseline.json")
    assert written.exit_code == 0, written.output
    assert written.output.splitlines()[-1] == "baseline: wrote 2 findings to baseline.json"
    document = json.loads(Path("baseline.json").read_text(encoding="utf-8"))
    assert document["schema"] == BASELINE_SCHEMA
    assert [(entry["file"], entry["rule"]) for entry in document["findings"]] == [
        ("proposals/a.yaml", "DAT001"),
        ("proposals/c.yaml", "PRT001"),
    ]
    assert all("line" not in entry for entry in document["findings"])  # moved content must not break it
    again = check("--baseline", "baseline.json")
    assert again.exit_code == 0, again.output
    assert again.output.splitlines()[-2:] == [
        "3 files checked: 0 failed, 0 with warnings, 3 passed (0 fail, 0 warn, 0 waived)",
        "baseline: 2 findings matched, 0 entries no longer match",
    ]


def test_baseline_file_is_stable_and_sorted(project):
    check("--write-baseline", "first.json")
    check("--write-baseline", "second.json")
    first = Path("first.json").read_text(encoding="utf-8")
    assert first == Path("second.json").read_text(encoding="utf-8")
    assert first == json.dumps(json.loads(first), indent=2, sort_keys=True) + "\n"


def test_one_new_problem_is_the_only_thing_reported(project):
    check("--write-baseline", "baseline.json")
    (project / "d.yaml").write_text(EXPIRED.replace("FIX-2027-EXPIRED", "FIX-2027-D"), encoding="utf-8")
    result = check("--baseline", "baseline.json", "--format", "json")
    assert result.exit_code == 1
    assert reported(result) == [("d.yaml", "DAT001")]
    assert json.loads(result.output)["baseline"] == {
        "file": "baseline.json",
        "entries": 2,
        "matched": 2,
        "unmatched": 0,
        "written": False,
        "hidden_by_file": [{"file": "proposals/a.yaml", "findings": 1}, {"file": "proposals/c.yaml", "findings": 1}],
    }


def test_moved_lines_and_reordered_lists_still_match(project):
    check("--write-baseline", "baseline.json")
    text = (project / "a.yaml").read_text(encoding="utf-8")
    moved = "# a new comment\n# pushes every line down\n" + text.replace(
        "threats:\n", "threats:\n  - {id: THR-0, description: A threat inserted first, source: Assessment}\n"
    ).replace("addresses_threats: [THR-1]", "addresses_threats: [THR-0, THR-1]")
    (project / "a.yaml").write_text(moved, encoding="utf-8")
    result = check("--baseline", "baseline.json", "--format", "json")
    assert result.exit_code == 0, result.output
    assert reported(result) == []


def test_a_fixed_finding_leaves_an_entry_that_no_longer_matches(project):
    check("--write-baseline", "baseline.json")
    (project / "c.yaml").write_text(CLEAN.replace("FIX-2027-CLEAN", "FIX-2027-C"), encoding="utf-8")
    result = check("--baseline", "baseline.json")
    assert result.exit_code == 0
    assert (
        result.output.splitlines()[-1]
        == "baseline: 1 finding matched, 1 entry no longer matches (fixed? rewrite it with --write-baseline)"
    )


def test_a_changed_finding_is_new(project):
    check("--write-baseline", "baseline.json")
    text = (project / "a.yaml").read_text(encoding="utf-8")
    (project / "a.yaml").write_text(text.replace('end: "2027-06-30"', 'end: "2027-09-30"'), encoding="utf-8")
    result = check("--baseline", "baseline.json", "--format", "json")
    assert result.exit_code == 1  # a different date is a different finding: someone edited it and it is still wrong
    assert reported(result) == [("a.yaml", "DAT001")]


def test_findings_a_baseline_cannot_hide_are_not_recorded(project):
    (project / "a.yaml").write_text((FIXTURES / "expired.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (project / "b.yaml").write_text("schema: activity/v1\nid: FIX-2027-B\n", encoding="utf-8")  # SCH001
    result = check("--write-baseline", "baseline.json", "--format", "json", rules="DAT001,WVR001")
    recorded = {entry["rule"] for entry in json.loads(Path("baseline.json").read_text(encoding="utf-8"))["findings"]}
    assert recorded == {"DAT001", "PRT001"}  # PRT001 runs whatever is selected; a baseline may record it
    assert result.exit_code == 1
    assert {rule for _, rule in reported(result)} == {"SCH001", "WVR001"}


def test_a_baselined_warning_no_longer_gates_under_fail_on_warn(project):
    (project / "b.yaml").write_text(
        CLEAN.replace(
            "waivers: []", 'waivers:\n  - {rule: DAT001, justification: J, approved_by: A, expires: "2027-06-30"}'
        ),
        encoding="utf-8",
    )
    assert check("--fail-on", "warn").exit_code == 1  # WVR002 (warn): the waiver matches nothing
    check("--write-baseline", "baseline.json", rules="DAT001,PRT001")
    result = check("--baseline", "baseline.json", "--fail-on", "warn", rules="DAT001,PRT001")
    assert result.exit_code == 0
    report = json.loads(check("--baseline", "baseline.json", "--format", "json", rules="DAT001,PRT001").output)
    assert {file["file"]: file["rules"]["DAT001"] for file in report["files"]}["proposals/a.yaml"] == "pass"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "missing.json: no such baseline file; create it with --write-baseline missing.json"),
        ("{not json", "not a policycheck baseline (invalid JSON"),
        ('{"schema": "other/v9", "findings": []}', 'expected "schema": "policycheck-baseline/v1", found \'other/v9\''),
        (
            '{"schema": "policycheck-baseline/v1", "findings": [{"rule": "X"}]}',
            '"findings" must be a list of entries, each with a "file" and a "fingerprint"',
        ),
    ],
)
def test_a_bad_baseline_file_is_a_usage_error(project, content, expected):
    name = "missing.json" if content is None else "bad.json"
    if content is not None:
        Path(name).write_text(content, encoding="utf-8")
    result = check("--baseline", name)
    assert result.exit_code == 2
    assert expected in result.output
    assert "Traceback" not in result.output


def test_baseline_and_write_baseline_together_is_a_usage_error(project):
    result = check("--baseline", "a.json", "--write-baseline", "b.json")
    assert result.exit_code == 2
    assert "give either --baseline FILE" in result.output


# --- the fingerprint and matching, as units ------------------------------------------------------


def finding(**changes) -> Finding:
    base = dict(
        rule_id="INT003",
        level="warn",
        message="system 'Radar' is funded for 1 year, fewer than 3",
        file="p/a.yaml",
        line=10,
        column=5,
        pointer="/interoperability/systems/0/sustainment",
        activity_id="ALB-2027-X",
    )
    return Finding(**{**base, **changes})


def test_fingerprint_ignores_position_list_indexes_and_standalone_numbers():
    reference = fingerprint(finding())
    assert fingerprint(finding(line=99, column=1)) == reference
    assert fingerprint(finding(pointer="/interoperability/systems/3/sustainment")) == reference
    assert (
        fingerprint(finding(message="system 'Radar' is funded for 2 years, fewer than 3")) != reference
    )  # "years" differs
    assert fingerprint(finding(message="system 'Radar' is funded for 2 year, fewer than 5")) == reference
    assert fingerprint(finding(hint="anything")) == reference


@pytest.mark.parametrize(
    "change",
    [
        {"rule_id": "INT002"},
        {"file": "p/b.yaml"},
        {"activity_id": "ALB-2027-Y"},
        {"pointer": "/interoperability/systems/0/origin"},
        {"message": "system 'Sonar' is funded for 1 year, fewer than 3"},
    ],
)
def test_fingerprint_tells_apart_what_identifies_a_finding(change):
    assert fingerprint(finding(**change)) != fingerprint(finding())


def test_digits_in_ids_and_dates_are_not_quantities():
    message = "objective OBJ-2 ends on 2027-01-01"
    assert fingerprint(finding(message=message)) != fingerprint(finding(message=message.replace("OBJ-2", "OBJ-3")))
    assert fingerprint(finding(message=message)) != fingerprint(finding(message=message.replace("01-01", "01-02")))


def test_fingerprint_uses_the_path_relative_to_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert fingerprint(finding(file=str(tmp_path / "p" / "a.yaml"))) == fingerprint(finding(file="p/a.yaml"))
    assert fingerprint(finding(file="./p/a.yaml")) == fingerprint(finding(file="p/a.yaml"))


def test_identical_fingerprints_are_counted():
    findings = [finding(), finding(line=20), finding(line=30)]
    baseline = Applying(Counter({("p/a.yaml", fingerprint(finding())): 2}), "b.json")
    assert [f.line for f in baseline.keep(findings)] == [30]  # the third is new
    outcome = baseline.done()
    assert (outcome.matched, outcome.unmatched, outcome.entries) == (2, 0, 2)


def test_a_count_carries_over_from_file_to_file():
    recorded = {("p/a.yaml", fingerprint(finding())): 1, ("p/b.yaml", fingerprint(finding(file="p/b.yaml"))): 1}
    baseline = Applying(Counter(recorded), "b.json")
    assert baseline.keep([finding()]) == [] and baseline.keep([finding()]) == [finding()]
    assert (baseline.done().matched, baseline.done().unmatched) == (1, 1)


def test_waived_findings_are_neither_matched_nor_dropped():
    waiver = Waiver(rule="INT003", justification="J", approved_by="A", expires="2027-01-01")
    waived = finding().waived_by(waiver)
    baseline = Applying(Counter({("p/a.yaml", fingerprint(finding())): 1}), "b.json")
    assert baseline.keep([waived]) == [waived]
    outcome = baseline.done()
    assert (outcome.matched, outcome.unmatched) == (0, 1)
