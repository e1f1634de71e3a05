"""The HTML report: escaping, determinism, the page's parts, streaming in flat memory, and the CLI."""

import base64
import hashlib
import json
import re
import subprocess
import sys
import weakref
from collections.abc import Sequence
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from policycheck.cli import main
from policycheck.config import Config
from policycheck.discover import discover
from policycheck.engine import Engine
from policycheck.finish import finish
from policycheck.parallel import check_sources
from policycheck.policy import Policy
from policycheck.report import Report, html, json_format

ROOT = Path(__file__).resolve().parents[2]
TODAY = "2026-11-23"
HOSTILE = (
    '<script>document.title=\'pwned\'</script>"><img src=x onerror=alert(1)> <a href="javascript:alert(1)">x</a>'
    " javascript:alert(2) \r\nforged line \x1b[31m red \u202eevil\u202c \u2066iso\u2069 \x85 \x00 \ud800 </style>"
)
RULES = {
    "GOV004": {"title": "No transparency", "family": "governance", "level": "warn"},
    "REL004": {"title": "rel_to does not cover the partner", "family": "releasability", "level": "fail"},
}
VOID = {"meta", "link", "br", "wbr", "col", "img", "input", "hr"}
# every tag the report writes; an injected one would be a new name here
TAGS = {
    *("html", "head", "meta", "title", "link", "style", "body", "header", "footer", "main", "nav", "section"),
    *("h1", "h2", "h3", "h4", "p", "ul", "ol", "li", "a", "span", "div", "strong", "em", "code", "pre", "br"),
    *("wbr", "table", "colgroup", "col", "thead", "tbody", "tr", "th", "td", "dl", "dt", "dd", "details"),
    *("summary", "figure", "figcaption", "svg", "desc", "rect", "text", "line", "path"),
}


def run_dict(**extra):
    return {
        "tool": {"name": "policycheck", "version": "1.0"},
        "fail_on": "fail",
        "today": TODAY,
        "rules": RULES,
        **extra,
    }


def proposal(index, status="pass", **extra):
    record = {
        "file": f"portfolio/activity-{index:03d}.yaml",
        "activity_id": f"ALB-2027-{index:03d}",
        "banner": "CUI//REL TO USA, ALB",
        "status": status,
        "findings": [],
        "rules": {},
        "title": f"Proposal {index}",
        "partners": [{"country": "ALB", "name": "Albania", "category": "institution-building"}],
        "type": "advisory",
        "authority": "10 U.S.C. 332",
        "start": "2027-01-15",
        "end": "2027-12-31",
        "budget": {"amount": 100000 + index, "currency": "USD"},
        "marking": {"classification": "CUI", "dissemination": ["REL TO"], "rel_to": ["USA", "ALB"]},
        "vetting": "not-required",
        "notification": None,
        "waivers": [],
    }
    record.update(extra)
    return record


def finding(rule="REL004", level="fail", line=3, **extra):
    return {
        "rule": rule,
        "level": level,
        "message": f"{rule} message",
        "file": "x.yaml",
        "line": line,
        "column": 1,
        "pointer": "/releasability/rel_to",
        "hint": "a hint",
        "activity_id": "X",
        "waiver": None,
        **extra,
    }


def hostile_record():
    return proposal(
        0,
        "fail",
        file=f"{HOSTILE}.yaml",
        activity_id=HOSTILE,
        banner=HOSTILE,
        title=HOSTILE,
        partners=[{"country": HOSTILE, "name": HOSTILE, "category": HOSTILE}],
        type=HOSTILE,
        authority=HOSTILE,
        start=HOSTILE,
        end=HOSTILE,
        budget={"amount": 5, "currency": HOSTILE},
        marking={"classification": "CUI", "dissemination": ["REL TO", HOSTILE], "rel_to": ["USA", HOSTILE]},
        vetting=HOSTILE,
        notification={"required": True, "submitted": HOSTILE},
        findings=[
            finding(
                HOSTILE,
                HOSTILE,
                message=HOSTILE,
                hint=HOSTILE,
                pointer=HOSTILE,
                waiver={"approved_by": HOSTILE, "expires": HOSTILE, "justification": HOSTILE, "at": None},
                context={"first_line": 1, "lines": [HOSTILE, HOSTILE, HOSTILE]},
            )
        ],
        waivers=[
            {
                "rule": HOSTILE,
                "approved_by": HOSTILE,
                "authority": HOSTILE,
                "justification": HOSTILE,
                "expires": HOSTILE,
            }
        ],
    )


