"""The text report: grouped by file, `path:line:col LEVEL ID [*] message [hint]` (`[*]`: `--fix` would
fix it, as ruff marks it), then what the run judged by (the waivers in force, the effective policy),
the summary line, how many findings `--fix` would fix, and the baseline.

CI prints it to the job log, where a line starting with `::` is a GitHub workflow
command: every line starts with fixed words, an indent, or a file name that cannot
start with `:` or `#` (`./` goes before it), and document text is made inert, so
nothing a proposal says can become a command.
"""

from __future__ import annotations

from ..findings import fixable
from ..quoting import inert
from . import Report, live_waivers

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


def path_text(file: str) -> str:
    """A file name as the text formats print it: inert, and never a workflow command (`::`, `##[`) at line start."""
    text = inert(file)
    return "./" + text if text.startswith((":", "#")) else text


def waiver_text(waiver) -> str:
    """Who approved a waiver, under which authority, until when, and why."""
    authority = f" (authority: {waiver.authority})" if waiver.authority else ""
    return f"until {waiver.expires} by {waiver.approved_by}{authority}: {waiver.justification}"


def _file_lines(result, report: Report) -> list[str]:
    color = report.color
    shown = [finding for finding in result.findings if not report.quiet or finding.level != "waived"]
    if report.quiet and not shown:
        return []
    file, file_text = result.file, path_text(result.file)  # a file's findings are nearly all its own
    header = file_text
    if result.banner:
        header += f"  [{inert(result.banner)}]"
    if result.activity_id:
        header += f"  {inert(result.activity_id)}"
    lines = [_style(header, None, color, bold=True)]
    for finding in shown:
        level = _style(finding.level.upper(), _COLORS.get(finding.level), color, bold=True)
        where = f"{file_text if finding.file == file else path_text(finding.file)}:{finding.line}:{finding.column}"
        marker = _style("[*]", "cyan", color, bold=True) + " " if fixable(finding, report.unsafe_fixes) else ""
        line = f"  {where} {level} {finding.rule_id} {marker}{inert(finding.message)}"
        if finding.hint:
            line += f" [{inert(finding.hint)}]"
        lines.append(line)
        if finding.traceback:  # --show-tracebacks
            lines.extend(f"      {text}" for text in finding.traceback.splitlines())
        if finding.waiver is not None:
            waived = "waived" if finding.level == "waived" else "would be waived (--no-waivers)"
            lines.append(f"      {waived} {waiver_text(finding.waiver)}")
    if report.show_passes:
        for rule_id, status in result.outcomes.items():
            if status in ("pass", "skip"):
                note = f" ({result.notes[rule_id]})" if rule_id in result.notes else ""
                lines.append(f"  {_style(status.upper(), _COLORS[status], report.color)} {rule_id}{note}")
    if not shown:
        lines.append(f"  {_style('PASS', 'green', color)} no findings")
    return lines


def _fix_counts(findings, unsafe: bool) -> tuple[int, int]:
    """How many of `findings` `--fix` would fix (with `--unsafe-fixes` when `unsafe`), and how many more
    `--unsafe-fixes` would add to them."""
    now = more = 0
    for finding in findings:
        if fixable(finding, unsafe):
            now += 1
        elif not unsafe and fixable(finding, True):
            more += 1
    return now, more


def _fix_lines(report: Report, shown: list[int]) -> list[str]:
    """`[*] 3 fixable with --fix (1 more with --unsafe-fixes)`, when there is any: `shown` counts the report's
    findings; the baseline's hidden ones are counted too, as `--fix` fixes them."""
    hidden_now, hidden_more = _fix_counts(report.baseline.hidden, report.unsafe_fixes) if report.baseline else (0, 0)
    now, more = shown[0] + hidden_now, shown[1] + hidden_more
    if not now:
        return [f"no fixes available with --fix ({more} with --unsafe-fixes)"] if more else []
    line = f"[*] {now} fixable with {'--fix --unsafe-fixes' if report.unsafe_fixes else '--fix'}"
    if hidden_now:
        line += f", {hidden_now} of them hidden by the baseline"
    return [line + (f" ({more} more with --unsafe-fixes)" if more else "")]


def baseline_lines(report: Report) -> list[str]:
    """What the baseline did (the report's last line)."""
    return [inert(report.baseline.note())] if report.baseline else []


def hidden_lines(report: Report) -> list[str]:
    """Where the baseline hid findings, for the effective-policy statement."""
    if not (report.baseline and report.baseline.by_file):
        return []
    hidden = ", ".join(f"{path_text(file)} ({count})" for file, count in report.baseline.by_file)
    return [f"policy: the baseline {inert(report.baseline.file)} hid findings in {hidden}"]


def waiver_lines(waivers: list[tuple[str, object]]) -> list[str]:
    """The waivers in force, one line each: where, rule, scope, approver, authority, expiry, days left, why."""
    if not waivers:
        return ["waivers in force: none"]
    lines = [f"waivers in force: {len(waivers)}"]
    for file, waiver in waivers:
        scope = f" at {waiver.at}" if waiver.at else ""
        authority = f", authority {waiver.authority}" if waiver.authority else ""
        lines.append(
            f"  waiver {path_text(file)}:{waiver.line} {waiver.rule}{scope} approved by {waiver.approved_by}"
            f"{authority}, expires {waiver.expires} ({_plural(waiver.days_left, 'day')} left): {waiver.justification}"
        )
    return lines


def stream(report: Report):
    """The report one file at a time, then a blank line, the waivers in force, the effective policy,
    the summary, what `--fix` would fix and what the baseline did (last, where a reader and a script look)."""
    wrote = False
    waivers = []
    fixes = [0, 0]
    for result in report.results:
        waivers.extend((result.file, waiver) for waiver in live_waivers(result))
        now, more = _fix_counts(result.findings, report.unsafe_fixes)
        fixes[0] += now
        fixes[1] += more
        lines = _file_lines(result, report)
        if lines:
            wrote = True
            yield "\n".join(lines) + "\n"
    tail = [""] if wrote else []
    if report.policy is not None:
        tail.extend(waiver_lines(waivers))
        tail.extend(inert(line) for line in report.policy.lines())
        tail.extend(hidden_lines(report))
    tail.append(
        _style(summary_line(report), "red" if report.summary["files_failed"] else "green", report.color, bold=True)
    )
    tail.extend(_fix_lines(report, fixes))
    tail.extend(baseline_lines(report))
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
