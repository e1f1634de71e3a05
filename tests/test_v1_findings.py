"""An activity/v1 document keeps the findings it had before activity/v2 (issue 18).

tests/data/v1-findings.json holds the findings of every v1 example (the v1 files in
examples/, and in tests/data/v1/ the v1 forms of the two examples that moved to v2):
rule, level, pointer, line, message and hint, and the banner. The only differences from
before v2 are the rules issue 18 found wrong (GOV005's dates, GOV006's message, INT003's
hint, valid banners); a change here is a change to what v1 users get, so it must be one on
purpose: regenerate with POLICYCHECK_UPDATE_GOLDEN=1 and say why in the commit.
"""

import json
import os
from pathlib import Path

from click.testing import CliRunner

from policycheck.cli import main

ROOT = Path(__file__).resolve().parents[1]
EXPECTED = ROOT / "tests" / "data" / "v1-findings.json"


def v1_documents() -> list[Path]:
    candidates = sorted([*ROOT.glob("examples/**/*.yaml"), *ROOT.glob("tests/data/v1/*.yaml")])
    return [path for path in candidates if "\nschema: activity/v1\n" in path.read_text(encoding="utf-8")]


def findings_now() -> dict:
    paths = [str(path.relative_to(ROOT)) for path in v1_documents()]
    runner = CliRunner()
    cwd = os.getcwd()
    os.chdir(ROOT)  # relative file names in the report, whatever the checkout's path
    try:
        result = runner.invoke(
            main, [*paths, "--format", "json", "--today", "2026-11-23", "--no-plugins", "--no-config"]
        )
    finally:
        os.chdir(cwd)
    report = json.loads(result.output)
    return {
        entry["file"]: {
            "banner": entry["banner"],
            "findings": [
                [finding[key] for key in ("rule", "level", "pointer", "line", "message", "hint")]
                for finding in entry["findings"]
            ],
        }
        for entry in report["files"]
    }


def test_there_are_v1_documents_beside_the_v2_ones():
    names = {path.name for path in v1_documents()}
    assert {
        "typo-in-keys.yaml",
        "most-capable-coproduction.yaml",
        "reference.yaml",
        "albania-nds-advisory.yaml",
    } <= names


def test_v1_documents_keep_their_findings():
    now = findings_now()
    if os.environ.get("POLICYCHECK_UPDATE_GOLDEN") == "1":
        EXPECTED.write_text(json.dumps(now, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))
    assert now == expected, (
        "a v1 document's findings changed; if on purpose, regenerate with POLICYCHECK_UPDATE_GOLDEN=1"
    )
