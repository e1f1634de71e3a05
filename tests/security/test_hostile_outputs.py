"""Way 5 of issue 15: injected output. One hostile corpus (document text, waiver text and file names
with CR, LF, C0/C1, ESC/OSC, bidi, lone surrogates, non-UTF-8 bytes, HTML, backticks, pipes, @mentions and
workflow commands) run through every format."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import CLEAN, ROOT, TODAY, with_waivers

HOSTILE = (
    "::add-mask::x \r::error::forged\n::notice::n \x1b]8;;http://evil\x07link\x1b\\ \x9b31m \u202egnp.exe\u2066 \x85"
)
MARKUP = '<img src=x onerror=alert(1)> <a href="http://evil">a</a> ``<b>`` | cell @octocat `x`'
NAMES = ["::error::name.yaml", "new\nline.yaml", "bidi\u202eyaml.yaml", os.fsdecode(b"latin\xff.yaml")]
FORMATS = ("text", "json", "sarif", "junit", "markdown", "github")


def _yaml_string(text: str) -> str:
    """`text` as a double-quoted YAML scalar, escapes and all (the loader refuses raw controls)."""
    return json.dumps(text)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    waiver = (
        f"waivers:\n  - rule: DAT001\n    justification: {_yaml_string(HOSTILE + MARKUP)}\n"
        f'    approved_by: {_yaml_string("Director " + HOSTILE)}\n    expires: "2027-06-30"\n'
        f"  - rule: {_yaml_string('NOPE001')}\n    justification: {_yaml_string(MARKUP)}\n"
        f'    approved_by: {_yaml_string(HOSTILE)}\n    expires: "2027-06-30"\n'
    )
    dates = CLEAN.replace('start: "2027-01-15"\n  end: "2028-06-30"', 'start: "2028-03-01"\n  end: "2027-06-30"')
    text = with_waivers(dates, waiver).replace(
        "title: Advisory support to a defense strategy", f"title: {_yaml_string(HOSTILE + MARKUP)}"
    )
    text = text.replace("classification: CUI", f"classification: {_yaml_string('CUI ' + HOSTILE)}")
    for index, name in enumerate(NAMES):
        (folder / os.fsencode(name).decode("utf-8", "surrogateescape")).write_bytes(
            text.replace("FIX-2027-CLEAN", f"FIX-2027-H{index}").encode("utf-8")
        )
    (folder / "unknown-key.yaml").write_text(
        CLEAN.replace("FIX-2027-CLEAN", "FIX-2027-K").replace(
            "summary:", f"{_yaml_string(HOSTILE + MARKUP)}: x\nsummary:"
        ),
        encoding="utf-8",
    )
    return folder


def run(corpus: Path, fmt: str) -> bytes:
    command = [sys.executable, "-m", "policycheck", "check", "--no-config", "--no-plugins", "--today", TODAY]
    result = subprocess.run([*command, "-f", fmt, "."], cwd=corpus, capture_output=True, timeout=120)
    assert result.returncode == 1, result.stderr.decode("utf-8", "replace")
    assert b"Traceback" not in result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def outputs(corpus) -> dict[str, str]:
    # every format's bytes are UTF-8, whatever the names
    return {fmt: run(corpus, fmt).decode("utf-8") for fmt in FORMATS}


def test_every_format_is_inert(outputs):
    for fmt, text in outputs.items():
        lines = text.split("\n")
        for line in lines:
            # nothing a document or a file name says drives a terminal, forges a line or reorders text
            assert not re.search(
                "[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]", line
            ), (
                fmt,
                line,
            )
        assert "x1b" in text and "x07" in text, fmt  # the OSC link is shown as escapes, not run
        # as its bytes; JSON as its own escape of the very name, which reads back as the name
        shown = {"json": "latin\\udcff.yaml", "sarif": "latin%FF.yaml"}.get(fmt, "latin\\xff.yaml")
        assert shown in text, fmt


def test_no_workflow_command_from_a_document_or_a_file_name(outputs):
    """A line starting with `::` is a GitHub workflow command: only the github format writes any, and only its own."""
    for fmt in ("text", "markdown", "junit", "json", "sarif"):
        assert not [line for line in outputs[fmt].splitlines() if line.lstrip().startswith(("::", "##["))], fmt
    own = re.compile(r"^::(error|warning|notice) (file=[^,]*,line=\d+,col=\d+,title=[A-Z]+\d+|title=policycheck)::")
    for line in outputs["github"].splitlines():
        if line.lstrip().startswith(("::", "##[")):
            assert own.match(line), line
    assert "./::error::name.yaml" in outputs["text"]  # the file is named, never run


def test_markdown_carries_no_html_link_mention_or_broken_table(outputs):
    markdown = outputs["markdown"]
    assert "<img" not in markdown and "<a href" not in markdown and "<b>" not in markdown
    assert "@octocat" not in markdown and "&#64;octocat" in markdown
    rows = [line for line in markdown.splitlines() if line.startswith("|")]
    assert rows and all(line.endswith(" |") or line.endswith("|") for line in rows)
    # a table keeps its column count on every row: no file name or text split a cell or a row
    for header, *body in _tables(rows):
        assert all(_cells(row) == _cells(header) for row in body), header


def _cells(row: str) -> int:
    return len(re.findall(r"(?<!\\)\|", row))


def _tables(rows: list[str]) -> list[list[str]]:
    """Each table's rows, its header first: a header is the row above a `|---` line."""
    tables: list[list[str]] = []
    for index, row in enumerate(rows):
        if index + 1 < len(rows) and rows[index + 1].startswith("|---"):
            tables.append([])
        tables[-1].append(row)
    return tables


def test_junit_is_valid_against_junit_10_xsd(outputs):
    import xmlschema  # a test dependency: pip install '.[test]'

    schema = xmlschema.XMLSchema(str(ROOT / "tests" / "report" / "data" / "junit-10.xsd"))
    schema.validate(outputs["junit"])
    assert "classname=" in outputs["junit"]  # GitLab shows the file from it


def test_sarif_and_json_parse_and_sarif_is_valid(outputs):
    from jsonschema import Draft7Validator

    json.loads(outputs["json"])
    sarif = json.loads(outputs["sarif"])
    schema = json.loads((ROOT / "tests" / "report" / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    errors = list(Draft7Validator(schema).iter_errors(sarif))
    assert not errors, errors[0].message
