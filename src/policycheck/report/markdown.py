"""Markdown: a summary table per proposal and family, the roll-ups, then the findings; fit for
`$GITHUB_STEP_SUMMARY` or a pull-request comment.

Everything a document or a file name says is literal text here: no HTML, no
link, no table break, no @mention. GitHub keeps at most 1 MiB of a step's
summary, so past `COMPACT_AFTER` files, or past `MAX_BYTES`, the summary is the
compact form (the table of files with something to fix, and the roll-ups), with a
note saying so. It reads the JSON report's records (`json_format.file_record`), so
`policycheck report STORED.json --format markdown` writes what the run wrote; the
records are read one file at a time, in passes, so memory stays flat.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from ..baseline import relative_path
from ..quoting import inert
from . import Report, json_format, review

_SPECIAL = re.compile(r"([\\`*_\[\]|#~])")
# GitHub's limit is 1 MiB a step; room is left for what other steps append
MAX_BYTES = 1_000_000
COMPACT_AFTER = 200
ROLLUP_ROWS = 30  # lines per roll-up table; the rest are summed up in one line


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


def _cell(value: Any) -> str:
    return _escape(str(value), code_spans=False) if value not in (None, "") else ""


def _code(text: str) -> str:
    """A path or id as a code span (paths with backticks or pipes fall back to escaped text)."""
    text = inert(text)
    return f"`{text}`" if "`" not in text and "|" not in text else _escape(text, code_spans=False)


class Run:
    """What the markdown reads: the run's record, its files' records (read again on each pass), and its options."""

    def __init__(
        self,
        run: Mapping[str, Any],
        files: Callable[[], Iterable[Mapping[str, Any]]],
        quiet: bool = False,
        policy_lines: Sequence[str] | None = None,
        baseline_note: str | None = None,
        comparison=None,
    ) -> None:
        self.run, self._files, self.quiet = run, files, quiet
        self.policy_lines, self.baseline_note = policy_lines, baseline_note
        self.marking = comparison.start() if comparison is not None else None
        rules = run.get("rules")
        self.rules: Mapping[str, Any] = rules if isinstance(rules, Mapping) else {}
        self.today = review.parse_date(run.get("today"))

    def files(self) -> Iterator[Mapping[str, Any]]:
        for record in self._files():
            if not isinstance(record, Mapping):
                continue
            yield self.marking.mark(dict(record)) if self.marking is not None else record

    def shown(self) -> Iterator[Mapping[str, Any]]:
        for record in self.files():
            if not self.quiet or any(finding.get("level") != "waived" for finding in review.findings_of(record)):
                yield record

    def family(self, rule_id: str) -> str | None:
        meta = self.rules.get(rule_id)
        family = meta.get("family") if isinstance(meta, Mapping) else None
        return family if isinstance(family, str) else None


def render(report: Report) -> str:
    """The run's summary: at most MAX_BYTES whatever the run."""
    run = {**json_format.run_record(report), "summary": report.summary}
    return render_run(
        Run(
            run,
            lambda: (json_format.file_record(result) for result in report.results),
            quiet=report.quiet,
            policy_lines=report.policy.lines() if report.policy is not None else None,
            baseline_note=report.baseline.note() if report.baseline is not None else None,
            comparison=report.compare,
        )
    )


def render_stored(
    stored: Mapping[str, Any],
    comparison=None,
    policy_lines: Sequence[str] | None = None,
    baseline_note: str | None = None,
) -> str:
    """A stored JSON report's summary (`policycheck report`), as the run that wrote it wrote it.

    `policy_lines` and `baseline_note` are the record's policy and baseline in the run's words.
    """
    files = stored.get("files")
    return render_run(
        Run(
            stored,
            lambda: files if isinstance(files, list) else [],
            policy_lines=policy_lines,
            baseline_note=baseline_note,
            comparison=comparison,
        )
    )


def render_run(run: Run) -> str:
    families = sorted(
        {
            family
            for record in run.files()
            for rule_id in (record.get("rules") if isinstance(record.get("rules"), Mapping) else {})
            if (family := run.family(rule_id)) is not None
        }
    )
    compared = run.marking is not None or any(record.get("change") for record in run.files())
    rollups = _rollups(run)  # also the pass that marks every file: the summary of the comparison follows it
    head = _head(run)
    tail = _tail(run)
    count = sum(1 for _ in run.shown())
    if count <= COMPACT_AFTER:
        full = head + list(_table(run, run.shown(), families, compared)) + [""] + rollups + _findings(run) + tail
        text = "\n".join(full) + "\n"
        if len(text.encode("utf-8")) <= MAX_BYTES:
            return text

    # the compact form: files with something to fix, no finding list, as many rows as fit
    def gating():
        return (record for record in run.shown() if review.status_of(record) in ("fail", "error", "warn"))

    budget = MAX_BYTES - len("\n".join(head + rollups + tail).encode("utf-8")) - 1000
    rows, size = [], 0
    for row in _table(run, gating(), families, compared):
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
    return "\n".join(head + [note, ""] + rows + [""] + rollups + tail) + "\n"


