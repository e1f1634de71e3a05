"""Which findings `--fix` would fix, through the real command: the text report's `[*]` and its count line
(as ruff's), the JSON report's `fix`, each agreeing with what `--fix` then does."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from policycheck.cli import main
from policycheck.fixes import apply_to_data
from policycheck.load import parse
from policycheck.rule import Edit
from policycheck.testing import activity_text

ROOT = Path(__file__).resolve().parents[2]
FIXED = ["--no-config", "--no-plugins", "--today", "2027-01-01"]
# REL005's fix is safe (USA first), REL001's unsafe (drop NOFORN); the third file's findings have none
SAFE = "id: ALB-2027-NDS-01\nreleasability:\n  rel_to: [ALB, USA]\n"
UNSAFE = "id: ALB-2027-NDS-02\nreleasability:\n  classification: CUI\n  dissemination: [NOFORN, REL TO]\n"
UNSAFE += "  rel_to: [USA, ALB]\n"
NONE = 'id: ALB-2027-NDS-03\nactivity: {start: "2028-01-01", end: "2027-01-01"}\n'
# each file's own finding, and nothing portfolio-wide (the three share an objective)
RULES = ["--select", "REL001,REL005,DAT001"]
SUMMARY = "3 files checked: 2 failed, 1 with warnings, 0 passed (2 fail, 1 warn, 0 waived)"


@pytest.fixture
def files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name, snippet in (("safe.yaml", SAFE), ("unsafe.yaml", UNSAFE), ("none.yaml", NONE)):
        (tmp_path / name).write_text(activity_text(snippet), encoding="utf-8")
    return tmp_path


def check(*args: str, color: bool = False):
    return CliRunner().invoke(main, ["check", *args, *RULES, *FIXED], color=color, catch_exceptions=False)


def finding_line(output: str, rule_id: str) -> str:
    (line,) = [line for line in output.splitlines() if re.search(rf" (FAIL|WARN|WAIVED) {rule_id} ", line)]
    return line


def test_a_safe_fix_is_marked_after_the_rule_id_and_counted_with_the_unsafe_ones_apart(files):
    result = check("safe.yaml", "unsafe.yaml", "none.yaml")
    assert result.exit_code == 1
    assert " WARN REL005 [*] `rel_to` is not in marking order" in finding_line(result.output, "REL005")
    assert " FAIL REL001 dissemination has both NOFORN and REL TO" in finding_line(result.output, "REL001")
    assert " FAIL DAT001 the activity ends" in finding_line(result.output, "DAT001")
    assert result.output.count("[*]") == 2  # REL005's line and the count line
    lines = result.output.splitlines()
    assert lines[-2:] == [SUMMARY, "[*] 1 fixable with --fix (1 more with --unsafe-fixes)"]


def test_unsafe_fixes_marks_the_unsafe_fixes_too_and_counts_them(files):
    result = check("safe.yaml", "unsafe.yaml", "none.yaml", "--unsafe-fixes")
    assert " FAIL REL001 [*] dissemination has both" in finding_line(result.output, "REL001")
    assert " WARN REL005 [*] " in finding_line(result.output, "REL005")
    assert "[*]" not in finding_line(result.output, "DAT001")
    assert result.output.splitlines()[-2:] == [SUMMARY, "[*] 2 fixable with --fix --unsafe-fixes"]


def test_only_an_unsafe_fix_says_no_fix_is_available_without_unsafe_fixes(files):
    result = check("unsafe.yaml")
    assert "[*]" not in finding_line(result.output, "REL001")
    assert result.output.splitlines()[-1] == "no fixes available with --fix (1 with --unsafe-fixes)"


def test_no_fix_no_line(files):
    result = check("none.yaml")
    assert "[*]" not in result.output and "fixable" not in result.output and "no fixes" not in result.output
    assert result.output.splitlines()[-1].startswith("1 file checked: 1 failed")


@pytest.mark.parametrize(("unsafe", "count"), [((), 1), (("--unsafe-fixes",), 2)])
def test_the_count_is_what_fix_then_fixes(files, unsafe, count):
    assert f"[*] {count} fixable with" in check("safe.yaml", "unsafe.yaml", "none.yaml", *unsafe).output
    fixed = check("safe.yaml", "unsafe.yaml", "none.yaml", "--fix", *unsafe)
    assert f"({count} fixed, " in fixed.stderr
    assert "[*]" not in fixed.output  # nothing left that --fix could fix


WAIVER = (
    "waivers:\n  - rule: REL005\n    justification: the partner asked for it\n"
    "    approved_by: Director, Security Cooperation\n    expires: '2027-06-01'\n"
)


def test_a_waived_finding_is_neither_marked_nor_counted_as_fix_never_applies_it(files):
    (files / "safe.yaml").write_text(activity_text(SAFE + WAIVER), encoding="utf-8")
    for audit in ((), ("--no-waivers",)):  # waived, or shown as "would be waived"
        result = check("safe.yaml", *audit)
        level = "WARN" if audit else "WAIVED"
        assert f" {level} REL005 `rel_to`" in finding_line(result.output, "REL005"), audit
        assert "[*]" not in result.output and "fixable" not in result.output, audit
        assert ("would be waived" in result.output) == bool(audit)
        text = (files / "safe.yaml").read_text(encoding="utf-8")
        assert "(0 fixed, " in check("safe.yaml", "--fix", "--unsafe-fixes", *audit).stderr
        assert (files / "safe.yaml").read_text(encoding="utf-8") == text


def test_findings_the_baseline_hides_are_counted_as_fix_fixes_them(files):
    check("safe.yaml", "unsafe.yaml", "--write-baseline", "baseline.json")
    result = check("safe.yaml", "unsafe.yaml", "--baseline", "baseline.json")
    assert not re.search(r" (FAIL|WARN) REL00", result.output)  # hidden
    lines = result.output.splitlines()
    assert lines[-2:] == [
        "[*] 1 fixable with --fix, 1 of them hidden by the baseline (1 more with --unsafe-fixes)",
        "baseline: 2 findings matched, 0 entries no longer match",
    ]
    assert "(1 fixed, " in check("safe.yaml", "unsafe.yaml", "--baseline", "baseline.json", "--fix").stderr
    rewritten = parse((files / "safe.yaml").read_text(encoding="utf-8")).data
    assert rewritten["releasability"]["rel_to"] == ["USA", "ALB"]


def test_the_marker_in_color_and_without(files, monkeypatch):
    monkeypatch.setattr("policycheck.pipeline.is_terminal", lambda stream: True)
    colored = check("safe.yaml", color=True).output
    assert re.search(r"WARN\x1b\[0m REL005 \x1b\[36m\x1b\[1m\[\*\]\x1b\[0m `rel_to`", colored), colored
    assert "\n[*] 1 fixable with --fix\n" in colored
    plain = check("safe.yaml", "--no-color", color=True).output
    assert "\x1b[" not in plain and " WARN REL005 [*] `rel_to`" in plain


@pytest.fixture(scope="module")
def validator():
    from jsonschema import Draft202012Validator

    return Draft202012Validator(json.loads((ROOT / "schemas" / "report.schema.json").read_text(encoding="utf-8")))


def _findings(report: dict) -> dict[str, dict]:
    return {finding["rule"]: finding for file in report["files"] for finding in file["findings"]}


def test_json_gives_each_fix_as_plain_data_valid_against_the_schema(files, validator):
    report = json.loads(check("safe.yaml", "unsafe.yaml", "none.yaml", "--format", "json").output)
    assert list(validator.iter_errors(report)) == []
    found = _findings(report)
    assert found["REL005"]["fix"] == {
        "applicability": "safe",
        "message": "Put rel_to in marking order",
        "edits": [{"op": "reorder", "path": "/releasability/rel_to", "value": [1, 0]}],
    }
    assert found["REL001"]["fix"] == {
        "applicability": "unsafe",
        "message": "Drop NOFORN, keep REL TO",
        "edits": [{"op": "remove", "path": "/releasability/dissemination/0"}],
    }
    assert "fix" not in found["DAT001"]


def test_the_schema_refuses_a_fix_that_is_not_one(files, validator):
    report = json.loads(check("safe.yaml", "unsafe.yaml", "--format", "json").output)
    safe, unsafe = (file["findings"][0]["fix"] for file in report["files"])
    safe["applicability"] = "maybe"
    unsafe["edits"][0]["value"] = "NOFORN"  # a removal has no value
    assert len(list(validator.iter_errors(report))) == 2
    del unsafe["edits"][0]["value"]
    safe["applicability"] = "safe"
    del safe["edits"][0]["value"]  # a reorder needs its order
    assert len(list(validator.iter_errors(report))) == 1


def test_the_json_fix_means_what_fix_writes(files):
    """The JSON edits, applied to the document's data, give the data of the file `--fix --unsafe-fixes` writes."""
    report = json.loads(check("safe.yaml", "unsafe.yaml", "--format", "json").output)
    for file in report["files"]:
        before = parse((files / file["file"]).read_text(encoding="utf-8")).data
        edits = [
            Edit(edit["op"], edit["path"], edit.get("value"))
            for finding in file["findings"]
            for edit in finding["fix"]["edits"]
        ]
        wanted = apply_to_data(before, edits)
        check(file["file"], "--fix", "--unsafe-fixes")
        assert parse((files / file["file"]).read_text(encoding="utf-8")).data == wanted


