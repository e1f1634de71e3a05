"""The reviewer's HTML report (`--format html`): one self-contained page to decide from (issue 19).

The page holds its own banner (top and bottom), the decision queue, roll-ups, charts, the
waiver register and a section per proposal. It fetches nothing (no script, font or
image) and states so in its Content-Security-Policy; the stylesheet is allowed by its
hash, so the page has no `style` attribute anywhere. Everything a document supplies
goes through `htmltext`.

`stream(run, files)` reads `files[i]` one at a time: once to build a small `Row` per
file and the roll-ups, then again when it writes that file's section (and once per
waiver for the register), so memory grows with the rows, never with the findings.
"""

from __future__ import annotations

import base64
import hashlib
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from . import json_format, review
from .charts import Chart, Series, heat_map, stacked_bars, timeline
from .htmltext import plain, text
from ..ordered import Ordered
from .review import Row

# Past this many proposals each one's section is folded into a <details> (its summary line
# stays visible, and a link from the queue opens it): a 10,000-section page that is all
# open takes a browser seconds to lay out and is read through the queue anyway.
COLLAPSE_AFTER = 200
HEAT_PARTNERS = 30  # heat-map columns; the rest are summed as one
BUDGET_PARTNERS = 20  # bars per budget chart; the rest are summed as one
TIMELINE_MONTHS = 48  # a longer span of starts is drawn by year
TABLE_ROWS = 100  # rows per table of a long list (see _chunked)
CONTEXT_LINES = 12  # source lines shown around a finding, at most
SECTION_TEXT = 4000  # characters of any one document value a section quotes
OTHERS = "other partners"

STATUS_SERIES = (
    Series("error", "error", "#CC79A7"),
    Series("fail", "fail", "#D55E00"),
    Series("warn", "warn", "#E69F00"),
    Series("waived", "waived", "#56B4E9"),
    Series("pass", "pass", "#009E73"),
)
VETTING_SERIES = (
    Series("required-complete", "vetting complete", "#009E73"),
    Series("required-pending", "vetting pending", "#E69F00"),
    Series("not-required", "vetting not required", "#56B4E9"),
    Series("unknown", "vetting not stated", "#BBBBBB"),
)
VETTING_TEXT = {series.key: series.label for series in VETTING_SERIES}
# the classification's colour: a banner's fill on screen, its ink in print
BANNER_COLOURS = {
    "UNCLASSIFIED": ("#007a33", "#ffffff", "#007a33"),
    "CUI": ("#502b85", "#ffffff", "#502b85"),
    "CONFIDENTIAL": ("#0033a0", "#ffffff", "#0033a0"),
    "SECRET": ("#c8102e", "#ffffff", "#c8102e"),
    "TOP SECRET": ("#ff8c00", "#000000", "#a85a00"),
}

