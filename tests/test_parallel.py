"""Checking across processes: the same output whatever --jobs is, and a progress
bar only for a person at a terminal."""

import json
import os
import select
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from policycheck import parallel
from policycheck.cli import main
from policycheck.config import Config
from policycheck.discover import Source, discover
from policycheck.engine import Engine
from policycheck.policy import Policy

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from portfolio import generate  # noqa: E402

PLUGIN_MODULES = ROOT / "tests" / "plugin_modules"
ARGS = ["--no-config", "--today", "2027-01-01"]


@pytest.fixture(scope="module")
def portfolio(tmp_path_factory) -> Path:
    """120 realistic files: clean, with findings, schema errors, duplicate ids, unparseable."""
    folder = tmp_path_factory.mktemp("portfolio")
    generate(folder, 120, seed=7)
    return folder


def run(*args, input=None):
    return CliRunner().invoke(main, [*args, *ARGS], input=input, catch_exceptions=False)


def test_the_portfolio_exercises_every_stage(portfolio):
    output = run(str(portfolio), "--jobs", "1").output
    for rule_id in ("LOAD001", "SCH001", "PRT001", "REL002"):
        assert f" {rule_id} " in output, rule_id


@pytest.mark.parametrize("output_format", ["text", "json"])
def test_same_output_with_one_and_two_jobs(portfolio, output_format):
    one = run(str(portfolio), "--format", output_format, "--jobs", "1")
    two = run(str(portfolio), "--format", output_format, "--jobs", "2")
    assert one.exit_code == two.exit_code == 1
    assert one.output == two.output
    assert one.output.count("activity-") > 100


def test_same_output_with_stdin_among_the_files(portfolio):
    stdin = (portfolio / "000" / "activity-000003.yaml").read_text(encoding="utf-8")
    one = run(str(portfolio), "-", "--format", "json", "--jobs", "1", input=stdin)
    two = run(str(portfolio), "-", "--format", "json", "--jobs", "2", input=stdin)
    assert one.output == two.output
    assert '"<stdin>"' in one.output


def test_same_output_from_real_processes(portfolio):
    def check(jobs: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "policycheck", str(portfolio), *ARGS, "--jobs", jobs],
            capture_output=True,
            text=True,
            env={**os.environ, "CI": ""},
        )

    one, two = check("1"), check("2")
    assert one.returncode == two.returncode == 1
    assert one.stdout == two.stdout
    assert one.stderr == two.stderr == ""  # piped: no progress bar, whatever the file count


def _sources(portfolio: Path) -> list[Source]:
    return discover([str(portfolio)])


def test_workers_rebuild_plugins_under_spawn(portfolio, monkeypatch):
    """-p plugins are re-imported by name in each worker, so spawn works as fork does."""
    monkeypatch.syspath_prepend(str(PLUGIN_MODULES))
    options = Policy(Config(), date(2027, 1, 1), plugin_modules=("crashing_plugin",), entry_points=False)
    sources = _sources(portfolio)[:8]

    def check(**how):
        engine = Engine.from_policy(options)
        return [(r.file, r.findings, r.outcomes) for r in parallel.check_sources(engine, sources, **how)]

    expected = check(jobs=1)
    assert sum(f.rule_id == "TST902" for _, findings, _ in expected for f in findings) >= 6
    assert check(jobs=2, small_run=1, method="spawn") == expected


UNPICKLABLE_PLUGIN = """
import policycheck

@policycheck.portfolio_rule(id="TST950", title="Counts activities", family="test", level="warn",
                            rationale="r", source="s", collect=lambda activity, ctx: (lambda: activity.id))
def count(collected, ctx):
    if collected:
        yield policycheck.Violation("/id", f"{len(collected)} activities", file=collected[0].file)

@policycheck.hookimpl
def policycheck_rules():
    return [count]
"""