def test_the_same_bytes_twice_in_every_format_that_shows_fixes(files):
    command = [str(Path(sys.executable).parent / "policycheck"), "safe.yaml", "unsafe.yaml", "none.yaml"]
    for extra, shown in ((["--unsafe-fixes"], b" REL001 [*] "), (["--format", "json"], b'"applicability"')):
        runs = [
            subprocess.run([*command, *extra, *RULES, *FIXED], cwd=files, capture_output=True, timeout=120).stdout
            for _ in range(2)
        ]
        assert shown in runs[0] and runs[0] == runs[1], extra


def test_the_cli_docs_example_is_real_output(monkeypatch):
    docs = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- example-fixes: policycheck (.+?) -->\n```text\n(.*?)```", docs, re.S)
    assert match, "docs/cli.md lost its example-fixes block"
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, shlex.split(match.group(1)))
    assert result.output == match.group(2)
    assert "SCH001 [*] unknown key 'sumary'" in result.output


ODD_FIX_PLUGIN = """
from policycheck import Edit, Fix, Violation, hookimpl, rule


@rule(id="ODD001", title="t", family="f", level="warn", rationale="r", source="s", fix="unsafe")
def odd(activity, ctx):
    value = {"note": "tab\\there \\x1b[31m", 2027: ["a/b"]}
    yield Violation("/id", "a finding", fix=Fix("Add x-odd", (Edit.set(["x-odd~/", "k"], value),), False))


@hookimpl
def policycheck_rules():
    return [odd]
"""


def test_a_plugins_fix_with_odd_keys_and_text_is_plain_inert_json(files, monkeypatch, validator):
    (files / "odd_fix_plugin.py").write_text(ODD_FIX_PLUGIN, encoding="utf-8")
    (files / "odd.yaml").write_text(activity_text('x-odd~/: {k: "old"}\n'), encoding="utf-8")
    monkeypatch.syspath_prepend(str(files))
    arguments = ["check", "odd.yaml", "-p", "odd_fix_plugin", "--select", "ODD", "--format", "json", *FIXED]
    output = CliRunner().invoke(main, arguments, catch_exceptions=False).output
    report = json.loads(output)
    assert list(validator.iter_errors(report)) == []
    assert _findings(report)["ODD001"]["fix"]["edits"] == [
        # a list path as a JSON pointer (~ and / escaped), a key that is not text as text, ESC as an escape
        {"op": "set", "path": "/x-odd~0~1/k", "value": {"note": "tab\there \\x1b[31m", "2027": ["a/b"]}}
    ]
    assert "\x1b" not in output
