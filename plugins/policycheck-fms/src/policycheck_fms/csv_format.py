"""`--format csv`: one row per finding, with a header, for spreadsheets."""

from __future__ import annotations

import csv
import io

from policycheck.report import Report

COLUMNS = ("file", "line", "column", "level", "rule", "message", "hint", "activity_id", "pointer")


def render(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for result in report.results:
        for f in result.findings:
            writer.writerow(
                (f.file, f.line, f.column, f.level, f.rule_id, f.message, f.hint or "", f.activity_id or "", f.pointer)
            )
    return out.getvalue()
