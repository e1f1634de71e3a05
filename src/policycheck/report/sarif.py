"""SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.

The rules that ran are `tool.driver.rules`; each finding is a result with a
physical location and `partialFingerprints` from the baseline's stable
fingerprint (`policycheck/v1`, suffixed `:N` for the Nth finding with the same
fingerprint in a file, as GitHub does with its line hashes). A waived finding
is a result with a suppression: kind `inSource`, because the waiver is written
in the activity file itself (SARIF 3.35.2), with its justification; a finding
the baseline hid is one with kind `external` (and `baselineState: unchanged`),
so neither shows as an open alert.

At GitHub code scanning's limits: paths are relative to the repository root
(`uriBaseId: %SRCROOT%`, defined in `originalUriBaseIds`); at most
`MAX_RESULTS` results per run, the most severe first, with a run-level
notification when some were cut; every rule has a `helpUri` (its own, else its
section of docs/rules.md, `RULES_DOC`). The run's properties carry the
effective policy and the waivers in force.

Streamed one result at a time (`stream`) after a first pass for the rules that
ran and the counts a cut needs: memory stays flat however many files there are.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path, PurePath
from urllib.parse import quote

from ..baseline import fingerprint
from ..quoting import inert
from . import Report, live_waivers

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_KEY = "policycheck/v1"
_LEVELS = {"fail": "error", "warn": "warning", "info": "note"}
# GitHub code scanning refuses a run with more results than this
MAX_RESULTS = 25_000
SRCROOT = "%SRCROOT%"
# where the project's rule documentation lives, at the version that wrote the log
RULES_DOC = "https://github.com/policycheck/policycheck/blob/v{version}/docs/rules.md#{anchor}"


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


def _descriptor(rule, plugin: str, version: str) -> dict:
    descriptor = {
        "id": rule.id,
        "name": _name(rule.title),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.rationale},
        "help": _help(rule),
        "defaultConfiguration": {"level": _LEVELS[rule.level]},
        "properties": {"family": rule.family, "plugin": plugin, "tags": [rule.family]},
    }
    descriptor["helpUri"] = rule.help_uri or RULES_DOC.format(version=version or "0", anchor=rule.id.lower())
    return descriptor


def _location(file: str, root: str) -> dict:
    """Relative to the repository root (`%SRCROOT%`), or a file: URI outside it; bytes of a non-UTF-8 name kept."""
    absolute = os.path.abspath(file)
    relative = os.path.relpath(absolute, root) if not file.startswith("<") else file
    if relative == os.pardir or relative.startswith(os.pardir + os.sep) or PurePath(relative).is_absolute():
        return {"uri": "file://" + quote(Path(absolute).as_posix(), safe="/", errors="surrogateescape")}
    return {"uri": quote(relative.replace(os.sep, "/"), safe="/", errors="surrogateescape"), "uriBaseId": SRCROOT}


def _result(
    finding,
    rule_index: dict[str, int],
    default_levels: dict[str, str],
    fingerprint: str,
    baseline_applied: bool,
    root: str,
) -> dict:
    text = inert(finding.message) + (f" [{inert(finding.hint)}]" if finding.hint else "")
    level = finding.level if finding.level in _LEVELS else default_levels.get(finding.rule_id, "fail")
    result = {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index[finding.rule_id],
        "level": _LEVELS[level],
        "message": {"text": text},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": _location(finding.file, root),
                    "region": {"startLine": finding.line, "startColumn": finding.column},
                }
            }
        ],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
    }
    if baseline_applied:
        result["baselineState"] = "new"
    properties = {
        key: value
        for key, value in (
            ("jsonPointer", inert(finding.pointer or "")),
            ("activityId", inert(finding.activity_id or "")),
            ("traceback", finding.traceback),  # made inert where it was taken (--show-tracebacks)
        )
        if value
    }
    if properties:
        result["properties"] = properties
    if finding.waiver is not None and finding.level == "waived":
        waiver = finding.waiver
        authority = f", authority {waiver.authority}" if waiver.authority else ""
        result["suppressions"] = [
            {
                "kind": "inSource",
                "status": "accepted",
                "justification": (
                    f"{waiver.justification} (approved by {waiver.approved_by}{authority}, expires {waiver.expires})"
                ),
                "location": {
                    "physicalLocation": {
                        "artifactLocation": _location(finding.file, root),
                        "region": {"startLine": waiver.line, "startColumn": waiver.column},
                    }
                },
                "properties": {
                    key: value
                    for key, value in (
                        ("approvedBy", waiver.approved_by),
                        ("authority", waiver.authority),
                        ("expires", waiver.expires),
                    )
                    if value
                },
            }
        ]
    return result


def _baselined(result: dict, baseline_file: str) -> dict:
    """A finding the baseline hid: reported, suppressed where it is recorded (outside the file)."""
    result["baselineState"] = "unchanged"
    result["suppressions"] = [
        {
            "kind": "external",
            "status": "accepted",
            "justification": f"recorded in the baseline {inert(baseline_file)}: a known finding, not a new one",
        }
    ]
    return result


class _Run:
    """What a first pass over the results gives: the rules that ran, the waivers, each rank's count."""

    def __init__(self, report: Report):
        hidden = report.baseline.hidden if report.baseline is not None else ()
        ran, found = set(), set()
        self.waivers: list[tuple[str, object]] = []
        for result in report.results:
            ran.update(result.outcomes)
            found.update(finding.rule_id for finding in result.findings)
            self.waivers.extend((result.file, waiver) for waiver in live_waivers(result))
        self.crashed = "ERR001" in found  # a crash in a checked file, not one the baseline hid
        found.update(finding.rule_id for finding in hidden)
        self.rules = [report.rules[rule_id] for rule_id in sorted(ran | found) if rule_id in report.rules]
        self.rule_index = {rule.id: index for index, rule in enumerate(self.rules)}
        self.default_levels = {rule.id: rule.level for rule in self.rules}
        self.ranks = [0, 0, 0]
        for rank, *_ in self.findings(report):
            self.ranks[rank] += 1

    def findings(self, report: Report):
        """Each (rank, finding, its numbered fingerprint, hidden by the baseline?) in report order.

        Rank is what a cut keeps first: fails, then warnings, then what is
        suppressed. The Nth finding with a fingerprint in a file is `:N`,
        counting the baseline's hidden ones after the file's own.
        """
        hidden = report.baseline.hidden if report.baseline is not None else ()
        hidden_keys = {(finding.file, fingerprint(finding)) for finding in hidden}
        carried: dict[tuple[str, str], int] = {}  # counts a hidden finding continues from
        for file_result in report.results:
            seen: dict[str, int] = {}
            for finding in file_result.findings:
                key = fingerprint(finding)
                seen[key] = seen.get(key, 0) + 1
                yield self._rank(finding), finding, f"{key}:{seen[key]}", False
            carried.update(
                ((file_result.file, key), count)
                for key, count in seen.items()
                if (file_result.file, key) in hidden_keys
            )
        for finding in hidden:
            key = fingerprint(finding)
            carried[finding.file, key] = carried.get((finding.file, key), 0) + 1
            yield 2, finding, f"{key}:{carried[finding.file, key]}", True

    def _rank(self, finding) -> int:
        if finding.waiver is not None and finding.level == "waived":
            return 2
        level = finding.level if finding.level in _LEVELS else self.default_levels.get(finding.rule_id, "fail")
        return 0 if level == "fail" else 1


