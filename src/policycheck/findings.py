"""Findings and per-file results: the plain data every later stage works on."""

from __future__ import annotations

from operator import attrgetter

from collections import Counter
from collections.abc import Iterable

from .records import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any
    from .rule import Fix

# the records a plugin meets (a format reads them); the rest serves the stages
__all__ = ["FileResult", "Finding", "Waiver"]

# A finding's level; `waived` findings are shown but never gate, nor do `info` ones (advice).
FAIL, WARN, INFO, WAIVED = "fail", "warn", "info", "waived"
# the worst first: a file's status and a rule's outcome are the worst level among its findings
_WORST_FIRST = (FAIL, WARN, WAIVED, INFO)
# a level's place in _WORST_FIRST (a rule's outcome is the first of its findings' levels there)
LEVEL_RANK = {level: rank for rank, level in enumerate(_WORST_FIRST)}
PASS_RANK = len(_WORST_FIRST)


def ranked_outcome(rank: int) -> str:
    """The outcome of a rule whose worst finding has this rank (PASS_RANK: none)."""
    return _WORST_FIRST[rank] if rank < PASS_RANK else "pass"


class Waiver(Record):
    """An accepted exception, as written in the activity's `waivers` list."""

    rule: str
    justification: str
    approved_by: str
    expires: str
    at: str | None = None
    index: int = 0
    line: int = 1
    column: int = 1
    # the statutory office that granted it, for rules whose exception belongs to one (GOV005, REL007)
    authority: str | None = None
    # set when finished: "live", "expired", "refused" or "unknown-rule", and the days it has left
    status: str = ""
    days_left: int | None = None
    # why the document itself makes the waiver void (an `at` that names no node), found when it is read
    refused: str | None = None


class Finding(Record):
    """One thing a rule found, located in a file: what every format renders.

    `rule_id` is the rule's id (JSON calls it `rule`); `level` is `fail`, `warn`,
    `info` or `waived`; `file`, `line` and `column` (1-based) locate it, `pointer` is
    the JSON pointer of the node ("" for the whole document). `hint` says what to do,
    `activity_id` is the activity's `id`, `waiver` the live `Waiver` that waived it.
    `traceback` is an ERR001's traceback, kept only under `--show-tracebacks`.
    `fix` is the rule's `Fix` for it, or None (`policycheck --fix` applies it).
    Import it from `policycheck` (or `policycheck.findings`).
    """

    rule_id: str
    level: str
    message: str
    file: str
    line: int = 1
    column: int = 1
    pointer: str = ""
    hint: str | None = None
    activity_id: str | None = None
    waiver: Waiver | None = None
    traceback: str | None = None
    fix: "Fix | None" = None

    def sort_key(self) -> tuple:
        return SORT_KEY(self)

    def waived_by(self, waiver: Waiver) -> "Finding":
        return self._replace(level=WAIVED, waiver=waiver)


# how findings sort (`Finding.sort_key`), made without a Python call a finding
SORT_KEY = attrgetter("file", "line", "column", "rule_id", "pointer", "message")


class FileResult:
    """Everything the run learned about one file; small, so it can cross processes.

    `outcomes` maps each rule that ran on the file to `pass`, `fail`, `warn`, `info`,
    `waived`, `skip` or `error` (it crashed); `notes` maps a skipped rule to why, when
    that is worth telling (a rule that crashed on a document that fails the schema).
    `findings` are sorted by line once finished; `collected` is what portfolio rules
    collected here, `waivers` what the document declares, `banner` its classification.
    `facts` is what a reviewer reads of the document (title, partners, dates, budget...,
    and the source lines around its findings), bounded and inert, taken once by the engine.
    """

    __slots__ = ("file", "activity_id", "banner", "findings", "outcomes", "collected", "waivers", "notes", "facts")

    def __init__(
        self,
        file: str,
        activity_id: str | None = None,
        banner: str | None = None,
        findings: list[Finding] | None = None,
        outcomes: dict[str, str] | None = None,
        collected: dict[str, Any] | None = None,
        waivers: tuple[Waiver, ...] = (),
        notes: dict[str, str] | None = None,
        facts: dict[str, Any] | None = None,
    ) -> None:
        self.file, self.activity_id, self.banner = file, activity_id, banner
        self.findings: list[Finding] = [] if findings is None else findings
        self.outcomes: dict[str, str] = {} if outcomes is None else outcomes
        self.collected: dict[str, Any] = {} if collected is None else collected
        self.waivers = waivers
        self.notes: dict[str, str] = {} if notes is None else notes
        self.facts: dict[str, Any] = {} if facts is None else facts

    def __repr__(self) -> str:
        return f"FileResult(file={self.file!r}, status={self.status!r}, findings={len(self.findings)})"

    @property
    def status(self) -> str:
        levels = {finding.level for finding in self.findings}
        if "ERR001" in {finding.rule_id for finding in self.findings}:
            return "error"
        for level in _WORST_FIRST:
            if level in levels:
                return level
        return "pass"


def fixable(finding: Finding, unsafe: bool) -> bool:
    """Whether `--fix` applies a finding's fix: it has one, no waiver covers it, and it is safe (or `unsafe`)."""
    fix = finding.fix
    return fix is not None and finding.waiver is None and finding.level != WAIVED and (fix.safe or unsafe)


def outcome(findings: Iterable[Finding]) -> str:
    """A rule's status on one file from its findings (no findings: pass)."""
    return ranked_outcome(min((LEVEL_RANK.get(finding.level, PASS_RANK) for finding in findings), default=PASS_RANK))


class Tally:
    """A run's counts, taken in one pass: its summary and its exit code both come from them."""

    __slots__ = ("files", "levels", "statuses")

    def __init__(self) -> None:
        self.files = 0
        self.levels: Counter = Counter()  # findings by level
        self.statuses: Counter = Counter()  # files by status

    def add(self, result: FileResult) -> None:
        self.files += 1
        self.levels.update(finding.level for finding in result.findings)
        self.statuses[result.status] += 1

    def summary(self) -> dict[str, int]:
        """Counts for the summary line and the JSON report."""
        counts = {"files": self.files, "fail": 0, "warn": 0, "waived": 0, "info": 0}
        for level, count in self.levels.items():
            counts[level] += count
        counts["files_failed"] = self.statuses["error"] + self.statuses[FAIL]
        counts["files_warned"] = self.statuses[WARN]
        counts["files_passed"] = self.files - counts["files_failed"] - counts["files_warned"]
        return counts

    def exit_code(self, fail_on: str) -> int:
        """0 clean, 1 findings at or above `fail_on`, 3 a rule crashed (see docs/cli.md)."""
        if self.statuses["error"]:  # an ERR001 finding
            return 3
        return 1 if self.levels[FAIL] or (fail_on != FAIL and self.levels[WARN]) else 0


def tally(results: Iterable[FileResult]) -> Tally:
    """The counts of finished results (the finishing stage takes them as it goes)."""
    counts = Tally()
    for result in results:
        counts.add(result)
    return counts
