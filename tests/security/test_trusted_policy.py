"""Ways 2 and 3 of issue 15: the pull request's own configuration and baseline, through the Action's
exact script with the example workflow's arguments, and through the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

from .conftest import FAILING, ROOT, TODAY, git, policycheck


def action_script() -> str:
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    return next(step for step in action["runs"]["steps"] if step.get("id") == "check")["run"]


def workflow_inputs() -> dict[str, str]:
    """What examples/ci/github-workflow.yml passes to the Action, over the Action's defaults."""
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    inputs = {name: spec.get("default", "") for name, spec in action["inputs"].items()}
    workflow = yaml.safe_load((ROOT / "examples" / "ci" / "github-workflow.yml").read_text(encoding="utf-8"))
    [job] = workflow["jobs"].values()
    step = next(step for step in job["steps"] if str(step.get("uses", "")).split("@")[0].endswith("/policycheck"))
    return {**inputs, **step["with"]}


def run_action(work: Path, event: str = "pull_request", **overrides: str) -> subprocess.CompletedProcess:
    """The Action's `run:` script as GitHub runs `shell: bash`, with the variables a pull_request event sets."""
    inputs = {**workflow_inputs(), **overrides}
    env = {
        **os.environ,
        "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""),
        "RUNNER_TEMP": str(work.parent / "runner-temp"),
        "GITHUB_OUTPUT": str(work.parent / "github-output"),
        "GITHUB_STEP_SUMMARY": str(work.parent / "step-summary.md"),
        "GITHUB_EVENT_NAME": event,
        "PATHS": inputs["paths"],
        "ARGS": f"{inputs['args']} --today {TODAY} --no-plugins",
        "SARIF": inputs["sarif-file"],
        "SUMMARY": inputs["summary"],
        "POLICY": inputs["policy"],
    }
    if event == "pull_request":
        env["GITHUB_BASE_REF"] = "main"
    (work.parent / "runner-temp").mkdir(exist_ok=True)
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", action_script()],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_action_with_the_example_workflow_takes_the_policy_from_the_base_branch(pull_request):
    # the base branch is only in the clone's remote-tracking refs once the Action has fetched it
    git(pull_request, "update-ref", "-d", "refs/remotes/origin/main")
    result = run_action(pull_request)
    assert result.returncode == 0, result.stderr  # the step records the code; the last step fails the job
    assert (pull_request.parent / "github-output").read_text(encoding="utf-8") == "exit-code=1\n", result.stdout
    out = result.stdout
    # way 2: the pull request's .policycheck.yaml (everything off, lowered, a plugin) is never read
    for rule in ("DAT001", "GOV005", "REL007"):
        assert f"FAIL {rule}" in out
    assert "policy: --trusted-ref origin/main (" in out
    assert "configuration origin/main:.policycheck.yaml" in out
    assert not list(pull_request.rglob("pyvenv.cfg"))  # `plugins: [venv.__main__]` imported nothing
    # way 3: the pull request's rewritten baseline is not the one applied
    assert "baseline: 0 findings matched, 0 entries no longer match" in out
    # way 4, under the trusted policy: only the Director approves, and the law's offices grant GOV005/REL007
    assert "FAIL WVR003 the waiver for GOV005 (approved by Desk officer) is refused" in out
    sarif = json.loads((pull_request / "policycheck.sarif").read_text(encoding="utf-8"))
    assert {"DAT001", "GOV005", "REL007", "WVR003"} <= {r["ruleId"] for r in sarif["runs"][0]["results"]}
    summary = (pull_request.parent / "step-summary.md").read_text(encoding="utf-8")
    assert "--trusted-ref origin/main" in summary


def test_without_the_trusted_ref_the_report_says_what_the_checkout_switched_off(pull_request):
    """`policy: checkout` (trusted branches only) reads the working tree; every report then names each setting."""
    (pull_request / ".policycheck.yaml").write_text(
        "select: [SCH, DAT, WVR, PRT]\nrules:\n  DAT001: {level: 'off'}\n", encoding="utf-8"
    )
    result = policycheck(pull_request, "check", "--no-plugins", "--today", TODAY, "proposals")
    assert (
        f"policy: configuration {pull_request}/.policycheck.yaml from the working tree (not a trusted" in result.stdout
    )
    assert "DAT001 off (" in result.stdout and ".policycheck.yaml:3)" in result.stdout
    assert "THR001-THR007 off (" in result.stdout and ".policycheck.yaml:1)" in result.stdout  # not selected: line 1


def test_isolated_reads_no_configuration_and_imports_no_plugin(pull_request):
    result = policycheck(pull_request, "check", "--isolated", "--today", TODAY, "proposals")
    assert result.returncode == 1, result.stderr
    assert "FAIL DAT001" in result.stdout and "FAIL GOV005" in result.stdout
    assert "policy: --isolated: no configuration file, plugin or rule pack from the checkout" in result.stdout
    assert not list(pull_request.rglob("pyvenv.cfg"))
    refused = policycheck(pull_request, "check", "--isolated", "-p", "venv.__main__", "proposals")
    assert refused.returncode == 2
    assert "-p venv.__main__ is refused: --isolated loads no plugin" in refused.stderr
    baseline = policycheck(pull_request, "check", "--isolated", "--baseline", "policycheck-baseline.json", "proposals")
    assert baseline.returncode == 2 and "use --trusted-ref REF instead" in baseline.stderr


