"""Where each format goes: the (format, file) pairs of a command line, and writing them."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from .errors import UsageError

if TYPE_CHECKING:
    from .discover import Source
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


def refuse_writing_inputs(sources: Iterable["Source"], outputs: list[tuple[str, str | None]]) -> None:
    """The input is never written to: not even by a report sent to one of the inputs.

    A function of its own so the set of resolved input paths (~1.2 MB at 10,000
    files) is freed before the run, not held to its end.
    """
    inputs = {os.path.realpath(source.path) for source in sources if not source.is_stdin}
    for flag, output in outputs:
        if output is not None and os.path.realpath(output) in inputs:
            raise UsageError(f"{flag} {output} is one of the files being checked; write it elsewhere")


class _Stdout:
    """Standard output, looked up at each write (a test runner may swap it), colors passed through."""

    def write(self, text: str) -> None:
        sys.stdout.write(text)


class _WindowsConsole:
    """Through click, which turns colors into console calls where the terminal needs it."""

    def write(self, text: str) -> None:
        import click

        click.echo(text, nl=False, color=True)


def write(report: "Report", pairs: list[tuple[str, str | None]], formats: Mapping[str, "OutputFormat"], color: bool):
    """Each format to its file, or to standard output (the only one that may be colored)."""
    for name, output in pairs:
        if output is None:
            stdout = _WindowsConsole() if color and sys.platform == "win32" else _Stdout()
            formats[name].write(report._replace(color=color), stdout)
        else:
            with open(output, "w", encoding="utf-8", newline="\n") as handle:
                formats[name].write(report, handle)