def test_a_collect_value_a_worker_cannot_send_is_err001_with_one_job_as_with_many(portfolio, tmp_path, monkeypatch):
    (tmp_path / "unpicklable_plugin.py").write_text(UNPICKLABLE_PLUGIN, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    checked = []
    checking = Engine.check
    monkeypatch.setattr(Engine, "check", lambda engine, source: checked.append(source.path) or checking(engine, source))
    one = run(str(portfolio), "-p", "unpicklable_plugin", "--format", "json", "--jobs", "1")
    checked.clear()
    two = run(str(portfolio), "-p", "unpicklable_plugin", "--format", "json", "--jobs", "2")
    assert one.output == two.output and one.exit_code == two.exit_code == 3
    assert checked == []  # the workers checked every file: none was checked again in this process
    crashes = [
        finding["message"]
        for report in json.loads(one.output)["files"]
        for finding in report["findings"]
        if finding["rule"] == "ERR001"
    ]
    assert len(crashes) > 100  # every parsed file
    assert all(
        message.startswith("rule TST950 crashed: collect returned a value that cannot be sent") for message in crashes
    )


def test_chunks_cover_every_source_in_order():
    sources = [Source(f"f{index}.yaml") for index in range(1000)]
    chunks = list(parallel.chunks(sources, 2))
    assert [source for chunk in chunks for source in chunk] == sources
    assert max(len(chunk) for chunk in chunks) <= parallel.MAX_CHUNK
    assert len(chunks) >= 2 * parallel.CHUNKS_PER_WORKER


def test_only_a_few_chunks_are_in_flight_at_once(portfolio, monkeypatch):
    """Chunks are submitted as earlier ones are collected, not all at once: a pending chunk holds its
    sources, and a finished one its results, in the parent until collected."""
    from concurrent.futures import ProcessPoolExecutor

    submitted, uncollected, most = [], set(), [0]
    real_submit = ProcessPoolExecutor.submit

    def submit(pool, function, chunk):
        future = real_submit(pool, function, chunk)
        submitted.append(chunk)
        uncollected.add(future)
        most[0] = max(most[0], len(uncollected))
        result = future.result
        future.result = lambda timeout=None: uncollected.discard(future) or result(timeout)
        return future

    monkeypatch.setattr(ProcessPoolExecutor, "submit", submit)
    monkeypatch.setattr(parallel, "MAX_CHUNK", 4)
    engine = Engine.from_policy(Policy(Config(), date(2027, 1, 1), entry_points=False))
    sources = _sources(portfolio)
    checked = parallel.check_sources(engine, sources, jobs=2)
    assert list(checked.files) == [source.path for source in sources]
    assert [source for chunk in submitted for source in chunk] == sources
    assert len(submitted) == 30
    # the ones queued ahead, and the next submitted before the oldest is collected
    assert most[0] == 2 * parallel.IN_FLIGHT_PER_WORKER + 1


def test_small_runs_stay_in_process(portfolio, monkeypatch):
    def no_pool(*args, **kwargs):
        raise AssertionError("a pool was started")

    monkeypatch.setattr("concurrent.futures.ProcessPoolExecutor", no_pool)
    engine = Engine.from_policy(Policy(Config(), date(2027, 1, 1), entry_points=False))
    sources = _sources(portfolio)
    assert len(parallel.check_sources(engine, sources[: parallel.SMALL_RUN - 1], jobs=2)) == parallel.SMALL_RUN - 1
    assert len(parallel.check_sources(engine, sources, jobs=1)) == len(sources)


@pytest.mark.parametrize(
    "choice, files, terminal, environ, shown",
    [
        (None, 21, True, {}, True),
        (None, 20, True, {}, False),  # a handful of files: no bar
        (None, 500, False, {}, False),  # piped or redirected
        (None, 500, True, {"CI": "true"}, False),  # a CI log
        (None, 500, True, {"CI": ""}, True),
        (True, 1, True, {"CI": "true"}, True),  # asked for
        (True, 500, False, {}, False),  # asked for, but never into a pipe or file
        (False, 500, True, {}, False),
    ],
)
def test_when_a_progress_bar_is_shown(choice, files, terminal, environ, shown):
    assert parallel.wants_progress(choice, files, terminal, environ) is shown


def _stderr_on_a_terminal(args: list[str]) -> tuple[str, str]:
    """Run policycheck with stderr on a pseudo-terminal; (stdout, what the terminal showed)."""
    leader, follower = os.openpty()
    environment = {key: value for key, value in os.environ.items() if key != "CI"}
    process = subprocess.Popen(
        [sys.executable, "-m", "policycheck", *args], stdout=subprocess.PIPE, stderr=follower, env=environment
    )
    os.close(follower)
    shown = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: the process is done
            break
        if not chunk:
            break
        shown += chunk
    stdout = process.stdout.read().decode()
    process.wait(timeout=60)
    os.close(leader)
    return stdout, shown.decode(errors="replace")


def test_a_terminal_gets_a_progress_bar_and_the_report_stays_clean(portfolio):
    stdout, shown = _stderr_on_a_terminal([str(portfolio), *ARGS, "--jobs", "2"])
    assert "Checking" in shown and "100%" in shown
    assert "Checking" not in stdout and "activity-000000.yaml" in stdout


def test_no_progress_bar_on_a_terminal_when_told_not_to(portfolio):
    _, shown = _stderr_on_a_terminal([str(portfolio), *ARGS, "--no-progress"])
    assert shown == ""
