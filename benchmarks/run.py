"""Benchmark policycheck against the parse floor and its peers, in one run.

    python benchmarks/run.py                      # sizes 1, 1000, 10000, 50000, every format at 1000 and 10000
    python benchmarks/run.py --quick              # a smoke run in seconds
    python benchmarks/run.py --output benchmarks/results.json

Every measurement is a fresh subprocess timed with perf_counter around
subprocess.run; peak memory comes from a fresh wrapper process per measurement
(getrusage(RUSAGE_CHILDREN).ru_maxrss: the largest process of the run, parent
or worker). Cold-start figures are medians of interleaved runs after one
warm-up run each (so bytecode caches exist, as after any pip install). See
benchmarks/README.md for what each row means.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from portfolio import generate  # noqa: E402

from policycheck.testing import starter  # noqa: E402

TODAY = "2027-01-01"
# Past this many files (--large), a portfolio command runs --large-repeats times with no warm-up
# (the smaller sizes warmed the caches), the jsonschema floor is not run (minutes a pass at
# 100,000 files), and cpu.py, whose figure is per file, runs on the largest portfolio up to it.
LARGE = 10_000
# The targets, as ratios measured in the same run.
TARGETS = {
    "portfolio_vs_floor": (0.6, 0.5, "policycheck, all cores / C-loader parse + fastjsonschema floor, one process"),
    "cold_vs_yaml": (1.6, None, "policycheck on one file, cold / python -c 'import yaml' + parse"),
    "cold_schema_errors_vs_yaml": (2.0, None, "policycheck on one file with schema errors, cold / import yaml + parse"),
    # the 0.7 ms was against its machine's 0.42 ms C-loader parse: the same ratio on any machine
    "cpu_vs_parse": (1.67, None, "in-process CPU per file (benchmarks/cpu.py) / the C-loader parse's time per file"),
    "memory_growth": (1.3, None, "peak memory, largest portfolio / smallest"),
    "format_memory_growth": (1.3, None, "peak memory of one format, a larger --format-sizes portfolio / the smallest"),
    "time_per_file_growth": (1.2, None, "time per file, largest portfolio / smallest (1.0 = linear)"),
}

FLOOR_PARSE = """
import sys, yaml
for path in open(sys.argv[1], encoding="utf-8").read().split("\\n"):
    with open(path, "rb") as handle:
        try:
            yaml.load(handle, Loader=yaml.CSafeLoader)
        except yaml.YAMLError:
            pass
"""

FLOOR_VALIDATE = """
import json, sys, yaml
from jsonschema import Draft202012Validator, FormatChecker
with open(sys.argv[2], encoding="utf-8") as handle:
    validator = Draft202012Validator(json.load(handle), format_checker=FormatChecker(formats=("date",)))
for path in open(sys.argv[1], encoding="utf-8").read().split("\\n"):
    with open(path, "rb") as handle:
        try:
            document = yaml.load(handle, Loader=yaml.CSafeLoader)
        except yaml.YAMLError:
            continue
    list(validator.iter_errors(document))
"""

# the floor policycheck's own validator sets: fastjsonschema's code for the same schema, written before
# the timed runs (policycheck keeps its compiled validator in its cache folder the same way)
FLOOR_FAST = """
import sys, yaml
sys.path.insert(0, sys.argv[2])
from floor_validator import validate
for path in open(sys.argv[1], encoding="utf-8").read().split("\\n"):
    with open(path, "rb") as handle:
        try:
            document = yaml.load(handle, Loader=yaml.CSafeLoader)
        except yaml.YAMLError:
            continue
    try:
        validate(document)
    except Exception:
        pass
