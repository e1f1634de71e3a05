"""End to end through the command line: commands, inputs, formats, exit codes."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from policycheck import __version__
from policycheck.cli import main
from policycheck.testing import activity_text, starter

REFERENCE_EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "reference.yaml"
PLUGIN_MODULES = Path(__file__).parent / "plugin_modules"


def check(*args, input=None):
    return CliRunner().invoke(
        main, [*args, "--no-plugins", "--today", "2027-01-01"], input=input, catch_exceptions=False
    )


@pytest.fixture
def write(tmp_path):
    def write(name: str, snippet: str, base: bool = True) -> str:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(activity_text(snippet, base) if base else snippet, encoding="utf-8")
        return str(path)

    return write


def findings_of(result) -> list[dict]:
    report = json.loads(result.output)
    return [finding for file in report["files"] for finding in file["findings"]]


def test_reference_example_passes_with_no_finding_at_all():
    result = check(str(REFERENCE_EXAMPLE), "--format", "json")
    assert result.exit_code == 0, result.output
    assert findings_of(result) == []


def test_schema_errors_name_line_path_and_hint(write):
    path = write("typo.yaml", "schema: activity/v1\nid: ALB-1\ntitle: T\nparnter: {}\n", base=False)
    result = check(path)
    assert result.exit_code == 1
    wanted = f"{path}:4:1 FAIL SCH001 [*] unknown key 'parnter' in the document [did you mean 'partner'?]"
    assert wanted in result.output
    assert "is missing the required key 'partner'" in result.output


def test_country_name_gets_code_hint(write):
    path = write("country.yaml", "partner: {country: Albania}\n")
    [finding] = findings_of(check(path, "--format", "json"))
    assert finding["rule"] == "SCH001"
    assert finding["pointer"] == "/partner/country"
    assert finding["hint"] == "did you mean 'ALB' (Albania)?"


def test_norway_code_no_stays_a_string(write):
    path = write("norway.yaml", "partner: {country: NO}\n")
    [finding] = findings_of(check(path, "--format", "json", "--select", "SCH"))
    assert finding["message"] == "partner.country: 'NO' is not an ISO 3166-1 alpha-3 country code"
    assert finding["hint"] == "did you mean 'NOR' (Norway)?"


def test_yaml11_boolean_words_get_a_hint(write):
    path = write("yes.yaml", "interoperability:\n  systems:\n    - name: Radio\n      sustainment: {training: yes}\n")
    [finding] = findings_of(check(path, "--format", "json", "--select", "SCH"))
    assert (
        finding["message"]
        == "interoperability.systems[0].sustainment.training: expected true or false, found text ('yes')"
    )
    assert finding["hint"] == "write true: 'yes' is text in YAML 1.2"


def test_text_format_is_grouped_and_summarised(write):
    path = write("dates.yaml", 'activity: {start: "2028-01-01", end: "2027-01-01"}\n')
    result = check(path, "--select", "DAT001")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == f"{path}  [CUI//REL TO USA, ALB]  ALB-2027-NDS-01"
    assert lines[1].startswith(f"  {path}:")
    assert " FAIL DAT001 the activity ends (2027-01-01) before it starts (2028-01-01) [swap" in lines[1]
    assert lines[-1] == "1 file checked: 1 failed, 0 with warnings, 0 passed (1 fail, 0 warn, 0 waived)"
    assert "\x1b[" not in result.output  # no color when not a terminal


def test_color_only_when_asked_for_a_terminal(write, monkeypatch):
    path = write("dates.yaml", 'activity: {start: "2028-01-01", end: "2027-01-01"}\n')
    monkeypatch.setattr("policycheck.pipeline.is_terminal", lambda stream: True)
    colored = CliRunner().invoke(main, [path, "--no-plugins"], color=True)
    assert "\x1b[31m" in colored.output
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in CliRunner().invoke(main, [path, "--no-plugins"], color=True).output


def test_json_output_is_deterministic(write):
    paths = [write(f"a{i}.yaml", f"id: ACT-{i % 2}\n") for i in range(4)]
    first, second = check(*paths, "--format", "json"), check(*paths, "--format", "json")
    assert first.output == second.output
    assert json.loads(first.output)["summary"]["files"] == 4


def test_duplicate_ids_across_files_are_prt001(write):
    a, b = write("a.yaml", "id: SAME-1\n"), write("b.yaml", "id: SAME-1\n")
    found = findings_of(check(a, b, "--format", "json", "--select", "PRT001"))
    assert [(f["rule"], f["file"], f["line"], f["activity_id"]) for f in found] == [("PRT001", b, 2, "SAME-1")]
    assert a in found[0]["message"]


def test_directories_recurse_and_globs_expand(write, tmp_path):
    write("d/one.yaml", "")
    write("d/sub/two.yml", "")
    (tmp_path / "d" / "notes.txt").write_text("not an activity")
    write("d/sub/three.yaml", "id: THREE-1\n")
    report = json.loads(check(str(tmp_path / "d"), "--format", "json").output)
    assert [Path(f["file"]).name for f in report["files"]] == ["one.yaml", "three.yaml", "two.yml"]
    report = json.loads(check(str(tmp_path / "d" / "*" / "*.yml"), "--format", "json").output)
    assert [Path(f["file"]).name for f in report["files"]] == ["two.yml"]


def test_stdin_is_read_with_dash():
    result = check("-", "--format", "json", input=starter())
    assert result.exit_code == 0
    assert json.loads(result.output)["files"][0]["file"] == "<stdin>"


def test_load_error_is_a_finding_not_a_traceback(write):
    path = write("dup.yaml", "id: A\nid: B\n", base=False)
    result = check(path)
    assert result.exit_code == 1
    assert f"{path}:2:1 FAIL LOAD001 duplicate key 'id' (first defined on line 1)" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.yaml"], "missing.yaml: no such file or directory"),
        (["{example}", "--format", "yaml"], "unknown format 'yaml' (available:"),
        (["{example}", "--select", "XYZ"], "select: no rule matches 'XYZ'"),
        (["{example}", "--select", "DAT01"], "select: no rule matches 'DAT01'"),
        (["{example}", "--bogus"], "--bogus"),  # click's wording of it changed in 8.2.x
        (["{example}", "-p", "no_such_module_anywhere"], "cannot import plugin module 'no_such_module_anywhere'"),
    ],
)
def test_usage_errors_exit_2(args, message):
    args = [arg.replace("{example}", str(REFERENCE_EXAMPLE)) for arg in args]
    result = CliRunner().invoke(main, [*args, "--no-plugins"])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_fail_on_warn_gates_warnings(monkeypatch, write):
    monkeypatch.syspath_prepend(str(PLUGIN_MODULES))
    path = write("warn.yaml", "")
    args = [path, "-p", "crashing_plugin", "--select", "TST902"]
    assert check(*args).exit_code == 0
    assert check(*args, "--fail-on", "warn").exit_code == 1


def test_crashing_rule_is_err001_and_others_still_run(monkeypatch, write):
    monkeypatch.syspath_prepend(str(PLUGIN_MODULES))
    path = write("crash.yaml", 'activity: {start: "2028-01-01", end: "2027-01-01"}\n')
    result = check(path, "-p", "crashing_plugin", "--format", "json")
    assert result.exit_code == 3
    rules = sorted(f["rule"] for f in findings_of(result))
    assert rules == ["DAT001", "ERR001", "TST902"]
    [crash] = [f for f in findings_of(result) if f["rule"] == "ERR001"]
    assert "rule TST901 crashed: RuntimeError: boom" in crash["message"]
    assert "crashing_plugin" in crash["hint"]


def test_rule_id_clash_names_both_plugins(monkeypatch):
    monkeypatch.syspath_prepend(str(PLUGIN_MODULES))
    result = CliRunner().invoke(main, [str(REFERENCE_EXAMPLE), "--no-plugins", "-p", "clashing_plugin"])
    assert result.exit_code == 2
    assert "rule id 'DAT001' is registered by both 'policycheck.builtin.core' and 'clashing_plugin'" in result.output


def test_rules_lists_every_rule_with_family_and_level():
    result = CliRunner().invoke(main, ["rules", "--no-plugins", "--format", "json"])
    rows = {row["id"]: row for row in json.loads(result.output)}
    assert rows["DAT001"] == {
        "id": "DAT001",
        "family": "core",
        "level": "fail",
        "enabled": True,
        "title": "Activity ends before it starts",
        "plugin": "policycheck.builtin.core",
    }
    assert {"LOAD001", "SCH001", "ERR001", "WVR001", "WVR002", "PRT001"} <= set(rows)


def test_explain_prints_sections_and_suggests_close_ids():
    result = CliRunner().invoke(main, ["explain", "dat001", "--no-plugins"])
    assert result.exit_code == 0
    for section in (
        "## What it checks",
        "## Why it matters",
        "## Fails",
        "## Passes",
        "## Parameters",
        'start: "2028-01-01"',
    ):
        assert section in result.output
    result = CliRunner().invoke(main, ["explain", "DAT002", "--no-plugins"])
    assert result.exit_code == 2
    assert "did you mean DAT001?" in result.output


@pytest.mark.parametrize(
    "rule_id, says",
    [
        ("GOV005", "Only the Secretary of State or Secretary of Defense may grant an exception"),
        ("REL007", "Only the National Disclosure Policy Committee may grant an exception"),
        ("SCH001", "Never waived: no waiver and no configuration can hide this finding."),
        ("PRT001", "Never waived by default"),
    ],
)
def test_explain_says_who_may_waive_a_rule_that_not_anyone_may(rule_id, says):
    output = CliRunner().invoke(main, ["explain", rule_id, "--no-plugins", "--no-config"]).output
    assert "## Waivers\n\n" + says in output


def test_explain_has_no_waivers_section_for_an_ordinary_rule():
    assert "## Waivers" not in CliRunner().invoke(main, ["explain", "DAT001", "--no-plugins", "--no-config"]).output


def test_schema_command_fills_country_codes():
    schema = json.loads(CliRunner().invoke(main, ["schema", "--no-plugins"]).output)
    assert "ALB" in schema["$defs"]["countryCode"]["enum"]
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_init_writes_a_starter_that_passes(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["init"])
    assert result.exit_code == 0
    text = (tmp_path / "activity.yaml").read_text()
    assert text.startswith("# yaml-language-server: $schema=activity.schema.json")
    assert (tmp_path / "activity.schema.json").is_file()
    assert check("activity.yaml").exit_code == 0
    again = CliRunner().invoke(main, ["init"])
    assert again.exit_code == 2 and "already exists" in again.output


def test_version():
    result = CliRunner().invoke(main, ["--version"])
    assert result.output == f"policycheck {__version__}\n"


def test_installed_command_runs_as_a_real_process(tmp_path):
    command = Path(sys.executable).parent / "policycheck"
    env = {**os.environ, "NO_COLOR": "1"}
    done = subprocess.run(
        [str(command), str(REFERENCE_EXAMPLE), "--no-plugins"], capture_output=True, text=True, cwd=tmp_path, env=env
    )
    assert done.returncode == 0, done.stderr
    assert "1 file checked: 0 failed, 0 with warnings, 1 passed" in done.stdout
    module = subprocess.run(
        [sys.executable, "-m", "policycheck", str(tmp_path / "nope.yaml")], capture_output=True, text=True, cwd=tmp_path
    )
    assert module.returncode == 2
    assert "nope.yaml: no such file or directory" in module.stderr
    assert "Traceback" not in module.stderr


def _what_it_checks(output: str) -> str:
    return output.split("## What it checks\n\n", 1)[1].split("\n\n## Why it matters", 1)[0]


def test_explain_prints_every_built_in_rules_description():
    rows = json.loads(CliRunner().invoke(main, ["rules", "--no-plugins", "--format", "json"]).output)
    assert len(rows) > 40
    for row in rows:
        result = CliRunner().invoke(main, ["explain", row["id"], "--no-plugins"])
        assert result.exit_code == 0, result.output
        section = _what_it_checks(result.output)
        # the title alone is the fallback for rules that have no description
        assert section.strip() and section != f"{row['title']}.", f"{row['id']} has no description"
        assert "\n" not in section, f"{row['id']}: a description is one paragraph"


def test_explain_falls_back_to_the_title_for_a_rule_without_description(monkeypatch):
    monkeypatch.syspath_prepend(str(PLUGIN_MODULES))
    result = CliRunner().invoke(main, ["explain", "TST902", "--no-plugins", "-p", "crashing_plugin"])
    assert result.exit_code == 0, result.output
    assert _what_it_checks(result.output) == "Always fires."


def test_help_and_docs_list_every_exit_code():
    """`--help`, `check --help` and docs/cli.md name each code of errors.py (issue 16)."""
    from policycheck import errors

    codes = sorted(value for name, value in vars(errors).items() if name.startswith("EXIT_"))
    assert codes == [0, 1, 2, 3, 4, 130, 141, 143]
    docs = (Path(__file__).resolve().parents[1] / "docs" / "cli.md").read_text(encoding="utf-8")
    table = docs[docs.index("## Exit codes") :]
    for arguments in (["--help"], ["check", "--help"]):
        shown = CliRunner().invoke(main, arguments).output
        for code in codes:
            assert re.search(rf"^ +{code} +\S", shown, re.MULTILINE), (arguments, code)
    for code in codes:
        assert f"\n| {code} |" in table, code
