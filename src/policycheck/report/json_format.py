"""The JSON report: sorted, stable, described by `schemas/report.schema.json`."""

from __future__ import annotations

import json
from dataclasses import asdict

from . import Report

REPORT_SCHEMA = "policycheck-report/v1"


def _finding(finding) -> dict:
    from ..baseline import fingerprint

    data = asdict(finding)
    data["rule"] = data.pop("rule_id")
    data["fingerprint"] = fingerprint(finding)
    if finding.waiver is not None:
        waiver = data["waiver"]
        data["waiver"] = {key: waiver[key] for key in ("justification", "approved_by", "expires", "at")}
    return data


def as_dict(report: Report) -> dict:
    data = {
        "schema": REPORT_SCHEMA,
        "tool": {"name": "policycheck", "version": report.version},
        "fail_on": report.fail_on,
        "summary": report.summary,
        "files": [
            {
                "file": result.file,
                "activity_id": result.activity_id,
                "banner": result.banner,
                "status": result.status,
                "findings": [_finding(finding) for finding in result.findings],
                "rules": result.outcomes,
            }
            for result in report.results
        ],
    }
    if report.baseline is not None:
        data["baseline"] = report.baseline.as_dict()
    return data


def render(report: Report) -> str:
    return json.dumps(as_dict(report), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
