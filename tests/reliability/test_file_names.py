"""A file name that is not UTF-8 is reported and written safely in every format (issue 16).

Linux file names are bytes; Python keeps an undecodable byte as a lone surrogate
(`os.fsdecode`), which UTF-8 cannot encode: every format, on standard output and
in a file, and the baseline used to stop with a UnicodeEncodeError. Now a report
shows the byte as `\\xff` (quoting.inert), JSON writes it as the escape `\\udcff`
(which reads back as the same name), a SARIF URI percent-encodes it, and the
output is valid UTF-8.
"""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET

import pytest

from pathlib import Path

from policycheck.testing import starter

from reliability_support import COMMON, assert_clean_failure, subprocess_cli

NAME = b"caf\xe9-\xff.yaml"  # Latin-1, not UTF-8
# REL001, REL002 (fail), REL009 (warn): findings every format shows and a baseline records
FAILING = Path(__file__).resolve().parents[2] / "examples" / "most-capable-coproduction.yaml"
FORMATS = ["text", "json", "sarif", "junit", "markdown", "github"]


@pytest.fixture
def folder(tmp_path):
    """A folder with one failing activity whose name is not UTF-8."""
    folder = tmp_path / "proposals"
    folder.mkdir()
    with open(os.path.join(os.fsencode(folder), NAME), "w", encoding="utf-8") as handle:
        handle.write(FAILING.read_text(encoding="utf-8"))
    (folder / "ok.yaml").write_text(starter().replace("ALB-2027-NDS-01", "ALB-2027-NDS-02"), encoding="utf-8")
    return folder


def _parsed(name: str, raw: bytes):
    text = raw.decode("utf-8")  # valid UTF-8, whatever the name
    if name in ("json", "sarif"):
        return json.loads(text)
    if name == "junit":
        return ET.fromstring(raw)
    return text


@pytest.mark.parametrize("name", FORMATS)
def test_every_format_reports_the_name_on_stdout_and_in_a_file(folder, tmp_path, name):
    report = tmp_path / f"report.{name}"
    run = subprocess_cli(str(folder), *COMMON, "--no-cache", "-f", name, "-o", str(report), "-f", "text")
    assert_clean_failure(run, 1, "caf\\xe9-\\xff.yaml")  # the text report on stdout shows the bytes
    _parsed(name, report.read_bytes())
    alone = subprocess_cli(str(folder), *COMMON, "--no-cache", "-f", name)
    assert_clean_failure(alone, 1)
    assert alone.stdout.encode("utf-8") == report.read_bytes()


def test_json_reads_back_the_very_name(folder):
    run = subprocess_cli(str(folder), *COMMON, "--no-cache", "-f", "json")
    files = [os.fsencode(entry["file"]) for entry in json.loads(run.stdout)["files"]]
    assert os.path.join(os.fsencode(folder), NAME) in files


def test_sarif_percent_encodes_the_bytes(folder, monkeypatch):
    monkeypatch.chdir(folder.parent)
    run = subprocess_cli("proposals", *COMMON, "--no-cache", "-f", "sarif")
    uris = {
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for result in json.loads(run.stdout)["runs"][0]["results"]
    }
    assert "proposals/caf%E9-%FF.yaml" in uris


def test_a_baseline_records_and_matches_the_name(folder, tmp_path):
    baseline = tmp_path / "baseline.json"
    recorded = subprocess_cli(str(folder), *COMMON, "--no-cache", "--write-baseline", str(baseline))
    assert_clean_failure(recorded, 0, "baseline: wrote 3 findings")
    entries = json.loads(baseline.read_bytes().decode("utf-8"))["findings"]
    assert {os.fsencode(entry["file"]) for entry in entries} == {os.path.join(os.fsencode(folder), NAME)}
    applied = subprocess_cli(str(folder), *COMMON, "--no-cache", "--baseline", str(baseline))
    assert_clean_failure(applied, 0, "baseline: 3 findings matched, 0 entries no longer match")