CSS = """
:root{--ink:#1d1d1f;--muted:#5f6368;--line:#d9dce1;--soft:#f5f6f8;--link:#0b57d0}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;color:var(--ink);background:#fff;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,
"Helvetica Neue",Arial,sans-serif}
main{max-width:1320px;margin:0 auto;padding:8px 24px 32px}
a{color:var(--link)}
h1{font-size:24px;margin:18px 0 4px}
h2{font-size:19px;margin:32px 0 10px;padding-bottom:4px;border-bottom:2px solid var(--line)}
h3{font-size:16px;margin:22px 0 8px}
h4{font-size:14px;margin:14px 0 6px}
code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:12.5px}
.banner{position:sticky;z-index:5;text-align:center;font-weight:700;letter-spacing:.06em;padding:3px 8px;
font-size:13px;line-height:18px}
header.banner{top:0}
footer.banner{bottom:0}
.muted,.meta{color:var(--muted)}
.note{background:#fff8e1;border-left:4px solid #e6a700;padding:6px 10px;margin:10px 0}
nav ul{list-style:none;padding:0;margin:10px 0;display:flex;flex-wrap:wrap;gap:4px 18px}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(210px,1fr));gap:10px;margin:12px 0}
.card{border:1px solid var(--line);border-radius:6px;padding:10px 12px}
.card h3{margin:0 0 4px;font-size:13px;color:var(--muted);font-weight:600}
.card .big{font-size:22px;font-weight:700}
.card ul{margin:0;padding:0;list-style:none}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;margin:6px 0 12px}
th,td{border-bottom:1px solid var(--line);padding:5px 7px;text-align:left;vertical-align:top;unicode-bidi:isolate}
th{background:var(--soft);font-weight:600}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tbody tr:nth-child(even){background:#fafbfc}
table.queue{table-layout:fixed}
.queue th{position:sticky;top:24px;z-index:1;box-shadow:0 1px 0 var(--line)}
.queue td{font-size:12.5px;overflow-wrap:break-word}
.c-rank{width:3.5%}.c-proposal{width:19%}.c-partner{width:10%}.c-type{width:9%}.c-budget{width:9.5%}
.c-start{width:8%}.c-banner{width:10%}.c-status{width:6%}.c-top{width:16%}.c-decision{width:9%}
.queue .badge{white-space:normal}
.rows{content-visibility:auto;contain-intrinsic-size:auto 8000px}
table.waivers{table-layout:fixed}
table.waivers td{overflow-wrap:break-word}
.w-proposal{width:13%}.w-rule{width:7%}.w-by{width:18%}.w-authority{width:14%}.w-why{width:30%}.w-expires{width:9%}
.w-left{width:9%}
.queue .title{display:block;color:var(--muted)}
.queue .file{display:block;color:var(--muted);font-size:11.5px;word-break:break-all}
.nowrap{white-space:nowrap}
.badge{display:inline-block;padding:0 7px;border-radius:10px;font-size:12px;font-weight:600;white-space:nowrap;
border:1px solid transparent}
.s-error{background:#f6dcec;border-color:#cc79a7}
.s-fail{background:#fbe1d3;border-color:#d55e00}
.s-warn{background:#fdf0d2;border-color:#e69f00}
.s-waived{background:#dff0fb;border-color:#56b4e9}
.s-pass{background:#d8f1e7;border-color:#009e73}
.d-return{background:#fbe1d3;border-color:#d55e00}
.d-conditions{background:#fdf0d2;border-color:#e69f00}
.d-approve{background:#d8f1e7;border-color:#009e73}
.c-new{background:#e3ecfd;border-color:#0b57d0}
.c-changed{background:#fdf0d2;border-color:#e69f00}
.c-unchanged,.c-persisting{background:#f5f6f8;border-color:#bbbbbb}
.c-resolved{background:#d8f1e7;border-color:#009e73}
.suggested{font-size:11px;color:var(--muted);display:block}
.pbanner{font-weight:700;font-size:12px;letter-spacing:.04em}
.ctl{border:1px solid #b00;border-radius:3px;padding:0 2px;color:#b00;font-family:ui-monospace,monospace;
font-size:.85em}
figure{margin:14px 0 22px}
figcaption{font-weight:600;margin-bottom:6px}
svg.chart{max-width:100%;height:auto;font-family:inherit;display:block}
details.fallback summary{cursor:pointer;color:var(--link);margin:4px 0}
.proposal{border-top:2px solid var(--line);margin-top:26px;padding-top:4px;content-visibility:auto;
contain-intrinsic-size:auto 600px}
details.proposal>summary{cursor:pointer;font-weight:600;padding:6px 0}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:8px 0}
dl.facts dt{color:var(--muted)}
dl.facts dd{margin:0}
ol.findings{padding-left:22px}
li.finding{margin:0 0 14px}
.finding .where{color:var(--muted);font-size:12px}
.finding p{margin:3px 0}
.hint{color:#34495e}
.waived-by{color:#1f5f8b}
pre.source{background:var(--soft);border:1px solid var(--line);border-radius:4px;padding:6px 0;margin:6px 0;
overflow-x:auto;line-height:1.35}
pre.source .line{display:block;padding:0 10px 0 0;white-space:pre}
pre.source .hit{background:#fdf0d2}
pre.source .ln{display:inline-block;min-width:4.5em;padding-right:10px;text-align:right;color:var(--muted);
user-select:none}
tr.expired td{background:#fbe1d3}
tr.within-30 td{background:#fde8d8}
tr.within-60 td{background:#fdf0d2}
tr.within-90 td{background:#fff8e1}
.back{font-size:12px}
@media print{
body{font-size:9.5pt;color:#000}
main{max-width:none;padding:0}
nav,.back,details.fallback>summary,.screen-only{display:none}
.banner{position:static;background:#fff!important;border:1.5pt solid currentColor;margin:0 0 6pt}
th{position:static}
a{color:inherit;text-decoration:none}
h2{break-after:avoid}
.proposal,.rows{content-visibility:visible}
.proposal{break-before:page;border-top:0}
#proposals>h2{break-before:page}
#proposals>.proposal:first-of-type{break-before:avoid}
#queue{page:wide}
.scroll{overflow:visible}
.queue td.num{white-space:normal}
tr,figure,li.finding,.card{break-inside:avoid}
thead{display:table-header-group}
details::details-content{content-visibility:visible;display:block}
details>summary{list-style:none}
table,.queue td{font-size:8pt}
pre.source{white-space:pre-wrap}
pre.source .line{white-space:pre-wrap}
}
"""


def _css_string(value: str) -> str:
    """A CSS string literal that no document text can end early."""
    return '"' + "".join(c if c.isalnum() or c in " ,/-" else f"\\{ord(c):06x}" for c in value) + '"'


def stylesheet(banner: review.PortfolioBanner) -> str:
    """The page's CSS: the shared rules, the banner's colours, and the banner repeated on every printed page."""
    fill, ink, print_ink = BANNER_COLOURS[banner.classification]
    label = _css_string(banner.text)
    return (
        CSS
        + f".banner{{background:{fill};color:{ink}}}\n"
        + f"@media print{{.banner{{color:{print_ink}}}}}\n"
        + "@page wide{size:landscape}\n"
        + "@page{margin:16mm 13mm 16mm;"
        + f"@top-center{{content:{label};color:{print_ink};font:700 9pt system-ui,sans-serif;letter-spacing:.06em}}"
        + f"@bottom-center{{content:{label};color:{print_ink};font:700 9pt system-ui,sans-serif;letter-spacing:.06em}}"
        + '@bottom-right{content:counter(page) " / " counter(pages);font:8pt system-ui,sans-serif;color:#555}}\n'
    )


