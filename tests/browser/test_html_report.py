"""The HTML report in a real browser, offline: it loads clean, shows its parts, runs nothing
from a hostile document, renders something to see, and prints as a memo.

POLICYCHECK_UPDATE_SCREENSHOT=1 also rewrites docs/html-report.png from the reference portfolio.
"""

from __future__ import annotations

import base64
import json
import os
import re
import struct
import zlib
from collections import Counter
from pathlib import Path

import pytest
from reference_portfolio import COUNT, HOSTILE_INDEX

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT = ROOT / "docs" / "html-report.png"
TITLE = f"SECRET//NOFORN — policycheck review of {COUNT} proposals"
SECRET_RED = (0xC8, 0x10, 0x2E)


class Loaded:
    """The page as the browser loaded it, with what it logged and requested while loading."""

    def __init__(self, driver, url: str) -> None:
        self.driver, self.url = driver, url
        driver.get_log("browser"), driver.get_log("performance")  # start from empty logs
        driver.get(url)
        self.console = driver.get_log("browser")
        self.requests = requested(driver.get_log("performance"))

    def show(self):
        """The driver, on the report again if a test went elsewhere."""
        if self.driver.current_url.split("#")[0] != self.url:
            self.driver.get(self.url)
        return self.driver


def requested(performance_log) -> list[str]:
    urls = []
    for entry in performance_log:
        message = json.loads(entry["message"])["message"]
        if message["method"] in ("Network.requestWillBeSent", "Network.webSocketCreated"):
            urls.append(message["params"].get("request", message["params"]).get("url"))
    return urls


@pytest.fixture(scope="module")
def loaded(browser, reference_report) -> Loaded:
    return Loaded(browser, reference_report.as_uri())


@pytest.fixture
def page(loaded):
    driver = loaded.show()
    yield driver
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})


def test_the_page_loads_offline_with_no_console_error_and_no_request_leaving_it(loaded):
    assert not [entry for entry in loaded.console if entry["level"] in ("SEVERE", "WARNING")], loaded.console
    assert loaded.url in loaded.requests  # the log saw the page itself, so it would see any other request
    assert [url for url in loaded.requests if url != loaded.url and not url.startswith("data:")] == []


def test_the_logs_would_show_an_error_and_a_request_if_there_were_any(browser, loaded):
    probe = "<p>probe</p><script>console.error('probe error')</script><img src='https://example.invalid/x.png'>"
    browser.get_log("browser"), browser.get_log("performance")
    browser.get("data:text/html;charset=utf-8," + probe)
    assert any("probe error" in entry["message"] for entry in browser.get_log("browser"))
    assert "https://example.invalid/x.png" in requested(browser.get_log("performance"))


def test_the_banner_queue_charts_and_waiver_register_are_shown(page):
    top, bottom = page.execute_script(
        "return [document.querySelector('header.banner').innerText, document.querySelector('footer.banner').innerText]"
    )
    assert top == bottom == "SECRET//NOFORN"
    assert page.title == TITLE
    assert page.execute_script("return document.querySelectorAll('table.queue tbody tr').length") == COUNT
    charts = page.execute_script(
        "return [...document.querySelectorAll('svg.chart')].map(svg => [svg.id, svg.querySelectorAll('rect').length,"
        " svg.getBoundingClientRect().width, svg.querySelector('title').textContent])"
    )
    assert [chart[0] for chart in charts][:2] == ["chart-heat", "chart-budget-USD"] and charts[-1][0] == "chart-starts"
    assert "chart-budget-EUR" in [chart[0] for chart in charts]
    for chart_id, rects, width, title in charts:
        assert rects >= 5 and width > 200 and title, chart_id
    register = page.execute_script("return document.querySelectorAll('table.waivers tbody tr').length")
    assert register == 9
    assert page.execute_script("return document.querySelectorAll('table.waivers tr.expired').length") == 1


def test_a_queue_link_opens_the_proposal(page):
    link = page.find_element("css selector", "table.queue tbody tr:first-child a")
    target = link.get_attribute("href").split("#")[1]
    link.click()
    assert page.execute_script("return location.hash") == f"#{target}"
    top = page.execute_script(f"return document.getElementById('{target}').getBoundingClientRect().top")
    assert -2 < top < 100


def test_past_the_threshold_a_queue_link_opens_the_folded_proposal(browser, reference_records, tmp_path):
    from policycheck.report import html

    run, files = reference_records
    many = tmp_path / "many.html"
    many.write_text(html.render(run, (files * 5)[: html.COLLAPSE_AFTER + 1]), encoding="utf-8")
    browser.get(many.as_uri())
    assert (
        browser.execute_script("return [...document.querySelectorAll('details.proposal')].some(d => d.open)") is False
    )
    link = browser.find_element("css selector", "table.queue tbody tr:nth-child(40) td:nth-child(2) a")
    target = link.get_attribute("href").split("#")[1]
    browser.execute_script("arguments[0].click()", link)
    opened = browser.execute_script(f"return document.getElementById('{target}').closest('details').open")
    assert opened is True


def test_a_hostile_documents_text_is_shown_as_text_and_runs_nothing(page):
    assert page.title == TITLE
    shown = page.execute_script("return document.body.textContent")
    assert "<script>document.title='pwned'</script>\"><img src=x onerror=\"document.title='pwned'\">" in shown
    assert "javascript:alert(1)" in shown and "\\x1b[31mred" in shown and "\\u202eevil\\u202c" in shown
    assert "activity-007-<b>&amp;.yaml" in shown  # the file name too
    injected = page.execute_script(
        "return [document.scripts.length, document.images.length, document.querySelectorAll('iframe,object,embed')"
        ".length, [...document.querySelectorAll('*')].flatMap(e => [...e.attributes].map(a => a.name))"
        ".filter(name => name.startsWith('on') || name === 'style').length, "
        "[...document.links].filter(a => !a.getAttribute('href').startsWith('#')).length]"
    )
    assert injected == [0, 0, 0, 0, 0]
    row = page.find_element("css selector", f"a[href='#p-{HOSTILE_INDEX}']")
    page.execute_script("arguments[0].scrollIntoView({block: 'center'})", row)
    assert row.is_displayed() and "<script>document.title='pwned'</script>" in row.find_element("xpath", "..").text


