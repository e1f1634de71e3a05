"""The errors a command reports in one line, and the exit codes of docs/cli.md.

Each stage's own error (a configuration, a plugin, a rule pack, a baseline, a path
that does not exist) is a UsageError, so the command catches it in one place; a
file policycheck writes and cannot (a report, the baseline, the results spill)
is an OutputError.
"""

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL, EXIT_OUTPUT = 0, 1, 2, 3, 4
# 128 + the signal's number, as a shell reports a command that signal stopped
EXIT_INTERRUPTED, EXIT_BROKEN_PIPE, EXIT_TERMINATED = 130, 141, 143


class UsageError(Exception):
    """A usage or configuration problem: the command prints it and exits 2."""


class OutputError(Exception):
    """A file that could not be written (`cannot write FILE: REASON`): exit 4, the other outputs still written."""


class Terminated(BaseException):
    """SIGTERM while a file was being written, raised so that the partial file is removed (exit 143)."""