class Page(HTMLParser):
    """Every tag and attribute of a page, and whether its elements nest properly."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.open: list[str] = []
        self.misnested: list[str] = []
        self.data: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if not self.open or self.open.pop() != tag:
            self.misnested.append(tag)

    def handle_data(self, data):
        self.data.append(data)

    def text(self) -> str:
        return "".join(self.data)


def assert_well_formed(page: Page) -> None:
    assert not page.misnested and not page.open, (page.misnested, page.open)


# --- escaping -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_page():
    text = html.render(run_dict(tool={"name": HOSTILE, "version": HOSTILE}), [hostile_record()])
    return text, Page(text)


def test_a_hostile_document_adds_no_tag_and_no_attribute(hostile_page):
    text, page = hostile_page
    assert_well_formed(page)
    assert {tag for tag, _ in page.tags} <= TAGS
    assert not [tag for tag, _ in page.tags if tag in ("script", "img", "iframe", "object", "embed", "base", "form")]
    for tag, attributes in page.tags:
        assert not [name for name in attributes if name.startswith("on") or name == "style"], (tag, attributes)
        assert attributes.get("href", "#").startswith(("#", "data:")), attributes
    assert text.count("<style>") == 1 and text.count("</style>") == 1


def test_a_hostile_document_shows_as_text(hostile_page):
    text, page = hostile_page
    shown = page.text()
    assert "<script>document.title='pwned'</script>\"><img src=x onerror=alert(1)>" in shown
    assert 'href="javascript:alert(1)"' in shown and "javascript:alert(2)" in shown
    # controls, bidi overrides and isolates, C1 and a lone surrogate shown as escapes, never acting
    for escape in ("\\x0d", "\\x0a", "\\x1b", "\\u202e", "\\u202c", "\\u2066", "\\u2069", "\\x85", "\\x00", "\\ud800"):
        assert f'<span class="ctl">{escape}</span>' in text
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]", text)
    text.encode("utf-8")  # a lone surrogate would make the file unwritable


def test_attributes_and_svg_get_plain_escapes():
    from policycheck.report.htmltext import plain, text

    assert plain("\"><b x='1'>\x1b\u202e") == "&quot;&gt;&lt;b x=&#x27;1&#x27;&gt;\\x1b\\u202e"
    assert text("a\tb") == "a\tb"  # a tab is whitespace, not a control to show


def test_the_stylesheet_is_allowed_by_its_hash_and_nothing_else_is_allowed(hostile_page):
    text, _ = hostile_page
    [policy] = re.findall(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', text)
    [css] = re.findall(r"<style>(.*?)</style>", text, re.S)
    digest = base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode()
    assert policy == (
        f"default-src 'none'; style-src 'sha256-{digest}'; img-src data:; base-uri 'none'; form-action 'none'"
    )
    assert text.index("Content-Security-Policy") < text.index("<style>")


def test_a_banner_made_of_document_codes_cannot_break_out_of_the_print_stylesheet():
    record = proposal(0, marking={"classification": "CUI", "dissemination": ["REL TO"], "rel_to": ['X"}*{a:b}']})
    css = re.search(r"<style>(.*?)</style>", html.render(run_dict(), [record]), re.S).group(1)
    [label] = set(re.findall(r"@top-center\{content:(\"[^\"]*\")", css))
    assert label == '"CUI//REL TO USA, X\\000022\\00007d\\00002a\\00007ba\\00003ab\\00007d"'


# --- the page's parts ----------------------------------------------------------------


def portfolio():
    return [
        proposal(0, "pass", start="2027-03-01"),
        proposal(
            1,
            "fail",
            start="2027-05-01",
            findings=[finding(context={"first_line": 2, "lines": ["a: 1", "rel_to: [USA]", "b: 2"]})],
            budget={"amount": 70, "currency": "EUR"},
        ),
        proposal(2, "fail", start="2027-02-01", findings=[finding(), finding("GOV004", "warn")]),
        proposal(
            3,
            "waived",
            start="2026-12-01",
            findings=[finding("GOV004", "waived")],
            waivers=[
                {"rule": "GOV004", "approved_by": "Director", "authority": "Memo 1", "justification": "ok"}
                | {"expires": "2026-12-13", "days_left": 20, "at": None}
            ],
            marking={"classification": "SECRET", "dissemination": ["NOFORN"], "rel_to": []},
            banner="SECRET//NOFORN",
        ),
        proposal(4, "warn", start="2027-01-01", findings=[finding("GOV004", "warn")], partners=[], budget=None),
        {"file": "broken.yaml", "status": "fail", "findings": [finding("LOAD001", line=4)]},
    ]


@pytest.fixture(scope="module")
def page():
    text = html.render(run_dict(), portfolio())
    return text, Page(text)


def test_the_banner_is_at_the_top_and_bottom_and_counts_what_it_cannot_read(page):
    text, parsed = page
    assert_well_formed(parsed)
    assert '<header class="banner" role="banner">SECRET//NOFORN</header>' in text
    assert text.rstrip().endswith('<footer class="banner" role="contentinfo">SECRET//NOFORN</footer></body></html>')
    assert "<title>SECRET//NOFORN — policycheck review of 6 proposals</title>" in text
    assert "1 file carries no classification marking" in text


def test_the_queue_is_worst_first_then_soonest_start_with_a_suggested_decision(page):
    text, _ = page
    queue = text[text.index('id="queue"') : text.index('id="rollups"')]
    ids = re.findall(r'<a href="#p-(\d+)">', queue)
    assert ids == ["2", "1", "5", "4", "3", "0"]
    decisions = re.findall(r'<span class="badge d-\w+">([^<]+)</span><span class="suggested">suggested</span>', queue)
    assert decisions == ["return"] * 3 + ["approve with conditions"] * 2 + ["approve"]
    assert 'href="#p-2-f0"><code>REL004</code></a> REL004 message' in queue  # the fail, not the warning
    assert "in 39 days" in queue and "ALB Albania" in queue and "USD 100,002" in queue


def test_budget_at_risk_per_currency(page):
    text, _ = page
    card = text[text.index("<h3>Budget at risk</h3>") :]
    card = card[: card.index("</div></div>")]
    assert "EUR 70" in card and "USD 100,002" in card and "USD 100,072" not in card


def test_the_roll_ups_name_each_rule_by_its_reach(page):
    text, _ = page
    rollups = text[text.index('id="rollups"') : text.index('id="charts"')]
    assert "<strong>GOV004</strong> in 3 proposals" in rollups
    assert "<strong>REL004</strong> in 2 proposals" in rollups
    assert "No transparency" in rollups and "releasability" in rollups


def test_each_chart_is_labelled_svg_with_a_table(page):
    text, parsed = page
    charts = [attributes for tag, attributes in parsed.tags if tag == "svg"]
    assert [chart["id"] for chart in charts] == ["chart-heat", "chart-budget-USD", "chart-budget-EUR", "chart-starts"]
    for chart in charts:
        assert chart["role"] == "img" and chart["aria-labelledby"] == f"{chart['id']}-title {chart['id']}-desc"
        assert f'<title id="{chart["id"]}-title">' in text and f'<desc id="{chart["id"]}-desc">' in text
    assert text.count('<details class="fallback">') == 4
    heat = text[text.index('id="chart-heat"') : text.index("</svg>", text.index('id="chart-heat"'))]
    for cell in ("releasability × ALB: 2", "governance × ALB: 1", "governance × -: 1", "other × -: 1"):
        assert f"<title>{cell}</title>" in heat


def test_the_waiver_register(page):
    text, _ = page
    register = text[text.index('id="waivers"') : text.index('id="proposals"')]
    assert '<tr class="within-30">' in register
    assert "<td>Director</td><td>Memo 1</td><td>ok</td><td>2026-12-13</td>" in register
    assert "1 waiver, soonest to expire first: 0 expired, 1 within 30 days" in register


def test_each_proposal_has_its_findings_hints_and_source_lines(page):
    text, _ = page
    section = text[text.index('<section class="proposal" id="p-1">') :]
    section = section[: section.index("</section>")]
    assert '<li class="finding" id="p-1-f0">' in section and "Hint: a hint" in section
    assert '<span class="line hit"><span class="ln">3</span>rel_to: [USA]</span>' in section
    assert '<span class="line"><span class="ln">2</span>a: 1</span>' in section
    assert "EUR 70" in section and "rel_to does not cover the partner" in section


def test_waiver_days_are_highlighted_by_how_soon_they_expire():
    waivers = [
        {"rule": "GOV004", "approved_by": "x", "justification": "y", "expires": "2027-06-01", "days_left": days}
        for days in (91, 61, 31, 0, -1)
    ]
    waivers.append({"rule": "GOV004", "approved_by": "x", "justification": "y", "expires": "some day"})
    text = html.render(run_dict(), [proposal(0, waivers=waivers)])
    register = text[text.index('id="waivers"') : text.index('id="proposals"')]
    rows = re.findall(r'<tr(?: class="([\w-]+)")?>.*?<td class="num">([^<]*)</td></tr>', register)
    assert rows == [
        ("expired", "-1 (expired)"),
        ("within-30", "0"),
        ("within-60", "31"),
        ("within-90", "61"),
        ("", "91"),
        ("", "—"),
    ]


def test_past_the_threshold_sections_fold_and_the_page_says_so():
    records = [proposal(index) for index in range(html.COLLAPSE_AFTER + 1)]
    folded = html.render(run_dict(), records)
    assert folded.count('<details class="proposal"') == html.COLLAPSE_AFTER + 1
    assert f"more than {html.COLLAPSE_AFTER}: each section is folded" in folded
    assert_well_formed(Page(folded))
    kept = html.render(run_dict(), records[:-1])
    assert '<details class="proposal"' not in kept and kept.count('<section class="proposal"') == html.COLLAPSE_AFTER


# --- missing keys, empty runs, determinism -----------------------------------------------


@pytest.mark.parametrize(
    "files",
    [
        [],
        [{}],
        [{"file": "broken.yaml", "status": "fail", "findings": [{"rule": "LOAD001", "level": "fail", "line": 2}]}],
        [{"file": "x", "findings": [{}, "not a finding", {"context": {"first_line": "1", "lines": "x"}}]}],
        ["not a record", None],
    ],
)
def test_records_with_missing_keys_render(files):
    text = html.render({}, files)
    assert_well_formed(Page(text))
    assert "no review date recorded" in text and '<header class="banner" role="banner">UNCLASSIFIED' in text


def test_the_same_records_give_the_same_bytes_whatever_their_key_order():
    records = portfolio()
    shuffled = [dict(reversed(list(record.items()))) for record in reversed(records)][::-1]
    first = html.render(run_dict(), records)
    assert html.render(run_dict(), records) == first
    assert html.render(dict(reversed(list(run_dict().items()))), shuffled) == first


def test_the_review_date_comes_from_the_record_only():
    text = html.render(run_dict(today="2027-01-14"), [proposal(0)])
    assert "review date 2027-01-14" in text and "in 1 day" in text


# --- streaming ------------------------------------------------------------------------


class Record(dict):
    """A record that can be watched: how many are alive at once."""

    __slots__ = ("__weakref__",)
    __hash__ = object.__hash__


class Lazy(Sequence):
    """Decodes files[i] on every access, as the lead's JSON store will; counts accesses and live records."""

    def __init__(self, encoded):
        self.encoded = encoded
        self.reads = [0] * len(encoded)
        self.alive = weakref.WeakSet()
        self.most_alive = 0

    def __len__(self):
        return len(self.encoded)

    def __getitem__(self, index):
        self.reads[index] += 1
        record = Record(json.loads(self.encoded[index]))
        self.alive.add(record)
        self.most_alive = max(self.most_alive, len(self.alive))
        return record


