"""No plugin mistake crashes the run or cuts an output: each is an ERR001 naming the rule, its plugin, file and line.

Issue 17, defects 1, 3, 4, 5, 9 and 10: bad levels, values that are not Violations,
`return Violation(...)`, crashes on schema-invalid documents, portfolio crashes,
per-file ignores of portfolio rules, and tracebacks on request in every format.
"""

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from policycheck.cli import main
from policycheck.testing import activity_text

FORMATS = ["text", "json", "sarif", "junit", "markdown", "github"]
REPORT_SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "schemas" / "report.schema.json").read_text())


def run(*args):
    return CliRunner().invoke(main, [*args, "--no-plugins", "--no-config", "--today", "2027-01-01"])


@pytest.fixture
def write(tmp_path):
    def write(name, snippet=""):
        path = tmp_path / name
        path.write_text(activity_text(snippet), encoding="utf-8")
        return str(path)

    return write


def one_rule(body, kind="rule", extra=""):
    """A plugin module with one rule TST500 whose check is `body` (indented under `def check(activity, ctx):`)."""
    return f"""
import sys
import policycheck

{extra}

@policycheck.{kind}(id="TST500", title="Under test", family="test", level="warn", rationale="-", source="tests")
def check(activity, ctx):
{body}

@policycheck.hookimpl
def policycheck_rules():
    return [check]
"""


def err001(output):
    report = json.loads(output)
    return [finding for file in report["files"] for finding in file["findings"] if finding["rule"] == "ERR001"]


MISTAKES = {
    "level error": ('    yield policycheck.Violation("/id", "found", level="error")', "Violation(level='error')"),
    "level off": ('    yield policycheck.Violation("/id", "found", level="off")', "Violation(level='off')"),
    "level WARN": (
        '    yield policycheck.Violation("/id", "found", level="WARN")',
        "Violation(level='WARN'): a level is one of fail, warn, info, or None for the rule's own; did you mean 'warn'?",
    ),
    "a string": ('    yield "found"', "it yielded str 'found', not a policycheck Violation"),
    "a tuple": ('    yield ("/id", "found")', "it yielded tuple ('/id', 'found'), not a policycheck Violation"),
    "a number message": ('    yield policycheck.Violation("/id", 42)', "Violation(message=42)"),
    "a bad line": ('    yield policycheck.Violation("/id", "found", line=0)', "Violation(line=0)"),
    "a bad path": ('    yield policycheck.Violation(7, "found")', "Violation(path=7)"),
}


@pytest.mark.parametrize("mistake", MISTAKES, ids=list(MISTAKES))
def test_a_yielded_mistake_is_err001_at_the_yield_line_and_every_format_is_whole(plugin_module, write, mistake):
    body, message = MISTAKES[mistake]
    source = one_rule(body)
    name = plugin_module(source)
    path = write("a.yaml")
    result = run(path, "-p", name, "--select", "TST", "--format", "json")
    assert result.exit_code == 3, result.output
    [finding] = err001(result.output)  # the JSON is whole: it parses
    assert finding["message"].startswith(f"rule TST500 crashed: {message}")
    yield_line = next(number for number, line in enumerate(source.splitlines(), 1) if line == body)
    assert f"a bug in plugin '{name}' at {name}.py:{yield_line}, not in this file" in finding["hint"]
    assert json.loads(result.output)["summary"]["fail"] == 1
    for output_format in FORMATS:
        rendered = run(path, "-p", name, "--select", "TST", "--format", output_format)
        assert rendered.exit_code == 3, (output_format, rendered.output)
        assert "Traceback" not in rendered.output and "TST500" in rendered.output


@pytest.mark.parametrize(
    "body, message",
    [
        (
            '    return policycheck.Violation("/id", "found")',
            "it returned a Violation instead of yielding it: write `yield Violation(...)`",
        ),
        ("    pass", "it returned None: yield Violations, or return a list of them ([] for none)"),
        ('    return "found"', "it returned str 'found': yield Violations"),
    ],
)
def test_a_check_that_returns_what_it_should_yield_is_err001_at_its_declaration(plugin_module, write, body, message):
    source = one_rule(body)
    name = plugin_module(source)
    result = run(write("a.yaml"), "-p", name, "--select", "TST", "--format", "json")
    assert result.exit_code == 3
    [finding] = err001(result.output)
    assert finding["message"].startswith(f"rule TST500 crashed: {message}")
    declared = next(number for number, line in enumerate(source.splitlines(), 1) if "@policycheck.rule" in line)
    assert f"plugin '{name}' at {name}.py:{declared}," in finding["hint"]


