"""The `policycheck` command: a bare `policycheck PATH...` straight to the pipeline, anything else through click.

`policycheck PATH...` with no option is the command run on every save, so it never
imports click (~20 ms of a ~60 ms start, issue 8: 1.17x); any option, subcommand
or `-` goes through `cli`, which parses it into the same `CheckOptions`.
"""

from __future__ import annotations

import sys

from . import exits, startup
from .pipeline import CheckOptions, execute

# `cli`'s subcommands: an argument with one of these names is a command, not a path
COMMANDS = ("check", "explain", "init", "plugins", "report", "rules", "schema", "server")


def is_bare(args: list[str]) -> bool:
    """Only paths: no option, no subcommand, no `-` for standard input."""
    return bool(args) and args[0] not in COMMANDS and not any(arg.startswith("-") for arg in args)


def main(argv: list[str] | None = None) -> None:
    startup.pause_collection()  # until the run is built
    try:
        _main(sys.argv[1:] if argv is None else list(argv))
    finally:  # whatever ended the command (a subcommand, an error), a caller gets collection back
        startup.resume_collection()


def _main(args: list[str]) -> None:
    if not is_bare(args):
        from .cli import main as click_main

        click_main(args)
        return
    try:
        code = execute(CheckOptions(paths=tuple(args)))
    except BaseException as error:  # every way out has its exit code (exits.py)
        code = exits.ending(error)
        if code is None:
            raise
    sys.exit(code)
