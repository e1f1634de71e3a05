"""The proposal author as the adversary: a pull request against a repository with a trusted policy.

`pull_request(tmp_path)` builds what CI checks out for a hostile pull request: an
`origin` (a bare repository) whose `main` holds the trusted policy (configuration,
baseline) and a clean proposal, and a clone on the pull request's branch, which adds
a failing proposal, a `.policycheck.yaml` that switches everything off, a baseline
rewritten to hide it, and self-approved waivers.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "report" / "fixtures"
CLEAN = (FIXTURES / "clean.yaml").read_text(encoding="utf-8")
TODAY = "2026-11-23"

# Leahy vetting pending two weeks before the start (GOV005 fails within 30 days of it), disclosure
# denied, end before start: each a fail-level rule
FAILING = (
    CLEAN.replace("FIX-2027-CLEAN", "PR-2027-BAD")
    .replace('start: "2027-01-15"\n  end: "2028-06-30"', 'start: "2026-12-07"\n  end: "2026-06-30"')
    .replace("human_rights_vetting: not-required", "human_rights_vetting: required-pending")
    .replace(
        "releasability: {classification: CUI, dissemination: [REL TO], rel_to: [USA, ALB]}",
        "releasability:\n  classification: CUI\n  dissemination: [REL TO]\n  rel_to: [USA, ALB]\n"
        "  technology_transfer:\n    - {item: Link 16 terminal, usml_category: XI, disclosure_decision: denied}",
    )
)
assert FAILING.count("PR-2027-BAD") == 1 and "required-pending" in FAILING and "denied" in FAILING

# the waivers a proposal's author approves for themself (way 4 of issue 15)
SELF_APPROVED = """waivers:
  - {rule: DAT001, justification: Fiscal calendar., approved_by: " ", expires: "2027-06-30"}
  - {rule: DAT001, justification: Whole document., approved_by: Desk officer, expires: "2027-06-30", at: "/"}
  - {rule: DAT001, justification: Whole document., approved_by: Desk officer, expires: "2027-06-30", at: "//"}
  - {rule: DAT001, justification: Forever., approved_by: Desk officer, expires: "9999-12-31"}
  - {rule: GOV005, justification: Vetting will finish., approved_by: Desk officer, expires: "2099-12-31"}
  - {rule: REL007, justification: Appeal planned., approved_by: Desk officer, expires: "2027-06-30"}
  - {rule: PRT001, justification: Same id on purpose., approved_by: Desk officer, expires: "2027-06-30"}
"""


def with_waivers(text: str, waivers: str) -> str:
    assert text.count("waivers: []\n") == 1
    return text.replace("waivers: []\n", waivers)


# everything a pull request's own configuration did to open the gate (way 2)
HOSTILE_CONFIG = """select: [SCH]
ignore: [DAT, GOV, REL]
rules:
  DAT001: {level: "off"}
  GOV005: {level: "off"}
per_file_ignores:
  "*": [DAT, GOV, REL]
plugins: [venv.__main__]
"""
TRUSTED_CONFIG = "waivers:\n  approvers: ['Director, Office of Defense Cooperation']\n"


def git(cwd: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
    }
    done = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True)
    return done.stdout


def policycheck(cwd: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """The installed command in a real process (so `sys.path` and imports are as users get them)."""
    command = shutil.which("policycheck", path=os.path.dirname(sys.executable))
    assert command, "policycheck must be installed next to this Python"
    return subprocess.run(
        [command, *args], cwd=cwd, capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=120
    )


@pytest.fixture
def pull_request(tmp_path) -> Path:
    """A clone on a hostile pull request's branch; `origin/main` is the trusted base."""
    assert shutil.which("git"), "the security suite needs git"
    origin, work = tmp_path / "origin.git", tmp_path / "work"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(origin))
    git(tmp_path, "init", "-q", "-b", "main", str(work))
    (work / "proposals").mkdir()
    (work / "proposals" / "ok.yaml").write_text(CLEAN, encoding="utf-8")
    (work / ".policycheck.yaml").write_text(TRUSTED_CONFIG, encoding="utf-8")
    baseline = {"schema": "policycheck-baseline/v1", "findings": []}
    (work / "policycheck-baseline.json").write_text(json.dumps(baseline), encoding="utf-8")
    git(work, "add", "-A")
    git(work, "commit", "-qm", "trusted policy")
    git(work, "remote", "add", "origin", str(origin))
    git(work, "push", "-q", "origin", "main")
    git(work, "checkout", "-q", "-b", "pr")
    (work / "proposals" / "bad.yaml").write_text(with_waivers(FAILING, SELF_APPROVED), encoding="utf-8")
    (work / ".policycheck.yaml").write_text(HOSTILE_CONFIG, encoding="utf-8")
    # the pull request re-records the baseline so that it hides its own proposal (way 3)
    written = policycheck(
        work, "check", "--no-config", "--today", TODAY, "--write-baseline", "policycheck-baseline.json", "proposals"
    )
    assert "baseline: wrote" in written.stdout, written.stdout + written.stderr
    git(work, "add", "-A")
    git(work, "commit", "-qm", "a proposal that passes")
    return work
