"""The one error a command reports as a usage problem: one line on stderr, exit code 2.

Each stage's own error (a configuration, a plugin, a rule pack, a baseline, a path
that does not exist) is a UsageError, so the command catches it in one place.
"""

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


class UsageError(Exception):
    """A usage or configuration problem: the command prints it and exits 2."""