def _count(summary: Mapping[str, Any], key: str) -> int:
    value = summary.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _head(run: Run) -> list[str]:
    summary = run.run.get("summary")
    summary = summary if isinstance(summary, Mapping) else {}
    files = _count(summary, "files")
    info = _count(summary, "info")
    lines = [
        "## policycheck",
        "",
        f"**{files} {'file' if files == 1 else 'files'} checked: {_count(summary, 'files_failed')} failed, "
        f"{_count(summary, 'files_warned')} with warnings, {_count(summary, 'files_passed')} passed** "
        f"({_count(summary, 'fail')} fail, {_count(summary, 'warn')} warn, {_count(summary, 'waived')} waived"
        + (f", {info} info)" if info else ")"),
        "",
    ]
    baseline = run.run.get("baseline")
    if isinstance(baseline, Mapping):
        if run.baseline_note:
            lines.extend([_escape(run.baseline_note), ""])
        hidden = review.mappings(baseline.get("hidden_by_file"))
        if hidden:
            listed = ", ".join(
                f"{_code(relative_path(str(entry.get('file'))))} ({_count(entry, 'findings')})" for entry in hidden
            )
            lines.extend([f"Baseline hid findings in: {listed}", ""])
    since = run.marking.summary() if run.marking is not None else run.run.get("since_previous")
    if isinstance(since, Mapping):
        proposals, findings = (
            since.get(key) if isinstance(since.get(key), Mapping) else {} for key in ("proposals", "findings")
        )
        lines.extend(
            [
                f"**Since the last review** ({_code(str(since.get('previous') or '?'))}): proposals "
                + ", ".join(f"{_count(proposals, key)} {key}" for key in ("new", "changed", "unchanged", "removed"))
                + "; findings "
                + ", ".join(f"{_count(findings, key)} {key}" for key in ("new", "persisting", "resolved"))
                + " (resolved ones do not gate)",
                "",
            ]
        )
    return lines


def _family_cell(statuses: list[str], findings: list) -> str:
    counts = {
        level: sum(1 for finding in findings if finding.get("level") == level)
        for level in ("fail", "warn", "waived", "info")
    }
    errors = statuses.count("error")
    parts = ([f"{errors} error"] if errors else []) + [f"{count} {level}" for level, count in counts.items() if count]
    if parts:
        text = ", ".join(parts)
        return f"**{text}**" if errors or counts["fail"] else text
    return "skip" if statuses and all(status == "skip" for status in statuses) else "pass"


def _table(run: Run, shown: Iterable[Mapping[str, Any]], families: list[str], compared: bool) -> Iterator[str]:
    """The table's lines; none at all when no file is shown."""
    for index, record in enumerate(shown):
        row = review.row_of(index, record, run.today)
        if index == 0:
            since = ["Since last review"] if compared else []
            header = ["File", "Activity", "Partner", "Type", "Start", "Budget", "Classification", "Result", *since]
            yield "| " + " | ".join(header + [_cell(family) for family in families]) + " |"
            yield "|---" * (len(header) + len(families)) + "|"
        status = row.status
        cells = [
            _code(relative_path(str(record.get("file") or ""))),
            _cell(row.activity_id),
            _cell(", ".join(partner.country for partner in row.partners)),
            _cell(row.type),
            _cell(row.start),
            _cell(review.format_money(*row.budget) if row.budget else ""),
            _cell(row.banner),
            f"**{status}**" if status in ("fail", "error") else status,
            *([_cell(row.change or "")] if compared else []),
        ]
        outcomes = record.get("rules") if isinstance(record.get("rules"), Mapping) else {}
        findings = review.findings_of(record)
        for family in families:
            ids = {rule_id for rule_id in outcomes if run.family(rule_id) == family}
            statuses = [str(outcomes[rule_id]) for rule_id in sorted(ids)]
            cells.append(_family_cell(statuses, [finding for finding in findings if finding.get("rule") in ids]))
        yield "| " + " | ".join(cells) + " |"


def _money(totals: Mapping) -> str:
    return ", ".join(review.format_money(totals[currency], currency) for currency in sorted(totals)) or "—"


