"""Between checking and rendering: every file's result, kept encoded, read one file at a time.

Holding every FileResult (findings, their messages and hints) until the last
format is written made the parent's memory grow with the portfolio. `Results`
keeps each checked result pickled (past the first KEPT_FILES), in memory for
a small run and past SPILL_BYTES in an anonymous temporary file, and keeps
decoded only what the whole-run stage needs: each file's path and what
portfolio rules collected.

Reading a result decodes it and passes it through `finish`, which
`Engine.finish` sets (portfolio findings, waivers, outcomes), so every pass
gives the same finished results and holds one file at a time. A pass that
runs to the end also records the run's counts (`counted`), so the summary
and the exit code need no pass of their own.
"""

from __future__ import annotations

import io
import sys
from array import array
from collections.abc import Callable, Iterator, Sequence

from .findings import FileResult, Tally
from .rule import Collected

# The first files' records are kept as they are: a run of a few files needs no
# encoding, nor the import of `pickle` (2% of a cold start).
KEPT_FILES = 32
# Up to this many encoded bytes (about 500 files) stay in memory: a small run
# needs no temporary file, nor the import of `tempfile`.
SPILL_BYTES = 1 << 18


def _unfinished(index: int, result: FileResult) -> FileResult:
    return result


class Results(Sequence):
    """The run's FileResults in check order; `results[i] = result` stores a finished one."""

    def __init__(self) -> None:
        self.files: list[str] = []
        self.collected: dict[str, list[Collected]] = {}  # rule id -> what it collected, in file order
        self.finish: Callable[[int, FileResult], FileResult] = _unfinished
        self.counted: Tally | None = None
        self._changes = 0
        self._store: io.BytesIO | io.BufferedRandom = io.BytesIO()
        self._end = 0
        self._spill_at = SPILL_BYTES
        self._starts = array("q")
        self._sizes = array("q")
        self._kept: dict[int, tuple] = {}  # records kept as they are: the first files', and any that cannot be pickled
        # files mostly end with the same outcome map: each distinct one is kept once
        self._outcome_maps: list[dict[str, str]] = []
        self._outcome_ids: dict[tuple, int] = {}

    def append(self, result: FileResult) -> None:
        """Keep a checked, not yet finished, result."""
        self.files.append(result.file)
        for rule_id, value in result.collected.items():
            self.collected.setdefault(rule_id, []).append(Collected(result.file, result.activity_id, value))
        self._starts.append(0)
        self._sizes.append(0)
        self._put(len(self.files) - 1, result, finished=False)

    def __setitem__(self, index: int, result: FileResult) -> None:
        """Replace a file's result with a finished one (the baseline stage drops findings this way)."""
        self._put(range(len(self))[index], result, finished=True)
        self.counted = None
        self._changes += 1

    def __len__(self) -> int:
        return len(self.files)

    def __getitem__(self, index: int) -> FileResult:
        index = range(len(self))[index]
        record = self._kept.get(index)
        if record is None:
            import pickle

            self._store.seek(self._starts[index])
            record = pickle.loads(self._store.read(self._sizes[index]))
        finished, file, activity_id, banner, findings, outcomes, waivers = record
        result = FileResult(file, activity_id, banner, list(findings), self._outcome_maps[outcomes], {}, waivers)
        return result if finished else self.finish(index, result)

    def __iter__(self) -> Iterator[FileResult]:
        counts, changes = Tally(), self._changes
        for index in range(len(self)):
            result = self[index]
            counts.add(result)
            yield result
        if changes == self._changes:  # nothing was replaced meanwhile: these are the results' counts
            self.counted = counts

    def _put(self, index: int, result: FileResult, finished: bool) -> None:
        key = tuple(result.outcomes.items())
        outcomes = self._outcome_ids.get(key)
        if outcomes is None:
            outcomes = self._outcome_ids[key] = len(self._outcome_maps)
            self._outcome_maps.append(dict(result.outcomes))
        record = (
            finished,
            result.file,
            result.activity_id,
            result.banner,
            tuple(result.findings),
            outcomes,
            result.waivers,
        )
        if index < KEPT_FILES:
            self._kept[index] = record
            return
        import pickle

        self._kept.pop(index, None)
        try:
            data = pickle.dumps(record, pickle.HIGHEST_PROTOCOL)
        except Exception:  # a plugin put something unpicklable in a finding: keep it as it is
            self._kept[index] = record
            return
        self._store.seek(self._end)
        self._store.write(data)
        self._starts[index], self._sizes[index] = self._end, len(data)
        self._end += len(data)
        if self._end > self._spill_at:
            self._spill()

    def _spill(self) -> None:
        import tempfile

        self._spill_at = sys.maxsize  # once, whether or not it works
        try:
            spilled = tempfile.TemporaryFile()  # unlinked at once (POSIX): nothing left behind, even by a crash
        except OSError:  # no writable temporary folder: stay in memory
            return
        spilled.write(self._store.getvalue())
        self._store = spilled
