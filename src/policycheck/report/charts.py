"""The HTML report's charts, drawn as inline SVG by this module (no chart library, nothing fetched).

Each chart is a `Chart`: the SVG, with a `<title>` and `<desc>` it is labelled by, and
the same numbers as a table (`header`, `rows`) that the page shows as the chart's text
fallback, for screen readers and print. Colours are SVG attributes, not `style`, so the
page's Content-Security-Policy needs no inline style attributes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from ..records import Record
from .htmltext import plain

# A sequential scale (ColorBrewer OrRd), light to dark; text on the two darkest is white.
HEAT = ("#fef0d9", "#fdcc8a", "#fc8d59", "#e34a33", "#b30000")
EMPTY = "#f4f4f4"
INK, MUTED, GRID = "#222222", "#666666", "#dddddd"
LABEL = 11  # px; the page's stylesheet sets the font family
CHAR = 6.4  # an average character at LABEL px, to lay out labels without measuring them


class Series(Record):
    key: str
    label: str
    colour: str


class Chart(Record):
    svg: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def _clip(label: str, width: float) -> str:
    room = max(3, int(width / CHAR))
    return label if len(label) <= room else label[: room - 1] + "…"


def _open(chart_id: str, width: float, height: float, title: str, description: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{plain(chart_id)}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" height="{height:.0f}" role="img" '
        f'aria-labelledby="{plain(chart_id)}-title {plain(chart_id)}-desc">',
        f'<title id="{plain(chart_id)}-title">{plain(title)}</title>',
        f'<desc id="{plain(chart_id)}-desc">{plain(description)}</desc>',
    ]


def _text(x: float, y: float, label: str, anchor: str = "start", fill: str = INK, extra: str = "") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{fill}" font-size="{LABEL}"{extra}>'
        f"{plain(label)}</text>"
    )


def _legend(series: Sequence[Series], x: float, y: float) -> list[str]:
    parts = []
    for item in series:
        parts.append(f'<rect x="{x:.1f}" y="{y - 9:.1f}" width="10" height="10" fill="{item.colour}"/>')
        parts.append(_text(x + 14, y, item.label))
        x += 24 + CHAR * len(item.label)
    return parts


def heat_map(
    chart_id: str, title: str, rows: Sequence[str], columns: Sequence[str], counts: Mapping[tuple[str, str], int]
) -> Chart:
    """Counts by row (a rule family) and column (a partner), each cell shaded and numbered."""
    cell_w, cell_h, left, top = 40.0, 24.0, 150.0, 64.0
    width, height = left + cell_w * len(columns) + 10, top + cell_h * len(rows) + 10
    highest = max((counts.get((row, column), 0) for row in rows for column in columns), default=0)
    worst = max(counts.items(), key=lambda item: (item[1], item[0]), default=None)
    description = (
        f"{len(rows)} rule families by {len(columns)} partners; "
        + (f"most: {worst[0][0]} in {worst[0][1]} ({worst[1]})." if worst and worst[1] else "no open findings.")
        + " The table after the chart gives every count."
    )
    parts = _open(chart_id, width, height, title, description)
    for position, column in enumerate(columns):
        x = left + cell_w * position + cell_w / 2
        parts.append(_text(x, top - 8, _clip(column, 70), extra=f' transform="rotate(-40 {x:.1f} {top - 8:.1f})"'))
    for line, row in enumerate(rows):
        y = top + cell_h * line
        parts.append(_text(left - 6, y + cell_h / 2 + 4, _clip(row, left - 10), anchor="end"))
        for position, column in enumerate(columns):
            count = counts.get((row, column), 0)
            shade = EMPTY if not count else HEAT[min(len(HEAT) - 1, (count * len(HEAT) - 1) // max(highest, 1))]
            x = left + cell_w * position
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{cell_w - 2:.0f}" height="{cell_h - 2:.0f}" fill="{shade}">'
                f"<title>{plain(f'{row} × {column}: {count}')}</title></rect>"
            )
            if count:
                ink = "#ffffff" if shade in HEAT[3:] else INK
                parts.append(_text(x + (cell_w - 2) / 2, y + cell_h / 2 + 3, str(count), anchor="middle", fill=ink))
    parts.append("</svg>")
    # one line per partner: a table as narrow as the families are few, fit for a printed page
    table = tuple((column, *(str(counts.get((row, column), 0)) for row in rows)) for column in columns)
    return Chart("".join(parts), ("Partner", *rows), table)


def stacked_bars(
    chart_id: str,
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    values: Mapping[tuple[str, str], float],
    value_label: Callable[[float], str],
) -> Chart:
    """One horizontal bar per category (a partner), stacked by series (a status), its total written after it."""
    left, bar_w, row_h, top = 110.0, 560.0, 22.0, 34.0
    width, height = left + bar_w + 130, top + row_h * len(categories) + 8
    totals = {category: sum(values.get((category, item.key), 0) for item in series) for category in categories}
    highest = max(totals.values(), default=0) or 1
    largest = max(categories, key=lambda category: totals[category], default=None)
    description = (
        f"{len(categories)} partners; largest: {largest}, {value_label(totals[largest])}. "
        if largest is not None
        else "No budgets. "
    ) + "The table after the chart gives every amount."
    parts = _open(chart_id, width, height, title, description)
    parts += _legend(series, left, 16)
    for line, category in enumerate(categories):
        y = top + row_h * line
        parts.append(_text(left - 6, y + row_h / 2 + 4, _clip(category, left - 10), anchor="end"))
        x = left
        for item in series:
            amount = values.get((category, item.key), 0)
            if not amount:
                continue
            length = bar_w * float(amount) / float(highest)
            tip = plain(f"{category}, {item.label}: {value_label(amount)}")
            parts.append(
                f'<rect x="{x:.1f}" y="{y + 3:.1f}" width="{max(length, 1):.1f}" height="{row_h - 6:.0f}" '
                f'fill="{item.colour}"><title>{tip}</title></rect>'
            )
            x += length
        parts.append(_text(x + 6, y + row_h / 2 + 4, value_label(totals[category]), fill=MUTED))
    parts.append("</svg>")
    table = tuple(
        (
            category,
            *(value_label(values.get((category, item.key), 0)) for item in series),
            value_label(totals[category]),
        )
        for category in categories
    )
    return Chart("".join(parts), ("Partner", *(item.label for item in series), "Total"), table)


def timeline(
    chart_id: str,
    title: str,
    buckets: Sequence[str],
    series: Sequence[Series],
    counts: Mapping[tuple[str, str], int],
    marks: Mapping[str, int] | None = None,
    mark_label: str = "",
    today: tuple[str, float] | None = None,
) -> Chart:
    """Proposals starting in each period (a month), stacked by series (vetting status); `marks` counts
    a second status per period (notifications pending), drawn as a numbered triangle over the column;
    `today` is (its period, how far into it, 0 to 1), drawn as a dashed line."""
    left, top, plot_h, bottom = 36.0, 40.0, 180.0, 46.0
    column_w = max(8.0, min(60.0, 760.0 / max(len(buckets), 1)))
    width, height = left + column_w * len(buckets) + 20, top + plot_h + bottom
    totals = {bucket: sum(counts.get((bucket, item.key), 0) for item in series) for bucket in buckets}
    highest = max(totals.values(), default=0) or 1
    busiest = max(buckets, key=lambda bucket: (totals[bucket], bucket), default=None)
    description = (
        f"Starts from {buckets[0]} to {buckets[-1]}; busiest: {busiest}, {totals[busiest]} proposals. "
        if buckets
        else "No start dates. "
    ) + "The table after the chart gives every count."
    parts = _open(chart_id, width, height, title, description)
    legend = list(series) + ([Series("mark", mark_label, INK)] if marks is not None else [])
    parts += _legend(legend, left, 16)
    base = top + plot_h
    parts.append(f'<line x1="{left:.1f}" y1="{base:.1f}" x2="{width - 10:.1f}" y2="{base:.1f}" stroke="{MUTED}"/>')
    parts.append(_text(left - 4, top + 8, str(highest), anchor="end", fill=MUTED))
    parts.append(_text(left - 4, base, "0", anchor="end", fill=MUTED))
    label_every = max(1, -int(-(CHAR * max(map(len, buckets), default=1) + 8) // column_w))
    for position, bucket in enumerate(buckets):
        x = left + column_w * position
        y = base
        for item in series:
            count = counts.get((bucket, item.key), 0)
            if not count:
                continue
            height_px = plot_h * count / highest
            y -= height_px
            parts.append(
                f'<rect x="{x + 1:.1f}" y="{y:.1f}" width="{column_w - 2:.1f}" height="{height_px:.1f}" '
                f'fill="{item.colour}"><title>{plain(f"{bucket}, {item.label}: {count}")}</title></rect>'
            )
        pending = (marks or {}).get(bucket, 0)
        if pending:
            cx, cy = x + column_w / 2, y - 6
            parts.append(
                f'<path d="M{cx - 5:.1f} {cy - 8:.1f}H{cx + 5:.1f}L{cx:.1f} {cy:.1f}Z" fill="{INK}">'
                f"<title>{plain(f'{bucket}, {mark_label}: {pending}')}</title></path>"
            )
            parts.append(_text(cx, cy - 11, str(pending), anchor="middle"))
        if position % label_every == 0:
            parts.append(_text(x + 1, base + 14, bucket, fill=MUTED))
        if today is not None and bucket == today[0]:
            at = x + column_w * min(max(today[1], 0.0), 1.0)
            parts.append(
                f'<line x1="{at:.1f}" y1="{top - 4:.1f}" x2="{at:.1f}" y2="{base:.1f}" stroke="{INK}" '
                'stroke-dasharray="4 3"><title>today</title></line>'
            )
            parts.append(_text(at, base + 30, "today", anchor="middle"))
    parts.append("</svg>")
    header = ("Start", *(item.label for item in series), *((mark_label,) if marks is not None else ()), "Total")
    table = tuple(
        (
            bucket,
            *(str(counts.get((bucket, item.key), 0)) for item in series),
            *((str((marks or {}).get(bucket, 0)),) if marks is not None else ()),
            str(totals[bucket]),
        )
        for bucket in buckets
        if totals[bucket]
    )
    return Chart("".join(parts), header, table)
