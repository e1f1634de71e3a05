"""benchmarks/server.py runs end to end and writes every measurement; no timing is asserted."""

import json
import subprocess
import sys

from lsp_client import ROOT


def test_quick_server_benchmark_writes_every_measurement(tmp_path):
    output = tmp_path / "server.json"
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "server.py"), "--quick", "--output", str(output)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # nothing the client did not expect from the server
    results = json.loads(output.read_text(encoding="utf-8"))
    assert 4000 <= results["document_bytes"] <= 5000
    assert results["edit_ms"]["edits"] == 20 and 0 < results["edit_ms"]["p50"] <= results["edit_ms"]["p95"]
    assert results["start_seconds"]["median"] > 0 and results["start_seconds"]["cpu_median"] > 0
    assert results["rss_kib"]["after_first_check"] > 10 * 1024 and results["rss_kib"]["edits"] == 50
    assert {verdict["measure"] for verdict in results["verdicts"]} == {"edit_p95_ms", "start_seconds", "memory_growth"}
    assert str(output) in result.stdout