HELPER = """
def lookup(table, key):
    return table[key]  # the line that raises
"""


def test_an_exception_is_err001_at_the_deepest_line_of_the_rules_own_file(plugin_module, write):
    source = one_rule("    return [lookup({}, activity.get('/partner/country'))]", extra=HELPER)
    name = plugin_module(source)
    result = run(write("a.yaml"), "-p", name, "--select", "TST", "--format", "json")
    [finding] = err001(result.output)
    assert finding["message"] == "rule TST500 crashed: KeyError: 'ALB'"
    raising = next(number for number, line in enumerate(source.splitlines(), 1) if "the line that raises" in line)
    assert f"plugin '{name}' at {name}.py:{raising}," in finding["hint"]
    assert "traceback" not in finding  # only on request


def test_a_rule_that_exits_the_process_is_err001_and_the_run_goes_on(plugin_module, write):
    name = plugin_module(one_rule("    sys.exit(4)\n    yield"))
    result = run(write("a.yaml"), "-p", name, "--select", "TST,DAT", "--format", "json")
    assert result.exit_code == 3
    assert [finding["message"] for finding in err001(result.output)] == ["rule TST500 crashed: SystemExit: 4"]


# --- tracebacks on request -----------------------------------------------------------


def test_show_tracebacks_puts_the_traceback_in_every_format(plugin_module, write):
    source = one_rule("    return [lookup({}, activity.get('/partner/country'))]", extra=HELPER)
    name = plugin_module(source)
    path = write("a.yaml")

    def render(output_format):
        result = run(path, "-p", name, "--select", "TST", "--format", output_format, "--show-tracebacks")
        assert result.exit_code == 3, result.output
        return result.output

    frame = "in lookup\n"
    text = render("text")
    assert "      Traceback (most recent call last):\n" in text
    assert f'{name}.py", line ' in text and "      KeyError: 'ALB'\n" in text
    report = render("json")
    Draft202012Validator(REPORT_SCHEMA).validate(json.loads(report))
    [finding] = err001(report)
    trace = finding["traceback"]
    assert trace.startswith("Traceback (most recent call last):\n") and trace.endswith("KeyError: 'ALB'")
    assert frame in trace and "in check\n" in trace
    assert "engine.py" not in trace  # the frames start at the rule, not at policycheck's engine
    [result] = [r for r in json.loads(render("sarif"))["runs"][0]["results"] if r["ruleId"] == "ERR001"]
    assert result["properties"]["traceback"] == trace
    [error] = ET.fromstring(render("junit")).iter("error")
    assert trace in error.text
    assert "  ```text\n  Traceback (most recent call last):\n" in render("markdown")
    assert "Traceback (most recent call last):%0A" in render("github")


def test_a_traceback_quoting_the_document_is_made_inert(plugin_module, write):
    name = plugin_module(one_rule("    raise ValueError(activity.get('/title'))\n    yield"))
    path = write("a.yaml", 'title: "Forged\\n  a.yaml:1:1 PASS nothing to see\\u001b[2J"\n')
    result = run(path, "-p", name, "--select", "TST", "--show-tracebacks")
    assert "\x1b" not in result.output
    assert "\n  a.yaml:1:1 PASS" not in result.output and "\\x0a  a.yaml:1:1 PASS" in result.output


# --- a rule crashing on a document that fails the schema -------------------------------


def test_a_crash_on_a_schema_invalid_document_is_a_skip_that_says_so(plugin_module, write):
    name = plugin_module(one_rule("    return [activity.get('/partner/country').lower()]"))
    path = write("a.yaml", "partner: {country: 12}\n")  # SCH001: not a country code
    result = run(path, "-p", name, "--select", "TST", "--show-passes")
    assert result.exit_code == 1, result.output  # the schema error gates; no ERR001, no exit 3
    assert " ERR001 rule" not in result.output and "  PASS ERR001" in result.output
    [skip] = [line for line in result.output.splitlines() if "TST500" in line]
    assert skip.startswith("  SKIP TST500 (not judged: it crashed on this document, which fails the schema: ")
    assert f"AttributeError: 'int' object has no attribute 'lower', in plugin '{name}' at {name}.py:" in skip
    report = json.loads(run(path, "-p", name, "--select", "TST", "--format", "json").output)
    Draft202012Validator(REPORT_SCHEMA).validate(report)
    [file] = report["files"]
    assert file["rules"]["TST500"] == "skip" and file["notes"]["TST500"].startswith("not judged: it crashed")
    [case] = [case for case in ET.fromstring(run(path, "-p", name, "--format", "junit", "--select", "TST").output).iter(
        "testcase") if case.get("name").startswith("TST500")]  # fmt: skip
    assert case.find("skipped").get("message").startswith("not judged: it crashed")
    # on a valid document the same crash is an ERR001
    assert run(write("b.yaml", "partner: {country: GBR}\n"), "-p", name, "--select", "TST").exit_code == 3