def test_a_missing_ref_a_file_missing_at_the_ref_or_no_repository_is_a_usage_error(pull_request, tmp_path):
    missing = policycheck(pull_request, "check", "--trusted-ref", "origin/nope", "proposals")
    assert missing.returncode == 2 and "--trusted-ref origin/nope: no such revision" in missing.stderr
    config = policycheck(pull_request, "check", "--trusted-ref", "origin/main", "--config", "other.yaml", "proposals")
    assert config.returncode == 2
    assert "origin/main:other.yaml: no such configuration file at origin/main" in config.stderr
    base = policycheck(pull_request, "check", "--trusted-ref", "origin/main", "--baseline", "new.json", "proposals")
    assert base.returncode == 2 and "origin/main:new.json: no such baseline at origin/main" in base.stderr
    (tmp_path / "alone").mkdir()
    (tmp_path / "alone" / "a.yaml").write_text(FAILING, encoding="utf-8")
    alone = policycheck(tmp_path / "alone", "check", "--trusted-ref", "main", "a.yaml")
    assert alone.returncode == 2 and "is not inside a git repository" in alone.stderr
    option = policycheck(pull_request, "check", "--trusted-ref=--output=x", "proposals")
    assert option.returncode == 2 and "not a git revision" in option.stderr


def test_packs_and_plugins_of_a_trusted_configuration(pull_request):
    """A trusted configuration's rule pack is read at the ref; a plugin it names must be installed, not checked in."""
    pack = (
        "pack: house\ndescription: House rules.\nrules:\n  - id: HSE001\n    title: Title present\n"
        "    family: house\n    level: fail\n    rationale: R.\n    source: S.\n"
        "    require: {path: /title, equals: never}\n    message: the house rule fires\n"
    )
    git(pull_request, "checkout", "-q", "main")
    (pull_request / "house.yaml").write_text(pack, encoding="utf-8")
    (pull_request / ".policycheck.yaml").write_text("rule_packs: [house.yaml]\nplugins: [house_plugin]\n")
    (pull_request / "house_plugin.py").write_text("import pathlib\npathlib.Path('IMPORTED').write_text('x')\n")
    git(pull_request, "add", "-A")
    git(pull_request, "commit", "-qm", "house rules")
    git(pull_request, "checkout", "-q", "pr")
    # the pull request's copy of the pack would switch the rule off; the trusted one is read instead
    (pull_request / "house.yaml").write_text(pack.replace("level: fail", "level: warn"), encoding="utf-8")
    (pull_request / "vendor").mkdir()
    (pull_request / "vendor" / "house_plugin.py").write_text(
        "import pathlib\npathlib.Path('IMPORTED').write_text('x')\n"
    )
    for env in ({}, {"PYTHONPATH": str(pull_request / "vendor")}):  # the current folder, or a path into the checkout
        result = policycheck(pull_request, "check", "--trusted-ref", "main", "--no-plugins", "proposals", env=env)
        assert result.returncode == 2, result.stdout
        assert not (pull_request / "IMPORTED").exists()
    assert "plugin 'house_plugin' resolves to" in result.stderr and "inside the checkout" in result.stderr
    git(pull_request, "checkout", "-q", "-f", "main")
    (pull_request / ".policycheck.yaml").write_text("rule_packs: [house.yaml]\n")
    git(pull_request, "commit", "-qam", "no plugin")
    git(pull_request, "checkout", "-q", "pr")
    packed = policycheck(pull_request, "check", "--trusted-ref", "main", "--no-plugins", "--today", TODAY, "proposals")
    assert "FAIL HSE001 the house rule fires" in packed.stdout, packed.stdout + packed.stderr


def test_always_on_rules_can_be_neither_turned_off_nor_lowered(tmp_path):
    (tmp_path / "a.yaml").write_text(FAILING, encoding="utf-8")
    for rule in ("LOAD001", "SCH001", "PRT001", "ERR001", "WVR001"):
        for level in ("off", "warn"):
            (tmp_path / ".policycheck.yaml").write_text(f"rules:\n  {rule}: {{level: {level}}}\n", encoding="utf-8")
            result = policycheck(tmp_path, "check", "--no-plugins", "a.yaml")
            assert result.returncode == 2, (rule, level, result.stdout)
            assert f".policycheck.yaml:2: rules.{rule}: {rule} cannot be turned off or lowered" in result.stderr
    (tmp_path / ".policycheck.yaml").write_text('per_file_ignores:\n  "*": [PRT001]\n', encoding="utf-8")
    assert policycheck(tmp_path, "check", "--no-plugins", "a.yaml").returncode == 2
