"""Markdown: a summary table per file and family, then the findings, escaped to render as written."""

from __future__ import annotations

from policycheck.report.markdown import _escape

STABLE_RULES = "SCH001,DAT001,PRT001,WVR001,WVR002,LOAD001"


def table(output: str) -> list[list[str]]:
    rows = [line for line in output.splitlines() if line.startswith("| ")]
    return [[cell.strip() for cell in row.strip("|").split(" | ")] for row in rows]


def test_table_has_a_row_per_file_and_a_column_per_family(run, monkeypatch):
    from pathlib import Path

    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parent))
    output = run(
        "fixtures/clean.yaml",
        "fixtures/expired.yaml",
        "-p",
        "report_help_plugin",
        "--select",
        "DAT001,WVR,TRP",
        "--format",
        "markdown",
    ).output
    rows = table(output)
    header, *rows = rows[: rows.index(["Partner", "Proposals", "Failing", "Findings", "Budget", "Budget at risk"])]
    assert header == [
        *("File", "Activity", "Partner", "Type", "Start", "Budget", "Classification", "Result"),
        *("core", "test-report"),
    ]
    clean = ["`fixtures/clean.yaml`", "FIX-2027-CLEAN", "ALB", "advisory", "2027-01-15", "USD 850,000"]
    assert rows[0] == [*clean, "CUI//REL TO USA, ALB", "pass", "pass", "pass"]
    assert rows[1] == [
        *("`fixtures/expired.yaml`", "FIX-2027-EXPIRED", "ALB", "advisory", "2028-03-01", "USD 850,000"),
        *("CUI//REL TO USA, ALB", "**fail**", "**2 fail**", "pass"),
    ]
    assert output.startswith(
        "## policycheck\n\n**2 files checked: 1 failed, 0 with warnings, 1 passed** (2 fail, 0 warn, 0 waived)\n"
    )


def test_findings_are_listed_per_file_with_hint_and_waiver(run):
    output = run("fixtures/waived.yaml", "--select", STABLE_RULES, "--format", "markdown").output
    assert "#### `fixtures/waived.yaml`" in output
    assert (
        "- **WARN** `WVR002` line 38, column 5: the waiver for DAT001 at /activity/start matches no finding — "
        "*remove it: the problem it excused is gone*" in output
    )
    # the table cell and the waiver text are escaped: `|` would split the row, `<memo>` would vanish as HTML
    assert "see &lt;memo&gt; &amp; \\| table" in output
    assert "1 warn, 1 waived" in output


def test_quiet_leaves_out_files_with_nothing_to_fix(run):
    output = run(
        "fixtures/clean.yaml", "fixtures/expired.yaml", "--select", STABLE_RULES, "--format", "markdown", "--quiet"
    ).output
    assert "fixtures/clean.yaml" not in output
    assert "fixtures/expired.yaml" in output


def test_escape_keeps_code_spans_and_neutralises_markup():
    assert (
        _escape("add `sustainment: {a|b}` to *each* [system]") == "add `sustainment: {a|b}` to \\*each\\* \\[system\\]"
    )
    assert _escape("an unpaired ` backtick_here") == "an unpaired \\` backtick\\_here"
    assert _escape("a|b `c|d`", code_spans=False) == "a\\|b \\`c\\|d\\`"
    assert _escape("two\nlines <b>") == "two lines &lt;b&gt;"