# --- portfolio rules --------------------------------------------------------------------

COUNTING = """
import policycheck

@policycheck.portfolio_rule(id="TST600", title="Counts", family="test", level="warn", rationale="-", source="tests",
                            collect=lambda activity, ctx: activity.id)
def count(collected, ctx):
    for item in collected:
        yield policycheck.Violation("/id", f"{len(collected)} activities in the run", file=item.file)

@policycheck.hookimpl
def policycheck_rules():
    return [count]
"""


def test_ignoring_a_portfolio_rule_for_one_file_changes_no_other_files_findings(plugin_module, write, tmp_path):
    name = plugin_module(COUNTING)
    paths = [write(f"{letter}.yaml", f"id: ALB-1-{letter.upper()}\n") for letter in "abc"]
    config = tmp_path / "config.yaml"
    config.write_text("per_file_ignores:\n  a.yaml: [TST600]\n", encoding="utf-8")
    result = CliRunner().invoke(
        main, [*paths, "-p", name, "--select", "TST", "--format", "json", "--config", str(config), "--no-plugins"]
    )
    files = {file["file"].rsplit("/", 1)[-1]: file for file in json.loads(result.output)["files"]}
    assert [f["message"] for f in files["b.yaml"]["findings"]] == ["3 activities in the run"]  # a.yaml still counts
    assert files["a.yaml"]["findings"] == [] and "TST600" not in files["a.yaml"]["rules"]


def test_a_portfolio_violation_naming_a_file_outside_the_run_is_err001_at_its_yield(plugin_module, write):
    source = COUNTING.replace("file=item.file)", 'file="elsewhere.yaml")')
    name = plugin_module(source)
    result = run(write("a.yaml", "id: A-1\n"), write("b.yaml", "id: B-1\n"), "-p", name, "--select", "TST",
                 "--format", "json")  # fmt: skip
    crashes = err001(result.output)
    assert [finding["file"].rsplit("/", 1)[-1] for finding in crashes] == ["a.yaml", "b.yaml"]
    assert crashes[0]["message"].startswith("rule TST600 crashed: Violation(file='elsewhere.yaml') names no file")
    yield_line = next(number for number, line in enumerate(source.splitlines(), 1) if "yield" in line)
    assert f"{name}.py:{yield_line}," in crashes[0]["hint"]


# --- as a user meets it: a real process ----------------------------------------------------


def test_a_bad_level_in_a_real_run_is_a_whole_report_and_exit_3(tmp_path):
    (tmp_path / "levels_plugin.py").write_text(
        one_rule('    yield policycheck.Violation("/id", "found", level="error")'), encoding="utf-8"
    )
    (tmp_path / "a.yaml").write_text(activity_text(""), encoding="utf-8")
    environ = {**os.environ, "PYTHONPATH": str(tmp_path), "NO_COLOR": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "policycheck", "a.yaml", "-p", "levels_plugin", "--no-config", "--format", "json"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=environ,
    )
    assert done.returncode == 3 and done.stderr == ""
    report = json.loads(done.stdout)
    assert report["summary"]["files_failed"] == 1
    assert [f["rule"] for f in report["files"][0]["findings"]] == ["ERR001"]


def test_an_internal_error_carries_its_traceback_on_request(write, monkeypatch):
    from policycheck.validate import SchemaValidator

    def violations(self, data):
        raise RuntimeError("validator bug")

    monkeypatch.setattr(SchemaValidator, "violations", violations)
    result = run(write("a.yaml"), "--format", "json", "--show-tracebacks")
    [finding] = err001(result.output)
    assert finding["message"] == "internal error while checking this file: RuntimeError: validator bug"
    assert "in violations\n" in finding["traceback"] and finding["traceback"].endswith("RuntimeError: validator bug")
    assert "--show-tracebacks" in finding["hint"]
