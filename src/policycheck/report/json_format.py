"""The JSON report, the review record: sorted, stable, described by `schemas/report.schema.json`.

Strings from a document or a file name are made inert, as in every format, but
for a file name's bytes that are not UTF-8: JSON writes them as its own escapes
(`\\udcNN`), so `file` reads back as the very name. The report states what the run
judged by (`policy`, `catalogue`, `today`, the `rules`' metadata) and, per file, what a
reviewer decides from (partners, title, dates, budget...: the facts the engine took
from the document), each file's waivers with what became of them, and each finding's `fix`
when its rule offers one (what `--fix` would change, as plain data).

`file_record` and `run_record` are the one place a run becomes records: the HTML
report reads the same ones, so a stored report renders as the live run did.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..activity import to_path, to_pointer
from ..baseline import fingerprint
from ..quoting import inert
from . import Report

REPORT_SCHEMA = "policycheck-report/v2"
# source lines either side of a finding, in its `context`
CONTEXT_AROUND = 2


def _finding(finding, lines: dict) -> dict:
    data = finding._asdict()
    data["rule"] = data.pop("rule_id")
    data["fingerprint"] = fingerprint(finding)
    if finding.fix is None:
        del data["fix"]
    else:
        data["fix"] = _fix(finding.fix)
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
    context = _context(finding.line, lines)
    if context is not None:
        data["context"] = context
    return data


def _fix(fix) -> dict:
    """A rule's Fix as plain data: its edits in order, each at a JSON pointer, strings made inert."""
    edits = []
    for edit in fix.edits:
        path = to_path(tuple(edit.path) if isinstance(edit.path, list) else edit.path)
        record = {"op": edit.op, "path": inert(to_pointer(path))}
        if edit.op != "remove":  # as in a JSON Patch, a removal has no value
            record["value"] = _plain(edit.value)
        edits.append(record)
    return {"applicability": "safe" if fix.safe else "unsafe", "message": inert(fix.title), "edits": edits}


def _plain(value):
    """A fix's value as JSON writes it: mappings with text keys, tuples as lists, text inert."""
    if isinstance(value, str):
        return inert(value)
    if isinstance(value, Mapping):
        return {_plain(str(key)): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def _context(line: int, lines: dict) -> dict | None:
    """The source lines the engine kept around `line`, at most CONTEXT_AROUND either side; None without them."""
    if line not in lines:
        return None
    first, last = line, line
    while first - 1 in lines and line - first < CONTEXT_AROUND:
        first -= 1
    while last + 1 in lines and last - line < CONTEXT_AROUND:
        last += 1
    return {"first_line": first, "lines": [lines[number] for number in range(first, last + 1)]}


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


def file_record(result, comparison=None) -> dict[str, Any]:
    """One file's review record, as the JSON report writes it and every record-reading format reads it."""
    facts = dict(result.facts)
    lines = facts.pop("lines", None) or {}
    record = {
        "file": inert(result.file, keep_bytes=True),
        "activity_id": _text(result.activity_id),
        "banner": _text(result.banner),
        "status": result.status,
        "findings": [_finding(finding, lines) for finding in result.findings],
        "rules": result.outcomes,
        "waivers": [_waiver(waiver) for waiver in result.waivers],
        **({"notes": result.notes} if result.notes else {}),
        **facts,
    }
    return comparison.mark(record) if comparison is not None else record


def _digest(value: Any) -> str:
    import hashlib  # 4 ms: only a report that states its policy needs it

    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def run_record(report: Report) -> dict[str, Any]:
    """What the whole run states: the tool, the review date, the rules' metadata, and what it judged by."""
    top: dict[str, Any] = {
        "schema": REPORT_SCHEMA,
        "tool": {"name": "policycheck", "version": report.version},
        "fail_on": report.fail_on,
        "today": report.today.isoformat() if report.today is not None else None,
        "rules": {
            rule.id: {"title": rule.title, "family": rule.family, "level": rule.level}
            for rule in sorted(report.rules.values(), key=lambda rule: rule.id)
            if report.catalogue is None or rule.id in report.catalogue["rules"]  # the rules that ran
        },
    }
    if report.baseline is not None:
        top["baseline"] = report.baseline.as_dict()
        for entry in top["baseline"]["hidden_by_file"]:
            entry["file"] = inert(entry["file"], keep_bytes=True)
    if report.policy is not None:
        top["policy"] = report.policy.as_dict()
    if report.catalogue is not None:
        catalogue = report.catalogue
        top["catalogue"] = {
            "sha256": _digest({"rules": catalogue["rules"], "plugins": catalogue["plugins"]}),
            "configuration_sha256": _digest(top.get("policy")),
            "plugins": catalogue["plugins"],
        }
    return top


def _dumps(value, indent: str) -> str:
    """`value` as it appears nested at `indent` inside `json.dumps(..., indent=2)`."""
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False).replace("\n", "\n" + indent)


def stream(report: Report):
    """The report, one file at a time; byte for byte what `json.dumps(indent=2, sort_keys=True)` writes.

    Under `--compare` the files are marked as they are written and `since_previous`
    (sorted after `files`) sums up the comparison.
    """
    top = {**run_record(report), "summary": report.summary}
    records = (file_record(result) for result in report.results)
    return _stream(top, records, report.compare)


def stream_stored(stored: dict[str, Any], comparison=None):
    """A stored JSON report written again (`policycheck report`): the same bytes, or marked against `comparison`."""
    top = {key: value for key, value in stored.items() if key != "files"}
    if comparison is not None:
        top.pop("since_previous", None)
    return _stream(top, iter(stored["files"]), comparison)


def _stream(top: dict[str, Any], records, comparison):
    marking = comparison.start() if comparison is not None else None
    keys = sorted([*top, "files", *(["since_previous"] if marking is not None else [])])
    yield "{"
    for position, key in enumerate(keys):
        yield ("," if position else "") + f"\n  {json.dumps(key)}: "
        if key == "files":
            written = 0
            for record in records:
                record = marking.mark(record) if marking is not None else record
                yield ("[" if written == 0 else ",") + "\n    " + _dumps(record, "    ")
                written += 1
            yield "\n  ]" if written else "[]"
        elif key == "since_previous" and marking is not None:
            yield _dumps(marking.summary(), "  ")
        else:
            yield _dumps(top[key], "  ")
    yield "\n}\n"


def render(report: Report) -> str:
    return "".join(stream(report))