def _rollups(run: Run) -> list[str]:
    """By lead partner, by activity type, by rule: proposals, findings and the budget at risk (review.Portfolio)."""
    portfolio = review.Portfolio(run.rules)
    for index, record in enumerate(run.files()):
        portfolio.add(review.row_of(index, record, run.today), review.findings_of(record))
    if not portfolio.total.proposals:
        return []
    lines = [
        "### Roll-ups",
        "",
        "Budget at risk sums the budgets of proposals to return (any fail or error), per currency.",
        "",
    ]
    for title, first, groups in (
        ("By lead partner", "Partner", portfolio.groups(portfolio.by_partner)),
        ("By activity type", "Type", portfolio.groups(portfolio.by_type)),
    ):
        lines.extend([f"#### {title}", "", f"| {first} | Proposals | Failing | Findings | Budget | Budget at risk |"])
        lines.append("|---" * 6 + "|")
        for key, group in groups[:ROLLUP_ROWS]:
            name = f"{key} {portfolio.partner_names[key]}" if key in portfolio.partner_names else key
            failing = group.statuses["fail"] + group.statuses["error"]
            findings = group.levels["fail"] + group.levels["warn"]
            cells = [_cell(name), str(group.proposals), str(failing), str(findings)]
            lines.append("| " + " | ".join([*cells, _cell(_money(group.budget)), _cell(_money(group.at_risk))]) + " |")
        if len(groups) > ROLLUP_ROWS:
            lines.append(f"| *{len(groups) - ROLLUP_ROWS} more* | | | | | |")
        lines.append("")
    ranked = portfolio.rules_by_reach()
    if ranked:
        lines.extend(["#### By rule", "", "| Rule | Family | Title | Proposals | fail | warn | waived |"])
        lines.append("|---" * 7 + "|")
        for rule_id, tally in ranked[:ROLLUP_ROWS]:
            meta = run.rules.get(rule_id) if isinstance(run.rules.get(rule_id), Mapping) else {}
            levels = [str(tally.levels[level]) for level in ("fail", "warn", "waived")]
            cells = [_code(rule_id), _cell(portfolio.family(rule_id)), _cell(meta.get("title") or "")]
            lines.append("| " + " | ".join([*cells, str(tally.proposals), *levels]) + " |")
        if len(ranked) > ROLLUP_ROWS:
            lines.append(f"| *{len(ranked) - ROLLUP_ROWS} more rules* | | | | | | |")
    return lines if ranked else lines[:-1]  # what follows starts with its own blank line


def _waiver(waiver: Mapping[str, Any]) -> str:
    authority = f" (authority: {_escape(str(waiver['authority']))})" if waiver.get("authority") else ""
    return (
        f"until {_escape(str(waiver.get('expires') or '?'))} by {_escape(str(waiver.get('approved_by') or '?'))}"
        f"{authority}: {_escape(str(waiver.get('justification') or ''))}"
    )


def _findings(run: Run) -> list[str]:
    lines = []
    for record in run.shown():
        findings = review.findings_of(record)
        resolved = review.resolved_of(record)
        if not findings and not resolved:
            continue
        if not lines:
            lines.extend(["", "### Findings"])
        lines.extend(["", f"#### {_code(relative_path(str(record.get('file') or '')))}", ""])
        for finding in findings:
            level = str(finding.get("level") or "?")
            if run.quiet and level == "waived":
                continue
            change = f" *({_escape(str(finding['change']))})*" if finding.get("change") in ("new",) else ""
            item = (
                f"- **{_escape(level.upper())}** {_code(str(finding.get('rule') or '?'))} line "
                f"{_escape(str(finding.get('line')))}, column {_escape(str(finding.get('column')))}: "
                f"{_escape(str(finding.get('message') or ''))}{change}"
            )
            if finding.get("hint"):
                item += f" — *{_escape(str(finding['hint']))}*"
            waiver = finding.get("waiver")
            if isinstance(waiver, Mapping):
                waived = "waived" if level == "waived" else "would be waived (--no-waivers)"
                item += f"<br>{waived} {_waiver(waiver)}"
            lines.append(item)
            traceback = finding.get("traceback")
            if isinstance(traceback, str):  # --show-tracebacks: a fence longer than any run of backticks in it
                fence = "`" * max(3, 1 + max(map(len, re.findall("`+", traceback)), default=0))
                lines.extend(f"  {text}" for text in [fence + "text", *traceback.splitlines(), fence])
        for item in resolved:
            lines.append(
                f"- **RESOLVED** {_code(str(item.get('rule') or '?'))}: {_escape(str(item.get('message') or ''))}"
            )
    return lines


def _tail(run: Run) -> list[str]:
    """The waivers in force and the effective policy: never left out, whatever else is."""
    if run.policy_lines is None:
        return []
    waivers = [
        (str(record.get("file") or ""), waiver)
        for record in run.files()
        for waiver in review.waivers_of(record)
        if waiver.get("status") == "live"
    ]
    lines = ["", "### Waivers in force", ""]
    if waivers:
        lines.append("| File | Rule | Approved by | Authority | Justification | Expires | Days left |")
        lines.append("|---" * 7 + "|")
        for file, waiver in waivers:
            scope = f" at {_escape(str(waiver['at']), code_spans=False)}" if waiver.get("at") else ""
            cells = [
                _code(relative_path(file)),
                _code(str(waiver.get("rule") or "?")) + scope,
                _cell(waiver.get("approved_by")),
                _cell(waiver.get("authority")),
                _cell(waiver.get("justification")),
                _cell(waiver.get("expires")),
                _cell(str(waiver.get("days_left"))),
            ]
            lines.append("| " + " | ".join(cells) + " |")
    else:
        lines.append("None.")
    lines.extend(["", "### Effective policy", ""])
    lines.extend(f"- {_escape(line.removeprefix('policy: '))}" for line in run.policy_lines or ())
    return lines
