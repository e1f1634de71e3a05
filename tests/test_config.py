"""Configuration: discovery, precedence over the command line, and errors that say where and what to do."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from policycheck.cli import main
from policycheck.config import from_mapping, with_overrides
from policycheck.config_file import read

FIXTURES = Path(__file__).resolve().parent / "report" / "fixtures"
# DAT001 (fail) fires on this file; WVR001 (fail) too, as its waiver expired before --today
FAILING = (FIXTURES / "expired.yaml").read_text(encoding="utf-8")
PLUGIN = """
import policycheck

@policycheck.rule(id="TCF001", title="Title too long", family="test-config", level="warn",
                  rationale="Short titles.", source="tests", parameters={"max_words": 3})
def long_title(activity, ctx):
    words = len(str(activity.get("/title")).split())
    if words > ctx.params["max_words"]:
        yield policycheck.Violation("/title", f"the title has {words} words, more than {ctx.params['max_words']}")

@policycheck.hookimpl
def policycheck_rules():
    return [long_title]
"""


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A folder with `proposals/a.yaml` (DAT001, WVR001) as the working directory."""
    (tmp_path / "proposals").mkdir()
    (tmp_path / "proposals" / "a.yaml").write_text(FAILING, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def check(*args: str):
    return CliRunner().invoke(
        main, ["check", *args, "--no-plugins", "--today", "2026-11-23", "--format", "json"], catch_exceptions=False
    )


def findings(result) -> list[tuple[str, str]]:
    assert result.exit_code in (0, 1), result.output
    report = json.loads(result.output)
    return [(finding["rule"], finding["level"]) for file in report["files"] for finding in file["findings"]]


def without_waiver(project) -> None:
    """proposals/a.yaml without its expired waiver, whose WVR001 no configuration turns off."""
    (project / "proposals" / "a.yaml").write_text(FAILING.split("waivers:")[0], encoding="utf-8")


def ran(result) -> set[str]:
    return {rule_id for file in json.loads(result.output)["files"] for rule_id in file["rules"]}


def error_of(result) -> str:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    return result.output.strip()


# --- discovery ------------------------------------------------------------------------------


def test_configuration_is_found_from_a_subfolder_upward(project, monkeypatch):
    (project / ".policycheck.yaml").write_text("select: [DAT001]\n", encoding="utf-8")
    monkeypatch.chdir(project / "proposals")
    assert ran(check("a.yaml")) == {"DAT001", "LOAD001", "SCH001", "PRT001", "ERR001", "WVR001", "WVR003"}


def test_the_nearest_configuration_wins(project, monkeypatch):
    (project / ".policycheck.yaml").write_text("select: [DAT001]\n", encoding="utf-8")
    (project / "proposals" / ".policycheck.yaml").write_text("rules: {DAT001: {level: warn}}\n", encoding="utf-8")
    monkeypatch.chdir(project / "proposals")
    assert findings(check("a.yaml")) == [("DAT001", "warn"), ("WVR001", "fail")]


def test_pyproject_section_is_read(project):
    (project / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.policycheck]\nrules = {DAT001 = {level = "warn"}}\n', encoding="utf-8"
    )
    assert findings(check("proposals")) == [("DAT001", "warn"), ("WVR001", "fail")]


def test_policycheck_yaml_wins_over_pyproject_in_the_same_folder(project):
    (project / "pyproject.toml").write_text(
        '[tool.policycheck]\nrules = {DAT001 = {level = "warn"}}\n', encoding="utf-8"
    )
    (project / ".policycheck.yaml").write_text("select: [DAT001]\n", encoding="utf-8")
    assert findings(check("proposals")) == [("DAT001", "fail"), ("WVR001", "fail")]


