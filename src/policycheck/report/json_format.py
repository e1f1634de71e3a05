"""The JSON report: sorted, stable, described by `schemas/report.schema.json`.

Strings from a document or a file name are made inert, as in every format, but
for a file name's bytes that are not UTF-8: JSON writes them as its own escapes
(`\\udcNN`), so `file` reads back as the very name; the report states the
effective policy (`policy`) and each file's waivers with what became of them.
"""

from __future__ import annotations

import json

from ..baseline import fingerprint
from ..quoting import inert
from . import Report

REPORT_SCHEMA = "policycheck-report/v1"


def _finding(finding) -> dict:

    data = finding._asdict()
    data["rule"] = data.pop("rule_id")
    data["fingerprint"] = fingerprint(finding)
    del data["fix"]  # the fix is for --fix and the editor, not part of the report's schema
    for key in ("message", "hint", "activity_id", "pointer"):
        data[key] = _text(data[key])
    data["file"] = inert(data["file"], keep_bytes=True)
    if data["traceback"] is None:  # only an ERR001 under --show-tracebacks has one
        del data["traceback"]
    if finding.waiver is not None:
        waiver = finding.waiver
        data["waiver"] = {
            "justification": waiver.justification,
            "approved_by": waiver.approved_by,
            "authority": waiver.authority,
            "expires": waiver.expires,
            "at": waiver.at,
            "applied": finding.level == "waived",  # false under --no-waivers: what the waiver would hide
        }
    return data


def _text(value):
    return inert(value) if isinstance(value, str) else value


def _waiver(waiver) -> dict:
    return {
        "rule": waiver.rule,
        "at": waiver.at,
        "approved_by": waiver.approved_by,
        "authority": waiver.authority,
        "justification": waiver.justification,
        "expires": waiver.expires,
        "status": waiver.status,
        "days_left": waiver.days_left,
        "line": waiver.line,
    }


def _file(result) -> dict:
    return {
        "file": inert(result.file, keep_bytes=True),
        "activity_id": _text(result.activity_id),
        "banner": _text(result.banner),
        "status": result.status,
        "findings": [_finding(finding) for finding in result.findings],
        "rules": result.outcomes,
        "waivers": [_waiver(waiver) for waiver in result.waivers],
        **({"notes": result.notes} if result.notes else {}),
    }


def _dumps(value, indent: str) -> str:
    """`value` as it appears nested at `indent` inside `json.dumps(..., indent=2)`."""
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False).replace("\n", "\n" + indent)


def stream(report: Report):
    """The report, one file at a time; byte for byte what `json.dumps(indent=2, sort_keys=True)` writes."""
    top = {
        "schema": REPORT_SCHEMA,
        "tool": {"name": "policycheck", "version": report.version},
        "fail_on": report.fail_on,
    }
    if report.baseline is not None:
        top["baseline"] = report.baseline.as_dict()
        for entry in top["baseline"]["hidden_by_file"]:
            entry["file"] = inert(entry["file"], keep_bytes=True)
    if report.policy is not None:
        top["policy"] = report.policy.as_dict()
    keys = sorted([*top, "files", "summary"])
    yield "{"
    for position, key in enumerate(keys):
        yield ("," if position else "") + f"\n  {json.dumps(key)}: "
        if key == "files":
            if not report.results:
                yield "[]"
                continue
            for index, result in enumerate(report.results):
                yield ("[" if index == 0 else ",") + "\n    " + _dumps(_file(result), "    ")
            yield "\n  ]"
        else:
            yield _dumps(report.summary if key == "summary" else top[key], "  ")
    yield "\n}\n"


def render(report: Report) -> str:
    return "".join(stream(report))
