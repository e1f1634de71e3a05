"""The README's example report is what policycheck prints today, byte for byte."""

import re
import shlex
from pathlib import Path

from click.testing import CliRunner

from policycheck.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_example_report_matches_real_output(monkeypatch):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- example-report: policycheck (.+?) -->\n```text\n(.*?)```", readme, re.S)
    assert match, "README.md lost its example-report block"
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, shlex.split(match.group(1)))
    assert result.output.rstrip("\n") == match.group(2).rstrip("\n")
    assert result.exit_code == 1
