"""Helpers for the reliability tests: run the real CLI, time it, and look for tracebacks.

Imported by name (conftest.py puts this folder on sys.path), as are the -p plugins here.
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from policycheck.cli import main
from policycheck.testing import starter

HERE = Path(__file__).parent
SRC = Path(__file__).resolve().parents[2] / "src"
# the options every run here uses: built-ins only, a fixed date, one process
# portfolios here are copies of the starter, whose one objective would repeat in each (PRT002)
COMMON = ("--no-plugins", "--today", "2027-01-01", "--no-config", "--ignore", "PRT002")


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str
    seconds: float
    max_rss_kb: int = 0

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def cli(*args: str, input: bytes | None = None) -> Run:
    """The CLI in this process (CliRunner); exceptions are caught so a traceback shows up as one."""
    started = time.perf_counter()
    result = CliRunner().invoke(main, [*args], input=input, catch_exceptions=True)
    seconds = time.perf_counter() - started
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        import traceback

        stderr += "".join(traceback.format_exception(result.exception))
    return Run(result.exit_code, result.stdout, stderr, seconds)


# Runs `policycheck` and reports its own peak memory on stderr. VmHWM, not ru_maxrss:
# Linux carries ru_maxrss across exec, so a child would report the forking pytest's size.
_MEASURED = (
    "import sys\n"
    "from policycheck.cli import main\n"
    "def peak():\n"
    "    for line in open('/proc/self/status'):\n"
    "        if line.startswith('VmHWM:'):\n"
    "            return int(line.split()[1])\n"
    "try:\n"
    "    main(sys.argv[1:], prog_name='policycheck')\n"
    "finally:\n"
    '    sys.stderr.write(f"\\nMAXRSS {peak()}\\n")\n'
)


def subprocess_cli(*args: str, stdin=None, cwd=None, env=None, timeout: float = 20) -> Run:
    """`python -c <policycheck main>` in a real process, with its peak memory (KiB)."""
    environment = {**os.environ, **(env or {})}
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE), str(SRC), environment.get("PYTHONPATH")]))
    started = time.perf_counter()
    process = subprocess.run(
        [sys.executable, "-c", _MEASURED, *args],
        stdin=stdin if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        cwd=cwd,
        env=environment,
        timeout=timeout,
    )
    seconds = time.perf_counter() - started
    stderr = process.stderr.decode("utf-8", "replace")
    rss = 0
    if "MAXRSS " in stderr:
        stderr, _, tail = stderr.rpartition("\nMAXRSS ")
        rss = int(tail.split()[0])
    return Run(process.returncode, process.stdout.decode("utf-8", "replace"), stderr, seconds, rss)


def assert_clean_failure(run: Run, exit_code: int, *expected: str) -> None:
    """The documented exit code, each expected text somewhere in the output, and no traceback."""
    assert "Traceback" not in run.output, run.output
    assert run.exit_code == exit_code, run.output
    for text in expected:
        assert text in run.output, f"{text!r} not in:\n{run.output}"


def activity(*swaps: tuple[str, str]) -> str:
    """The clean starter with text swapped: activity(("country: ALB", "country: NO"))."""
    text = starter()
    for old, new in swaps:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def make_unreadable(path: Path, monkeypatch) -> None:
    """chmod 000, or where root reads through that, an os.open that refuses this path."""
    path.chmod(0)
    if not os.access(path, os.R_OK):
        return
    real_open = os.open

    def refusing_open(file, flags, *args, **kwargs):
        if os.fspath(file) == str(path):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real_open(file, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing_open)


@pytest.fixture(scope="session")
def baseline_rss(tmp_path_factory) -> int:
    """Peak RSS (KiB) of checking one small clean file: what a bounded run is compared to."""
    folder = tmp_path_factory.mktemp("baseline")
    (folder / "ok.yaml").write_text(starter(), encoding="utf-8")
    run = subprocess_cli(str(folder / "ok.yaml"), *COMMON)
    assert run.exit_code == 0, run.output
    return run.max_rss_kb