def content_security_policy(css: str) -> str:
    digest = base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode("ascii")
    return f"default-src 'none'; style-src 'sha256-{digest}'; img-src data:; base-uri 'none'; form-action 'none'"


# --- pieces of the page ------------------------------------------------------------


def _plural(count: int, word: str, words: str | None = None) -> str:
    return f"{count} {word if count == 1 else words or word + 's'}"


def _badge(status: str) -> str:
    return f'<span class="badge s-{plain(status)}">{text(status)}</span>'


_DECISION_CLASS = {review.RETURN: "d-return", review.CONDITIONS: "d-conditions", review.APPROVE: "d-approve"}


def _change(change: str | None) -> str:
    """A since-the-last-review badge (--compare), or nothing."""
    if change is None:
        return ""
    return f' <span class="badge c-{plain(change)}" title="since the last review">{text(change)}</span>'


def _decision(decision: str) -> str:
    return f'<span class="badge {_DECISION_CLASS[decision]}">{text(decision)}</span>'


def _days(days: int | None) -> str:
    if days is None:
        return ""
    if days == 0:
        return "today"
    return f"in {_plural(days, 'day')}" if days > 0 else f"{_plural(-days, 'day')} ago"


def _money(totals: Mapping[str, Decimal]) -> str:
    """Amounts per currency, one a line: never summed across currencies."""
    if not totals:
        return "—"
    return "<br>".join(text(review.format_money(totals[currency], currency)) for currency in sorted(totals))


def _banner(value: str | None) -> str:
    """A banner that may wrap after its slashes rather than inside a word."""
    return "/<wbr>".join(text(part) for part in (value or "—").split("/"))


def _partner(partner: review.Partner) -> str:
    label = text(partner.country) + (f" {text(partner.name)}" if partner.name else "")
    if partner.category:
        label += f' <span class="muted">({text(partner.category)})</span>'
    return label


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], numeric: Sequence[int] = (), cls: str = "") -> str:
    """A table of already-escaped cells; `numeric` columns are right-aligned."""
    head = "".join(
        f'<th scope="col"{" class=num" if i in numeric else ""}>{cell}</th>' for i, cell in enumerate(header)
    )
    body = "".join(
        "<tr>"
        + "".join(f"<td{' class=num' if i in numeric else ''}>{cell}</td>" for i, cell in enumerate(row))
        + "</tr>"
        for row in rows
    )
    table = f'<table class="{cls}">' if cls else "<table>"
    return f'<div class="scroll">{table}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


def _figure(chart: Chart, caption: str) -> str:
    header = [text(cell) for cell in chart.header]
    rows = [[text(cell) for cell in row] for row in chart.rows]
    numeric = range(1, len(header))
    return (
        f"<figure><figcaption>{text(caption)}</figcaption>{chart.svg}"
        f'<details class="fallback"><summary>The chart as a table</summary>{_table(header, rows, numeric)}</details>'
        "</figure>"
    )


def _chunked(opening: str, rows: Iterable[str]) -> Iterator[str]:
    """A long table as tables of TABLE_ROWS rows, each with the same `opening` (colgroup and head).

    A browser lays out one table of 10,000 rows before it shows any (20 s in a CI browser);
    each of these is laid out when scrolled to (`content-visibility: auto`), and a fixed
    layout keeps their columns aligned.
    """
    count = 0
    for row in rows:
        if count % TABLE_ROWS == 0:
            yield ("</tbody></table></div>\n" if count else "") + f'<div class="rows">{opening}<tbody>\n'
        yield row
        count += 1
    if count:
        yield "</tbody></table></div>\n"


