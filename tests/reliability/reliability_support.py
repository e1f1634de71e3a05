"""Helpers for the reliability tests: run the real CLI (bounded by a timeout), and look for tracebacks.

Imported by name (conftest.py puts this folder on sys.path), as are the -p plugins here.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import tempfile
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


# A run that takes longer has hung: a bound on hangs, not a speed target (those are in benchmarks/).
TIMEOUT = 60


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str
    max_rss_kb: int = 0

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


class Hang(BaseException):
    """The run did not finish within its timeout (BaseException: nothing in the CLI may catch it)."""


def cli(*args: str, input: bytes | None = None, timeout: int = TIMEOUT) -> Run:
    """The CLI in this process (CliRunner); exceptions are caught so a traceback shows up as one.

    SIGALRM turns a hang (even one blocked in a system call) into a failing test.
    """

    def hang(number, frame):
        raise Hang(f"policycheck {' '.join(args)} did not finish within {timeout} s")

    previous = signal.signal(signal.SIGALRM, hang)
    signal.alarm(timeout)
    try:
        result = CliRunner().invoke(main, [*args], input=input, catch_exceptions=True)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        import traceback

        stderr += "".join(traceback.format_exception(result.exception))
    return Run(result.exit_code, result.stdout, stderr)


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


def subprocess_cli(
    *args: str, stdin=None, cwd=None, env=None, timeout: float = TIMEOUT, prefix=(), preexec_fn=None
) -> Run:
    """`python -c <policycheck main>` in a real process, with its peak memory (KiB).

    `prefix` goes before the interpreter (`unprivileged()`), `preexec_fn` runs in the child before it starts.
    """
    environment = cli_env(env)
    process = subprocess.run(
        [*prefix, sys.executable, "-c", _MEASURED, *args],
        stdin=stdin if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        cwd=cwd,
        env=environment,
        timeout=timeout,
        preexec_fn=preexec_fn,
    )
    stderr = process.stderr.decode("utf-8", "replace")
    rss = 0
    if "MAXRSS " in stderr:
        stderr, _, tail = stderr.rpartition("\nMAXRSS ")
        rss = int(tail.split()[0])
    return Run(process.returncode, process.stdout.decode("utf-8", "replace"), stderr, rss)


def cli_env(env: dict | None = None) -> dict:
    """The environment of a real `policycheck` process: this checkout's code, the -p plugins here."""
    environment = {**os.environ, **(env or {})}
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE), str(SRC), environment.get("PYTHONPATH")]))
    return environment


def policycheck_command(*args: str) -> list[str]:
    """`python -m policycheck ARGS`, exactly as a user runs it (through `main`)."""
    return [sys.executable, "-m", "policycheck", *args]


# --- a user without root's privileges -------------------------------------------------
# As root, permissions are no obstacle (chmod 000 files are read, unwritable folders
# written); there the tests that need a real EACCES run policycheck as `nobody`.
NOBODY = 65534


def unprivileged() -> list[str]:
    """A command prefix that runs a process without root's privileges (nothing when not root)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    assert setpriv, "running as root, these tests need setpriv (util-linux) to run policycheck as nobody"
    prefix = [setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
    reach = subprocess.run([*prefix, sys.executable, "-c", "import policycheck"], capture_output=True, text=True)
    assert reach.returncode == 0, (
        f"nobody cannot import policycheck from {sys.prefix} (a folder only root can enter?): run the tests from "
        f"a folder others can read, as .ci/run does\n{reach.stderr}"
    )
    return prefix


@pytest.fixture
def shared_tmp():
    """A temporary folder an unprivileged process can enter (pytest's own are private to the user)."""
    folder = tempfile.mkdtemp(prefix="policycheck-reliability-")
    os.chmod(folder, 0o777)
    try:
        yield Path(folder)
    finally:
        for root, folders, _ in os.walk(folder):
            for name in folders:
                os.chmod(os.path.join(root, name), 0o777)
        shutil.rmtree(folder, ignore_errors=True)


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
