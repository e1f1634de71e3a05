"""How a command ends when it does not finish normally: each way out has its exit code (docs/cli.md).

    2    a usage or configuration error            one line
    3    an internal error (a bug)                 the traceback, then one line
         an I/O error no stage expected            one line
    4    a file that could not be written          one line
    130  Ctrl-C                                    one line
    141  standard output's reader left (`| head`)  nothing
    143  SIGTERM                                   nothing

Files are written whole (`files`), so none of these leaves one half-written.
Both the bare command (`main`) and click's (`cli`) end through `ending`.
"""

from __future__ import annotations

import sys

from . import files
from .errors import (
    EXIT_BROKEN_PIPE,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OUTPUT,
    EXIT_TERMINATED,
    EXIT_USAGE,
    OutputError,
    Terminated,
    UsageError,
)


def _say(message: str) -> None:
    try:
        print(f"policycheck: {message}", file=sys.stderr)
    except (OSError, ValueError):
        pass  # stderr is gone too: the exit code alone says it


def ending(error: BaseException) -> int | None:
    """The exit code for an exception that ended a command, after saying what happened; None to let it go on."""
    if isinstance(error, UsageError):
        _say(f"error: {error}")
        return EXIT_USAGE
    if isinstance(error, OutputError):
        _say(f"error: {error}")
        return EXIT_OUTPUT
    if isinstance(error, KeyboardInterrupt):
        _say("interrupted")
        return EXIT_INTERRUPTED
    if isinstance(error, Terminated):
        return EXIT_TERMINATED
    if isinstance(error, BrokenPipeError):
        files.silence_stdout()
        return EXIT_BROKEN_PIPE
    if isinstance(error, OSError):  # an I/O error no stage expected: still no traceback, for I/O never has one
        where = f"{error.filename}: " if error.filename else ""
        _say(f"error: {where}{error.strerror or error} (an input or output error policycheck did not expect)")
        return EXIT_INTERNAL
    if isinstance(error, Exception):
        import traceback  # only a bug needs it

        try:
            traceback.print_exception(error, file=sys.stderr)
        except (OSError, ValueError):
            pass
        _say(
            f"internal error: {type(error).__name__}: {error} "
            "(a bug in policycheck or a plugin; please report it with the traceback above)"
        )
        return EXIT_INTERNAL
    return None  # SystemExit and the like
