"""GitHub Actions workflow commands: each finding becomes an annotation on the file and line.

    ::error file=F,line=L,col=C,title=ID::message     a failure
    ::warning ...                                       a warning
    ::notice ...                                        advice (info), or a waived finding with its waiver

The summary line follows as plain log output.
"""

from __future__ import annotations

from ..baseline import relative_path
from . import Report
from .text import summary_line

_COMMANDS = {"fail": "error", "warn": "warning", "info": "notice", "waived": "notice"}


def _data(text: str) -> str:
    """Escape a command's message, as GitHub's runner (toolkit `escapeData`) expects."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    """Escape a command's property value (toolkit `escapeProperty`)."""
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render(report: Report) -> str:
    lines = []
    for result in report.results:
        for finding in result.findings:
            if report.quiet and finding.level == "waived":
                continue
            message = finding.message + (f" [{finding.hint}]" if finding.hint else "")
            if finding.waiver is not None:
                waiver = finding.waiver
                message = f"waived until {waiver.expires} by {waiver.approved_by} ({waiver.justification}): {message}"
            if finding.traceback:  # --show-tracebacks: the annotation's message spans lines
                message += "\n" + finding.traceback
            where = f"file={_property(relative_path(finding.file))},line={finding.line},col={finding.column}"
            properties = f"{where},title={_property(finding.rule_id)}"
            lines.append(f"::{_COMMANDS[finding.level]} {properties}::{_data(message)}")
    lines.append(summary_line(report))
    if report.baseline:
        lines.append(report.baseline.note())
    return "\n".join(lines) + "\n"
