"""Where each format goes: the (format, file) pairs of a command line, checked before the run, and writing them.

Every file is written whole (`files.write_atomically`); the inputs never.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterable, Mapping

from . import files
from .errors import EXIT_BROKEN_PIPE, EXIT_OUTPUT, OutputError, UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .report import OutputFormat, Report


def targets(pairs: list[tuple[str, str | None]], formats: tuple[str, ...], known: Mapping[str, "OutputFormat"]):
    """The (format, output file or None for stdout) pairs, or a usage error saying what is wrong."""
    if formats and [name for name, _ in pairs][-len(formats) :] != list(formats):
        # e.g. -qfjson: never guess which output a format goes to (an --output before any --format is text)
        raise UsageError(
            "cannot pair each --format with its --output; write them as separate options: --format NAME --output FILE"
        )
    written = [output for _, output in pairs if output is not None]
    if len(set(written)) != len(written):
        raise UsageError("two formats write the same --output file; give each its own")
    for name, _ in pairs:
        if name not in known:
            raise UsageError(f"unknown format '{name}' (available: {', '.join(sorted(known))})")
    if sum(1 for _, output in pairs if output is None) > 1:
        raise UsageError("only one format can go to standard output; give the others --output FILE")
    return pairs


def refuse_unwritable(outputs: list[tuple[str, str | None]]) -> None:
    """Before the run, so that a check is not wasted on a report with nowhere to go (exit 2)."""
    for flag, output in outputs:
        if output is None or _is_device_or_pipe(output):  # /dev/stdout, a FIFO: written as they are
            continue
        if os.path.isdir(output):
            raise UsageError(f"{flag} {output} is a folder; name a file")
        folder = os.path.dirname(os.path.realpath(output))
        shown = os.path.dirname(output) or os.curdir
        if not os.path.isdir(folder):
            raise UsageError(f"{flag} {output}: the folder {shown} does not exist; create it first")
        if not os.access(folder, os.W_OK | os.X_OK):  # a file is replaced whole, from a temporary file beside it
            raise UsageError(f"{flag} {output}: the folder {shown} is not writable")


def _is_device_or_pipe(path: str) -> bool:
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


def refuse_writing_inputs(inputs: Iterable[str], outputs: list[tuple[str, str | None]]) -> None:
    """No input is ever written to: not even by a report sent to one of them, under any name.

    Compared by device and inode, so a hard link or a symlink to an input is
    caught as well as another spelling of its path; only the outputs that
    already exist (a few) are held, never the set of inputs.
    """
    written: dict[tuple[int, int], str] = {}
    for flag, output in outputs:
        if output is None:
            continue
        identity = _identity(output)
        if identity is None:
            continue
        if identity in written:
            raise UsageError(f"{flag} {output} is the same file as {written[identity]}; give each its own")
        written[identity] = f"{flag} {output}"
    if not written:
        return
    for path in inputs:
        identity = _identity(path)
        if identity in written:
            raise UsageError(f"{written[identity]} is one of the files being read ({path}); write it elsewhere")


def _identity(path: str) -> tuple[int, int] | None:
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    return (info.st_dev, info.st_ino) if stat.S_ISREG(info.st_mode) else None


class _Stdout:
    """Standard output, looked up at each write (a test runner may swap it), colors passed through."""

    def write(self, text: str) -> None:
        sys.stdout.write(text)


class _WindowsConsole:
    """Through click, which turns colors into console calls where the terminal needs it."""

    def write(self, text: str) -> None:
        import click

        click.echo(text, nl=False, color=True)


def write(
    report: "Report", pairs: list[tuple[str, str | None]], formats: Mapping[str, "OutputFormat"], color: bool
) -> int | None:
    """Each format to its file, or to standard output (the only one that may be colored).

    A file that cannot be written is one line on stderr and the others are still
    written; the exit code that says so (EXIT_OUTPUT; EXIT_BROKEN_PIPE when only
    standard output's reader left early), or None when everything was written.
    """
    code = None
    for name, output in pairs:
        if output is not None:
            try:
                files.write_atomically(output, lambda handle: formats[name].write(report, handle))
            except OutputError as error:
                print(f"policycheck: error: {error}", file=sys.stderr)
                code = EXIT_OUTPUT
            continue
        files.reconfigure_for_names(sys.stdout)
        stdout = _WindowsConsole() if color and sys.platform == "win32" else _Stdout()
        try:
            formats[name].write(report._replace(color=color), stdout)
            sys.stdout.flush()
        except BrokenPipeError:  # a reader that stopped early (`| head`): a quiet stop
            files.silence_stdout()
            code = code or EXIT_BROKEN_PIPE
        except OSError as error:  # `> /dev/full`, a full disk
            files.silence_stdout()
            print(f"policycheck: error: cannot write standard output: {error.strerror or error}", file=sys.stderr)
            code = EXIT_OUTPUT
    return code
