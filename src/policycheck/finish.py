"""The finishing stage: once, after every file is checked, before anything is rendered.

In one pass over the checked results it runs the portfolio rules over what
they collected, then finishes each file: its portfolio findings, its waivers,
the findings sorted, the baseline, each rule's outcome. It puts each finished
record in place of the checked one and counts them; every renderer then only reads.
"""

from __future__ import annotations

import heapq
import zlib
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice

from . import waivers
from .engine import each_violation
from .findings import LEVEL_RANK, PASS_RANK, SORT_KEY, FileResult, Finding, Tally, ranked_outcome
from .quoting import shorten
from .records import Record
from .results import Blocks, Results
from .rule import Rule, Violation

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Protocol
    from .baseline import BaselineResult
    from .engine import Engine

    class BaselineStage(Protocol):
        """What `--baseline` (`baseline.Applying`) and `--write-baseline` (`baseline.Recording`) do to each file."""

        def keep(self, findings: list[Finding]) -> list[Finding]: ...

        def done(self) -> "BaselineResult": ...


class Finished(Record):
    """A finished run: every file's final record, their counts, and what the baseline did."""

    results: Results
    tally: Tally
    baseline: "BaselineResult | None" = None


def finish(
    engine: "Engine", checked: Results, baseline: BaselineStage | None = None, tracebacks: bool = False
) -> Finished:
    """Finish every checked file, once; ERR001 findings keep their traceback only with `tracebacks`."""
    added, crashed = portfolio_findings(engine, checked)
    portfolio_found = added.reader()
    known = set(engine.registry.rules)
    wvr_levels = {
        rule_id: engine.level(engine.registry.rules[rule_id])
        for rule_id in ("WVR001", "WVR002")
        if rule_id in engine.enabled_ids
    }
    governance = waivers.Governance.of(engine.config.waivers, engine.registry.rules, engine.config.audit_waivers)
    tally = Tally()
    order = _Order()
    for index, result in enumerate(checked):
        # a portfolio finding is the file's, as its activity id (a rule's violation names only the file)
        found = portfolio_found(index)
        if found:
            result.findings.extend(finding._replace(activity_id=result.activity_id) for finding in found)
        if index in crashed:  # a new map: the store shares each outcome map among the files that have it
            result.outcomes = {**result.outcomes, **dict.fromkeys(crashed[index], "error")}
        if not tracebacks and any(finding.traceback for finding in result.findings):
            result.findings = [finding._replace(traceback=None) for finding in result.findings]
        if result.waivers:
            result.findings, result.waivers = waivers.judge(
                result.findings,
                result.waivers,
                engine.today,
                known,
                engine.enabled_ids,
                result.file,
                result.activity_id,
                wvr_levels,
                governance,
            )
        result.findings.sort(key=SORT_KEY)
        if baseline is not None:
            result.findings = baseline.keep(result.findings)
        result.outcomes = _outcomes(result, order)
        checked.replace(index, result)
        tally.add(result)
    return Finished(checked, tally, baseline.done() if baseline is not None else None)


class _Order:
    """The rule ids of an outcome map in sorted order, sorted once for each set of ids (a run has a few;
    past KNOWN_ORDERS, the others are sorted each time: their memory is not to grow with the run)."""

    def __init__(self) -> None:
        self._known: dict[tuple[str, ...], tuple[str, ...]] = {}

    def of(self, rule_ids: tuple[str, ...]) -> tuple[str, ...]:
        order = self._known.get(rule_ids)
        if order is None:
            order = tuple(sorted(rule_ids))
            if len(self._known) < KNOWN_ORDERS:
                self._known[rule_ids] = order
        return order


KNOWN_ORDERS = 64


def _outcomes(result: FileResult, order: _Order) -> dict[str, str]:
    """A rule that ran ("pass" so far) fails, warns or is waived by its findings, if it has any; by rule id."""
    outcomes = result.outcomes
    ran: dict[str, int] = {}  # a rule that ran -> the rank of its worst finding
    for finding in result.findings:
        rule_id = finding.rule_id
        if outcomes.get(rule_id) == "pass":
            rank = LEVEL_RANK.get(finding.level, PASS_RANK)
            if rank < ran.get(rule_id, PASS_RANK):
                ran[rule_id] = rank
    finished = {**outcomes, **{rule_id: ranked_outcome(rank) for rule_id, rank in ran.items()}}
    ids = order.of(tuple(finished))
    return dict(zip(ids, map(finished.__getitem__, ids)))


def portfolio_findings(engine: "Engine", checked: Results) -> tuple[PortfolioFindings, dict[int, list[str]]]:
    """Every portfolio rule over what it collected: its findings by the index of the file they belong to,
    and the rules that crashed by the index of each file they collected from."""
    added = PortfolioFindings(checked)
    crashed: dict[int, list[str]] = {}
    index_of = _IndexOf(checked.files)
    for rule in engine.enabled:
        if rule.kind == "portfolio":
            _portfolio(engine, rule, checked, index_of, added, crashed)
    return added, crashed


# Findings a rule may have made but not yet encoded: ~0.4 MB of them at most (1,024 of PRT003's, which name
# the other activities, were its peak at 100,000 files).
RUN = 256


