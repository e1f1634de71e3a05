"""Faults while writing lose nothing (issue 16): every file policycheck writes is written whole.

Through real processes: a full disk (a 64 KiB tmpfs where it can be mounted, and
always a file-size limit, which fails a write the same way), `/dev/full`, Ctrl-C
and SIGTERM sent mid-write, a reader that leaves early, a folder that is missing
or not writable, an output that is a hard link of an input, and a crashing
format. Each leaves the previous file byte for byte, no temporary file behind,
one clear line and the documented exit code (docs/cli.md).
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
from pathlib import Path

import pytest


from reliability_support import (
    COMMON,
    Run,
    assert_clean_failure,
    cli_env,
    policycheck_command,
    subprocess_cli,
    unprivileged,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
# REL001, REL002 (fail) and REL009 (warn): findings a baseline records
FAILING = EXAMPLES / "most-capable-coproduction.yaml"
PREVIOUS = "the previous report, which must survive\n"
NO_CACHE = ("--no-cache",)


def leftovers(folder: Path) -> list[str]:
    """Temporary files a write left behind (there must be none)."""
    return sorted(path.name for path in folder.iterdir() if path.name.endswith(".tmp"))


def portfolio(folder: Path, count: int = 3) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(count):
        path = folder / f"activity-{index}.yaml"
        path.write_text(FAILING.read_text(encoding="utf-8").replace("AUS-2026-GWEO-GMLRS", f"AUS-2026-X-{index}"))
        paths.append(str(path))
    return paths


class Disk:
    """A folder where writes fail as on a full disk, and what a child process needs for that."""

    def __init__(self, folder: Path, kind: str):
        self.folder, self.kind = folder, kind

    def fill(self) -> None:
        """From now on nothing more fits (files already there stay readable)."""
        if self.kind != "tmpfs":
            return
        descriptor = os.open(self.folder / "filler", os.O_WRONLY | os.O_CREAT)
        try:
            while os.write(descriptor, b"\0" * 512):
                pass
        except OSError:
            pass  # full
        finally:
            os.close(descriptor)

    def preexec(self):
        if self.kind == "tmpfs":
            return None

        def limit_file_size():
            # a write past 16 bytes fails with EFBIG, as one past a full disk fails with ENOSPC
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (16, 16))

        return limit_file_size


@pytest.fixture(params=["tmpfs", "file-size-limit"])
def full_disk(request, tmp_path):
    folder = tmp_path / "disk"
    folder.mkdir()
    if request.param == "file-size-limit":
        yield Disk(folder, "file-size-limit")
        return
    mount = shutil.which("mount")
    if os.geteuid() != 0 or not mount:
        pytest.skip("mounting a tmpfs needs root; the file-size-limit case fails writes the same way")
    mounted = subprocess.run([mount, "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({mounted.stderr.decode().strip()}); file-size-limit covers it")
    try:
        yield Disk(folder, "tmpfs")
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def run_on(disk: Disk, *args: str) -> Run:
    return subprocess_cli(*args, preexec_fn=disk.preexec())


# --- a full disk ------------------------------------------------------------------------


def test_a_report_on_a_full_disk_leaves_the_previous_one_and_the_others_are_written(full_disk, tmp_path):
    files = portfolio(tmp_path / "proposals")
    report = full_disk.folder / "policycheck.sarif"
    report.write_text(PREVIOUS, encoding="utf-8")
    full_disk.fill()
    run = run_on(full_disk, *files, *COMMON, *NO_CACHE, "-f", "sarif", "-o", str(report), "-f", "json")
    assert_clean_failure(run, 4, f"policycheck: error: cannot write {report}: ")
    assert run.stderr.count("policycheck: error:") == 1, run.stderr
    assert report.read_text(encoding="utf-8") == PREVIOUS
    assert leftovers(full_disk.folder) == []
    assert len(json.loads(run.stdout)["files"]) == 3  # the other output was written


def test_write_baseline_on_a_full_disk_keeps_the_committed_baseline(full_disk, tmp_path):
    files = portfolio(tmp_path / "proposals")
    committed = full_disk.folder / "policycheck-baseline.json"
    assert subprocess_cli(*files, *COMMON, *NO_CACHE, "--write-baseline", str(committed)).exit_code == 0
    before = committed.read_bytes()
    assert json.loads(before)["findings"], "the baseline records findings"
    full_disk.fill()
    run = run_on(full_disk, *files, *COMMON, *NO_CACHE, "--write-baseline", str(committed))
    assert_clean_failure(run, 4, f"policycheck: error: cannot write {committed}: ")
    assert committed.read_bytes() == before
    assert leftovers(full_disk.folder) == []
    assert "3 files checked" in run.stdout  # the report of the run is still written


def test_schema_and_init_on_a_full_disk_keep_what_was_there(full_disk):
    schema, starter_file = full_disk.folder / "activity.schema.json", full_disk.folder / "activity.yaml"
    schema.write_text("{}\n", encoding="utf-8")
    starter_file.write_text("# mine\n", encoding="utf-8")
    full_disk.fill()
    run = run_on(full_disk, "schema", "--no-plugins", "--no-config", *NO_CACHE, "--output", str(schema))
    assert_clean_failure(run, 4, f"policycheck: error: cannot write {schema}: ")
    run = run_on(full_disk, "init", str(starter_file), "--force")
    assert_clean_failure(run, 4, f"policycheck: error: cannot write {starter_file}: ")
    assert schema.read_text(encoding="utf-8") == "{}\n"
    assert starter_file.read_text(encoding="utf-8") == "# mine\n"
    assert leftovers(full_disk.folder) == []


def test_dev_full_as_an_output_is_one_line_and_the_next_output_is_written(tmp_path):
    files = portfolio(tmp_path / "proposals", 1)
    sarif = tmp_path / "after.sarif"
    run = subprocess_cli(*files, *COMMON, *NO_CACHE, "-f", "json", "-o", "/dev/full", "-f", "sarif", "-o", str(sarif))
    assert_clean_failure(run, 4, "policycheck: error: cannot write /dev/full: No space left on device")
    assert json.loads(sarif.read_text(encoding="utf-8"))["version"] == "2.1.0"


@pytest.mark.parametrize("output_format", ["text", "json", "sarif"])
def test_standard_output_on_a_full_disk(tmp_path, output_format):
    files = portfolio(tmp_path / "proposals", 1)
    with open("/dev/full", "w") as full:
        process = subprocess.run(
            policycheck_command(*files, *COMMON, *NO_CACHE, "--format", output_format),
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            env=cli_env(),
            timeout=60,
        )
    assert process.returncode == 4, process.stderr
    assert process.stderr == "policycheck: error: cannot write standard output: No space left on device\n"


# --- checked before the run -------------------------------------------------------------


@pytest.mark.parametrize("flag", ["--output", "--write-baseline"])
def test_a_missing_output_folder_is_a_usage_error_before_any_file_is_checked(tmp_path, flag):
    files = portfolio(tmp_path / "proposals", 1)
    marker = tmp_path / "checked"
    target = tmp_path / "no-such-folder" / "out.json"
    run = subprocess_cli(
        *files, *COMMON, *NO_CACHE, "-p", "fault_plugin", flag, str(target), env={"POLICYCHECK_MARKER": str(marker)}
    )
    assert_clean_failure(run, 2, f"{flag} {target}: the folder {target.parent} does not exist")
    assert not marker.exists(), "the check ran before the output was found to have nowhere to go"
    assert run.stdout == ""


def test_an_unwritable_output_folder_is_a_usage_error_before_the_run(shared_tmp):
    files = portfolio(shared_tmp / "proposals", 1)
    locked = shared_tmp / "locked"
    locked.mkdir()
    (locked / "report.json").write_text(PREVIOUS, encoding="utf-8")
    os.chmod(locked / "report.json", 0o666)  # the file itself is writable: only its folder is not
    locked.chmod(0o555)
    marker = shared_tmp / "checked"
    run = subprocess_cli(
        *files,
        *COMMON,
        *NO_CACHE,
        "-p",
        "fault_plugin",
        "-f",
        "json",
        "-o",
        str(locked / "report.json"),
        prefix=unprivileged(),
        env={"POLICYCHECK_MARKER": str(marker)},
    )
    assert_clean_failure(run, 2, f"--output {locked / 'report.json'}: the folder {locked} is not writable")
    assert not marker.exists()
    assert (locked / "report.json").read_text(encoding="utf-8") == PREVIOUS


# --- inputs are never written -----------------------------------------------------------


@pytest.mark.parametrize("link", ["hard link", "symlink", "relative spelling"])
@pytest.mark.parametrize("flag", ["--output", "--write-baseline"])
def test_an_output_that_is_an_input_under_another_name_is_refused(tmp_path, link, flag):
    [activity] = portfolio(tmp_path / "proposals", 1)
    before = Path(activity).read_bytes()
    if link == "hard link":
        other = tmp_path / "elsewhere.yaml"
        os.link(activity, other)
    elif link == "symlink":
        other = tmp_path / "pointer.yaml"
        other.symlink_to(activity)
    else:
        other = tmp_path / "proposals" / ".." / "proposals" / "activity-0.yaml"
    args = ("-f", "json", "-o", str(other)) if flag == "--output" else ("--write-baseline", str(other))
    run = subprocess_cli(activity, *COMMON, *NO_CACHE, *args)
    assert_clean_failure(run, 2, f"{flag} {other} is one of the files being read ({activity}); write it elsewhere")
    assert Path(activity).read_bytes() == before


def test_the_baseline_being_read_is_never_written(tmp_path):
    files = portfolio(tmp_path / "proposals", 1)
    baseline = tmp_path / "baseline.json"
    assert subprocess_cli(*files, *COMMON, *NO_CACHE, "--write-baseline", str(baseline)).exit_code == 0
    before = baseline.read_bytes()
    run = subprocess_cli(*files, *COMMON, *NO_CACHE, "--baseline", str(baseline), "-f", "json", "-o", str(baseline))
    assert_clean_failure(run, 2, "is one of the files being read")
    assert baseline.read_bytes() == before


# --- signals and readers ----------------------------------------------------------------


def _start(*args: str, env: dict | None = None, cwd=None) -> subprocess.Popen:
    return subprocess.Popen(
        policycheck_command(*args),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli_env(env),
        cwd=cwd,
        start_new_session=True,  # its own process group, as a terminal's Ctrl-C reaches it and its workers
        # as a terminal starts it: a shell's background job (`pytest &` in a script) ignores SIGINT,
        # which policycheck, like any program, keeps
        preexec_fn=_default_interrupt,
    )


def _default_interrupt() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _wait_for(process: subprocess.Popen, cue: str) -> None:
    line = process.stderr.readline()
    assert line == cue + "\n", line + process.stderr.read()


@pytest.mark.parametrize(("sent", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_mid_write_leaves_the_previous_report(tmp_path, sent, code):
    files = portfolio(tmp_path / "proposals", 30)
    report = tmp_path / "report.txt"
    report.write_text(PREVIOUS, encoding="utf-8")
    process = _start(*files, *COMMON, *NO_CACHE, "-p", "fault_plugin", "-f", "slow", "-o", str(report), "-j", "1")
    _wait_for(process, "checking")
    _wait_for(process, "writing")  # the temporary file exists and is being written
    os.killpg(process.pid, sent)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == code, stderr
    assert "Traceback" not in stderr
    assert stderr == ("policycheck: interrupted\n" if sent == signal.SIGINT else "")
    assert report.read_text(encoding="utf-8") == PREVIOUS
    assert leftovers(tmp_path) == []


def test_ctrl_c_while_workers_check_stops_with_130_and_writes_nothing(tmp_path):
    files = portfolio(tmp_path / "proposals", 200)
    report = tmp_path / "report.json"
    report.write_text(PREVIOUS, encoding="utf-8")
    process = _start(
        *files, *COMMON, *NO_CACHE, "-p", "fault_plugin", "-j", "2", "-f", "json", "-o", str(report),
        env={"POLICYCHECK_SLOW_RULE": "1"},
    )  # fmt: skip
    _wait_for(process, "checking")
    os.killpg(process.pid, signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr and "policycheck: interrupted" in stderr, stderr
    assert report.read_text(encoding="utf-8") == PREVIOUS
    assert leftovers(tmp_path) == []


# the bare `policycheck PATH...` (no option) and click's command line: each still writing
# (300 files) when the reader leaves; a subcommand's whole output (`rules`) can fit in
# the pipe, which may hold up to 1 MiB, and then no reader leaves early
@pytest.mark.parametrize("options", [(), ("check", *COMMON[:1], *NO_CACHE)], ids=["bare", "click"])
def test_a_reader_that_leaves_early_is_a_quiet_stop(tmp_path, options):
    files = portfolio(tmp_path / "proposals", 300)
    process = _start(*options, *files)
    first = process.stdout.readline()
    assert first
    process.stdout.close()  # as `| head -1` does
    process.wait(timeout=60)
    stderr = process.stderr.read()
    assert process.returncode == 141, stderr
    assert stderr == ""  # no traceback, no "Exception ignored ... BrokenPipeError"


def test_a_crashing_format_is_an_internal_error_and_leaves_the_previous_report(tmp_path):
    files = portfolio(tmp_path / "proposals", 1)
    report = tmp_path / "report.txt"
    report.write_text(PREVIOUS, encoding="utf-8")
    run = subprocess_cli(*files, *COMMON, *NO_CACHE, "-p", "fault_plugin", "-f", "broken", "-o", str(report))
    assert run.exit_code == 3, run.output
    assert run.stderr.rstrip().endswith(
        "policycheck: internal error: RuntimeError: the format broke "
        "(a bug in policycheck or a plugin; please report it with the traceback above)"
    )
    assert report.read_text(encoding="utf-8") == PREVIOUS
    assert leftovers(tmp_path) == []


def test_a_report_replaces_its_file_keeping_its_mode_and_a_symlink_to_it(tmp_path):
    files = portfolio(tmp_path / "proposals", 1)
    real = tmp_path / "reports" / "report.json"
    real.parent.mkdir()
    real.write_text(PREVIOUS, encoding="utf-8")
    real.chmod(0o640)
    link = tmp_path / "report.json"
    link.symlink_to(real)
    run = subprocess_cli(*files, *COMMON, *NO_CACHE, "-f", "json", "-o", str(link))
    assert run.exit_code == 1, run.output
    assert link.is_symlink() and json.loads(real.read_text(encoding="utf-8"))["files"]
    assert real.stat().st_mode & 0o777 == 0o640
    assert leftovers(real.parent) == []


# --- the results spill --------------------------------------------------------------------


def _spilling(folder: Path) -> list[str]:
    """300 files with findings: past SPILL_BYTES (256 KiB) of encoded results, so the run spills."""
    return portfolio(folder, 300)


def test_a_missing_tmpdir_is_a_clear_message_not_a_fall_back_to_tmp(tmp_path):
    missing = tmp_path / "no-such-tmp"
    run = subprocess_cli(*_spilling(tmp_path / "many"), *COMMON, *NO_CACHE, "-j", "1", env={"TMPDIR": str(missing)})
    assert_clean_failure(
        run, 4, f"policycheck: error: cannot write the results of this run to a temporary file in {missing} ($TMPDIR)"
    )


def test_a_full_tmpdir_is_a_clear_message(full_disk, tmp_path):
    sources = _spilling(tmp_path / "many")
    full_disk.fill()
    environment = {"TMPDIR": str(full_disk.folder)}
    run = subprocess_cli(*sources, *COMMON, *NO_CACHE, "-j", "1", env=environment, preexec_fn=full_disk.preexec())
    assert_clean_failure(run, 4, f"a temporary file in {full_disk.folder} ($TMPDIR): ")
    assert "point TMPDIR at a folder with room" in run.stderr