def _kept(report: Report, run: _Run):
    """The results the log carries: all, or past MAX_RESULTS the most severe first (file order within a rank)."""
    baseline_applied = report.baseline is not None and not report.baseline.written
    root = os.path.abspath(report.root)

    def result(finding, found: str, hidden: bool) -> dict:
        made = _result(finding, run.rule_index, run.default_levels, found, baseline_applied, root)
        return _baselined(made, report.baseline.file) if hidden else made

    if sum(run.ranks) <= MAX_RESULTS:
        yield from (result(*found) for _, *found in run.findings(report))
        return
    budget = MAX_RESULTS
    for rank in range(3):
        for this_rank, *found in run.findings(report):
            if budget == 0:
                return
            if this_rank == rank:
                budget -= 1
                yield result(*found)


def _head(report: Report, run: _Run) -> dict:
    """The run's members before its results."""
    invocation: dict = {"executionSuccessful": not run.crashed}
    total = sum(run.ranks)
    if total > MAX_RESULTS:
        invocation["toolExecutionNotifications"] = [
            {
                "level": "warning",
                "message": {
                    "text": f"{total - MAX_RESULTS:,} of {total:,} results left out: code scanning takes at most "
                    f"{MAX_RESULTS:,} per run; failures are kept first, then warnings, then suppressed results. "
                    "The text and JSON reports have every finding."
                },
            }
        ]
    driver = {"name": "policycheck"}
    if report.version:
        driver.update(version=report.version, semanticVersion=report.version)
    driver["rules"] = [_descriptor(rule, report.rule_plugins.get(rule.id, ""), report.version) for rule in run.rules]
    root = os.path.abspath(report.root)
    return {
        "tool": {"driver": driver},
        "invocations": [invocation],
        "originalUriBaseIds": {
            SRCROOT: {"uri": Path(root).as_uri().rstrip("/") + "/", "description": {"text": "The repository root"}}
        },
        "columnKind": "unicodeCodePoints",
    }


def _tail(report: Report, run: _Run) -> dict:
    """The run's members after its results."""
    if report.policy is None:
        return {}
    root = os.path.abspath(report.root)
    waivers = [_waiver(file, waiver, root) for file, waiver in run.waivers]
    return {"properties": {"policy": report.policy.as_dict(), "waiversInForce": waivers}}


def as_dict(report: Report) -> dict:
    """The whole log as one dict (for tests and callers that want it; the command line streams it)."""
    run = _Run(report)
    members = {**_head(report, run), "results": list(_kept(report, run)), **_tail(report, run)}
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [members]}


def _waiver(file: str, waiver, root: str) -> dict:
    return {
        "location": _location(file, root),
        "line": waiver.line,
        "rule": waiver.rule,
        "at": waiver.at,
        "approvedBy": waiver.approved_by,
        "authority": waiver.authority,
        "justification": waiver.justification,
        "expires": waiver.expires,
        "daysLeft": waiver.days_left,
    }


def _dumps(value, indent: str) -> str:
    """`value` as it appears nested at `indent` inside `json.dumps(..., indent=2)`."""
    return json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + indent)


def stream(report: Report):
    """The log one result at a time: byte for byte `json.dumps(as_dict(report), indent=2)` and a newline."""
    run = _Run(report)
    yield f'{{\n  "$schema": {json.dumps(SARIF_SCHEMA)},\n  "version": "2.1.0",\n  "runs": [\n    {{'
    for key, value in _head(report, run).items():
        yield f"\n      {json.dumps(key)}: {_dumps(value, '      ')},"
    yield '\n      "results": '
    empty = True
    for result in _kept(report, run):
        yield ("[" if empty else ",") + "\n        " + _dumps(result, "        ")
        empty = False
    yield "[]" if empty else "\n      ]"
    for key, value in _tail(report, run).items():
        yield f",\n      {json.dumps(key)}: {_dumps(value, '      ')}"
    yield "\n    }\n  ]\n}\n"


def render(report: Report) -> str:
    return "".join(stream(report))
