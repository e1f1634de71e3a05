"""Findings and per-file results: the plain data every later stage works on."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Iterable

# A finding's level; `waived` findings are shown but never gate.
FAIL, WARN, WAIVED = "fail", "warn", "waived"
# A rule's outcome on one file, worst first.
STATUS_ORDER = ("error", "fail", "warn", "waived", "pass", "skip")


@dataclass(frozen=True)
class Waiver:
    """An accepted exception, as written in the activity's `waivers` list."""

    rule: str
    justification: str
    approved_by: str
    expires: str
    at: str | None = None
    index: int = 0
    line: int = 1
    column: int = 1


@dataclass(frozen=True)
class Finding:
    """One thing a rule found, located in a file."""

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

    def sort_key(self) -> tuple:
        return (self.file, self.line, self.column, self.rule_id, self.pointer, self.message)

    def waived_by(self, waiver: Waiver) -> "Finding":
        return replace(self, level=WAIVED, waiver=waiver)


@dataclass(slots=True)
class FileResult:
    """Everything the run learned about one file; small, so it can cross processes."""

    file: str
    activity_id: str | None = None
    banner: str | None = None
    findings: list[Finding] = field(default_factory=list)
    outcomes: dict[str, str] = field(default_factory=dict)
    collected: dict[str, Any] = field(default_factory=dict)
    waivers: tuple[Waiver, ...] = ()

    @property
    def status(self) -> str:
        levels = {finding.level for finding in self.findings}
        if "ERR001" in {finding.rule_id for finding in self.findings}:
            return "error"
        for level in (FAIL, WARN, WAIVED):
            if level in levels:
                return level
        return "pass"


def outcome(findings: Iterable[Finding]) -> str:
    """A rule's status on one file from its findings (no findings: pass)."""
    levels = {finding.level for finding in findings}
    for level in (FAIL, WARN, WAIVED):
        if level in levels:
            return level
    return "pass"


def exit_code(results: Iterable[FileResult], fail_on: str) -> int:
    """0 clean, 1 findings at or above `fail_on`, 3 a rule crashed (see cli.md)."""
    gating = {FAIL} if fail_on == FAIL else {FAIL, WARN}
    code = 0
    for result in results:
        for finding in result.findings:
            if finding.rule_id == "ERR001":
                return 3
            if finding.level in gating:
                code = 1
    return code


def summarize(results: list[FileResult]) -> dict[str, int]:
    """Counts for the summary line and the JSON report."""
    counts = {"files": len(results), "fail": 0, "warn": 0, "waived": 0}
    for status in ("failed", "warned", "passed"):
        counts[f"files_{status}"] = 0
    for result in results:
        for finding in result.findings:
            counts[finding.level] += 1
        status = result.status
        key = "files_failed" if status in ("error", FAIL) else "files_warned" if status == WARN else "files_passed"
        counts[key] += 1
    return counts
