"""GitHub Actions workflow commands: each finding becomes an annotation on the file and line.

    ::error file=F,line=L,col=C,title=ID::message     a failure
    ::warning ...                                       a warning
    ::notice ...                                        advice (info), or a waived finding with its waiver

GitHub shows at most 10 annotations of each kind per step (and drops the rest
silently), so the most severe go first: failures, then warnings, then waived
findings, each in file order and each kept to its limit, then one summary
notice saying how many were left out. The summary, the baseline, the waivers in
force and the effective policy follow as plain log lines.
"""

from __future__ import annotations

from ..baseline import relative_path
from ..quoting import inert
from . import Report, live_waivers
from .text import baseline_lines, hidden_lines, summary_line, waiver_lines

_COMMANDS = {"fail": "error", "warn": "warning", "info": "notice", "waived": "notice"}
# GitHub's display limit per step and kind; one notice is kept for the summary
LIMITS = {"error": 10, "warning": 10, "notice": 9}


def _data(text: str) -> str:
    """Escape a command's message, as GitHub's runner (toolkit `escapeData`) expects."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    """Escape a command's property value (toolkit `escapeProperty`)."""
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def _annotation(finding) -> str:
    message = inert(finding.message) + (f" [{inert(finding.hint)}]" if finding.hint else "")
    if finding.waiver is not None:
        waiver = finding.waiver
        authority = f", authority {waiver.authority}" if waiver.authority else ""
        waived = "waived" if finding.level == "waived" else "would be waived (--no-waivers)"
        message = (
            f"{waived} until {waiver.expires} by {waiver.approved_by}{authority} ({waiver.justification}): {message}"
        )
    if finding.traceback:  # --show-tracebacks: the annotation's message spans lines
        message += "\n" + finding.traceback
    where = f"file={_property(inert(relative_path(finding.file)))},line={finding.line},col={finding.column}"
    return f"::{_COMMANDS[finding.level]} {where},title={_property(finding.rule_id)}::{_data(message)}"


def render(report: Report) -> str:
    by_kind: dict[str, list[str]] = {kind: [] for kind in LIMITS}
    left_out = dict.fromkeys(LIMITS, 0)
    waivers = []
    for result in report.results:
        waivers.extend((result.file, waiver) for waiver in live_waivers(result))
        for finding in result.findings:
            if report.quiet and finding.level == "waived":
                continue
            kind = _COMMANDS[finding.level]
            if len(by_kind[kind]) < LIMITS[kind]:
                by_kind[kind].append(_annotation(finding))
            else:
                left_out[kind] += 1
    lines = [line for kind in LIMITS for line in by_kind[kind]]
    summary = summary_line(report)
    if any(left_out.values()):
        counts = ", ".join(f"{count} {kind}s" for kind, count in left_out.items() if count)
        summary += f"; not annotated: {counts} (GitHub shows 10 of each kind per step; the job log has every finding)"
    if report.policy is not None:
        summary += f"; {report.policy.source_line()}"
    lines.append(f"::notice title=policycheck::{_data(inert(summary))}")
    if report.policy is not None:
        lines.extend(waiver_lines(waivers))
        lines.extend(inert(line) for line in report.policy.lines())
        lines.extend(hidden_lines(report))
    lines.append(summary_line(report))
    lines.extend(baseline_lines(report))
    return "\n".join(lines) + "\n"