"""

COLD_YAML = (
    "import sys, yaml\nwith open(sys.argv[1], 'rb') as handle:\n    yaml.load(handle, Loader=yaml.CSafeLoader)\n"
)

PEAK = (
    "import resource, subprocess, sys\n"
    "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


def child_environment() -> dict[str, str]:
    """As a user's shell would have it: bytecode caches written, no CI, no colors."""
    environment = {key: value for key, value in os.environ.items() if key not in ("PYTHONDONTWRITEBYTECODE", "CI")}
    environment["NO_COLOR"] = "1"
    return environment


ENV = child_environment()


class Failed(Exception):
    pass


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    # in the temporary folder: no project configuration is discovered by accident
    result = subprocess.run(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV, cwd=tempfile.gettempdir()
    )
    elapsed = time.perf_counter() - start
    # 1 is findings (policycheck) or invalid files (check-jsonschema); the floors exit 0
    if result.returncode not in ((0,) if command[:2] == [sys.executable, "-c"] else (0, 1)):
        raise Failed(
            f"{' '.join(command)[:200]} exited {result.returncode}: {result.stderr.decode(errors='replace')[-2000:]}"
        )
    return elapsed


def peak_kib(command: list[str]) -> int:
    result = subprocess.run(
        [sys.executable, "-c", PEAK, *command],
        capture_output=True,
        text=True,
        env=ENV,
        check=True,
        cwd=tempfile.gettempdir(),
    )
    return int(result.stdout.strip())


def medians(commands: dict[str, list[str]], runs: int, warm_up: bool) -> dict[str, float]:
    """Median wall time of each command, runs interleaved so load spikes hit all alike."""
    for command in commands.values() if warm_up else ():
        timed(command)  # bytecode caches, the reference-data cache, the page cache
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            samples[name].append(timed(command))
    return {name: statistics.median(values) for name, values in samples.items()}


def policycheck_command() -> list[str]:
    """The console script next to this interpreter, as a user runs it."""
    script = Path(sys.executable).with_name("policycheck")
    return [str(script)] if script.exists() else [sys.executable, "-m", "policycheck"]


