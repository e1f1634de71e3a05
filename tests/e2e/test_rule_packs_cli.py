"""A user's own rule pack, end to end through `.policycheck.yaml` and the command line."""

import json

import pytest
from click.testing import CliRunner

from policycheck.cli import main
from policycheck.testing import activity_text

USER_PACK = """\
pack: odc-tirana
description: Standing guidance of the Office of Defense Cooperation.
reference:
  balkan_partners: [ALB, MKD, MNE]
rules:
  - id: ODC001
    title: A Balkan activity names no legal authority
    family: office
    level: fail
    rationale: Every Balkan activity cites the authority it runs under (ODC standing guidance).
    source: ODC standing guidance 2027-1
    when: {path: /partner/country, in: {reference: balkan_partners}}
    require: {path: /activity/authority, present: true}
    at: /activity/authority
    message: "activity {/id} names no legal authority: add `activity.authority` (e.g. 22 U.S.C. 2347)"
    fails: |
      activity:
        authority: null
    passes: |
      activity:
        authority: "22 U.S.C. 2347"
"""


def invoke(*args):
    return CliRunner().invoke(main, [*args, "--no-plugins"], catch_exceptions=False)


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A folder with a configuration naming mypack.yaml, as the current directory."""
    (tmp_path / ".policycheck.yaml").write_text("rule_packs: [mypack.yaml]\n", encoding="utf-8")
    (tmp_path / "mypack.yaml").write_text(USER_PACK, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_user_pack_rule_fires_with_its_line(project):
    text = activity_text("activity: {authority: null}")
    (project / "activity.yaml").write_text(text, encoding="utf-8")
    result = invoke("activity.yaml", "--today", "2027-01-01", "--format", "json")
    assert result.exit_code == 1, result.output
    findings = [finding for file in json.loads(result.output)["files"] for finding in file["findings"]]
    [finding] = [finding for finding in findings if finding["rule"] == "ODC001"]
    assert finding["level"] == "fail"
    assert (
        finding["message"]
        == "activity ALB-2027-NDS-01 names no legal authority: add `activity.authority` (e.g. 22 U.S.C. 2347)"
    )
    assert finding["line"] == text.splitlines().index("activity:") + 1
    assert finding["pointer"] == "/activity"


def test_user_pack_passes_and_skips(project):
    (project / "activity.yaml").write_text(activity_text(""), encoding="utf-8")
    assert invoke("activity.yaml", "--today", "2027-01-01").exit_code == 0
    (project / "ukr.yaml").write_text(
        activity_text("partner: {country: UKR}\nactivity: {authority: null}"), encoding="utf-8"
    )
    result = invoke("ukr.yaml", "--today", "2027-01-01", "--select", "ODC", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["files"][0]["rules"]["ODC001"] == "skip"


def test_user_pack_rule_is_listed_explained_and_configurable(project):
    listed = invoke("rules")
    assert any(
        line.split()[:3] == ["ODC001", "office", "fail"] and "(config:mypack.yaml)" in line
        for line in listed.output.splitlines()
    )
    explained = invoke("explain", "ODC001")
    assert "Source: ODC standing guidance 2027-1" in explained.output
    assert "authority: null" in explained.output
    (project / ".policycheck.yaml").write_text(
        "rule_packs: [mypack.yaml]\nrules: {ODC001: {level: warn}}\n", encoding="utf-8"
    )
    (project / "activity.yaml").write_text(activity_text("activity: {authority: null}"), encoding="utf-8")
    result = invoke("activity.yaml", "--today", "2027-01-01")
    assert result.exit_code == 0 and "WARN ODC001" in result.output


def test_bad_user_pack_is_a_usage_error_with_file_and_line(project):
    (project / "mypack.yaml").write_text(USER_PACK.replace("present: true", "presnt: true"), encoding="utf-8")
    (project / "activity.yaml").write_text(activity_text(""), encoding="utf-8")
    result = invoke("activity.yaml")
    assert result.exit_code == 2
    line = USER_PACK.splitlines().index("    require: {path: /activity/authority, present: true}") + 1
    expected = (
        f"policycheck: error: {project / 'mypack.yaml'}:{line}: rules[0].require.presnt: unknown operator "
        "'presnt'; did you mean 'present'?"
    )
    assert expected in result.output
    assert "Traceback" not in result.output


def test_user_pack_cannot_take_a_built_in_rule_id(project):
    (project / "mypack.yaml").write_text(USER_PACK.replace("ODC001", "THR001"), encoding="utf-8")
    result = invoke("rules")
    assert result.exit_code == 2
    assert (
        "rule id 'THR001' is registered by both 'policycheck.builtin.packs:threat.yaml' and 'config:mypack.yaml'"
        in result.output
    )


def test_missing_user_pack(project):
    (project / "mypack.yaml").unlink()
    result = invoke("rules")
    assert result.exit_code == 2
    assert f"{project / 'mypack.yaml'}: cannot read the rule pack" in result.output