def synthetic(count):
    records = []
    for index in range(count):
        findings = [finding("GOV004", "warn", line=index % 50 + 1)] * (index % 4)
        waivers = [{"rule": "GOV004", "approved_by": "a", "justification": "b", "expires": "2027-01-01"}] * (
            index % 9 == 0
        )
        record = proposal(index, "warn" if findings else "pass", findings=findings, waivers=waivers)
        records.append(json.dumps(record))
    return records


def test_stream_reads_each_file_a_bounded_number_of_times_and_never_holds_them():
    files = Lazy(synthetic(300))
    pieces = 0
    for _piece in html.stream(run_dict(), files):
        pieces += 1
    assert pieces > len(files)  # a piece per row and per section at least: never one big string
    waivers = [len(json.loads(encoded)["waivers"]) for encoded in files.encoded]
    # once for the rows, once for the section, once per waiver for the register
    assert files.reads == [2 + count for count in waivers]
    assert files.most_alive <= 2


def test_streamed_pieces_join_to_render():
    records = portfolio()
    assert "".join(html.stream(run_dict(), records)) == html.render(run_dict(), records)


# --- through the command line and the format hook ----------------------------------------


@pytest.fixture(scope="module")
def example_results():
    engine = Engine.from_policy(Policy(config=Config(), today=date(2026, 11, 23), entry_points=False))
    sources = discover([str(path) for path in sorted((ROOT / "examples").rglob("*.yaml"))])
    return finish(engine, check_sources(engine, sources, jobs=1)).results


