"""One bad file among 1,000 does not stop the other 999 from being checked and reported."""

from __future__ import annotations

import json
from pathlib import Path

from policycheck.testing import starter

from reliability_support import COMMON, cli, make_unreadable

COUNT = 1000


def _portfolio(folder: Path, count: int = COUNT) -> list[Path]:
    text = starter()
    paths = []
    for index in range(count):
        path = folder / f"batch-{index // 100}" / f"activity-{index:04d}.yaml"
        path.parent.mkdir(exist_ok=True)
        path.write_text(text.replace("id: ALB-2027-NDS-01", f"id: ALB-2027-NDS-{index:04d}"), encoding="utf-8")
        paths.append(path)
    return paths


def test_one_unreadable_file_among_a_thousand(tmp_path, monkeypatch):
    paths = _portfolio(tmp_path)
    bad = paths[537]
    # chmod 000, or as root an os.open that refuses it (workers are forked on Linux, so they inherit it)
    make_unreadable(bad, monkeypatch)
    try:
        run = cli(str(tmp_path), *COMMON, "--format", "json")
    finally:
        bad.chmod(0o644)
    assert "Traceback" not in run.output, run.output
    assert run.exit_code == 1, run.output  # cli() bounds the run with a timeout: a hang fails, slowness is benchmarks'
    report = json.loads(run.stdout)
    files = {entry["file"]: entry for entry in report["files"]}
    assert set(files) == {str(path) for path in paths}
    load_errors = [
        (entry["file"], finding)
        for entry in report["files"]
        for finding in entry["findings"]
        if finding["rule"] == "LOAD001"
    ]
    assert len(load_errors) == 1
    [(file, finding)] = load_errors
    assert file == str(bad) and finding["message"] == "cannot read the file: Permission denied"
    assert (finding["line"], finding["column"]) == (1, 1)
    good = [entry for entry in report["files"] if entry["file"] != str(bad)]
    assert len(good) == COUNT - 1
    assert {entry["status"] for entry in good} == {"pass"}
    assert {entry["activity_id"] for entry in good} == {
        f"ALB-2027-NDS-{index:04d}" for index in range(COUNT) if index != 537
    }
    assert report["summary"]["files"] == COUNT and report["summary"]["files_failed"] == 1


def test_an_internal_error_on_one_file_fails_that_file_only(tmp_path, monkeypatch):
    """A bug past loading (here: validation raising) is ERR001 on that file, exit 3; the rest is reported."""
    from policycheck.validate import SchemaValidator

    real = SchemaValidator.violations

    def violations(self, data):
        if data.get("id") == "ALB-2027-NDS-0002":
            raise RuntimeError("validator bug")
        return real(self, data)

    monkeypatch.setattr(SchemaValidator, "violations", violations)
    paths = _portfolio(tmp_path, count=5)
    run = cli(str(tmp_path), *COMMON, "--format", "json", "--jobs", "1")
    assert "Traceback" not in run.output, run.output
    assert run.exit_code == 3
    report = {entry["file"]: entry for entry in json.loads(run.stdout)["files"]}
    assert set(report) == {str(path) for path in paths}
    [crash] = report[str(paths[2])]["findings"]
    assert crash["rule"] == "ERR001"
    assert crash["message"] == "internal error while checking this file: RuntimeError: validator bug"
    assert report[str(paths[2])]["status"] == "error"
    assert [report[str(path)]["status"] for index, path in enumerate(paths) if index != 2] == ["pass"] * 4
