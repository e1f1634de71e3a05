"""Markdown: a summary table per file and family, then the findings; fit for
`$GITHUB_STEP_SUMMARY` or a pull-request comment.

Streamed line by line (`stream`), reading the results one file at a time in three
passes (the families, the table, the findings): memory stays flat however many
files there are.
"""

from __future__ import annotations

import re

from ..baseline import relative_path
from . import Report

_SPECIAL = re.compile(r"([\\`*_\[\]|#~])")


def _escape(text: str, code_spans: bool = True) -> str:
    """Plain text as literal markdown; backtick pairs in messages and hints stay code spans.

    Table cells pass `code_spans=False`: a `|` would end the cell even inside code.
    """
    text = " ".join(text.split())  # a newline would end a list item or a table row
    parts = text.split("`")
    if not code_spans or len(parts) % 2 == 0:  # or an unpaired backtick
        parts = [text]
    for index in range(0, len(parts), 2):
        plain = _SPECIAL.sub(r"\\\1", parts[index])
        parts[index] = plain.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return "`".join(parts)


def _code(text: str) -> str:
    """A path or id as a code span (paths with backticks or pipes fall back to escaped text)."""
    return f"`{text}`" if "`" not in text and "|" not in text else _escape(text, code_spans=False)


def _family_cell(statuses: list[str], findings: list) -> str:
    counts = {level: sum(1 for f in findings if f.level == level) for level in ("fail", "warn", "waived")}
    errors = statuses.count("error")
    parts = ([f"{errors} error"] if errors else []) + [f"{count} {level}" for level, count in counts.items() if count]
    if parts:
        text = ", ".join(parts)
        return f"**{text}**" if errors or counts["fail"] else text
    return "skip" if statuses and all(status == "skip" for status in statuses) else "pass"


def stream(report: Report):
    """The report line by line: the families (a first pass), the table, then the findings, one file at a time."""
    families = sorted(
        {
            report.rules[rule_id].family
            for result in report.results
            for rule_id in result.outcomes
            if rule_id in report.rules
        }
    )
    summary = report.summary
    lines = [
        "## policycheck",
        "",
        f"**{summary['files']} {'file' if summary['files'] == 1 else 'files'} checked: {summary['files_failed']} "
        "failed, "
        f"{summary['files_warned']} with warnings, {summary['files_passed']} passed** "
        f"({summary['fail']} fail, {summary['warn']} warn, {summary['waived']} waived)",
        "",
    ]
    lines.extend(f"{_escape(note)}\n" for note in ((report.baseline.note(),) if report.baseline else ()))
    yield from (line + "\n" for line in lines)

    def shown():
        return (
            result for result in report.results if not report.quiet or any(f.level != "waived" for f in result.findings)
        )

    for index, result in enumerate(shown()):
        if index == 0:
            yield "| File | Activity | Classification | Result | " + " | ".join(families) + " |\n"
            yield "|---" * (4 + len(families)) + "|\n"
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
        yield "| " + " | ".join(cells) + " |\n"
    with_findings = (result for result in shown() if result.findings)
    for index, result in enumerate(with_findings):
        if index == 0:
            yield "\n### Findings\n"
        yield f"\n#### {_code(relative_path(result.file))}\n\n"
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
                waiver = finding.waiver
                item += (
                    f"<br>waived until {_escape(waiver.expires)} by {_escape(waiver.approved_by)}: "
                    f"{_escape(waiver.justification)}"
                )
            yield item + "\n"


def render(report: Report) -> str:
    return "".join(stream(report))
