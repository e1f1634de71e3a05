"""Way 1 of issue 15: file names as options, through the real pre-commit hook (one `pre-commit try-repo`
run, 20-40 s) and through the command line."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys

import pytest

from policycheck.cli import _format_outputs

from .conftest import FAILING, ROOT, TODAY, git, policycheck

OPTION_NAMES = ("-oreport.yaml", "-o.gitlab-ci.yml", "-pthis.yaml", "--format=json.yaml")


def test_the_pre_commit_hook_checks_files_named_like_options(tmp_path):
    assert importlib.util.find_spec("pre_commit"), "this test needs pre-commit: pip install '.[test]'"
    repo = tmp_path / "repo"
    repo.mkdir()
    for name in OPTION_NAMES:
        (repo / name).write_text(FAILING.replace("PR-2027-BAD", f"PR-2027-{OPTION_NAMES.index(name)}"), "utf-8")
    ci = "stages: [test]\n"
    (repo / ".gitlab-ci.yml").write_text(ci, encoding="utf-8")
    git(tmp_path, "init", "-q", str(repo))
    git(repo, "add", "-A")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache")}
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), "policycheck", "--all-files", "--verbose"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    output = result.stdout + result.stderr
    if "An error has occurred" in output:
        pytest.fail(f"pre-commit could not install or run the hook (it needs PyPI to build it):\n{output[-3000:]}")
    assert result.returncode == 1, output
    assert "Failed" in output
    for name in OPTION_NAMES:  # each one checked as the file it is
        assert f"{name}:12:3 FAIL DAT001" in output or f"./{name}:12:3 FAIL DAT001" in output, name
    assert not (repo / "report.yaml").exists()
    assert (repo / ".gitlab-ci.yml").read_text(encoding="utf-8") == ci


def test_no_file_name_or_option_value_is_read_as_an_output(tmp_path):
    (tmp_path / "-oreport.yaml").write_text(FAILING, encoding="utf-8")
    result = policycheck(tmp_path, "check", "--no-config", "--today", TODAY, "--", "-oreport.yaml")
    assert result.returncode == 1 and "-oreport.yaml:12:3 FAIL DAT001" in result.stdout
    assert not (tmp_path / "report.yaml").exists()
    takes_value = frozenset({"--today", "--select", "-p", "--format", "-f", "--output", "-o"})
    assert _format_outputs(["--today", "-oreport.yaml", "a.yaml"], takes_value) == []
    assert _format_outputs(["-f", "json", "-o", "x.json", "--", "-oreport.yaml"], takes_value) == [("json", "x.json")]


def test_the_isolated_mode_refuses_p(tmp_path):
    (tmp_path / "a.yaml").write_text(FAILING, encoding="utf-8")
    result = policycheck(tmp_path, "check", "--isolated", "-p", "this", "a.yaml")
    assert result.returncode == 2
    assert "policycheck: error: -p this is refused: --isolated loads no plugin" in result.stderr
    assert "Beautiful is better than ugly" not in result.stdout + result.stderr  # `this` was never imported
