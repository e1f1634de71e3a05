"""Waivers: accountable, expiring, scoped exceptions; WVR001 expired, WVR002 unused/unknown."""

from datetime import date

from click.testing import CliRunner

from policycheck.cli import main
from policycheck.testing import activity_text, check, rule_ids

BACKWARDS = 'activity: {start: "2028-01-01", end: "2027-01-01"}\n'


def waiver(rule="DAT001", expires="2027-06-30", at=None):
    text = (
        f"waivers:\n  - rule: {rule}\n    justification: Dates follow the partner's fiscal calendar.\n"
        f'    approved_by: Director, Office of Defense Cooperation\n    expires: "{expires}"\n'
    )
    return text + (f"    at: {at}\n" if at else "")


def test_live_waiver_turns_findings_into_waived_with_accountability():
    [finding] = check(BACKWARDS + waiver(), select=["DAT001", "WVR"], today=date(2027, 1, 1))
    assert (finding.rule_id, finding.level) == ("DAT001", "waived")
    assert finding.waiver.approved_by == "Director, Office of Defense Cooperation"
    assert finding.waiver.justification.startswith("Dates follow")


def test_waiver_is_good_through_its_expiry_day():
    [finding] = check(BACKWARDS + waiver(expires="2027-01-01"), select=["DAT001", "WVR"], today=date(2027, 1, 1))
    assert finding.level == "waived"


def test_expired_waiver_gates_and_stops_waiving():
    findings = check(BACKWARDS + waiver(expires="2026-12-31"), select=["DAT001", "WVR"], today=date(2027, 1, 1))
    assert sorted((f.rule_id, f.level) for f in findings) == [("DAT001", "fail"), ("WVR001", "fail")]
    [expired] = [f for f in findings if f.rule_id == "WVR001"]
    assert "expired on 2026-12-31" in expired.message
    assert expired.pointer == "/waivers/0"
    assert "renew" in expired.hint


def test_waiver_at_covers_only_that_node_and_below():
    inside = check(BACKWARDS + waiver(at="/activity"), select=["DAT001", "WVR"])
    assert [(f.rule_id, f.level) for f in inside] == [("DAT001", "waived")]
    elsewhere = check(BACKWARDS + waiver(at="/objectives/0"), select=["DAT001", "WVR"])
    assert sorted((f.rule_id, f.level) for f in elsewhere) == [("DAT001", "fail"), ("WVR002", "warn")]
    [unused] = [f for f in elsewhere if f.rule_id == "WVR002"]
    assert unused.message == "the waiver for DAT001 at /objectives/0 matches no finding"


def test_unused_waiver_is_wvr002():
    findings = check(waiver(), select=["DAT001", "WVR"])
    assert rule_ids(findings) == ["WVR002"]
    assert "remove it" in findings[0].hint


def test_waiver_for_unknown_rule_suggests_the_closest():
    [finding] = check(waiver(rule="DAT002"), select=["DAT001", "WVR"])
    assert finding.rule_id == "WVR002"
    assert finding.message == "the waiver names the unknown rule 'DAT002'"
    assert finding.hint == "did you mean 'DAT001'?"


def test_core_findings_cannot_be_waived():
    [finding] = check(waiver(rule="SCH001"), select=["DAT001", "WVR"])
    assert (finding.rule_id, finding.level) == ("WVR003", "fail")  # an attempt to open the gate gates
    assert finding.message.endswith("is refused: SCH001 cannot be waived")


def test_waiver_for_a_rule_not_selected_is_not_called_unused():
    assert check(waiver(), select=["WVR"]) == []


def test_waived_findings_never_gate_and_show_in_text(tmp_path):
    path = tmp_path / "waived.yaml"
    path.write_text(activity_text(BACKWARDS + waiver()))
    result = CliRunner().invoke(main, [str(path), "--no-plugins", "--today", "2027-01-01", "--select", "DAT001,WVR"])
    assert result.exit_code == 0
    assert "WAIVED DAT001" in result.output
    assert "waived until 2027-06-30 by Director, Office of Defense Cooperation: Dates follow" in result.output
    later = CliRunner().invoke(main, [str(path), "--no-plugins", "--today", "2027-07-01", "--select", "DAT001,WVR"])
    assert later.exit_code == 1
    assert "FAIL WVR001" in later.output