def test_pyproject_without_the_section_is_passed_over(project, monkeypatch):
    (project / ".policycheck.yaml").write_text("select: [DAT001]\n", encoding="utf-8")
    (project / "proposals" / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    monkeypatch.chdir(project / "proposals")
    assert findings(check("a.yaml")) == [("DAT001", "fail"), ("WVR001", "fail")]


def test_explicit_config_file_and_no_config(project):
    (project / ".policycheck.yaml").write_text("select: [DAT001]\n", encoding="utf-8")
    (project / "other.yaml").write_text("rules: {DAT001: {level: warn}}\n", encoding="utf-8")
    assert findings(check("proposals", "--config", "other.yaml")) == [("DAT001", "warn"), ("WVR001", "fail")]
    assert sorted(findings(check("proposals", "--no-config", "--select", "DAT001,WVR001"))) == [
        ("DAT001", "fail"),
        ("WVR001", "fail"),
    ]
    assert "missing.yaml: no such configuration file" in error_of(check("proposals", "--config", "missing.yaml"))


# --- the command line over the file ------------------------------------------------------------


def test_select_flag_replaces_the_file_selection(project):
    (project / ".policycheck.yaml").write_text("select: [DAT001]\n", encoding="utf-8")
    assert findings(check("proposals", "--select", "WVR001")) == [("WVR001", "fail")]


def test_extend_select_and_ignore_flags_add_to_the_file(project):
    (project / ".policycheck.yaml").write_text("select: [DAT001]\nignore: [WVR002]\n", encoding="utf-8")
    assert sorted(findings(check("proposals", "--extend-select", "WVR"))) == [("DAT001", "fail"), ("WVR001", "fail")]
    assert "WVR002" not in ran(check("proposals", "--extend-select", "WVR"))  # the file's ignore still holds
    assert findings(check("proposals", "--extend-select", "WVR", "--ignore", "DAT001")) == [("WVR001", "fail")]
    # as in ruff, the most specific selector wins: the file's DAT001 beats an --ignore DAT
    assert ("DAT001", "fail") in findings(check("proposals", "--extend-select", "WVR", "--ignore", "DAT"))


def test_fail_on_flag_overrides_the_file(project):
    without_waiver(project)
    (project / ".policycheck.yaml").write_text(
        "select: [DAT001]\nrules: {DAT001: {level: warn}}\nfail_on: warn\n", encoding="utf-8"
    )
    assert check("proposals").exit_code == 1
    assert check("proposals", "--fail-on", "fail").exit_code == 0


def test_with_overrides_unit():
    base = from_mapping({"select": ["DAT"], "ignore": ["WVR002"], "extend_select": ["PRT"], "fail_on": "warn"})
    merged = with_overrides(base, select=("SCH",), ignore=("DAT001",), extend_select=("WVR",), fail_on=None)
    assert merged.select == ("SCH",)
    assert merged.ignore == ("WVR002", "DAT001")
    assert merged.extend_select == ("PRT", "WVR")
    assert merged.fail_on == "warn"  # no flag: the file's value stands


# --- rules: level and parameters --------------------------------------------------------------


def test_level_warn_demotes_a_rule_and_off_turns_it_off(project):
    config = project / ".policycheck.yaml"
    config.write_text("select: [DAT001, WVR001]\nrules:\n  DAT001: {level: warn}\n", encoding="utf-8")
    assert sorted(findings(check("proposals"))) == [("DAT001", "warn"), ("WVR001", "fail")]
    config.write_text("select: [DAT001, WVR001]\nrules:\n  DAT001: {level: 'off'}\n", encoding="utf-8")
    result = check("proposals")
    assert findings(result) == [("WVR001", "fail")]
    assert "DAT001" not in ran(result)
    # an expired waiver gates, whatever the configuration says
    config.write_text("rules:\n  WVR001: {level: 'off'}\n", encoding="utf-8")
    assert "rules.WVR001: WVR001 cannot be turned off or lowered" in error_of(check("proposals"))


def test_rule_parameters_and_plugins_from_the_file(project, monkeypatch):
    without_waiver(project)
    (project / "config_test_plugin.py").write_text(PLUGIN, encoding="utf-8")
    monkeypatch.syspath_prepend(str(project))
    config = project / ".policycheck.yaml"
    config.write_text("plugins: [config_test_plugin]\nselect: [TCF]\n", encoding="utf-8")
    assert findings(check("proposals")) == [("TCF001", "warn")]  # "Advisory support to a defense strategy": 6 words
    config.write_text(
        "plugins: [config_test_plugin]\nselect: [TCF]\nrules:\n  TCF001: {max_words: 6}\n", encoding="utf-8"
    )
    assert findings(check("proposals")) == []
    config.write_text(
        "plugins: [config_test_plugin]\nselect: [TCF]\nrules:\n  TCF001:\n    max_wrds: 6\n", encoding="utf-8"
    )
    message = error_of(check("proposals"))
    assert message.endswith(
        ".policycheck.yaml:5: rules.TCF001: unknown parameter 'max_wrds'; did you mean 'max_words'? (parameters: "
        "max_words; see `policycheck explain TCF001`)"
    )


# --- per_file_ignores and exclude --------------------------------------------------------------


def test_per_file_ignores_are_globs_relative_to_the_configuration(project, monkeypatch):
    (project / "proposals" / "legacy").mkdir()
    (project / "proposals" / "legacy" / "old.yaml").write_text(
        FAILING.replace("FIX-2027-EXPIRED", "FIX-2027-OLD"), encoding="utf-8"
    )
    (project / ".policycheck.yaml").write_text(
        "select: [DAT001, WVR001]\nper_file_ignores:\n  'proposals/legacy/*.yaml': [DAT]\n", encoding="utf-8"
    )
    monkeypatch.chdir(project / "proposals")  # globs stay relative to the configuration, not the cwd
    report = json.loads(check(".").output)
    by_file = {file["file"]: sorted(f["rule"] for f in file["findings"]) for file in report["files"]}
    assert by_file == {"./a.yaml": ["DAT001", "WVR001"], "./legacy/old.yaml": ["WVR001"]}


def test_exclude_skips_what_a_directory_expands_to_but_not_a_named_file(project):
    (project / "proposals" / "drafts").mkdir()
    (project / "proposals" / "drafts" / "b.yaml").write_text(
        FAILING.replace("FIX-2027-EXPIRED", "FIX-2027-B"), encoding="utf-8"
    )
    (project / ".policycheck.yaml").write_text("select: [DAT001]\nexclude: [drafts]\n", encoding="utf-8")
    assert [file["file"] for file in json.loads(check("proposals").output)["files"]] == ["proposals/a.yaml"]
    assert [file["file"] for file in json.loads(check("proposals/drafts/b.yaml").output)["files"]] == [
        "proposals/drafts/b.yaml"
    ]


# --- spelling ----------------------------------------------------------------------------------


def test_hyphenated_keys_are_aliases(project):
    (project / ".policycheck.yaml").write_text(
        "select: [DAT001]\nextend-select: [WVR001]\nfail-on: warn\n", encoding="utf-8"
    )
    assert sorted(findings(check("proposals"))) == [("DAT001", "fail"), ("WVR001", "fail")]
    config = read(project / ".policycheck.yaml")
    assert (config.extend_select, config.fail_on) == (("WVR001",), "warn")


def test_both_spellings_of_a_key_is_an_error(project):
    (project / ".policycheck.yaml").write_text("extend_select: [DAT001]\nextend-select: [WVR001]\n", encoding="utf-8")
    assert error_of(check("proposals")).endswith(
        ".policycheck.yaml:2: 'extend-select' and 'extend_select' are the same setting; keep one"
    )


# --- errors: exit 2, file:line, a hint ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "select: [DAT001]\nslect: [WVR]\n",
            ".policycheck.yaml:2: unknown key 'slect' in the configuration; did you mean 'select'?",
        ),
        (
            "colour: red\n",
            ".policycheck.yaml:1: unknown key 'colour' in the configuration (keys: select, extend_select, ignore, "
            "fail_on,",
        ),
        (
            "reference:\n  countries: {XKX: Kosovo}\nmax_file_size: 0\n",
            ".policycheck.yaml:3: max_file_size: 0 is less than the minimum of 1",
        ),
        ("select:\n  - DAT001\n  - RELL\n", ".policycheck.yaml:3: select: no rule matches 'RELL'; did you mean 'REL'?"),
        (
            "select: [QQQ999]\n",
            ".policycheck.yaml:1: select: no rule matches 'QQQ999'; see `policycheck rules` for every rule id",
        ),
        (
            "ignore: [dat001]\n",
            ".policycheck.yaml:1: ignore[0]: 'dat001' is not a rule id or prefix (capitals then digits, like "
            "REL002, REL00 or REL)",
        ),
        (
            "rules:\n  DAT01: {level: warn}\n",
            ".policycheck.yaml:2: rules: 'DAT01' is not a rule id (capitals then digits, like REL002)",
        ),
        (
            "rules:\n  DAT002: {level: warn}\n",
            ".policycheck.yaml:2: rules: unknown rule id 'DAT002'; did you mean 'DAT001'?",
        ),
        (
            "rules:\n  DAT001:\n    levle: warn\n",
            ".policycheck.yaml:3: rules.DAT001: unknown parameter 'levle'; did you mean 'level'?",
        ),
        (
            "rules:\n  DAT001:\n    level: loud\n",
            ".policycheck.yaml:3: rules.DAT001.level: 'loud' is not one of ['off', 'info', 'warn', 'fail']",
        ),
        (
            "per_file_ignores:\n  'legacy/*': [XYZ]\n",
            ".policycheck.yaml:2: per_file_ignores['legacy/*']: no rule matches 'XYZ'",
        ),
        ("select: DAT001\n", ".policycheck.yaml:1: select: expected a list, e.g. [DAT001]"),
        ("rules:\n  DAT001: warn\n", ".policycheck.yaml:2: rules.DAT001: expected a mapping, e.g. {level: warn}"),
        ("reference: 3\n", ".policycheck.yaml:1: reference: expected a mapping of settings"),
        ("fail_on: error\n", ".policycheck.yaml:1: fail_on: 'error' is not one of ['fail', 'warn']"),
        ("rules:\n  SCH001: {level: 'off'}\n", ".policycheck.yaml:2: rules.SCH001: SCH001 cannot be turned off"),
        ("ignore: [LOAD001]\n", ".policycheck.yaml:1: ignore: LOAD001 cannot be turned off"),
        ("select: [DAT001\n", ".policycheck.yaml:2:1: YAML syntax error"),
        ("- select\n", ".policycheck.yaml: the configuration must be a mapping of settings"),
    ],
)
def test_configuration_errors_exit_2_with_file_line_and_hint(project, text, expected):
    (project / ".policycheck.yaml").write_text(text, encoding="utf-8")
    message = error_of(check("proposals"))
    assert message.startswith("policycheck: error: ")
    assert expected in message


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        (
            '[tool.policycheck]\nselect = ["DAT001"]\nbogus = 1\n',
            "pyproject.toml:3: unknown key 'bogus' in the configuration",
        ),
        (
            '[tool.policycheck]\nselect = [\n  "DAT001",\n  "XYZ9",\n]\n',
            "pyproject.toml:4: select: no rule matches 'XYZ9'",
        ),
        (
            '[tool.policycheck.rules.DAT001]\nlevel = "warn"\nlevl = 3\n',
            "pyproject.toml:3: rules.DAT001: unknown parameter 'levl'; did you mean 'level'?",
        ),
        (
            '[tool.policycheck]\nrules.DAT002.level = "warn"\n',
            "pyproject.toml:2: rules: unknown rule id 'DAT002'; did you mean 'DAT001'?",
        ),
        (
            '[tool.policycheck]\nrules = {DAT001 = {level = "loud"}}\n',
            "pyproject.toml:2: rules.DAT001.level: 'loud' is not one of",
        ),
        ("[tool.policycheck\n", "pyproject.toml: cannot read TOML"),
        (
            "[tool.policycheck]\nfail_on = 2024-01-01\n",
            "pyproject.toml:2: fail_on: datetime.date(2024, 1, 1) is not one of ['fail', 'warn']",
        ),
    ],
)
def test_pyproject_errors_name_the_line(project, toml, expected):
    (project / "pyproject.toml").write_text(toml, encoding="utf-8")
    assert expected in error_of(check("proposals"))


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--select", "RLE"], "--select: no rule matches 'RLE'; did you mean 'REL'?"),
        (["--extend-select", "DAT009"], "--extend-select: no rule matches 'DAT009'; did you mean 'DAT001'?"),
        (["--ignore", "SCH001"], "--ignore: SCH001 cannot be turned off"),
    ],
)
def test_command_line_selectors_are_checked_too(project, args, expected):
    assert expected in error_of(check("proposals", *args))


def test_parameter_must_have_its_defaults_type(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".policycheck.yaml").write_text("rules:\n  INT003:\n    min_funded_years: five\n")
    (tmp_path / "a.yaml").write_text("schema: activity/v1\n")
    result = CliRunner().invoke(main, ["a.yaml", "--no-plugins"])
    assert result.exit_code == 2
    assert ".policycheck.yaml:3: rules.INT003.min_funded_years must be a whole number, not 'five'" in result.output
