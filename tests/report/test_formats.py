"""Every output format end to end: goldens from the fixtures, several formats in one run, exit codes."""

from __future__ import annotations

import json

import pytest

STABLE_RULES = "SCH001,DAT001,PRT001,WVR001,WVR002,LOAD001"
GOLDENS = {
    "text": "report.txt",
    "json": "report.json",
    "sarif": "report.sarif",
    "junit": "report.xml",
    "markdown": "report.md",
    "github": "report.github.txt",
}


@pytest.mark.parametrize("name", sorted(GOLDENS))
def test_format_matches_its_golden(run, golden, name):
    result = run("fixtures", "--select", STABLE_RULES, "--format", name)
    assert result.exit_code == 1, result.output
    golden(GOLDENS[name], result.output)


@pytest.mark.parametrize("name", sorted(GOLDENS))
def test_output_is_deterministic_across_runs(run, name):
    first = run("fixtures", "--select", STABLE_RULES, "--format", name).output
    assert run("fixtures", "--select", STABLE_RULES, "--format", name).output == first


def test_several_formats_in_one_run_each_to_its_file(run, tmp_path):
    sarif, junit, markdown = tmp_path / "out.sarif", tmp_path / "out.xml", tmp_path / "summary.md"
    result = run(
        "fixtures",
        "--select",
        STABLE_RULES,
        "--format",
        "text",
        "--format",
        "sarif",
        "--output",
        str(sarif),
        "-f",
        "junit",
        "-o",
        str(junit),
        "--format=markdown",
        f"--output={markdown}",
    )
    assert result.exit_code == 1
    assert result.output == run("fixtures", "--select", STABLE_RULES).output  # text alone on stdout
    for path, name in ((sarif, "sarif"), (junit, "junit"), (markdown, "markdown")):
        assert path.read_text(encoding="utf-8") == run("fixtures", "--select", STABLE_RULES, "--format", name).output


def test_two_formats_on_stdout_is_a_usage_error(run):
    result = run("fixtures/clean.yaml", "--format", "text", "--format", "sarif")
    assert result.exit_code == 2
    assert "only one format can go to standard output" in result.output


@pytest.mark.parametrize(
    ("fixture", "fail_on", "code"),
    [
        ("clean.yaml", "fail", 0),
        ("clean.yaml", "warn", 0),
        ("waived.yaml", "fail", 0),  # a warning (WVR002) and a waived finding
        ("waived.yaml", "warn", 1),  # the warning now gates; the waived finding never does
        ("expired.yaml", "fail", 1),
        ("expired.yaml", "warn", 1),
        ("broken.yaml", "fail", 1),  # an unreadable document always counts
    ],
)
def test_exit_codes_under_fail_on(run, fixture, fail_on, code):
    result = run(f"fixtures/{fixture}", "--select", STABLE_RULES, "--fail-on", fail_on)
    assert result.exit_code == code, result.output


def test_waived_findings_never_gate_even_under_fail_on_warn(run):
    result = run("fixtures/waived.yaml", "--select", "DAT001", "--fail-on", "warn", "--format", "json")
    assert result.exit_code == 0
    [finding] = [f for file in json.loads(result.output)["files"] for f in file["findings"]]
    assert (finding["rule"], finding["level"]) == ("DAT001", "waived")


def test_fail_on_from_configuration_and_the_flag_overrides_it(run, tmp_path):
    config = tmp_path / "policycheck.yaml"
    config.write_text("fail_on: warn\n", encoding="utf-8")
    args = ("fixtures/waived.yaml", "--select", STABLE_RULES)
    from click.testing import CliRunner

    from policycheck.cli import main

    def with_config(*extra):
        return CliRunner().invoke(
            main, ["check", *args, "--today", "2026-11-23", "--no-plugins", "--config", str(config), *extra]
        )

    assert with_config().exit_code == 1
    assert with_config("--fail-on", "fail").exit_code == 0


def test_format_and_output_pairing_edge_cases(run, tmp_path):
    json_out = run("fixtures/clean.yaml", "-fjson").output
    assert json.loads(json_out)["files"][0]["file"] == "fixtures/clean.yaml"  # attached short value, not text
    sarif = tmp_path / "a.sarif"
    assert run("fixtures/clean.yaml", "-fsarif", f"-o{sarif}").output == ""
    assert json.loads(sarif.read_text(encoding="utf-8"))["version"] == "2.1.0"
    text = tmp_path / "report.txt"
    result = run(
        "fixtures/clean.yaml", "--output", str(text), "--format", "json"
    )  # an --output before any --format is text
    assert json.loads(result.output)["summary"]["files"] == 1
    assert text.read_text(encoding="utf-8").startswith("fixtures/clean.yaml  [CUI//REL TO USA, ALB]")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-qfjson"], "cannot pair each --format with its --output"),
        (
            ["--format", "sarif", "-o", "same.out", "--format", "junit", "-o", "same.out"],
            "two formats write the same --output file",
        ),
        (["--format", "sarif", "-o", "a.out", "-o", "b.out"], "each --output follows its own --format"),
        (["--format", "yaml"], "unknown format 'yaml' (available: github, html, json, junit, markdown, sarif, text)"),
    ],
)
def test_format_usage_errors(run, args, message):
    from pathlib import Path

    result = run("fixtures/clean.yaml", *args)
    assert result.exit_code == 2
    assert message in result.output
    assert not Path("same.out").exists() and not Path("a.out").exists()  # nothing written before the error
