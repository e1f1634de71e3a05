"""The discover stage: command-line paths -> the ordered list of sources to check."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable
from typing import NamedTuple

from .errors import UsageError

STDIN = "-"
SUFFIXES = (".yaml", ".yml")


class Source(NamedTuple):
    """One input: a file path, or `-` for standard input (with its bytes)."""

    path: str
    content: bytes | None = None

    @property
    def is_stdin(self) -> bool:
        return self.content is not None


class DiscoveryError(UsageError):
    """A path given on the command line does not exist (exit code 2)."""


def discover(
    arguments: Iterable[str],
    is_excluded: Callable[[str], bool] = lambda path: False,
    read_stdin: Callable[[], bytes] | None = None,
) -> list[Source]:
    """Files in argument order; directories recursed in sorted order; duplicates once.

    Files named explicitly are always checked; `exclude` applies only to what a
    directory or glob expands to, as in ruff.
    """
    sources: list[Source] = []
    seen: set[str] = set()

    def add(path: str) -> None:
        key = os.path.normpath(path)
        if key not in seen:
            seen.add(key)
            sources.append(Source(path))

    for argument in arguments:
        if argument == STDIN:
            sources.append(Source("<stdin>", read_stdin() if read_stdin else b""))
        elif os.path.isdir(argument) and not argument.endswith(SUFFIXES):
            for path in _walk(argument, is_excluded):
                add(path)
        elif os.path.lexists(argument):
            add(argument)  # a file, or a bad thing with a YAML name: the loader reports it
        else:
            import glob  # 1 ms: only a path that does not exist can be a pattern

            if not glob.has_magic(argument):
                raise DiscoveryError(f"{argument}: no such file or directory")
            matches = sorted(glob.glob(argument, recursive=True))
            if not matches:
                raise DiscoveryError(f"{argument}: no file matches this pattern")
            for match in matches:
                if os.path.isdir(match):
                    sources_in = _walk(match, is_excluded)
                else:
                    sources_in = [] if is_excluded(match) else [match]
                for path in sources_in:
                    add(path)
    return sources


def _walk(root: str, is_excluded: Callable[[str], bool]) -> Iterable[str]:
    found = []
    for folder, subfolders, files in os.walk(root, followlinks=False):
        subfolders[:] = sorted(
            d for d in subfolders if not d.startswith(".") and not is_excluded(os.path.join(folder, d))
        )
        for name in files:
            path = os.path.join(folder, name)
            if name.endswith(SUFFIXES) and not is_excluded(path):
                found.append(path)
    return sorted(found, key=lambda path: path.split(os.sep))  # folder by folder: "a/z" before "a-b/c"


class UnreadableSource(ValueError):
    """A path that exists but is no file we will read; `hint` says what to do."""

    def __init__(self, message: str, hint: str):
        super().__init__(message)
        self.hint = hint


def read_source(source: Source, max_bytes: int) -> bytes:
    """The bytes of a source, refusing anything that is not a small regular file.

    Raises OSError subclasses with a readable `strerror`, or UnreadableSource for
    non-regular files and size overruns; the engine turns both into LOAD001.
    """
    too_big = "raise max_file_size in the configuration if the file is really this large"
    if source.content is not None:
        if len(source.content) > max_bytes:
            raise UnreadableSource(f"standard input is larger than the {max_bytes}-byte limit (max_file_size)", too_big)
        return source.content

    def refuse_unless_small_regular_file(info: os.stat_result) -> None:
        if stat.S_ISDIR(info.st_mode):
            raise UnreadableSource(
                "is a directory, not a file", "rename the directory, or give its path without the .yaml name"
            )
        if not stat.S_ISREG(info.st_mode):
            raise UnreadableSource(
                "is not a regular file (a pipe, socket or device)",
                "policycheck reads regular files; use - to read standard input",
            )
        if info.st_size > max_bytes:
            raise UnreadableSource(f"is {info.st_size} bytes, over the {max_bytes}-byte limit (max_file_size)", too_big)

    # stat first, so that a device is never even opened (opening some has side effects);
    # then fstat what was opened, because the path may have been swapped for a FIFO in
    # between, and O_NONBLOCK keeps even that open from blocking.
    refuse_unless_small_regular_file(os.stat(source.path))
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    descriptor = os.open(source.path, flags)
    try:
        refuse_unless_small_regular_file(os.fstat(descriptor))
        with open(descriptor, "rb", closefd=False) as handle:
            data = handle.read(max_bytes + 1)
    finally:
        os.close(descriptor)
    if len(data) > max_bytes:
        raise UnreadableSource(f"grew past the {max_bytes}-byte limit while being read", too_big)
    return data