def _record(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _quote(value: Any, limit: int = SECTION_TEXT) -> str:
    return text(review.shorten(str(value), limit))


# --- the page ----------------------------------------------------------------------


def stream(run: Mapping[str, Any], files: Sequence[Mapping[str, Any]], comparison=None) -> Iterator[str]:
    """The report in pieces; `files[i]` may be decoded on each access, and is never kept.

    `comparison` (a `compare.Comparison`, from --compare) marks each record as it is read;
    without one, the marks a stored record carries (and its run's `since_previous`) are shown.
    """
    run = _record(run)
    marking = comparison.start() if comparison is not None else None
    files = _Marked(files, marking) if marking is not None else files
    today = review.parse_date(run.get("today"))
    rules = run.get("rules") if isinstance(run.get("rules"), Mapping) else {}
    portfolio = review.Portfolio(rules)
    banners = review.BannerRollup(_tetragraphs())
    shared: dict = {}
    # in priority order, and past a few thousand files in a scratch file: a row a file (~0.6 KB) is what grew
    rows = Ordered(Row.sort_key)
    waiver_keys = Ordered(lambda key: key)
    for index in range(len(files)):
        record = _record(files[index])
        row = review.row_of(index, record, today, lambda value: shared.setdefault(value, value))
        portfolio.add(row, review.findings_of(record))
        banners.add(row.marking)
        for position, waiver in enumerate(review.waivers_of(record)):
            days = review.waiver_days_left(waiver, today)
            waiver_keys.append(
                (days is None, days or 0, row.activity_id or row.file, str(waiver.get("rule")), index, position)
            )
        rows.append(row)
    if marking is not None:
        run = {**run, "since_previous": marking.summary()}
    banner = banners.result()
    collapsed = len(rows) > COLLAPSE_AFTER

    yield from _head(banner, len(rows))
    yield from _introduction(run, banner, rows, portfolio, today)
    yield from _since(run, rows)
    yield from _queue(rows)
    yield from _rollups(portfolio, rules)
    yield from _charts(portfolio, today)
    yield from _waiver_register(files, waiver_keys)
    yield '<section id="proposals"><h2>Proposals</h2>'
    if collapsed:
        yield (
            f'<p class="note screen-only">{len(rows)} proposals, more than {COLLAPSE_AFTER}: each section is folded. '
            "Open one from its line below or from its link in the queue; printing prints them all.</p>"
        )
    for row in rows:
        yield _proposal(row, _record(files[row.index]), rules, today, collapsed)
    yield "</section></main>"
    yield f'<footer class="banner" role="contentinfo">{text(banner.text)}</footer></body></html>\n'


def render(run: Mapping[str, Any], files: Sequence[Mapping[str, Any]], comparison=None) -> str:
    return "".join(stream(run, files, comparison))


def _tetragraphs() -> Mapping[str, Sequence[str]]:
    from ..reference import Reference

    return Reference().tetragraphs


def _head(banner: review.PortfolioBanner, count: int) -> Iterator[str]:
    css = stylesheet(banner)
    yield (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{content_security_policy(css)}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{text(banner.text)} — policycheck review of {_plural(count, 'proposal')}</title>\n"
        '<link rel="icon" href="data:,">\n'
        f"<style>{css}</style>\n</head>\n<body>\n"
        f'<header class="banner" role="banner">{text(banner.text)}</header>\n<main>\n'
    )


def _introduction(
    run: Mapping[str, Any],
    banner: review.PortfolioBanner,
    rows: Ordered,
    portfolio: review.Portfolio,
    today: date | None,
) -> Iterator[str]:
    tool = _record(run.get("tool"))
    facts = [f"{text(tool.get('name') or 'policycheck')} {text(tool.get('version') or '')}".strip()]
    facts.append(f"review date {text(today.isoformat())}" if today else "no review date recorded")
    if run.get("fail_on") in ("fail", "warn"):
        facts.append(f"gating on {text(run['fail_on'])}")
    yield f"<h1>Proposal review: {_plural(len(rows), 'proposal')}</h1>\n"
    yield f'<p class="meta">{" · ".join(facts)}</p>\n'
    if banner.unmarked:
        yield (
            f'<p class="note">{_plural(banner.unmarked, "file carries", "files carry")} no classification marking '
            "that this report can read; its banner does not account for them. Review them before release.</p>\n"
        )
    if today is None:
        yield '<p class="note">The record gives no review date: days to start and days left are not shown.</p>\n'
    baseline = _record(run.get("baseline"))
    if baseline.get("file") is not None and not baseline.get("written"):
        yield (
            f'<p class="note">Baseline {text(baseline["file"])}: the '
            f"{_plural(int(baseline.get('matched') or 0), 'finding')} it records are left out of this report.</p>\n"
        )
    yield (
        '<nav aria-label="Sections"><ul>'
        + ('<li><a href="#since">Since the last review</a></li>' if run.get("since_previous") else "")
        + '<li><a href="#queue">Decision queue</a></li><li><a href="#rollups">Roll-ups</a>'
        '</li><li><a href="#charts">Charts</a></li><li><a href="#waivers">Waiver register</a></li>'
        '<li><a href="#proposals">Proposals</a></li></ul></nav>\n'
    )
    total = portfolio.total
    decisions = "".join(
        f"<li>{_decision(decision)} {portfolio.decisions[decision]}</li>" for decision in review.DECISIONS
    )
    statuses = ", ".join(f"{total.statuses[status]} {status}" for status in review.SEVERITY if total.statuses[status])
    findings = ", ".join(f"{total.levels[level]} {level}" for level in ("fail", "warn", "waived"))
    yield (
        '<section id="overview" aria-label="Overview"><div class="cards">'
        f'<div class="card"><h3>Proposals</h3><div class="big">{len(rows)}</div>{text(statuses)}</div>'
        f'<div class="card"><h3>Suggested decisions</h3><ul>{decisions}</ul></div>'
        f'<div class="card"><h3>Findings</h3><div class="big">{sum(total.levels.values())}</div>{text(findings)}</div>'
        f'<div class="card"><h3>Budget</h3>{_money(total.budget)}</div>'
        f'<div class="card"><h3>Budget at risk</h3>{_money(total.at_risk)}'
        '<div class="muted">the budgets of proposals to return</div></div>'
        "</div></section>\n"
    )


def _since(run: Mapping[str, Any], rows: Ordered) -> Iterator[str]:
    """What changed since the previous report (--compare): counts, the new and changed proposals, the removed ones."""
    since = _record(run.get("since_previous"))
    if not since:
        return
    proposals, findings = _record(since.get("proposals")), _record(since.get("findings"))

    def count(counts: Mapping[str, Any], key: str) -> str:
        value = counts.get(key)
        return f"{value if isinstance(value, int) and not isinstance(value, bool) else 0} {key}"

    yield (
        f'<section id="since"><h2>Since the last review</h2><p>Compared with <span class="mono">'
        f"{_quote(since.get('previous') or '?', 600)}</span>: proposals "
        + text(", ".join(count(proposals, key) for key in ("new", "changed", "unchanged", "removed")))
        + "; findings "
        + text(", ".join(count(findings, key) for key in ("new", "persisting", "resolved")))
        + ". Resolved findings are named in each proposal's section; they do not gate.</p>"
    )
    moved = ("new", "changed")
    if any(row.change in moved for row in rows):  # a pass to ask, another to list: the rows are not held
        yield from _chunked(
            '<table><thead><tr><th scope="col">Proposal</th><th scope="col">Since the last review</th>'
            '<th scope="col">Status</th></tr></thead>',
            (
                f'<tr><td><a href="#p-{row.index}">{text(row.activity_id or row.file)}</a></td>'
                f"<td>{_change(row.change)}</td><td>{_badge(row.status)}</td></tr>\n"
                for row in rows
                if row.change in moved
            ),
        )
    removed = review.mappings(since.get("removed"))
    if removed:
        yield f"<h3>{_plural(len(removed), 'proposal')} no longer in the review</h3>"
        yield from _chunked(
            '<table><thead><tr><th scope="col">File</th><th scope="col">Activity</th>'
            '<th scope="col" class="num">Findings it had</th></tr></thead>',
            (
                f'<tr><td class="mono">{_quote(entry.get("file") or "?", 600)}</td>'
                f"<td>{_quote(entry.get('activity_id') or '—', 300)}</td>"
                f'<td class="num">{text(str(entry.get("findings") or 0))}</td></tr>\n'
                for entry in removed
            ),
        )
    yield "</section>\n"


def _queue(rows: Ordered) -> Iterator[str]:
    yield (
        '<section id="queue"><h2>Decision queue</h2>'
        '<p class="muted">Worst status first, then the soonest start. The decision column is <em>suggested</em> from '
        "the findings: return on any fail or error, approve with conditions on warnings or live waivers, approve "
        "otherwise. The decision is the reviewer's.</p>"
    )
    if not rows:
        yield "<p>No proposals.</p>"
    yield from _chunked(
        '<table class="queue"><colgroup><col class="c-rank"><col class="c-proposal"><col class="c-partner">'
        '<col class="c-type"><col class="c-budget"><col class="c-start"><col class="c-banner"><col class="c-status">'
        '<col class="c-top"><col class="c-decision"></colgroup><thead><tr><th scope="col" class="num">#</th>'
        '<th scope="col">Proposal</th><th scope="col">Partner</th><th scope="col">Type, authority</th>'
        '<th scope="col" class="num">Budget</th><th scope="col">Start</th><th scope="col">Banner</th>'
        '<th scope="col">Status</th><th scope="col">Top blocking finding</th><th scope="col">Suggested decision</th>'
        "</tr></thead>",
        map(_queue_row, range(1, len(rows) + 1), rows),
    )
    yield "</section>\n"


def _queue_row(rank: int, row: Row) -> str:
    anchor = f"p-{row.index}"
    name = text(row.activity_id or row.file)
    title = f'<span class="title">{text(row.title)}</span>' if row.title else ""
    partners = "<br>".join(_partner(partner) for partner in row.partners) or "—"
    budget = text(review.format_money(*row.budget)) if row.budget else "—"
    start = (
        f'<span class="nowrap">{text(row.start)}</span><br><span class="muted">{_days(row.days_to_start)}</span>'
        if row.start
        else "—"
    )
    top = (
        f'<a href="#{anchor}-f{row.top[0]}"><code>{text(row.top[1])}</code></a> {text(row.top[3])}' if row.top else "—"
    )
    return (
        f'<tr><td class="num">{rank}</td><td><a href="#{anchor}">{name}</a>{title}'
        f'<span class="file">{text(row.file)}</span></td><td>{partners}</td><td>{text(row.type or "—")}'
        f'<span class="title">{text(row.authority or "")}</span></td><td class="num">{budget}</td><td>{start}</td>'
        f'<td class="pbanner">{_banner(row.banner)}</td><td>{_badge(row.status)}{_change(row.change)}</td>'
        f"<td>{top}</td>"
        f'<td>{_decision(row.decision)}<span class="suggested">suggested</span></td></tr>\n'
    )


def _group_table(first: str, groups: Sequence[tuple[str, review.Group]], names: Mapping[str, str]) -> str:
    header = [first, "Proposals", *review.SEVERITY, "Findings", "Budget", "Budget at risk"]
    rows = []
    for key, group in groups:
        label = text(key) + (f" {text(names[key])}" if key in names else "")
        counts = [str(group.statuses[status]) for status in review.SEVERITY]
        findings = str(sum(group.levels[level] for level in ("fail", "warn")))
        rows.append([label, str(group.proposals), *counts, findings, _money(group.budget), _money(group.at_risk)])
    return _table(header, rows, numeric=range(1, len(header)))


def _rollups(portfolio: review.Portfolio, rules: Mapping[str, Any]) -> Iterator[str]:
    yield (
        '<section id="rollups"><h2>Roll-ups</h2><p class="muted">Proposals by status; findings counts fail and warn; '
        "budget at risk sums the budgets of proposals to return, per currency (never converted).</p>"
    )
    yield "<h3>By lead partner</h3>" + _group_table(
        "Partner", portfolio.groups(portfolio.by_partner), portfolio.partner_names
    )
    yield "<h3>By activity type</h3>" + _group_table("Type", portfolio.groups(portfolio.by_type), {})
    families = sorted(portfolio.by_family.items(), key=lambda item: (-item[1].proposals, item[0]))
    yield "<h3>By rule family</h3>" + _table(
        ["Family", "Proposals", "fail", "warn", "waived"],
        [
            [text(name), str(tally.proposals), *(str(tally.levels[level]) for level in ("fail", "warn", "waived"))]
            for name, tally in families
        ],
        numeric=(1, 2, 3, 4),
    )
    by_rule = []
    for rule_id, tally in portfolio.rules_by_reach():
        meta = _record(rules.get(rule_id))
        summary = f"<strong>{text(rule_id)}</strong> in {_plural(tally.proposals, 'proposal')}"
        by_rule.append(
            [
                summary,
                text(meta.get("title") or ""),
                text(portfolio.family(rule_id)),
                *(str(tally.levels[level]) for level in ("fail", "warn", "waived")),
            ]
        )
    yield "<h3>By rule</h3>" + _table(["Rule", "Title", "Family", "fail", "warn", "waived"], by_rule, (3, 4, 5))
    yield "</section>\n"


def _top(totals: Mapping[str, float], limit: int) -> tuple[list[str], dict[str, str]]:
    """The `limit` keys with the largest totals, and where every key goes (the rest to OTHERS)."""
    ranked = sorted(totals, key=lambda key: (-totals[key], key))
    kept = ranked if len(ranked) <= limit else ranked[: limit - 1]
    where = {key: key if key in kept else OTHERS for key in ranked}
    return kept + ([OTHERS] if len(kept) < len(ranked) else []), where


def _charts(portfolio: review.Portfolio, today: date | None) -> Iterator[str]:
    yield '<section id="charts"><h2>Charts</h2>'
    if any(portfolio.heat.values()):
        family_totals: dict[str, int] = {}
        partner_totals: dict[str, int] = {}
        for (family, partner), count in portfolio.heat.items():
            family_totals[family] = family_totals.get(family, 0) + count
            partner_totals[partner] = partner_totals.get(partner, 0) + count
        families = [
            family for family in sorted(family_totals, key=lambda f: (-family_totals[f], f)) if family_totals[family]
        ]
        partners, where = _top({key: value for key, value in partner_totals.items() if value}, HEAT_PARTNERS)
        counts: dict[tuple[str, str], int] = {}
        for (family, partner), count in portfolio.heat.items():
            if count:
                key = (family, where[partner])
                counts[key] = counts.get(key, 0) + count
        chart = heat_map("chart-heat", "Open findings by rule family and lead partner", families, partners, counts)
        yield _figure(chart, "Open findings (fail and warn) by rule family and lead partner")
    else:
        yield "<p>No open findings to chart.</p>"
    for currency in sorted(portfolio.budget_status, key=lambda c: (-len(portfolio.budget_status[c]), c)):
        amounts = portfolio.budget_status[currency]
        totals: dict[str, Decimal] = {}
        for (partner, _status), amount in amounts.items():
            totals[partner] = totals.get(partner, Decimal(0)) + amount
        partners, where = _top(totals, BUDGET_PARTNERS)
        values: dict[tuple[str, str], Decimal] = {}
        for (partner, status), amount in amounts.items():
            key = (where[partner], status)
            values[key] = values.get(key, Decimal(0)) + amount
        chart = stacked_bars(
            f"chart-budget-{currency}",
            f"Budget in {currency} by lead partner and status",
            partners,
            STATUS_SERIES,
            values,
            lambda amount, currency=currency: review.format_money(Decimal(amount), currency),
        )
        yield _figure(chart, f"Budget ({currency}) by lead partner, stacked by status")
    if portfolio.starts:
        starts = sorted({month for month, _ in portfolio.starts})
        buckets = review.months(starts[0], starts[-1])
        by_year = len(buckets) > TIMELINE_MONTHS

        def bucket(month: str) -> str:
            return month[:4] if by_year else month

        if by_year:
            buckets = [str(year) for year in range(int(starts[0][:4]), int(starts[-1][:4]) + 1)]
        counts = {}
        for (month, vetting), count in portfolio.starts.items():
            key = (bucket(month), vetting if vetting in VETTING_TEXT else "unknown")
            counts[key] = counts.get(key, 0) + count
        marks = None
        if portfolio.notification_known:
            marks = {}
            for month, count in portfolio.notifications.items():
                marks[bucket(month)] = marks.get(bucket(month), 0) + count
        chart = timeline(
            "chart-starts",
            "Proposal starts by " + ("year" if by_year else "month") + ", by human-rights vetting status",
            buckets,
            VETTING_SERIES,
            counts,
            marks,
            "notification pending",
            _today_mark(today, by_year),
        )
        caption = "Starts by " + ("year" if by_year else "month") + ", marked with vetting status"
        yield _figure(chart, caption + (" and pending congressional notifications" if marks is not None else ""))
    else:
        yield "<p>No start dates to chart.</p>"
    yield "</section>\n"


def _today_mark(today: date | None, by_year: bool) -> tuple[str, float] | None:
    """Today's period on the timeline and how far into it today is."""
    if today is None:
        return None
    if by_year:
        return str(today.year), (today.timetuple().tm_yday - 1) / 366
    return today.isoformat()[:7], (today.day - 1) / 31


def _waiver_class(days: int | None) -> str:
    if days is None:
        return ""
    if days < 0:
        return "expired"
    return next((f"within-{limit}" for limit in (30, 60, 90) if days <= limit), "")


def _waiver_register(files: Sequence[Mapping[str, Any]], keys: Iterable[tuple]) -> Iterator[str]:
    """`keys`: (days unknown, days left, proposal's name, rule, file index, waiver's position), soonest first;
    read twice (a count, then the rows), never held."""
    yield '<section id="waivers"><h2>Waiver register</h2>'
    if not keys:
        yield "<p>No waivers.</p></section>\n"
        return
    buckets = Counter(_waiver_class(None if unknown else days) for unknown, days, *_ in keys)
    counts = ", ".join(
        f"{buckets[name]} {label}"
        for name, label in (
            ("expired", "expired"),
            ("within-30", "within 30 days"),
            ("within-60", "within 60"),
            ("within-90", "within 90"),
        )
    )
    yield f"<p>{_plural(len(keys), 'waiver')}, soonest to expire first: {text(counts)}.</p>"
    yield from _chunked(
        '<table class="waivers"><colgroup><col class="w-proposal"><col class="w-rule"><col class="w-by">'
        '<col class="w-authority"><col class="w-why"><col class="w-expires"><col class="w-left"></colgroup>'
        '<thead><tr><th scope="col">Proposal</th><th scope="col">Rule</th><th scope="col">Approved by</th>'
        '<th scope="col">Authority</th><th scope="col">Justification</th><th scope="col">Expires</th>'
        '<th scope="col" class="num">Days left</th></tr></thead>',
        _waiver_rows(files, keys),
    )
    yield "</section>\n"


def _waiver_rows(files: Sequence[Mapping[str, Any]], keys: Iterable[tuple]) -> Iterator[str]:
    cached: tuple[int, list] = (-1, [])
    for unknown, days, name, _rule, index, position in keys:
        css_class = _waiver_class(None if unknown else days)
        if cached[0] != index:
            cached = (index, review.waivers_of(_record(files[index])))
        waivers = cached[1]
        waiver = waivers[position] if position < len(waivers) else {}
        left = "—" if unknown else str(days) + (" (expired)" if days < 0 else "")
        cells = [
            f'<a href="#p-{index}">{text(name)}</a>',
            f"<code>{text(waiver.get('rule') or '?')}</code>",
            _quote(waiver.get("approved_by") or "—"),
            _quote(waiver.get("authority") or "—"),
            _quote(waiver.get("justification") or "—"),
            text(waiver.get("expires") or "—"),
        ]
        row_class = f' class="{css_class}"' if css_class else ""
        yield (
            f"<tr{row_class}>"
            + "".join(f"<td>{cell}</td>" for cell in cells)
            + f'<td class="num">{text(left)}</td></tr>\n'
        )


def _facts(row: Row, record: Mapping[str, Any]) -> str:
    facts = [("File", f'<span class="mono">{text(row.file)}</span>')]
    if row.partners:
        facts.append(("Partner" if len(row.partners) == 1 else "Partners", "<br>".join(map(_partner, row.partners))))
    if row.type:
        facts.append(("Type", text(row.type)))
    if row.authority:
        facts.append(("Authority", text(row.authority)))
    dates = [f"start {text(row.start)} ({_days(row.days_to_start)})" if row.start else ""]
    end = record.get("end")
    if isinstance(end, str) and end:
        dates.append(f"end {text(end)}")
    if any(dates):
        facts.append(("Dates", ", ".join(filter(None, dates)).replace(" ()", "")))
    if row.budget:
        facts.append(("Budget", text(review.format_money(*row.budget))))
    if row.vetting:
        facts.append(("Human-rights vetting", text(VETTING_TEXT.get(row.vetting, row.vetting))))
    notification = _record(record.get("notification"))
    if isinstance(notification.get("required"), bool):
        if not notification["required"]:
            said = "not required"
        elif notification.get("submitted"):
            said = f"submitted {text(notification['submitted'])}"
        else:
            said = "required, not yet submitted"
        facts.append(("Congressional notification", said))
    return '<dl class="facts">' + "".join(f"<dt>{name}</dt><dd>{value}</dd>" for name, value in facts) + "</dl>"


def _context(finding: Mapping[str, Any]) -> str:
    context = _record(finding.get("context"))
    lines, first = context.get("lines"), context.get("first_line")
    if not isinstance(lines, list) or not lines or not isinstance(first, int) or isinstance(first, bool):
        return ""
    hit = finding.get("line")
    shown = []
    for number, line in enumerate(lines[:CONTEXT_LINES], first):
        line = review.shorten(str(line).removesuffix("\r"), 400)
        marker = " hit" if number == hit else ""
        shown.append(f'<span class="line{marker}"><span class="ln">{number}</span>{text(line)}</span>')
    return '<pre class="source"><code>' + "".join(shown) + "</code></pre>"


def _finding(anchor: str, finding: Mapping[str, Any], rules: Mapping[str, Any]) -> str:
    rule_id = str(finding.get("rule") or "?")
    level = str(finding.get("level") or "?")
    title = _record(rules.get(rule_id)).get("title")
    where = []
    if isinstance(finding.get("line"), int):
        where.append(
            f"line {finding['line']}"
            + (f", column {finding['column']}" if isinstance(finding.get("column"), int) else "")
        )
    if finding.get("pointer"):
        where.append(f"<code>{_quote(finding['pointer'], 300)}</code>")
    parts = [
        f'<li class="finding" id="{anchor}">{_badge(level if level in review.SEVERITY else "error")} '
        f"<code>{text(rule_id)}</code>"
        + (f" {text(title)}" if title else "")
        + _change(finding.get("change") if finding.get("change") in review.FINDING_CHANGES else None),
        f' <span class="where">{" · ".join(where)}</span>' if where else "",
        f"<p>{_quote(finding.get('message') or '')}</p>",
    ]
    if finding.get("hint"):
        parts.append(f'<p class="hint">Hint: {_quote(finding["hint"])}</p>')
    waiver = _record(finding.get("waiver"))
    if waiver:
        parts.append(
            f'<p class="waived-by">Waived until {text(waiver.get("expires") or "?")} by '
            f"{_quote(waiver.get('approved_by') or '?')}: {_quote(waiver.get('justification') or '')}</p>"
        )
    parts.append(_context(finding))
    return "".join(parts) + "</li>"


def _proposal(
    row: Row, record: Mapping[str, Any], rules: Mapping[str, Any], today: date | None, collapsed: bool
) -> str:
    anchor = f"p-{row.index}"
    title = record.get("title")
    heading = text(row.activity_id or row.file) + (
        f" — {_quote(title, 600)}" if isinstance(title, str) and title else ""
    )
    banner = f'<span class="pbanner">{text(row.banner)}</span> ' if row.banner else ""
    status = (
        f"{_badge(row.status)}{_change(row.change)} {_decision(row.decision)} "
        '<span class="muted">suggested decision</span>'
    )
    findings = review.findings_of(record)
    body = [_facts(row, record), f"<p>{status}</p>"]
    if findings:
        body.append(f'<h4>{_plural(len(findings), "finding")}</h4><ol class="findings">')
        body.extend(_finding(f"{anchor}-f{position}", finding, rules) for position, finding in enumerate(findings))
        body.append("</ol>")
    else:
        body.append("<p>No findings.</p>")
    resolved = review.resolved_of(record)
    if resolved:
        body.append(f"<h4>{_plural(len(resolved), 'finding')} resolved since the last review</h4><ul>")
        body.extend(
            f'<li><span class="badge c-resolved">resolved</span> <code>{_quote(item.get("rule") or "?", 40)}</code> '
            f"{_quote(item.get('message') or '')}</li>"
            for item in resolved
        )
        body.append("</ul>")
    waivers = review.waivers_of(record)
    if waivers:
        body.append("<h4>Waivers</h4><ul>")
        for waiver in waivers:
            days = review.waiver_days_left(waiver, today)
            left = "" if days is None else f" ({days} days left)" if days >= 0 else " (expired)"
            rule, expires = text(waiver.get("rule") or "?"), text(waiver.get("expires") or "?")
            body.append(
                f"<li><code>{rule}</code> until {expires}{text(left)}, approved by "
                f"{_quote(waiver.get('approved_by') or '?')}: {_quote(waiver.get('justification') or '')}</li>"
            )
        body.append("</ul>")
    body.append('<p class="back"><a href="#queue">Back to the queue</a></p>')
    if collapsed:
        return (
            # the anchor inside the fold: following a link to it opens the fold
            f'<details class="proposal"><summary>{banner}{heading} {_badge(row.status)}</summary><div id="{anchor}">'
            + "".join(body)
            + "</div></details>\n"
        )
    return f'<section class="proposal" id="{anchor}"><h3>{banner}{heading}</h3>' + "".join(body) + "</section>\n"


# --- the output-format hook ------------------------------------------------------


def stream_report(report) -> Iterator[str]:
    """The format hook's entry: a JSON report's dict (as `policycheck --format json` writes it), or a `Report`."""
    if isinstance(report, Mapping):
        files = report.get("files")
        return stream(report, files if isinstance(files, Sequence) and not isinstance(files, str) else [])
    return stream(json_format.run_record(report), _Records(report.results), report.compare)


def render_report(report) -> str:
    return "".join(stream_report(report))


class _Marked(Sequence):
    """Records as a comparison marks them (new, changed...; it counts each file once however often it is read)."""

    def __init__(self, files: Sequence[Mapping[str, Any]], marking) -> None:
        self.files, self.marking = files, marking

    def __len__(self) -> int:
        return len(self.files)

    def __getitem__(self, index):
        record = self.files[index]
        return self.marking.mark(dict(record)) if isinstance(record, Mapping) else record


class _Records(Sequence):
    """A run's results as the JSON report's file records, each built when asked for and never kept."""

    def __init__(self, results) -> None:
        self.results = results

    def __len__(self) -> int:
        return len(self.results)

    def __getitem__(self, index):
        return json_format.file_record(self.results[index])