class PortfolioFindings:
    """Each portfolio rule's findings, read back by file, in rule order, kept encoded (`Blocks`) until read.

    A rule's findings are taken as it makes them, RUN at a time, each run sorted by file and encoded;
    reading merges the runs. Held until the last was made, a rule's findings grew the parent by ~0.8 KB a
    file of a portfolio where a third of the files share a partner's calendar (PRT003).
    """

    def __init__(self, checked: Results) -> None:
        self._checked = checked
        self._runs: list[Blocks] = []  # of (file index, finding), by index; rule by rule, each rule's in turn

    def add(self, found: Iterable[tuple[int, Finding]]) -> None:
        """One rule's findings, each with the index of its file; a file's keep the rule's order.

        Nothing of the rule is kept if `found` raises."""
        found = iter(found)
        runs, last = [], -1
        while chunk := sorted(islice(found, RUN), key=_first):  # sorted is stable: a file's keep their order
            # a run that follows on from the last one in file order extends it: reading merges one block of
            # each run at a time, and a rule that names files in order (as every built-in does) makes one run
            if chunk[0][0] < last or not runs:
                runs.append(Blocks(self._checked))
            for pair in chunk:
                runs[-1].append(pair)
            last = chunk[-1][0]
        self._runs += runs

    def reader(self) -> Callable[[int], list[Finding]]:
        """A file's portfolio findings for each index in increasing order."""
        merged = heapq.merge(*self._runs, key=_first)  # equal indexes come in the order of the runs
        head = next(merged, None)

        def of(index: int) -> list[Finding]:
            nonlocal head
            found: list[Finding] = []
            while head is not None and head[0] == index:
                found.append(head[1])
                head = next(merged, None)
            return found

        return of


class _RuleFailed(Exception):
    """A portfolio rule's own error, told apart from the store's as its findings are encoded (a full disk)."""

    def __init__(self, error: BaseException) -> None:
        self.error = error


def _first(pair: tuple) -> int:
    return pair[0]


class _IndexOf:
    """Each file's index in the run, looked up once a portfolio rule names a file.

    A dict of every path was ~15 MB at 100,000 files, and a sorted array of their CRC-32s 1.6 MB while it
    was built. This is a table of 1.5 slots a file, built in one pass: a slot holds an index + 1 (0: empty)
    and the top byte of its path's CRC-32, and the CRC picks the slot a path's search starts at. A path
    is compared only where that byte matches.
    """

    def __init__(self, files: Sequence[str]) -> None:
        self._files = files
        self._slots: array | None = None
        self._tags = bytearray()
        self._last: tuple[str, int | None] | None = None  # a violation's file is looked up twice in a row

    def get(self, file: str) -> int | None:
        if self._last is not None and self._last[0] == file:
            return self._last[1]
        if self._slots is None:
            self._build()
        slots, tags, size = self._slots, self._tags, len(self._slots)
        crc = _crc(file)
        found, at, tag = None, crc % size, crc >> 24
        while slots[at]:  # every slot of the run it starts in: equal paths (stdin given twice) fill it in order
            if tags[at] == tag and self._files[slots[at] - 1] == file:
                found = slots[at] - 1  # a file checked twice gets its findings on its last result
            at = (at + 1) % size
        self._last = (file, found)
        return found

    def _build(self) -> None:
        size = len(self._files) * 3 // 2 + 1
        slots, tags = array("I", bytes(4 * size)), bytearray(size)
        for index, file in enumerate(self._files):
            crc = _crc(file)
            at = crc % size
            while slots[at]:
                at = (at + 1) % size
            slots[at], tags[at] = index + 1, crc >> 24
        self._slots, self._tags = slots, tags


def _crc(file: str) -> int:
    return zlib.crc32(file.encode("utf-8", "surrogateescape"))


def _portfolio(
    engine: "Engine",
    rule: Rule,
    checked: Results,
    index_of: _IndexOf,
    added: PortfolioFindings,
    crashed: dict[int, list[str]],
) -> None:
    collected = checked.collected.get(rule.id, ())

    def outside(violation: Violation) -> str | None:
        if index_of.get(violation.file) is not None:
            return None
        return (
            f"Violation(file={shorten(repr(violation.file))}) names no file of this run: a portfolio rule's "
            "violations name the file they belong to (a Collected.file)"
        )

    def made() -> Iterator[Violation]:
        try:
            yield from each_violation(rule.check(collected, engine.contexts[rule.id]), outside)
        except (Exception, SystemExit) as error:
            raise _RuleFailed(error) from None

    def found() -> Iterator[tuple[int, Finding]]:
        for violation in made():
            # per_file_ignores exempts a file from the rule; its value still counted for the others
            if not engine.ignores(rule.id, violation.file):
                yield index_of.get(violation.file), engine.finding(rule, violation, None)

    try:
        added.add(found())
    except _RuleFailed as failed:
        # the crash is every contributing file's: none of them was judged by this rule
        files = [item.file for item in collected if not engine.ignores(rule.id, item.file)] or checked.files
        crash = engine.crash(rule, failed.error, "", None)  # once: its traceback is the same for every file
        indexes = sorted({index_of.get(file) for file in files})
        for index in indexes:
            crashed.setdefault(index, []).append(rule.id)
        added.add((index, crash._replace(file=checked.files[index])) for index in indexes)
