"""Markdown: a summary table per file and family, then the findings; fit for
`$GITHUB_STEP_SUMMARY` or a pull-request comment.

Everything a document or a file name says is literal text here: no HTML, no
link, no table break, no @mention. GitHub keeps at most 1 MiB of a step's
summary, so past `COMPACT_AFTER` files, or past `MAX_BYTES`, the summary is the
compact form (the table of files with something to fix), with a note saying so.
The results are read one file at a time, in passes, so memory stays flat.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from ..baseline import relative_path
from ..quoting import inert
from . import Report, live_waivers

_SPECIAL = re.compile(r"([\\`*_\[\]|#~])")
# GitHub's limit is 1 MiB a step; room is left for what other steps append
MAX_BYTES = 1_000_000
COMPACT_AFTER = 200


def _escape(text: str, code_spans: bool = True) -> str:
    """Plain text as literal markdown; backtick pairs in messages and hints stay code spans.

    Table cells pass `code_spans=False`: a `|` would end the cell even inside code.
    A pair is kept only when every span has text, so that markdown pairs the
    backticks as this does (`` `` `` would open a longer span and let HTML through).
    """
    text = inert(" ".join(text.split()))  # a newline would end a list item or a table row
    parts = text.split("`")
    if not code_spans or len(parts) % 2 == 0 or not all(parts[1::2]):  # or an unpaired backtick
        parts = [text]
    for index in range(0, len(parts), 2):
        plain = _SPECIAL.sub(r"\\\1", parts[index])
        plain = plain.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        parts[index] = plain.replace("@", "&#64;")  # no @mention from a document
    return "`".join(parts)


def _code(text: str) -> str:
    """A path or id as a code span (paths with backticks or pipes fall back to escaped text)."""
    text = inert(text)
    return f"`{text}`" if "`" not in text and "|" not in text else _escape(text, code_spans=False)


def _family_cell(statuses: list[str], findings: list) -> str:
    counts = {level: sum(1 for f in findings if f.level == level) for level in ("fail", "warn", "waived", "info")}
    errors = statuses.count("error")
    parts = ([f"{errors} error"] if errors else []) + [f"{count} {level}" for level, count in counts.items() if count]
    if parts:
        text = ", ".join(parts)
        return f"**{text}**" if errors or counts["fail"] else text
    return "skip" if statuses and all(status == "skip" for status in statuses) else "pass"


def render(report: Report) -> str:
    """At most MAX_BYTES whatever the run: the results are read a file at a time, never all held."""

    def shown():
        return (r for r in report.results if not report.quiet or any(f.level != "waived" for f in r.findings))

    families = sorted(
        {report.rules[rule_id].family for r in report.results for rule_id in r.outcomes if rule_id in report.rules}
    )
    head = _head(report)
    tail = _tail(report)
    count = sum(1 for _ in shown())
    if count <= COMPACT_AFTER:
        full = head + list(_table(report, shown(), families)) + _findings(report, shown()) + tail
        text = "\n".join(full) + "\n"
        if len(text.encode("utf-8")) <= MAX_BYTES:
            return text

    # the compact form: files with something to fix, no finding list, as many rows as fit
    def gating():
        return (result for result in shown() if result.status in ("fail", "error", "warn"))

    budget = MAX_BYTES - len("\n".join(head + tail).encode("utf-8")) - 1000
    rows, size = [], 0
    for row in _table(report, gating(), families):
        size += len(row.encode("utf-8")) + 1
        if size > budget:
            break
        rows.append(row)
    listed = max(len(rows) - 2, 0)
    left = sum(1 for _ in gating()) - listed
    note = (
        f"*Compact summary: {count} files are more than a step summary holds (GitHub keeps 1 MiB); only files"
        " with failures or warnings are listed, and the findings are in the text report and SARIF."
    )
    note += f" {left} more files with findings are not listed.*" if left else "*"
    return "\n".join(head + [note, ""] + rows + tail) + "\n"


def _head(report: Report) -> list[str]:
    summary = report.summary
    lines = [
        "## policycheck",
        "",
        f"**{summary['files']} {'file' if summary['files'] == 1 else 'files'} checked: {summary['files_failed']} "
        "failed, "
        f"{summary['files_warned']} with warnings, {summary['files_passed']} passed** "
        f"({summary['fail']} fail, {summary['warn']} warn, {summary['waived']} waived"
        + (f", {summary['info']} info)" if summary.get("info") else ")"),
        "",
    ]
    if report.baseline:
        lines.extend([_escape(report.baseline.note()), ""])
        if report.baseline.by_file:
            hidden = ", ".join(f"{_code(relative_path(file))} ({count})" for file, count in report.baseline.by_file)
            lines.extend([f"Baseline hid findings in: {hidden}", ""])
    return lines


def _table(report: Report, shown: Iterable, families: list[str]) -> Iterator[str]:
    """The table's lines; none at all when no file is shown."""
    for index, result in enumerate(shown):
        if index == 0:
            yield "| File | Activity | Classification | Result | " + " | ".join(families) + " |"
            yield "|---" * (4 + len(families)) + "|"
        cells = [
            _code(relative_path(result.file)),
            _escape(result.activity_id or "", code_spans=False),
            _escape(result.banner or "", code_spans=False),
            f"**{result.status}**" if result.status in ("fail", "error") else result.status,
        ]
        for family in families:
            ids = {
                rule_id
                for rule_id in result.outcomes
                if rule_id in report.rules and report.rules[rule_id].family == family
            }
            statuses = [result.outcomes[rule_id] for rule_id in sorted(ids)]
            cells.append(_family_cell(statuses, [f for f in result.findings if f.rule_id in ids]))
        yield "| " + " | ".join(cells) + " |"


