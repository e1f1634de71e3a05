"""Results between stages: every file's result, kept encoded, read back one file at a time.

Holding every FileResult (findings, their messages and hints) until the last
format is written made the parent's memory grow with the portfolio (issue 8).
`Results` keeps each result pickled (past the first KEPT_FILES), in memory for
a small run and past SPILL_BYTES in an anonymous temporary file, and keeps
decoded only each file's path (compact: `paths.Paths`). What portfolio rules collected is kept the same
way, a block of BLOCK `Collected` items at a time (held decoded, it was most of
the parent's growth with workers: ~1.4 KB a file), and read back by each rule
as a sequence that decodes one block at a time.

The check stage fills the store with checked results; the finishing stage reads
each once and puts the finished one in its place (the checked record's bytes are
left behind in the store), and every format then reads those.
"""

from __future__ import annotations

import io
import sys
from array import array
from collections.abc import Iterator, Sequence

from .files import scratch_error, scratch_file
from .findings import FileResult
from .paths import Compact, Paths
from .records import Record
from .rule import Collected

# The first files' records are kept as they are: a run of a few files needs no
# encoding, nor the import of `pickle` (2% of a cold start).
KEPT_FILES = 32
# Up to this many encoded bytes (about 500 files) stay in memory: a small run
# needs no temporary file, nor the import of `tempfile`.
SPILL_BYTES = 1 << 18
# What portfolio rules collected, and the findings they make, are encoded this many at a
# time: a run of fewer needs no pickle, and reading back decodes one block at a time.
BLOCK = 256


class Results(Sequence):
    """FileResults in check order, appended once, read any number of times."""

    def __init__(self, files: Paths | None = None) -> None:
        """`files`, where known, are the paths the results will come in, in order (the check stage's
        sources): kept once for both, with each file's offset and size sized once, not grown."""
        self._expected = files is not None
        self.files = Paths() if files is None else files  # each path once, compact
        self._count = 0
        # rule id -> what it collected, in file order: each item with its path, which a rule reads once a pass
        # (decoding the store's own was half of the portfolio rules' time)
        self.collected: dict[str, Blocks] = {}
        self._store: io.BytesIO | io.BufferedRandom = io.BytesIO()
        self._end = 0
        self._at = 0  # the store's position: where the last write or read ended
        self._spill_at = SPILL_BYTES
        self._starts = array("q", bytes(8 * len(self.files)))
        self._sizes = array("I", bytes(4 * len(self.files)))  # a record is far below 4 GiB (10 MiB files, bounded text)
        # records kept as they are, (outcome map, fields): the first files', and any that cannot be pickled
        self._kept: dict[int, tuple] = {}
        # files mostly end with the same outcome map: each distinct one is kept once
        self._outcome_maps: list[dict[str, str]] = []
        self._outcome_ids: dict[tuple, int] = {}

    def append(self, result: FileResult) -> None:
        """A checked file's result, encoded here (with --jobs 1, and a worker's that died)."""
        index = self._take(result.file, result.activity_id, result.collected)
        self._put(index, self._outcome_index(_outcome_items(result)), result)

    def add(self, checked: Encoded) -> None:
        """A checked file's result as the worker that checked it encoded it (`encode`): its bytes are kept
        as they came, so the parent decodes and encodes no finding while the workers check."""
        file, activity_id, collected, outcomes, payload = checked
        index = self._take(file, activity_id, collected)
        self._starts[index], self._sizes[index] = self._write(_prefix(self._outcome_index(outcomes)), payload)

    def replace(self, index: int, result: FileResult) -> None:
        """The finished record of a file in place of its checked one (the finishing stage's, once per file):
        a second store would hold every path and offset again."""
        if not 0 <= index < self._count:
            raise IndexError(f"no result {index} to replace: {self._count} so far")
        if result.file != self.files[index]:
            raise ValueError(f"result {index} is of {self.files[index]!r}, not {result.file!r}")
        self._kept.pop(index, None)
        self._put(index, self._outcome_index(_outcome_items(result)), result)

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index: int) -> FileResult:
        index = range(len(self))[index]
        record = self._kept.get(index)
        if record is None:
            import pickle

            data = self._read(self._starts[index], self._sizes[index])
            record = int.from_bytes(data[:PREFIX], "little"), pickle.loads(memoryview(data)[PREFIX:])
        outcomes, (file, activity_id, banner, findings, waivers, notes, facts) = record
        outcome_map = self._outcome_maps[outcomes]
        return FileResult(file, activity_id, banner, list(findings), outcome_map, {}, waivers, notes, facts)

    def __iter__(self) -> Iterator[FileResult]:
        for index in range(len(self)):
            yield self[index]

    def _take(self, file: str, activity_id: str | None, collected: dict | None) -> int:
        """The next file's index, once its path is the one expected there; what it collected kept."""
        index = self._count
        if not self._expected:
            self.files.append(file)
            self._starts.append(0)
            self._sizes.append(0)
        elif index >= len(self.files) or self.files[index] != file:
            raise ValueError(f"result {index} is of {file!r}, not of the file expected there")
        self._count += 1
        for rule_id, value in (collected or {}).items():
            values = self.collected.get(rule_id)
            if values is None:
                values = self.collected[rule_id] = Blocks(self)
            values.append(Collected(file, activity_id, value))
        return index

    def _outcome_index(self, key: tuple) -> int:
        outcomes = self._outcome_ids.get(key)
        if outcomes is None:
            outcomes = self._outcome_ids[key] = len(self._outcome_maps)
            self._outcome_maps.append(dict(key))
        return outcomes

    def _put(self, index: int, outcomes: int, result: FileResult) -> None:
        fields = _fields(result)
        if index < KEPT_FILES:
            self._kept[index] = (outcomes, fields)
            return
        try:
            payload = _pickled(fields)
        except Exception:  # a plugin put something unpicklable in a finding: keep it as it is
            self._kept[index] = (outcomes, fields)
            return
        self._starts[index], self._sizes[index] = self._write(_prefix(outcomes), payload)

    def _write(self, *parts: bytes) -> tuple[int, int]:
        """Encoded bytes appended to the store: where they start, and their size."""
        try:
            if self._at != self._end:  # a seek flushes what is buffered: only after a read
                self._store.seek(self._end)
            for part in parts:
                self._store.write(part)
        except OSError as error:
            raise scratch_error(error) from None
        start = self._end
        self._end = self._at = start + sum(map(len, parts))
        if self._end > self._spill_at:
            self._spill()
        return start, self._end - start

    def _read(self, start: int, size: int) -> bytes:
        try:  # what was buffered is written first: a full disk shows here at the latest
            self._store.seek(start)
            data = self._store.read(size)
        except OSError as error:
            raise scratch_error(error) from None
        self._at = start + size
        return data

    def _spill(self) -> None:
        """Into `$TMPDIR` (else the platform's temporary folder), never silently anywhere else."""
        self._spill_at = sys.maxsize  # once
        try:
            spilled = scratch_file()
            spilled.write(self._store.getvalue())
        except OSError as error:
            raise scratch_error(error) from None
        self._store = spilled
        self._at = self._end


