"""SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.

The rules that ran are `tool.driver.rules`; each finding is a result with a
physical location and `partialFingerprints` from the baseline's stable
fingerprint (`policycheck/v1`, suffixed `:N` for the Nth finding with the same
fingerprint in a file, as GitHub does with its line hashes). A waived finding
is a result with a suppression: kind `inSource`, because the waiver is written
in the activity file itself (SARIF 3.35.2), with its justification.

Streamed one result at a time (`stream`) after a first pass for the rules that
ran: memory stays flat however many files there are.
"""

from __future__ import annotations

import json
import re
from pathlib import PurePath
from urllib.parse import quote

from ..baseline import fingerprint, relative_path
from . import Report

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_KEY = "policycheck/v1"
_LEVELS = {"fail": "error", "warn": "warning"}


def _name(title: str) -> str:
    """SARIF's readable rule name: the title in PascalCase ("ActivityEndsBeforeItStarts")."""
    return "".join(word[:1].upper() + word[1:] for word in re.split(r"[^0-9A-Za-z]+", title) if word)


def _help(rule) -> dict:
    text = (
        f"{rule.rationale}\n\nSource: {rule.source}\n\nRun `policycheck explain {rule.id}` for examples and parameters."
    )
    markdown = [f"{rule.rationale}", f"Source: {rule.source}"]
    for heading, snippet in (("Fails", rule.fails), ("Passes", rule.passes)):
        if snippet:
            markdown.append(f"**{heading}**\n\n```yaml\n{snippet.rstrip()}\n```")
    markdown.append(f"Run `policycheck explain {rule.id}` for the parameters.")
    return {"text": text, "markdown": "\n\n".join(markdown)}


def _descriptor(rule, plugin: str) -> dict:
    descriptor = {
        "id": rule.id,
        "name": _name(rule.title),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.rationale},
        "help": _help(rule),
        "defaultConfiguration": {"level": _LEVELS[rule.level]},
        "properties": {"family": rule.family, "plugin": plugin, "tags": [rule.family]},
    }
    if rule.help_uri:
        descriptor["helpUri"] = rule.help_uri
    return descriptor


def _uri(file: str) -> str:
    """Relative to the current directory (the repository root in CI), or a file: URI outside it."""
    path = relative_path(file)
    if PurePath(path).is_absolute():
        return PurePath(path).as_uri()
    return quote(path, safe="/", errors="surrogateescape")  # a name's undecodable bytes as %XX


def _result(
    finding, rule_index: dict[str, int], default_levels: dict[str, str], fingerprint: str, baseline_applied: bool
) -> dict:
    text = finding.message + (f" [{finding.hint}]" if finding.hint else "")
    level = finding.level if finding.level in _LEVELS else default_levels.get(finding.rule_id, "fail")
    result = {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index[finding.rule_id],
        "level": _LEVELS[level],
        "message": {"text": text},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": _uri(finding.file)},
                    "region": {"startLine": finding.line, "startColumn": finding.column},
                }
            }
        ],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
    }
    if baseline_applied:
        result["baselineState"] = "new"
    properties = {
        key: value for key, value in (("jsonPointer", finding.pointer), ("activityId", finding.activity_id)) if value
    }
    if properties:
        result["properties"] = properties
    if finding.waiver is not None:
        waiver = finding.waiver
        result["suppressions"] = [
            {
                "kind": "inSource",
                "status": "accepted",
                "justification": f"{waiver.justification} (approved by {waiver.approved_by}, expires {waiver.expires})",
                "location": {
                    "physicalLocation": {
                        "artifactLocation": {"uri": _uri(finding.file)},
                        "region": {"startLine": waiver.line, "startColumn": waiver.column},
                    }
                },
                "properties": {"approvedBy": waiver.approved_by, "expires": waiver.expires},
            }
        ]
    return result


def _first_pass(report: Report) -> tuple[list, bool]:
    """The rules that ran, and whether one crashed: one file at a time, keeping only rule ids."""
    ran, found = set(), set()
    for result in report.results:
        ran.update(result.outcomes)
        found.update(finding.rule_id for finding in result.findings)
    ran |= found
    return [report.rules[rule_id] for rule_id in sorted(ran) if rule_id in report.rules], "ERR001" in found


def _results(report: Report, rules: list):
    """Each finding's SARIF result, one file at a time."""
    rule_index = {rule.id: index for index, rule in enumerate(rules)}
    default_levels = {rule.id: rule.level for rule in rules}
    baseline_applied = report.baseline is not None and not report.baseline.written
    for file_result in report.results:
        seen: dict[str, int] = {}
        for finding in file_result.findings:
            key = fingerprint(finding)
            seen[key] = seen.get(key, 0) + 1
            yield _result(finding, rule_index, default_levels, f"{key}:{seen[key]}", baseline_applied)


def _run(report: Report, rules: list, crashed: bool) -> dict:
    """The run without its results (`stream` writes those one at a time)."""
    driver = {"name": "policycheck"}
    if report.version:
        driver.update(version=report.version, semanticVersion=report.version)
    driver["rules"] = [_descriptor(rule, report.rule_plugins.get(rule.id, "")) for rule in rules]
    return {
        "tool": {"driver": driver},
        "invocations": [{"executionSuccessful": not crashed}],
        "columnKind": "unicodeCodePoints",
    }


def as_dict(report: Report) -> dict:
    """The whole log as one dict (for tests and callers that want it; the command line streams it)."""
    rules, crashed = _first_pass(report)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{**_run(report, rules, crashed), "results": list(_results(report, rules))}],
    }


def _dumps(value, indent: str) -> str:
    """`value` as it appears nested at `indent` inside `json.dumps(..., indent=2)`."""
    return json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + indent)


def stream(report: Report):
    """The log one result at a time; byte for byte `json.dumps(as_dict(report), indent=2)` and a newline."""
    rules, crashed = _first_pass(report)
    yield f'{{\n  "$schema": {json.dumps(SARIF_SCHEMA)},\n  "version": "2.1.0",\n  "runs": [\n    {{'
    for key, value in _run(report, rules, crashed).items():
        yield f"\n      {json.dumps(key)}: {_dumps(value, '      ')},"
    yield '\n      "results": '
    empty = True
    for result in _results(report, rules):
        yield ("[" if empty else ",") + "\n        " + _dumps(result, "        ")
        empty = False
    yield "[]" if empty else "\n      ]"
    yield "\n    }\n  ]\n}\n"


def render(report: Report) -> str:
    return "".join(stream(report))
