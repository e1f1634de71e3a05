"""The JSON report: sorted, stable, described by `schemas/report.schema.json`."""

from __future__ import annotations

import json

from ..baseline import fingerprint
from . import Report

REPORT_SCHEMA = "policycheck-report/v1"


def _finding(finding) -> dict:

    data = finding._asdict()
    data["rule"] = data.pop("rule_id")
    data["fingerprint"] = fingerprint(finding)
    if data["traceback"] is None:  # only an ERR001 under --show-tracebacks has one
        del data["traceback"]
    if finding.waiver is not None:
        waiver = finding.waiver
        data["waiver"] = {
            "justification": waiver.justification,
            "approved_by": waiver.approved_by,
            "expires": waiver.expires,
            "at": waiver.at,
        }
    return data


def _file(result) -> dict:
    return {
        "file": result.file,
        "activity_id": result.activity_id,
        "banner": result.banner,
        "status": result.status,
        "findings": [_finding(finding) for finding in result.findings],
        "rules": result.outcomes,
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
