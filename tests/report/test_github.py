"""GitHub workflow commands: one annotation per finding, escaped as the Actions runner expects."""

from __future__ import annotations

from policycheck.report.github import _data, _property

STABLE_RULES = "SCH001,DAT001,PRT001,WVR001,WVR002,LOAD001"


def test_fail_warn_and_waived_become_error_warning_and_notice(run):
    lines = run(
        "fixtures/expired.yaml", "fixtures/waived.yaml", "--select", STABLE_RULES, "--format", "github"
    ).output.splitlines()
    assert lines[0] == (
        "::error file=fixtures/expired.yaml,line=12,col=3,title=DAT001::the activity ends (2027-06-30) before it "
        "starts (2028-03-01)"
        " [swap `start` and `end`, or correct the year]"
    )
    assert lines[1].startswith(
        "::error file=fixtures/expired.yaml,line=33,col=5,title=WVR001::the waiver for DAT001 expired"
    )
    # the most severe first: errors, warnings, then notices, then one summary notice
    assert lines[2].startswith("::warning file=fixtures/waived.yaml,line=38,col=5,title=WVR002::")
    assert lines[3].startswith(
        "::notice file=fixtures/waived.yaml,line=12,col=3,title=DAT001::waived until 2027-06-30 by Director, Office "
        "of Defense Cooperation"
        " (Dates follow the partner's fiscal year: 100%25 funded"
    )
    assert lines[4].startswith("::notice title=policycheck::2 files checked: 1 failed, 1 with warnings, 0 passed")
    assert lines[-1] == "2 files checked: 1 failed, 1 with warnings, 0 passed (2 fail, 1 warn, 1 waived)"


def test_escaping_follows_the_actions_toolkit():
    assert _data("100% done\r\nnext: a, b") == "100%25 done%0D%0Anext: a, b"
    assert _property("dir/a:b,c%.yaml") == "dir/a%3Ab%2Cc%25.yaml"


def test_a_file_name_with_comma_and_colon_is_escaped_in_the_property(run, tmp_path, monkeypatch):
    from pathlib import Path

    text = (Path(__file__).resolve().parent / "fixtures" / "expired.yaml").read_text(encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    Path("a,b:c.yaml").write_text(text, encoding="utf-8")
    from click.testing import CliRunner

    from policycheck.cli import main

    output = CliRunner().invoke(main, ["a,b:c.yaml", "--select", "DAT001", "--format", "github", "--no-plugins"]).output
    assert output.startswith("::error file=a%2Cb%3Ac.yaml,line=12,col=3,title=DAT001::")