def test_a_stored_json_report_renders_like_the_run_it_records(example_results):
    from policycheck.plugins import load_registry

    registry = load_registry(entry_points=False)
    report = Report(results=example_results, rules=registry.rules, rule_plugins={}, version="1.0")
    stored = json.loads(json_format.render(report))
    from_json = html.render_report(stored)
    from_run = html.render_report(report)
    assert_well_formed(Page(from_run))

    # the stored report has no rule metadata (families, titles), the rest is the same
    def queue(text):
        return text[text.index('<section id="queue">') : text.index('<section id="rollups">')]

    assert len(re.findall(r'<tr><td class="num">\d+</td>', from_json)) == len(example_results)
    assert queue(from_json) == queue(from_run)


def test_the_cli_writes_html_and_only_then_imports_it(tmp_path):
    output = tmp_path / "report.html"
    args = ["check", str(ROOT / "examples"), "--today", TODAY, "--no-plugins", "--no-config"]
    result = CliRunner().invoke(main, [*args, "--format", "html", "--output", str(output)])
    assert result.exit_code == 1, result.output
    assert_well_formed(Page(output.read_text(encoding="utf-8")))
    code = (
        "import sys\nfrom policycheck.main import main\n"
        "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
        "print('policycheck.report.html' in sys.modules, 'policycheck.report.charts' in sys.modules)\n"
    )
    for format_, imported in (("json", "False False"), ("html", "True True")):
        command = [sys.executable, "-c", code, *args, "--format", format_, "--output", str(tmp_path / format_)]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        assert done.stdout.split("\n")[-2] == imported


