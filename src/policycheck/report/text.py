"""The text report: grouped by file, `path:line:col LEVEL ID message [hint]`, a summary line."""

from __future__ import annotations

from . import Report

_COLORS = {
    "fail": "red",
    "error": "red",
    "warn": "yellow",
    "info": "blue",
    "waived": "cyan",
    "pass": "green",
    "skip": "bright_black",
}


def _style(text: str, color: str | None, on: bool, bold: bool = False) -> str:
    if not on:
        return text
    import click  # 20 ms, and text is the default format: only colored output needs it

    return click.style(text, fg=color, bold=bold)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _file_lines(result, report: Report) -> list[str]:
    color = report.color
    shown = [finding for finding in result.findings if not report.quiet or finding.level != "waived"]
    if report.quiet and not shown:
        return []
    header = result.file
    if result.banner:
        header += f"  [{result.banner}]"
    if result.activity_id:
        header += f"  {result.activity_id}"
    lines = [_style(header, None, color, bold=True)]
    for finding in shown:
        level = _style(finding.level.upper(), _COLORS.get(finding.level), color, bold=True)
        line = f"  {finding.file}:{finding.line}:{finding.column} {level} {finding.rule_id} {finding.message}"
        if finding.hint:
            line += f" [{finding.hint}]"
        lines.append(line)
        if finding.traceback:  # --show-tracebacks
            lines.extend(f"      {text}" for text in finding.traceback.splitlines())
        if finding.waiver is not None:
            waiver = finding.waiver
            lines.append(f"      waived until {waiver.expires} by {waiver.approved_by}: {waiver.justification}")
    if report.show_passes:
        for rule_id, status in result.outcomes.items():
            if status in ("pass", "skip"):
                note = f" ({result.notes[rule_id]})" if rule_id in result.notes else ""
                lines.append(f"  {_style(status.upper(), _COLORS[status], report.color)} {rule_id}{note}")
    if not shown:
        lines.append(f"  {_style('PASS', 'green', color)} no findings")
    return lines


def stream(report: Report):
    """The report one file at a time, then a blank line and the summary."""
    wrote = False
    for result in report.results:
        lines = _file_lines(result, report)
        if lines:
            wrote = True
            yield "\n".join(lines) + "\n"
    tail = [""] if wrote else []
    tail.append(
        _style(summary_line(report), "red" if report.summary["files_failed"] else "green", report.color, bold=True)
    )
    if report.baseline:
        tail.append(report.baseline.note())
    yield "\n".join(tail) + "\n"


def render(report: Report) -> str:
    return "".join(stream(report))


def summary_line(report: Report) -> str:
    """`8 files checked: 3 failed, 2 with warnings, 3 passed (8 fail, 8 warn, 0 waived)`."""
    summary = report.summary
    files = _plural(summary["files"], "file")
    counts = ", ".join(f"{summary[level]} {level}" for level in ("fail", "warn", "waived"))
    if summary.get("info"):  # advice, counted only when there is some
        counts += f", {summary['info']} info"
    return (
        f"{files} checked: {summary['files_failed']} failed, {summary['files_warned']} with warnings, "
        f"{summary['files_passed']} passed ({counts})"
    )
