"""Way 4 of issue 15: self-approved waivers. The trusted configuration governs what a waiver may do."""

from __future__ import annotations

import json

from .conftest import CLEAN, FAILING, SELF_APPROVED, TODAY, policycheck, with_waivers


def findings(result) -> list[tuple[str, str, str]]:
    report = json.loads(result.stdout)
    return [(f["rule"], f["level"], f["message"]) for file in report["files"] for f in file["findings"]]


def test_self_approved_waivers_waive_nothing_and_gate(tmp_path):
    (tmp_path / "bad.yaml").write_text(with_waivers(FAILING, SELF_APPROVED), encoding="utf-8")
    result = policycheck(tmp_path, "check", "--no-config", "--no-plugins", "--today", TODAY, "-f", "json", "bad.yaml")
    assert result.returncode == 1, result.stderr
    found = findings(result)
    assert not [f for f in found if f[1] == "waived"]  # not one finding hidden
    assert {("DAT001", "fail"), ("GOV005", "fail"), ("REL007", "fail")} <= {f[:2] for f in found}
    messages = "\n".join(f"{rule} {message}" for rule, _, message in found)
    assert "SCH001 waivers[0].approved_by" in messages  # a blank approver is a schema error
    assert "`at: /` names no node of this document" in messages or "`at: /` is not an RFC 6901" in messages
    assert "`at: //`" in messages
    assert "the waiver runs 2912116 days, past the policy's limit of 365" in messages  # 9999-12-31
    assert "PRT001 cannot be waived" in messages
    assert "an exception to GOV005 belongs to Secretary of State or Secretary of Defense" in messages
    assert "an exception to REL007 belongs to National Disclosure Policy Committee; no `authority`" in messages


def test_quiet_never_hides_a_file_whose_findings_were_waived(tmp_path):
    waiver = (
        "waivers:\n  - {rule: DAT001, justification: Fiscal year., approved_by: 'Director, ODC', "
        'expires: "2027-06-30"}\n'
    )
    dates = CLEAN.replace('start: "2027-01-15"\n  end: "2028-06-30"', 'start: "2028-03-01"\n  end: "2027-06-30"')
    (tmp_path / "a.yaml").write_text(with_waivers(dates, waiver), encoding="utf-8")
    for fmt in ("text", "markdown", "github", "junit", "json", "sarif"):
        result = policycheck(
            tmp_path, "check", "--no-config", "--no-plugins", "--today", TODAY, "-q", "-f", fmt, "a.yaml"
        )
        assert result.returncode == 0, result.stderr
        out = result.stdout
        # every format lists the waivers in force: rule, approver, justification, expiry, days left
        assert "DAT001" in out and "Director, ODC" in out and "Fiscal year." in out and "2027-06-30" in out, fmt
        assert "219" in out, fmt


def test_governance_comes_from_the_configuration(tmp_path):
    waivers = (
        "waivers:\n"
        "  - {rule: GOV005, justification: Notified to Congress., approved_by: 'Director, ODC',"
        ' authority: Secretary of State, expires: "2027-06-30"}\n'
        "  - {rule: REL007, justification: NDPC exception 27-4., approved_by: 'Chief, ODC',"
        ' authority: National Disclosure Policy Committee, expires: "2027-06-30"}\n'
    )
    (tmp_path / "a.yaml").write_text(with_waivers(FAILING, waivers), encoding="utf-8")
    (tmp_path / ".policycheck.yaml").write_text("waivers:\n  approvers: ['Director, *']\n", encoding="utf-8")
    result = policycheck(tmp_path, "check", "--no-plugins", "--today", TODAY, "-f", "json", "a.yaml")
    found = {(rule, level): message for rule, level, message in findings(result)}
    assert ("GOV005", "waived") in found  # the law's office, approved by someone the policy names
    assert "Chief, ODC may not approve waivers" in found[("WVR003", "fail")]
    assert ("REL007", "fail") in found
    # --no-waivers (audit): the same waiver hides nothing, and says what it would hide
    audit = policycheck(tmp_path, "check", "--no-plugins", "--today", TODAY, "--no-waivers", "a.yaml")
    assert audit.returncode == 1
    assert "FAIL GOV005" in audit.stdout and "would be waived (--no-waivers) until 2027-06-30" in audit.stdout
    assert "policy: --no-waivers (audit): waivers hide nothing" in audit.stdout
    # a configuration may shorten the longest waiver
    (tmp_path / ".policycheck.yaml").write_text("waivers:\n  max_days: 30\n", encoding="utf-8")
    short = policycheck(tmp_path, "check", "--no-plugins", "--today", TODAY, "a.yaml")
    assert "the waiver runs 219 days, past the policy's limit of 30" in short.stdout
