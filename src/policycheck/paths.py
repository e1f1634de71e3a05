"""Paths kept compact: a run of 100,000 files holds each path once, as bytes, not as a str in a list.

A `str` path and its list slot are ~100 B; its file-system bytes in one shared buffer
with an end offset are ~50 B. `discover` keeps its sources this way and `Results` its
files, so neither the parent nor a worker forked from it grows by a Source record a file.
"""

from __future__ import annotations

import os
from array import array
from collections.abc import Iterable, Iterator, Sequence


class Compact(Sequence):
    """A sequence appended to like a list, each item made as it is read (`_item`): what the run's
    compact stores (`Paths`, `discover.Sources`, `results.Blocks`) have in common."""

    __slots__ = ()

    def _item(self, index: int):
        raise NotImplementedError

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._item(position) for position in range(len(self))[index]]
        return self._item(range(len(self))[index])

    def __iter__(self) -> Iterator:
        return map(self._item, range(len(self)))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and len(self) == len(other) and all(a == b for a, b in zip(self, other))

    __hash__ = None  # appended to, like a list


class Paths(Compact):
    """Paths in order, appended once; each read back as a new `str` equal to the one appended.

    Past SPILL_BYTES of them (~6,000 paths) the bytes go to a scratch file and are read back
    as they are asked for: a run of 100,000 files keeps only each path's end offset in memory (8 B).
    A read takes WINDOW bytes of the file at once, so a pass in order (every stage's, and each
    portfolio rule's) makes a system call every ~1,500 paths, not two a path.
    """

    __slots__ = ("_buffer", "_ends", "_scratch", "_written", "_window", "_window_start")

    def __init__(self, paths: Iterable[str] = ()) -> None:
        self._buffer = bytearray()  # every path, or past a spill those not yet written
        self._ends = array("q")
        self._scratch = None
        self._written = 0  # bytes in the scratch file, which `_buffer` follows
        self._window = b""  # the scratch file's bytes last read, from _window_start
        self._window_start = 0
        for path in paths:
            self.append(path)

    def append(self, path: str) -> None:
        self._buffer += os.fsencode(path)  # surrogateescape: an undecodable name comes back as it was
        self._ends.append(self._written + len(self._buffer))
        if len(self._buffer) >= SPILL_BYTES:
            self._spill()

    def __len__(self) -> int:
        return len(self._ends)

    def _item(self, index: int) -> str:
        start, end = self._ends[index - 1] if index else 0, self._ends[index]
        if start >= self._written:
            return os.fsdecode(bytes(self._buffer[start - self._written : end - self._written]))
        offset = start - self._window_start
        if offset < 0 or end - self._window_start > len(self._window):
            self._scratch.seek(start)
            self._window, self._window_start, offset = self._scratch.read(max(WINDOW, end - start)), start, 0
        return os.fsdecode(self._window[offset : offset + end - start])

    def _spill(self) -> None:
        from .files import scratch_error, scratch_file

        try:
            if self._scratch is None:
                self._scratch = scratch_file()
            self._scratch.seek(self._written)
            self._scratch.write(self._buffer)
            self._scratch.flush()  # a full disk shows here, not at some later read
        except OSError as error:
            raise scratch_error(error) from None
        self._written += len(self._buffer)
        self._buffer = bytearray()


# Bytes of paths held in memory before they go to a scratch file.
SPILL_BYTES = 1 << 18
# Bytes of the scratch file read at once.
WINDOW = 1 << 16
