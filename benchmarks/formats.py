"""Peak memory and time of every output format on one large portfolio, as ratios to json.

    python benchmarks/formats.py                     # 50,000 files (about 10 minutes on 2 cores)
    python benchmarks/formats.py --files 2000        # a shorter run
    python benchmarks/formats.py --output benchmarks/formats-results.json
    python benchmarks/formats.py --files 10000 --formats json,html --output benchmarks/formats-html-results.json

Each format runs once in a fresh process on the same portfolio (benchmarks/portfolio.py),
after one untimed warm-up run, writing its report to a file with `--output`, as CI
does; peak memory is the largest
process of the run (getrusage(RUSAGE_CHILDREN).ru_maxrss in a fresh wrapper, as in
run.py). The targets: every format within 1.5x json's peak memory (issue 16), and html
within 2x json's time (issue 19).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from portfolio import generate  # noqa: E402
from run import ENV, TODAY, commit, machine, peak_kib, policycheck_command, write_results  # noqa: E402

FORMATS = ("json", "text", "sarif", "junit", "markdown", "github", "html")
TARGET = 1.5  # peak memory of any format / json's
TIME_TARGETS = {"html": 2.0}  # time of a format / json's


def measure(files: int, jobs: int | None, work: Path, formats: tuple[str, ...] = FORMATS) -> dict:
    folder = work / "portfolio"
    generate(folder, files)
    policycheck = [*policycheck_command(), "--no-config", "--today", TODAY, "--no-progress"]
    if jobs:
        policycheck += ["--jobs", str(jobs)]
    # untimed: fills policycheck's cache folder and the page cache, as any run after the first has them
    peak_kib([*policycheck, str(folder), "--format", "text", "--output", str(work / "warm-up.txt")])
    rows = {}
    for name in formats:
        report = work / f"report.{name}"
        started = time.perf_counter()
        peak = peak_kib([*policycheck, str(folder), "--format", name, "--output", str(report)])
        rows[name] = {
            "seconds": round(time.perf_counter() - started, 3),
            "peak_kib": peak,
            "report_bytes": report.stat().st_size,
        }
        report.unlink()
    for row in rows.values():
        row["peak_vs_json"] = round(row["peak_kib"] / rows["json"]["peak_kib"], 3)
        row["seconds_vs_json"] = round(row["seconds"] / rows["json"]["seconds"], 3)
    targets = {name: limit for name, limit in TIME_TARGETS.items() if name in rows}
    return {
        "files": files,
        "jobs": jobs,
        "formats": rows,
        "target_peak_vs_json": TARGET,
        "target_seconds_vs_json": targets,
    }


def table(results: dict) -> str:
    lines = [
        f"policycheck {results.get('commit') or '(not a git checkout)'}, {results['files']:,} files, "
        f"{results['machine']['cpus']} CPUs, Python {results['machine']['python']}",
        "",
        f"{'format':<9} {'seconds':>8} {'peak MiB':>9} {'report MiB':>11} {'peak / json':>12} {'time / json':>12}",
    ]
    for name, row in results["formats"].items():
        lines.append(
            f"{name:<9} {row['seconds']:8.1f} {row['peak_kib'] / 1024:9.1f} {row['report_bytes'] / 2**20:11.1f} "
            f"{row['peak_vs_json']:12.2f} {row['seconds_vs_json']:12.2f}"
        )
    worst = max(row["peak_vs_json"] for row in results["formats"].values())
    lines += ["", f"largest peak / json: {worst:.2f} (target <= {TARGET}: {'met' if worst <= TARGET else 'NOT met'})"]
    for name, limit in results.get("target_seconds_vs_json", {}).items():
        ratio = results["formats"][name]["seconds_vs_json"]
        lines.append(f"{name} time / json: {ratio:.2f} (target <= {limit}: {'met' if ratio <= limit else 'NOT met'})")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=50_000, help="portfolio size (default 50,000)")
    parser.add_argument("--jobs", type=int, help="worker processes (default: policycheck's, every usable CPU)")
    parser.add_argument(
        "--output", default=str(HERE / "results" / "formats-latest.json"), help="where to write the JSON results"
    )
    parser.add_argument("--formats", default=",".join(FORMATS), help="comma-separated (json is always measured)")
    args = parser.parse_args(argv)
    formats = ("json", *(name for name in args.formats.split(",") if name in FORMATS and name != "json"))
    with tempfile.TemporaryDirectory(prefix="policycheck-formats-") as work:
        ENV["XDG_CACHE_HOME"] = str(Path(work) / "cache")
        results = measure(args.files, args.jobs, Path(work), formats)
    results["machine"] = machine()
    results["commit"] = commit()
    return write_results(results, Path(args.output), table)


if __name__ == "__main__":
    sys.exit(main())
