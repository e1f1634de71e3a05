"""`policycheck report STORED.json` and `--compare PREVIOUS.json` through the real command line, in real processes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "report" / "fixtures"
FIXED = ["--today", "2026-11-23", "--no-plugins", "--no-config"]


def policycheck(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "policycheck", *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, encoding="utf-8", timeout=120)


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory) -> Path:
    """A folder reviewed twice: `before.json`, then a fix, a removal and a new proposal, and `after.*`."""
    folder = tmp_path_factory.mktemp("review")
    proposals = folder / "proposals"
    proposals.mkdir()
    for path in FIXTURES.glob("*.yaml"):
        shutil.copy(path, proposals / path.name)
    assert policycheck(folder, "check", "proposals", "-f", "json", "-o", "before.json", *FIXED).returncode == 1
    (proposals / "clean.yaml").unlink()
    typo = proposals / "typo.yaml"
    typo.write_text(typo.read_text(encoding="utf-8").replace("sumary:", "summary:"), encoding="utf-8")
    shutil.copy(ROOT / "examples" / "lithuania-333-javelin.yaml", proposals)
    outputs = ["-f", "json", "-o", "after.json", "-f", "html", "-o", "after.html", "-f", "markdown", "-o", "after.md"]
    done = policycheck(folder, "check", "proposals", *outputs, "--compare", "before.json", *FIXED)
    assert done.returncode == 1, done.stderr
    return folder


def test_compare_marks_findings_and_proposals_and_names_what_was_resolved(reviewed):
    after = json.loads((reviewed / "after.json").read_text(encoding="utf-8"))
    files = {Path(record["file"]).name: record for record in after["files"]}
    assert files["lithuania-333-javelin.yaml"]["change"] == "new"
    assert {finding["change"] for finding in files["lithuania-333-javelin.yaml"]["findings"]} <= {"new"}
    assert files["typo.yaml"]["change"] == "changed"
    assert [finding["rule"] for finding in files["typo.yaml"]["resolved"]] == ["SCH001"]
    assert files["expired.yaml"]["change"] == "unchanged"
    assert {finding["change"] for finding in files["expired.yaml"]["findings"]} == {"persisting"}
    since = after["since_previous"]
    assert since["previous"] == "before.json"
    assert since["proposals"]["removed"] == 1 and since["removed"][0]["file"].endswith("clean.yaml")
    # PRT001 on duplicate.yaml went with clean.yaml: resolved too
    assert [finding["rule"] for finding in files["duplicate.yaml"]["resolved"]] == ["PRT001"]
    assert since["findings"]["resolved"] == 2
    # resolved findings never gate: the summary counts this run's findings only
    assert after["summary"]["fail"] == sum(
        1 for record in after["files"] for finding in record["findings"] if finding["level"] == "fail"
    )


def test_compare_is_shown_in_html_and_markdown(reviewed):
    page = (reviewed / "after.html").read_text(encoding="utf-8")
    assert '<section id="since"><h2>Since the last review</h2>' in page
    assert '<span class="badge c-new" title="since the last review">new</span>' in page
    assert '<span class="badge c-resolved">resolved</span> <code>SCH001</code>' in page
    summary = (reviewed / "after.md").read_text(encoding="utf-8")
    assert "**Since the last review** (`before.json`): proposals 1 new, 2 changed, 3 unchanged, 1 removed" in summary
    assert "- **RESOLVED** `SCH001`" in summary


@pytest.mark.parametrize(
    ("format_", "stored"), [("html", "after.html"), ("json", "after.json"), ("markdown", "after.md")]
)
def test_a_stored_report_renders_as_the_run_that_wrote_it(reviewed, format_, stored, tmp_path):
    output = tmp_path / f"again.{format_}"
    done = policycheck(reviewed, "report", "after.json", "--format", format_, "-o", str(output))
    assert done.returncode == 0, done.stderr
    assert output.read_bytes() == (reviewed / stored).read_bytes()


def test_report_compares_two_stored_reports_and_writes_stdout_by_default(reviewed):
    done = policycheck(reviewed, "report", "after.json", "--format", "json", "--compare", "after.json")
    assert done.returncode == 0, done.stderr
    since = json.loads(done.stdout)["since_previous"]
    assert since["proposals"] == {"new": 0, "changed": 0, "unchanged": 6, "removed": 0}
    assert since["findings"]["new"] == since["findings"]["resolved"] == 0
    assert policycheck(reviewed, "report", "after.json").stdout.startswith("<!DOCTYPE html>")


HOSTILE = {
    "not-json.json": b'{"schema": ',
    "not-utf8.json": b"\xff\xfe{}",
    "deep.json": b"[" * 100_000,
    "a-list.json": b"[]",
    "other-schema.json": b'{"schema": "sarif", "files": []}',
    "no-fingerprint.json": b'{"schema": "policycheck-report/v2", "files": [{"file": "a.yaml", "findings": [{}]}]}',
    "files-not-a-list.json": b'{"schema": "policycheck-report/v2", "files": {"x": 1}}',
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_malformed_or_hostile_report_is_one_line_and_exit_2(reviewed, tmp_path, name):
    path = tmp_path / name
    path.write_bytes(HOSTILE[name])
    for command in (["report", str(path)], ["check", "proposals", "--compare", str(path), *FIXED]):
        done = policycheck(reviewed, *command)
        assert done.returncode == 2, done.stderr
        assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
        assert done.stderr.startswith("policycheck: error: ") and name in done.stderr
        assert done.stdout == ""


def test_a_folder_or_missing_file_and_writing_over_an_input_are_refused(reviewed):
    for path in ("proposals", "missing.json"):
        done = policycheck(reviewed, "report", path)
        assert done.returncode == 2 and "cannot read it as a JSON report" in done.stderr
    before = (reviewed / "after.json").read_bytes()
    done = policycheck(reviewed, "report", "after.json", "-o", "after.json")
    assert done.returncode == 2 and "is an input of this command" in done.stderr
    assert (reviewed / "after.json").read_bytes() == before


def test_an_output_that_cannot_be_written_is_exit_4(reviewed):
    done = policycheck(reviewed, "report", "after.json", "-o", "proposals/missing/folder/report.html")
    assert done.returncode == 4 and done.stderr.startswith("policycheck: error: cannot write")


def test_check_refuses_to_write_over_the_report_it_compares_with(reviewed):
    before = (reviewed / "before.json").read_bytes()
    done = policycheck(reviewed, "check", "proposals", "-f", "json", "-o", "before.json", "--compare", "before.json")
    assert done.returncode == 2 and "before.json" in done.stderr
    assert (reviewed / "before.json").read_bytes() == before


MARKUP = "<img src=x onerror=alert(1)> | @octocat `"


def test_a_stored_report_with_hostile_values_where_the_renderers_expect_others_renders_inert(reviewed, tmp_path):
    stored = json.loads((reviewed / "after.json").read_text(encoding="utf-8"))
    record = stored["files"][0]
    record.update(resolved=5, partners="ALB", budget=[1], title={"x": 1}, marking=7, change=MARKUP)
    record["findings"].append(
        {"fingerprint": "e" * 16, "rule": MARKUP, "level": MARKUP, "message": MARKUP, "column": MARKUP}
    )
    stored["files"][1]["resolved"] = ["x", {"rule": MARKUP, "message": MARKUP}]
    stored["since_previous"] = {"previous": MARKUP, "proposals": [1], "findings": "x", "removed": 3}
    stored["rules"] = {"GOV004": {"family": MARKUP}, "X": 1}
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(stored), encoding="utf-8")
    for format_ in ("html", "markdown", "json"):
        done = policycheck(reviewed, "report", str(path), "--format", format_)
        assert done.returncode == 0, done.stderr
        assert done.stderr == ""
        if format_ == "html":
            assert "<img" not in done.stdout and "&lt;img src=x onerror=alert(1)&gt;" in done.stdout
        if format_ == "markdown":
            assert "<img" not in done.stdout and "@octocat" not in done.stdout and "&#64;octocat" in done.stdout