def test_the_docs_state_the_threshold_the_code_uses():
    docs = (ROOT / "docs" / "report.md").read_text(encoding="utf-8")
    assert f"Past {html.COLLAPSE_AFTER} proposals" in docs and "`COLLAPSE_AFTER`" in docs


def test_a_long_queue_is_written_as_tables_of_a_hundred_rows_with_the_same_columns():
    text = html.render(run_dict(), [proposal(index) for index in range(2 * html.TABLE_ROWS + 1)])
    queue = text[text.index('id="queue"') : text.index('id="rollups"')]
    tables = queue.split('<div class="rows">')[1:]
    assert [table.count("<tr><td") for table in tables] == [html.TABLE_ROWS, html.TABLE_ROWS, 1]
    assert len({table[: table.index("<tbody>")] for table in tables}) == 1  # one colgroup and head for all


def test_rows_and_waivers_sorted_in_spilled_runs_give_the_same_page(monkeypatch):
    """Past a run, the queue's rows and the waiver register's keys are sorted in a scratch file: the same page."""
    from policycheck import ordered

    statuses = ("pass", "warn", "fail", "error", "skip")
    records = []
    for index in range(40):
        waivers = [
            {
                "rule": "GOV004",
                "approved_by": "a",
                "justification": "b",
                "expires": f"2027-0{1 + index % 9}-1{index % 3}",
            }
        ] * (index % 3)
        records.append(
            proposal(
                index,
                statuses[index * 7 % 5],
                start=f"2027-0{1 + index * 5 % 9}-15",
                waivers=waivers,
                change=("new", "changed", "unchanged")[index % 3],
            )
        )
    run = run_dict(since_previous={"previous": "before.json", "proposals": {"new": 14}, "findings": {}})
    in_memory = html.render(run, records)
    assert in_memory.count('<td class="num">') > 40  # the queue and the register are not empty
    monkeypatch.setattr(ordered, "RUN", 3)
    monkeypatch.setattr(ordered, "PIECE", 2)
    assert html.render(run, records) == in_memory