def png_pixels(data: bytes) -> tuple[int, int, list[tuple[int, ...]]]:
    """(width, height, pixels) of an 8-bit RGB or RGBA PNG, decoded with zlib alone."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    position, compressed = 8, []
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        body = data[position + 8 : position + 8 + length]
        position += 12 + length
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            compressed.append(body)
    assert depth == 8 and interlace == 0 and colour in (2, 6), (depth, colour, interlace)
    step = 3 if colour == 2 else 4
    raw, stride = zlib.decompress(b"".join(compressed)), width * step
    previous, pixels = bytearray(stride), []
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride) if kind else ():  # undo the row's filter (PNG spec, section 9)
            left = line[i - step] if i >= step else 0
            up, corner = previous[i], previous[i - step] if i >= step else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            else:
                guess = left + up - corner
                near = min((abs(guess - left), 0, left), (abs(guess - up), 1, up), (abs(guess - corner), 2, corner))
                line[i] = (line[i] + near[2]) & 255
        pixels.extend(tuple(line[i : i + 3]) for i in range(0, stride, step))
        previous = line
    return width, height, pixels


def test_a_screenshot_shows_the_page(page):
    page.execute_script("window.scrollTo(0, 0)")
    width, height, pixels = png_pixels(page.get_screenshot_as_png())
    colours = Counter(pixels)
    assert width == 1280 and height > 600
    assert len(colours) > 50, "a blank or nearly blank screenshot"
    assert colours.most_common(1)[0][1] < 0.9 * len(pixels)
    assert colours[SECRET_RED] > 1000, "the banner's colour is missing from the top of the page"
    if os.environ.get("POLICYCHECK_UPDATE_SCREENSHOT") == "1":
        size = page.get_window_size()
        page.set_window_size(1280, 1200)  # the overview and the head of the queue
        SCREENSHOT.write_bytes(page.get_screenshot_as_png())
        page.set_window_size(size["width"], size["height"])


def test_the_docs_screenshot_is_a_small_png_that_the_docs_show():
    data = SCREENSHOT.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) < 300 * 1024
    assert "(html-report.png)" in (ROOT / "docs" / "report.md").read_text(encoding="utf-8")
    assert "(docs/html-report.png)" in (ROOT / "README.md").read_text(encoding="utf-8")


def luminance(colour: str) -> float | None:
    """Relative luminance (0 black to 1 white) of an opaque CSS rgb()/rgba() colour; None if transparent."""
    values = [float(value) for value in re.findall(r"[\d.]+", colour)]
    if len(values) == 4 and values[3] == 0:
        return None
    red, green, blue = (value / 255 for value in values[:3])
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def test_printed_it_is_a_memo_with_light_backgrounds_chart_tables_and_a_page_per_proposal(page):
    assert not page.execute_script("return document.querySelector('details.fallback table').checkVisibility()")
    page.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    backgrounds = page.execute_script(
        "return [...document.querySelectorAll('*')].map(e => [e.tagName, getComputedStyle(e).backgroundColor])"
    )
    dark = [(tag, colour) for tag, colour in backgrounds if (luminance(colour) or 1) < 0.6]
    assert dark == []
    assert page.execute_script(
        "return [...document.querySelectorAll('details.fallback table')].every(t => t.checkVisibility())"
    )
    breaks = page.execute_script(
        "return [...document.querySelectorAll('.proposal')].map(p => getComputedStyle(p).breakBefore)"
    )
    assert breaks == ["avoid"] + ["page"] * (COUNT - 1)
    pdf = base64.b64decode(page.execute_cdp_cmd("Page.printToPDF", {"preferCSSPageSize": True})["data"])
    assert pdf.startswith(b"%PDF-")
    assert len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf)) > COUNT  # at least a page per proposal, plus the rest


def test_since_the_last_review_is_shown_with_badges_and_logs_nothing(browser, reference_records, tmp_path):
    import copy

    from policycheck import compare
    from policycheck.report import html

    run, files = reference_records
    # the previous review: one proposal not yet there, one that had a finding since resolved
    previous = copy.deepcopy(files[1:])
    previous[0]["findings"].append({**previous[1]["findings"][0], "fingerprint": "f" * 16, "message": "<b>gone</b>"})
    comparison = compare.Comparison(compare.previous_of({"schema": run["schema"], "files": previous}, "last.json"))
    path = tmp_path / "since.html"
    path.write_text(html.render(run, files, comparison), encoding="utf-8")
    loaded = Loaded(browser, path.as_uri())
    assert not [entry for entry in loaded.console if entry["level"] in ("SEVERE", "WARNING")], loaded.console
    since = browser.execute_script("return document.getElementById('since').innerText")
    assert "Compared with last.json: proposals 1 new, 1 changed, 48 unchanged, 0 removed" in since
    badges = browser.execute_script(
        "return [...document.querySelectorAll('table.queue .badge[class*=\"c-\"]')].map(b => b.innerText)"
    )
    assert sorted(set(badges)) == ["changed", "new", "unchanged"] and len(badges) == COUNT
    resolved = browser.execute_script(
        "return [...document.querySelectorAll('.c-resolved')].map(b => b.parentNode.textContent)"
    )
    assert len(resolved) == 1 and "<b>gone</b>" in resolved[0]
