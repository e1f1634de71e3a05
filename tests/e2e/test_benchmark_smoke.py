"""The benchmark script runs end to end and writes its results; no timing is asserted."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_quick_benchmark_writes_every_measurement(tmp_path):
    output = tmp_path / "results.json"
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "run.py"),
            "--quick",
            "--sizes",
            "1,4,8",
            "--runs",
            "1",
            "--large",  # 8 files is a large portfolio here: one run each, no jsonschema floor
            "4",
            "--output",
            str(output),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    results = json.loads(output.read_text(encoding="utf-8"))
    assert set(results) >= {"machine", "jobs", "sizes", "ratios", "verdicts", "check_jsonschema", "commit"}
    assert set(results["machine"]) >= {"cpus", "cpu_model", "python"}
    assert set(results["sizes"]) == {"1", "4", "8"}
    assert set(results["sizes"]["1"]) >= {"files", "yaml_cold", "policycheck_cold", "policycheck_cold_schema_errors"}
    for size in ("4", "8"):
        row = results["sizes"][size]
        assert row["files"] == int(size)
        for name in (
            "floor_parse",
            "floor_parse_fastjsonschema",
            "policycheck_jobs1",
            "policycheck_all_cores",
        ):
            assert row[name] > 0, name
        assert ("floor_parse_validate" in row) is (size == "4")
        assert row["peak_kib_all_cores"] > 1024 and row["peak_kib_jobs1"] > 1024
    # every format at the two portfolio sizes (html only where this version has it)
    assert set(results["formats"]) == {"4", "8"}
    assert set(results["formats"]["8"]) >= {"json", "text", "sarif", "junit", "markdown", "github"}
    assert all(row["peak_kib"] > 1024 and row["report_bytes"] > 0 for row in results["formats"]["8"].values())
    split = results["cpu"]["split_us_per_file"]
    assert results["cpu"]["files"] == 4 and set(split) >= {"read", "parse", "schema", "rules", "engine"}
    assert any(name.startswith("rules:") for name in split)
    assert {verdict["ratio"] for verdict in results["verdicts"]} >= {
        "cold_vs_yaml",
        "cold_schema_errors_vs_yaml",
        "cpu_vs_parse",
        "portfolio_vs_floor@8",
        "memory_growth",
        "format_memory_growth@json@8",
        "time_per_file_growth",
    }
    assert results["ratios"]["cpu_ms_per_file"] > 0  # this machine's figure, listed beside the ratios
    assert "cold_vs_yaml" in result.stdout and str(output) in result.stdout


def test_formats_benchmark_measures_every_format_against_json(tmp_path):
    output = tmp_path / "formats.json"
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "formats.py"), "--files", "12", "--output", str(output)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    results = json.loads(output.read_text(encoding="utf-8"))
    assert set(results["formats"]) == {"json", "text", "sarif", "junit", "markdown", "github", "html"}
    assert "html time / json" in result.stdout
    assert results["formats"]["json"]["peak_vs_json"] == 1.0
    for row in results["formats"].values():
        assert row["peak_kib"] > 1024 and row["report_bytes"] > 0 and row["seconds"] > 0
    assert "largest peak / json" in result.stdout
