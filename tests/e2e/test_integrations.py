"""CI integrations as users get them: the pre-commit hook run for real, the Action's script run
with the variables GitHub sets, and the example workflows."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "report" / "fixtures"


def test_pre_commit_manifest_is_valid_for_pre_commit():
    from pre_commit.clientlib import load_manifest

    [hook] = load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))
    # `--` last: pre-commit appends file names, and none may be read as an option (issue 15)
    assert (hook["id"], hook["entry"], hook["language"]) == ("policycheck", "policycheck check --", "python")
    assert hook["require_serial"] is True


@pytest.mark.parametrize(
    ("path", "checked"),
    [
        ("proposals/a.yaml", True),
        ("a.yml", True),
        ("proposals/v1.2/a.yaml", True),
        (".github/workflows/ci.yml", False),
        (".gitlab-ci.yml", False),
        (".pre-commit-config.yaml", False),
        (".policycheck.yaml", False),
        ("docs/.drafts/a.yaml", False),
        ("README.md", False),
    ],
)
def test_pre_commit_hook_file_filter(path, checked):
    import re

    [hook] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    # pre-commit matches both with re.search on the posix path
    assert bool(re.search(hook["files"], path) and not re.search(hook["exclude"], path)) is checked


def test_pre_commit_try_repo_runs_the_hook_on_a_real_repository(tmp_path):
    """One real run (20-40 s): pre-commit builds the hook's virtualenv from this checkout."""
    import importlib.util

    git = shutil.which("git")
    assert git, "this test needs `git` on PATH to make a repository for pre-commit"
    assert importlib.util.find_spec("pre_commit"), "this test needs pre-commit: pip install '.[test]'"
    repo = tmp_path / "repo"
    (repo / "proposals").mkdir(parents=True)
    (repo / ".github" / "workflows").mkdir(parents=True)
    shutil.copy(FIXTURES / "expired.yaml", repo / "proposals" / "bad.yaml")
    shutil.copy(FIXTURES / "clean.yaml", repo / "proposals" / "clean.yaml")
    (repo / ".github" / "workflows" / "ci.yml").write_text("name: ci\non: push\n", encoding="utf-8")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache")}
    for command in (["init", "-q"], ["add", "-A"]):
        subprocess.run([git, *command], cwd=repo, env=env, check=True)
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), "policycheck", "--all-files", "--verbose"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    output = result.stdout + result.stderr
    if "An error has occurred" in output or result.returncode not in (0, 1):
        log = tmp_path / "cache" / "pre-commit.log"
        details = log.read_text(encoding="utf-8")[-3000:] if log.is_file() else output[-3000:]
        pytest.fail(
            f"pre-commit could not install or run the hook (it needs network access to PyPI to build it):\n{details}"
        )
    assert result.returncode == 1, output
    assert "proposals/bad.yaml:12:3 FAIL DAT001" in output
    assert "proposals/clean.yaml  [CUI//REL TO USA, ALB]  FIX-2027-CLEAN\n  PASS no findings" in output
    assert ".github" not in output  # the workflow file is not an activity


def _action_step(step_id: str | None = None, name: str | None = None) -> dict:
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    return next(
        step
        for step in action["runs"]["steps"]
        if (step_id and step.get("id") == step_id) or (name and step.get("name") == name)
    )


def test_action_is_composite_installs_from_its_path_and_uploads_sarif():
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    assert steps[0]["uses"].startswith("actions/setup-python@")
    assert '"$GITHUB_ACTION_PATH"' in _action_step(name="Install policycheck")["run"]
    upload = next(step for step in steps if str(step.get("uses", "")).startswith("github/codeql-action/upload-sarif@"))
    assert upload["with"]["sarif_file"] == "${{ inputs.sarif-file }}"
    assert "always()" in upload["if"]  # findings are uploaded precisely when the check fails
    assert steps[-1]["run"].rstrip().endswith('exit "$CODE"')
    for step in steps:  # inputs never spliced into shell text
        assert "${{" not in step.get("run", "")


def _run_step(script: str, workdir: Path, **variables: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""),
        "RUNNER_TEMP": str(workdir / "runner-temp"),
        "GITHUB_OUTPUT": str(workdir / "github-output"),
        "GITHUB_STEP_SUMMARY": str(workdir / "step-summary.md"),
        **variables,
    }
    (workdir / "runner-temp").mkdir(exist_ok=True)
    # how GitHub runs `shell: bash`
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
    )


def test_action_run_step_keeps_the_exit_code_and_writes_sarif_and_summary(tmp_path):
    assert shutil.which("policycheck", path=os.path.dirname(sys.executable)), (
        "policycheck must be installed next to this Python"
    )
    (tmp_path / "proposals").mkdir()
    shutil.copy(FIXTURES / "expired.yaml", tmp_path / "proposals" / "a.yaml")
    shutil.copy(FIXTURES / "clean.yaml", tmp_path / "proposals" / "b.yaml")
    result = _run_step(
        _action_step("check")["run"],
        tmp_path,
        PATHS="proposals/*.yaml",
        ARGS="--no-plugins --today 2026-11-23",
        SARIF="policycheck.sarif",
        SUMMARY="true",
    )
    assert result.returncode == 0, result.stderr  # the step records the code; the last step fails the job
    assert "proposals/a.yaml:12:3 FAIL DAT001" in result.stdout
    assert (tmp_path / "github-output").read_text(encoding="utf-8") == "exit-code=1\n"
    sarif = json.loads((tmp_path / "policycheck.sarif").read_text(encoding="utf-8"))
    assert {r["ruleId"] for r in sarif["runs"][0]["results"]} == {"DAT001", "WVR001"}
    assert "| `proposals/a.yaml` |" in (tmp_path / "step-summary.md").read_text(encoding="utf-8")

    final = _run_step(_action_step(name="Fail when policycheck failed")["run"], tmp_path, CODE="1")
    assert final.returncode == 1


def test_action_passes_a_clean_portfolio_and_reports_usage_errors(tmp_path):
    (tmp_path / "proposals").mkdir()
    shutil.copy(FIXTURES / "clean.yaml", tmp_path / "proposals" / "b.yaml")
    script = _action_step("check")["run"]
    clean = _run_step(script, tmp_path, PATHS="proposals", ARGS="--no-plugins", SARIF="out.sarif", SUMMARY="false")
    assert (tmp_path / "github-output").read_text(encoding="utf-8") == "exit-code=0\n", clean.stderr
    assert not (tmp_path / "step-summary.md").exists()
    (tmp_path / "github-output").unlink()
    _run_step(script, tmp_path, PATHS="proposals", ARGS="--select NOPE", SARIF="out2.sarif", SUMMARY="true")
    assert (tmp_path / "github-output").read_text(encoding="utf-8") == "exit-code=2\n"


def test_example_workflows_use_the_action_and_a_junit_report():
    github = yaml.safe_load((ROOT / "examples" / "ci" / "github-workflow.yml").read_text(encoding="utf-8"))
    [job] = github["jobs"].values()
    assert github["permissions"] == {}  # nothing by default; the job asks for what it needs
    assert job["permissions"] == {"contents": "read", "security-events": "write"}
    assert any(str(step.get("uses", "")).split("@")[0].endswith("/policycheck") for step in job["steps"])
    gitlab = yaml.safe_load((ROOT / "examples" / "ci" / "gitlab-ci.yml").read_text(encoding="utf-8"))
    job = gitlab["policycheck"]
    report = job["artifacts"]["reports"]["junit"]
    assert f"--format junit --output {report}" in " ".join(job["script"])
    assert job["artifacts"]["when"] == "always"
