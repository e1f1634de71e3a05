"""Items kept sorted at any number, read back in order: the HTML review's rows, a portfolio rule's values.

Held in a list, a review of 100,000 files kept every file's row (~0.6 KB) and waiver keys to
the end. Here items are sorted a run at a time, each sorted run goes to a scratch file in
`$TMPDIR`, and on the first read the runs are merged into that file once more (`once`
merges them as it reads, for a single pass): memory holds one run while appending, a piece
of each run while merging, and one piece while reading.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from .files import scratch_error, scratch_file

TYPE_CHECKING = False  # typing costs a start ~2 ms, and every portfolio rule's `repeated` imports this module
if TYPE_CHECKING:
    from typing import IO, Any

# items sorted in memory at a time (~1 MB of rows)
RUN = 2_048
# items written and read back at a time: the merge holds one piece of every run
PIECE = 32


class Ordered:
    """Items appended in any order and read back sorted by `key`, whose values must be distinct and orderable
    (so that two items are never compared themselves), or with no key by the items themselves, equal ones
    too; items must pickle. Appending ends at the first read. `run` and `piece` default to RUN and PIECE."""

    def __init__(self, key: Callable[[Any], Any] | None = None, run: int = 0, piece: int = 0) -> None:
        self._key = key
        self._run, self._piece = run or RUN, piece or PIECE
        self._pending: list = []  # (key, item) of the run being filled, or the item itself without a key
        self._runs: list[tuple[int, int]] = []  # where each spilled run starts and ends in the scratch file
        self._order: tuple[int, int] | None = None  # where the merged order is, once merged
        self._scratch: IO[bytes] | None = None
        self._count = 0
        self._reading = False

    def append(self, item: Any) -> None:
        if self._reading:
            raise ValueError("an Ordered is appended to before it is read, not after")
        self._pending.append(item if self._key is None else (self._key(item), item))
        self._count += 1
        if len(self._pending) == self._run:
            self._pending.sort()
            self._runs.append(self._write(self._pending))
            self._pending = []

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[Any]:
        if self._runs:  # the first read past one run: the runs merged into the scratch file, once
            self._order = self._write(self._merged())
            self._runs, self._pending = [], []
        return self._items(self._read(*self._order) if self._order is not None else self._merged())

    def once(self) -> Iterator[Any]:
        """The items in order for a single pass, the runs merged as they are read: nothing is written again."""
        if self._order is not None:
            return iter(self)
        return self._items(self._merged())

    def _merged(self) -> Iterator:
        self._reading = True
        self._pending.sort()
        if not self._runs:
            return iter(self._pending)
        import heapq

        return heapq.merge(*(self._read(*run) for run in self._runs), iter(self._pending))

    def _items(self, entries: Iterator) -> Iterator[Any]:
        return entries if self._key is None else (item for _key, item in entries)

    def _write(self, pairs: Iterable) -> tuple[int, int]:
        import pickle

        try:
            if self._scratch is None:
                self._scratch = scratch_file()
            scratch = self._scratch
            scratch.seek(0, 2)  # the end: a merge reads the runs from the same file between its writes
            start, piece = scratch.tell(), []
            for pair in pairs:
                piece.append(pair)
                if len(piece) == self._piece:
                    scratch.seek(0, 2)
                    pickle.dump(piece, scratch, pickle.HIGHEST_PROTOCOL)
                    piece = []
            scratch.seek(0, 2)
            if piece:
                pickle.dump(piece, scratch, pickle.HIGHEST_PROTOCOL)
            scratch.flush()  # a full disk shows here, not at some later read
            return start, scratch.tell()
        except OSError as error:
            raise scratch_error(error) from None

    def _read(self, start: int, end: int) -> Iterator[tuple[Any, Any]]:
        import pickle

        while start < end:
            self._scratch.seek(start)  # runs and readers share one file: each reads from where it left off
            piece = pickle.load(self._scratch)
            start = self._scratch.tell()
            yield from piece
