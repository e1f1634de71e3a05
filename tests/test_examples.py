"""Every example under examples/ raises exactly the rules its `# expected:` line names.

The line is the example's documentation (examples/README.md): `# expected: A, B` lists
the distinct rule ids the real tool reports on it, `none` for a clean file.
"""

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from policycheck.cli import main

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
FILES = sorted(EXAMPLES.rglob("*.yaml"))
EXPECTED = re.compile(r"^#\s*expected:\s*(.*?)\s*$", re.MULTILINE)


def expected_ids(path: Path) -> set[str]:
    found = EXPECTED.findall(path.read_text(encoding="utf-8"))
    assert len(found) == 1, f"{path} needs exactly one '# expected: A, B' (or 'none') comment line"
    return set() if found[0] == "none" else {rule_id.strip() for rule_id in found[0].split(",")}


def test_there_are_examples():
    assert len(FILES) >= 5


@pytest.mark.parametrize("path", FILES, ids=[path.relative_to(EXAMPLES).as_posix() for path in FILES])
def test_example_raises_exactly_its_expected_rules(path):
    want = expected_ids(path)
    result = CliRunner().invoke(
        main, [str(path), "--format", "json", "--today", "2026-11-23", "--no-plugins"], catch_exceptions=False
    )
    [report] = json.loads(result.output)["files"]
    findings = [finding for finding in report["findings"] if finding["level"] != "waived"]
    assert {finding["rule"] for finding in findings} == want, "\n".join(
        f"{finding['line']}:{finding['column']} {finding['rule']} {finding['message']}" for finding in findings
    )
    assert result.exit_code == (1 if any(finding["level"] == "fail" for finding in findings) else 0)