def _waiver(waiver) -> str:
    authority = f" (authority: {_escape(waiver.authority)})" if waiver.authority else ""
    return (
        f"until {_escape(waiver.expires)} by {_escape(waiver.approved_by)}{authority}: {_escape(waiver.justification)}"
    )


def _findings(report: Report, shown: Iterable) -> list[str]:
    lines = []
    for result in (result for result in shown if result.findings):
        if not lines:
            lines.extend(["", "### Findings"])
        lines.extend(["", f"#### {_code(relative_path(result.file))}", ""])
        for finding in result.findings:
            if report.quiet and finding.level == "waived":
                continue
            item = (
                f"- **{finding.level.upper()}** {_code(finding.rule_id)} line {finding.line}, column "
                f"{finding.column}: {_escape(finding.message)}"
            )
            if finding.hint:
                item += f" — *{_escape(finding.hint)}*"
            if finding.waiver is not None:
                waived = "waived" if finding.level == "waived" else "would be waived (--no-waivers)"
                item += f"<br>{waived} {_waiver(finding.waiver)}"
            lines.append(item)
            if finding.traceback:  # --show-tracebacks: a fence longer than any run of backticks in it
                fence = "`" * max(3, 1 + max(map(len, re.findall("`+", finding.traceback)), default=0))
                lines.extend(f"  {text}" for text in [fence + "text", *finding.traceback.splitlines(), fence])
    return lines


def _tail(report: Report) -> list[str]:
    """The waivers in force and the effective policy: never left out, whatever else is."""
    if report.policy is None:
        return []
    waivers = [(result.file, waiver) for result in report.results for waiver in live_waivers(result)]
    lines = ["", "### Waivers in force", ""]
    if waivers:
        lines.append("| File | Rule | Approved by | Authority | Justification | Expires | Days left |")
        lines.append("|---" * 7 + "|")
        for file, waiver in waivers:
            scope = f" at {_escape(waiver.at, code_spans=False)}" if waiver.at else ""
            cells = [
                _code(relative_path(file)),
                _code(waiver.rule) + scope,
                _escape(waiver.approved_by, code_spans=False),
                _escape(waiver.authority or "", code_spans=False),
                _escape(waiver.justification, code_spans=False),
                _escape(waiver.expires, code_spans=False),
                str(waiver.days_left),
            ]
            lines.append("| " + " | ".join(cells) + " |")
    else:
        lines.append("None.")
    lines.extend(["", "### Effective policy", ""])
    lines.extend(f"- {_escape(line.removeprefix('policy: '))}" for line in report.policy.lines())
    return lines