def machine() -> dict[str, object]:
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    from policycheck.parallel import default_jobs

    from importlib.metadata import entry_points

    return {
        "plugins": sorted(entry.name for entry in entry_points(group="policycheck")),
        "cpus": default_jobs(),
        "cpu_model": model,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def commit() -> str | None:
    """The checkout measured, with '+changes' when its working tree differs from it."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=HERE, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            cwd=HERE,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None  # not a git checkout
    return head + ("+changes" if dirty.strip() else "")


def write_floor_validator(schema: Path, folder: Path) -> None:
    """fastjsonschema's code for the effective schema, as the module the fast floor imports."""
    import fastjsonschema

    document = json.loads(schema.read_text(encoding="utf-8"))
    document["$schema"] = "http://json-schema.org/draft-07/schema#"  # as compiled.py compiles it
    code = fastjsonschema.compile_to_code(document, formats={"date": r"^\d{4}-\d{2}-\d{2}$"}, use_default=False)
    entry = code.split("def ", 1)[1].split("(", 1)[0]
    (folder / "floor_validator.py").write_text(code + f"\nvalidate = {entry}\n", encoding="utf-8")


def schema_error_file(folder: Path) -> Path:
    """The first file of a small portfolio whose only trouble is the schema's (a cold run that imports jsonschema)."""
    path = folder / "schema-errors.yaml"
    path.write_text(starter().replace("\ntitle:", "\ntitel:", 1), encoding="utf-8")
    return path


def measure(
    sizes: list[int],
    runs: int,
    repeats: int,
    jobs: int,
    check_jsonschema: str | None,
    work: Path,
    warm_up: bool,
    format_sizes: list[int],
    large_repeats: int = 1,
    large: int = LARGE,
) -> dict:
    policycheck = [*policycheck_command(), "--no-config", "--today", TODAY, "--no-progress"]
    schema = work / "activity.schema.json"
    subprocess.run([*policycheck_command(), "schema", "--no-config", "--output", str(schema)], check=True, env=ENV)
    write_floor_validator(schema, work)
    results: dict = {"machine": machine(), "jobs": jobs, "runs": runs, "sizes": {}, "formats": {}}
    for size in sizes:
        folder = work / f"portfolio-{size}"
        files = generate(folder, size)
        listing = work / f"files-{size}.txt"
        listing.write_text("\n".join(str(path) for path in files), encoding="utf-8")
        row: dict = {"files": size, "bytes": sum(path.stat().st_size for path in files)}
        if size == 1:
            commands = {
                "yaml_cold": [sys.executable, "-c", COLD_YAML, str(files[0])],
                "policycheck_cold": [*policycheck_command(), str(files[0])],  # as a desk officer runs it
                "policycheck_cold_schema_errors": [*policycheck_command(), str(schema_error_file(work))],
            }
            if check_jsonschema:
                commands["check_jsonschema_cold"] = [check_jsonschema, "--schemafile", str(schema), str(files[0])]
            row.update(medians(commands, runs, warm_up))
        else:
            commands = {
                "floor_parse": [sys.executable, "-c", FLOOR_PARSE, str(listing)],
                "floor_parse_fastjsonschema": [sys.executable, "-c", FLOOR_FAST, str(listing), str(work)],
                "floor_parse_validate": [sys.executable, "-c", FLOOR_VALIDATE, str(listing), str(schema)],
                "policycheck_jobs1": [*policycheck, "--jobs", "1", str(folder)],
                "policycheck_all_cores": [*policycheck, "--jobs", str(jobs), str(folder)],
            }
            if size > large:
                del commands["floor_parse_validate"]
                row.update(medians(commands, large_repeats, False))
            else:
                row.update(medians(commands, repeats, warm_up))
            row["peak_kib_all_cores"] = peak_kib(commands["policycheck_all_cores"])
            row["peak_kib_jobs1"] = peak_kib(commands["policycheck_jobs1"])
            if check_jsonschema and size <= 1000:
                row["check_jsonschema"] = timed([check_jsonschema, "--schemafile", str(schema), *map(str, files)])
            if size == max((portfolio for portfolio in sizes if 1 < portfolio <= large), default=max(sizes)):
                results["cpu"] = cpu_split(folder)
        if size in format_sizes:
            results["formats"][str(size)] = every_format(policycheck, folder, work)
        results["sizes"][str(size)] = row
        shutil.rmtree(folder)
    results["ratios"] = ratios(results["sizes"], results["formats"], results.get("cpu"))
    return results


def cpu_split(folder: Path) -> dict:
    """benchmarks/cpu.py on the portfolio: in-process CPU per file and where it goes."""
    command = [sys.executable, str(HERE / "cpu.py"), str(folder), "--repeats", "3"]
    return json.loads(subprocess.run(command, capture_output=True, text=True, env=ENV, check=True).stdout)


FORMATS = ("json", "text", "sarif", "junit", "markdown", "github", "html")


def every_format(policycheck: list[str], folder: Path, work: Path) -> dict:
    """Each format's time and peak memory writing its report with --output (html where this version has it)."""
    rows = {}
    for name in FORMATS:
        report = work / f"report.{name}"
        started = time.perf_counter()
        try:
            peak = peak_kib([*policycheck, str(folder), "--format", name, "--output", str(report)])
        except subprocess.CalledProcessError:
            continue
        if not report.exists():
            continue  # a format this policycheck does not have
        rows[name] = {
            "seconds": round(time.perf_counter() - started, 3),
            "peak_kib": peak,
            "report_bytes": report.stat().st_size,
        }
        report.unlink()
    return rows


def ratios(sizes: dict[str, dict], formats: dict[str, dict], cpu: dict | None) -> dict[str, float]:
    found: dict[str, float] = {}
    if "1" in sizes:
        found["cold_vs_yaml"] = sizes["1"]["policycheck_cold"] / sizes["1"]["yaml_cold"]
        found["cold_schema_errors_vs_yaml"] = sizes["1"]["policycheck_cold_schema_errors"] / sizes["1"]["yaml_cold"]
        if "check_jsonschema_cold" in sizes["1"]:
            found["check_jsonschema_cold_vs_policycheck"] = (
                sizes["1"]["check_jsonschema_cold"] / sizes["1"]["policycheck_cold"]
            )
    if cpu:
        found["cpu_ms_per_file"] = cpu["cpu_us_per_file"] / 1000  # a figure of this machine's, not a ratio
        parsed = sizes.get(str(cpu["files"]), {}).get("floor_parse")
        if parsed:
            found["cpu_vs_parse"] = cpu["cpu_us_per_file"] / 1e6 / (parsed / cpu["files"])
    portfolios = sorted((int(size), row) for size, row in sizes.items() if size != "1")
    for size, row in portfolios:
        found[f"portfolio_vs_floor@{size}"] = row["policycheck_all_cores"] / row["floor_parse_fastjsonschema"]
        found[f"jobs1_vs_floor@{size}"] = row["policycheck_jobs1"] / row["floor_parse_fastjsonschema"]
        if "floor_parse_validate" in row:
            found[f"portfolio_vs_jsonschema_floor@{size}"] = row["policycheck_all_cores"] / row["floor_parse_validate"]
        found[f"parallel_speedup@{size}"] = row["policycheck_jobs1"] / row["policycheck_all_cores"]
        if "check_jsonschema" in row:
            found[f"check_jsonschema_vs_policycheck@{size}"] = row["check_jsonschema"] / row["policycheck_all_cores"]
    if len(portfolios) >= 2:
        (small, first), (large, last) = portfolios[0], portfolios[-1]
        found["memory_growth"] = last["peak_kib_all_cores"] / first["peak_kib_all_cores"]
        found["time_per_file_growth"] = (last["policycheck_all_cores"] / large) / (
            first["policycheck_all_cores"] / small
        )
        found["files_growth"] = large / small
    # each larger format size against the smallest: format_memory_growth@json@100000
    measured = sorted((int(size), rows) for size, rows in formats.items())
    for size, rows in measured[1:]:
        first_rows = measured[0][1]
        for name in rows:
            if name in first_rows:
                found[f"format_memory_growth@{name}@{size}"] = rows[name]["peak_kib"] / first_rows[name]["peak_kib"]
    return found


def verdicts(found: dict[str, float]) -> list[dict]:
    rows = []
    for name, value in sorted(found.items()):
        key = name.split("@")[0]
        if key not in TARGETS:
            continue
        limit, aim, meaning = TARGETS[key]
        rows.append(
            {
                "ratio": name,
                "value": round(value, 3),
                "target": limit,
                "aim": aim,
                "met": value <= limit,
                "meaning": meaning,
            }
        )
    return rows


def table(results: dict) -> str:
    lines = [
        f"policycheck {results.get('commit') or '(not a git checkout)'}",
        f"machine: {results['machine']['cpus']} CPUs, {results['machine']['cpu_model']}, Python "
        f"{results['machine']['python']}; --jobs {results['jobs']}",
        "",
        f"{'files':>6}  {'measurement':<24} {'seconds':>9}  {'peak MiB':>8}",
    ]
    for size, row in results["sizes"].items():
        for name, value in row.items():
            if isinstance(value, float):
                peak = row.get(f"peak_kib_{name.removeprefix('policycheck_')}")
                memory = f"{peak / 1024:8.1f}" if peak else ""
                lines.append(f"{size:>6}  {name:<24} {value:9.3f}  {memory:>8}")
    for size, rows in results.get("formats", {}).items():
        for name, row in rows.items():
            lines.append(f"{size:>6}  {'format ' + name:<24} {row['seconds']:9.3f}  {row['peak_kib'] / 1024:8.1f}")
    if results.get("cpu"):
        split = ", ".join(f"{name} {value:.0f}" for name, value in results["cpu"]["split_us_per_file"].items())
        lines += [
            "",
            f"CPU per file (us, {results['cpu']['files']} files): {results['cpu']['cpu_us_per_file']:.0f}: {split}",
        ]
    lines += ["", f"{'ratio':<34} {'value':>7}  {'target':>6}  {'aim':>5}  met"]
    for row in results["verdicts"]:
        aim = f"{row['aim']:5.2f}" if row["aim"] else "    -"
        lines.append(
            f"{row['ratio']:<34} {row['value']:7.3f}  {row['target']:6.2f}  {aim}  {'yes' if row['met'] else 'NO'}"
        )
    others = {name: value for name, value in results["ratios"].items() if name.split("@")[0] not in TARGETS}
    for name, value in sorted(others.items()):
        lines.append(f"{name:<34} {value:7.3f}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        default="1,1000,10000,50000",
        help="portfolio sizes, comma-separated; 1 is the cold single-file check",
    )
    parser.add_argument(
        "--format-sizes",
        default="1000,10000",
        help="portfolio sizes (among --sizes) at which every format's time and peak memory are measured",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a smoke run: sizes 1,50,200 (unless --sizes), formats at the largest two, 3 cold runs, 1 repeat",
    )
    parser.add_argument("--runs", type=int, help="cold-start runs per command (default 15; --quick 3)")
    parser.add_argument("--repeats", type=int, help="runs per portfolio command (default 5; --quick 1)")
    parser.add_argument(
        "--large", type=int, default=LARGE, help=f"the size past which a portfolio is large (default {LARGE})"
    )
    parser.add_argument(
        "--large-repeats",
        type=int,
        default=1,
        help="runs per portfolio command of a large portfolio, with no warm-up (default 1)",
    )
    parser.add_argument("--jobs", type=int, help="worker processes for the all-cores rows (default: every usable CPU)")
    parser.add_argument("--check-jsonschema", help="check-jsonschema executable (default: found on PATH)")
    parser.add_argument(
        "--output", default=str(HERE / "results" / "latest.json"), help="where to write the JSON results"
    )
    args = parser.parse_args(argv)
    from policycheck.parallel import default_jobs

    sizes_text = args.sizes if (args.sizes != parser.get_default("sizes") or not args.quick) else "1,50,200"
    sizes = sorted({int(size) for size in sizes_text.split(",") if size.strip()})
    portfolio_sizes = [size for size in sizes if size > 1]
    if args.quick and args.format_sizes == parser.get_default("format_sizes"):
        format_sizes = portfolio_sizes[-2:]
    else:
        format_sizes = [int(size) for size in args.format_sizes.split(",") if size.strip()]
    runs = args.runs or (3 if args.quick else 15)
    repeats = args.repeats or (1 if args.quick else 5)
    jobs = args.jobs or default_jobs()
    check_jsonschema = args.check_jsonschema or shutil.which("check-jsonschema")
    with tempfile.TemporaryDirectory(prefix="policycheck-bench-") as work:
        # policycheck's own cache folder, empty at the start: the warm-up run fills it, as a user's first run does
        ENV["XDG_CACHE_HOME"] = str(Path(work) / "cache")
        results = measure(
            sizes,
            runs,
            repeats,
            jobs,
            check_jsonschema,
            Path(work),
            not args.quick,
            format_sizes,
            args.large_repeats,
            args.large,
        )
    results["verdicts"] = verdicts(results["ratios"])
    results["commit"] = commit()
    results["check_jsonschema"] = (
        check_jsonschema
        and subprocess.run([check_jsonschema, "--version"], capture_output=True, text=True).stdout.strip()
    )
    return write_results(results, Path(args.output), table)


def write_results(results: dict, output: Path, table) -> int:
    """Save a run's figures as JSON and print its table (run.py's and formats.py's)."""
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    sys.stdout.write(table(results))
    print(f"\nwritten to {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