# A stored record is the index of its outcome map in these many bytes, then its other fields pickled.
PREFIX = 4


class Encoded(Record):
    """A checked file as a worker sends it: what the parent files apart, and the rest as the store keeps it."""

    file: str
    activity_id: str | None
    collected: dict | None
    outcomes: tuple  # the outcome map's items: one memo reference each in a chunk's pickle, past its first file
    payload: bytes


def encode(result: FileResult) -> Encoded:
    """`result` as `Results.add` keeps it: made by the worker that checked it."""
    payload = _pickled(_fields(result))
    return Encoded(result.file, result.activity_id, result.collected or None, _outcome_items(result), payload)


def _outcome_items(result: FileResult) -> tuple:
    return tuple(result.outcomes.items())


def _pickled(value: object) -> bytes:
    import pickle

    return pickle.dumps(value, pickle.HIGHEST_PROTOCOL)


def _fields(result: FileResult) -> tuple:
    # notes are rare (a rule that crashed on an invalid document): None keeps the record small
    notes = dict(result.notes) if result.notes else None
    return (
        result.file,
        result.activity_id,
        result.banner,
        tuple(result.findings),
        result.waivers,
        notes,
        result.facts or None,
    )


def _prefix(outcomes: int) -> bytes:
    return outcomes.to_bytes(PREFIX, "little")


class Blocks(Compact):
    """Items appended in turn, each full block of BLOCK of them pickled into a `Results`' store (and spilled
    with it); reading decodes one block at a time, and the last one read stays decoded."""

    def __init__(self, results: Results) -> None:
        self._results = results
        self._blocks = array("q")  # start and size of each encoded block, in turn
        self._kept: dict[int, list] = {}  # blocks that cannot be pickled (a plugin's object in a fix), as they are
        self._open: list = []  # the items of the block not yet full
        self._decoded: tuple[int, list] = (-1, [])

    def append(self, item: object) -> None:
        self._open.append(item)
        if len(self._open) == BLOCK:
            try:
                data = _pickled(self._open)
            except Exception:
                self._kept[len(self._blocks) // 2] = self._open
                self._blocks.extend((0, 0))
            else:
                self._blocks.extend(self._results._write(data))
            self._open = []

    def __len__(self) -> int:
        return len(self._blocks) // 2 * BLOCK + len(self._open)

    def _item(self, index: int):
        block, offset = divmod(index, BLOCK)
        return self._block(block)[offset]

    def __iter__(self) -> Iterator:  # a block at a time
        for block in range(len(self._blocks) // 2 + 1):
            yield from self._block(block)

    def _block(self, block: int) -> list:
        if block == len(self._blocks) // 2:
            return self._open
        if block in self._kept:
            return self._kept[block]
        if self._decoded[0] != block:
            import pickle

            data = self._results._read(self._blocks[2 * block], self._blocks[2 * block + 1])
            self._decoded = (block, pickle.loads(data))
        return self._decoded[1]
