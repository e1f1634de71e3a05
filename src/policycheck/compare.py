"""What changed since the last review: `--compare PREVIOUS.json` against this run's records.

A finding is *new* or *persisting* by its baseline fingerprint (rule, file, activity,
pointer, message: not the line); one the previous report has and this run has not is
*resolved*, named in the report and never counted in the gate (it is not a finding of
this run). A proposal (by its file) is *new*, *changed* (its status, findings or facts
differ) or *unchanged*; one only the previous report has is *removed*.

The previous report is read once, bounded, and only what the comparison needs is
kept: per file a digest and its findings' fingerprints with a few words each. A
report file that is not one (malformed, hostile, too large) is a one-line usage
error (exit 2). Formats get a `Comparison` through `Report.compare` and call `start`
for a fresh `Marking` per rendering: it marks each record as the format writes it and
sums up at the end, so the comparison costs one pass, the format's own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .baseline import relative_path
from .errors import UsageError
from .files import read_regular
from .quoting import bounded, inert
from .records import Record

# a 10,000-file JSON report with context is about 100 MB
MAX_REPORT_BYTES = 512 * 1024 * 1024
REPORT_SCHEMAS = ("policycheck-report/v1", "policycheck-report/v2")
# what a proposal is judged by, besides its status and findings, when both reports record facts (v2)
FACT_KEYS = (
    "title", "partners", "type", "authority", "funding", "start", "end", "budget", "marking", "vetting",
    "notification",
)  # fmt: skip
_FINGERPRINT = re.compile(r"^[0-9a-f]{16}$")
NEW, PERSISTING, RESOLVED = "new", "persisting", "resolved"
CHANGED, UNCHANGED, REMOVED = "changed", "unchanged", "removed"


def read_report(path: str, option: str) -> dict[str, Any]:
    """A stored JSON report, checked to be one well enough to read; else a UsageError naming `option` and `path`."""

    import json  # 3.5 ms: a plain check does not need it

    def refuse(why: str) -> UsageError:
        return UsageError(f"{option} {inert(path)}: {why}")

    try:
        data = read_regular(path, MAX_REPORT_BYTES, too_big="give a policycheck JSON report")
        report = json.loads(data.decode("utf-8"))
    except (OSError, ValueError) as error:  # unreadable, not UTF-8, not JSON (ValueError covers all three)
        reason = getattr(error, "strerror", None) or str(error)
        raise refuse(f"cannot read it as a JSON report: {bounded(reason)}") from None
    except RecursionError:
        raise refuse("cannot read it as a JSON report: nested too deeply") from None
    if not isinstance(report, dict) or report.get("schema") not in REPORT_SCHEMAS:
        raise refuse(f"not a policycheck JSON report (its `schema` is none of {', '.join(REPORT_SCHEMAS)})")
    files = report.get("files")
    if not isinstance(files, list):
        raise refuse("not a policycheck JSON report: `files` is not a list")
    for index, record in enumerate(files):
        problem = _record_problem(record)
        if problem:
            raise refuse(f"not a policycheck JSON report: files[{index}] {problem}")
    return report


def _texts(value: Any) -> tuple[str, ...] | None:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        return None
    return tuple(bounded(item) for item in value)


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def statement_lines(report: Mapping[str, Any]) -> list[str] | None:
    """A stored report's effective policy in the words the run's own text-like formats used; None if it has none."""
    from .effective import Change, EffectivePolicy

    policy = report.get("policy")
    if not isinstance(policy, Mapping):
        return None
    waivers = policy.get("waivers") if isinstance(policy.get("waivers"), Mapping) else {}
    changes = []
    for change in policy.get("changes") if isinstance(policy.get("changes"), list) else []:
        rules = _texts(change.get("rules")) if isinstance(change, Mapping) else None
        if rules and all(isinstance(change.get(key), str) for key in ("effect", "source")):
            changes.append(Change(rules, bounded(change["effect"]), bounded(change["source"])))
    authorities = waivers.get("authorities") if isinstance(waivers.get("authorities"), Mapping) else {}
    stated = EffectivePolicy(
        origin=str(policy.get("origin")),
        configuration=bounded(policy["configuration"]) if isinstance(policy.get("configuration"), str) else None,
        revision=bounded(policy["revision"]) if isinstance(policy.get("revision"), str) else None,
        changes=tuple(changes),
        plugins=_texts(policy.get("plugins")) or (),
        fail_on="warn" if policy.get("fail_on") == "warn" else "fail",
        audit_waivers=waivers.get("audit") is True,
        approvers=_texts(waivers.get("approvers")) or (),
        max_days=_count(waivers.get("max_days")) or 0,
        unwaivable=_texts(waivers.get("unwaivable")) or (),
        authorities=tuple(
            (bounded(rule), offices)
            for rule, offices in ((rule, _texts(value)) for rule, value in sorted(authorities.items()))
            if offices is not None
        ),
    )
    return stated.lines()


def baseline_note(report: Mapping[str, Any]) -> str | None:
    """A stored report's baseline line, as the run wrote it; None without one."""
    from .baseline import BaselineResult

    baseline = report.get("baseline")
    if not isinstance(baseline, Mapping) or not isinstance(baseline.get("file"), str):
        return None
    counts = [_count(baseline.get(key)) or 0 for key in ("entries", "matched", "unmatched")]
    return BaselineResult(bounded(baseline["file"]), *counts, written=baseline.get("written") is True).note()


def _record_problem(record: Any) -> str | None:
    if not isinstance(record, dict) or not isinstance(record.get("file"), str):
        return "is not a file record with a `file` name"
    findings = record.get("findings")
    if not isinstance(findings, list):
        return "has no `findings` list"
    for position, finding in enumerate(findings):
        if not isinstance(finding, dict) or not _FINGERPRINT.match(str(finding.get("fingerprint"))):
            return f"findings[{position}] has no fingerprint"
        for key in ("rule", "level", "message"):
            if not isinstance(finding.get(key), str):
                return f"findings[{position}] has no `{key}` text"
        if isinstance(finding.get("line"), bool) or not isinstance(finding.get("line", 1), int):
            return f"findings[{position}] has a `line` that is not a number"
    return None


def digest(record: Mapping[str, Any], with_facts: bool) -> str:
    """What a proposal's record says that a reviewer would see change: status, findings, and facts."""
    import hashlib  # 4 ms: only --compare needs it
    import json

    findings = sorted(
        (str(finding.get("fingerprint")), str(finding.get("level")))
        for finding in record.get("findings") or []
        if isinstance(finding, Mapping)
    )
    said = {"status": record.get("status"), "findings": findings}
    if with_facts:
        said.update((key, record.get(key)) for key in FACT_KEYS)
    text = json.dumps(said, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class Previous(Record):
    """What a comparison keeps of the previous report: per file, its digest and its findings by fingerprint."""

    label: str
    with_facts: bool
    files: dict[str, tuple[str, str | None, dict[str, dict]]]  # key -> (digest, activity id, fingerprint -> finding)


def key_of(record: Mapping[str, Any]) -> str:
    return relative_path(str(record.get("file")))


def previous_of(report: Mapping[str, Any], label: str) -> Previous:
    with_facts = report.get("schema") != "policycheck-report/v1"
    files = {}
    for record in report["files"]:
        findings = {
            finding["fingerprint"]: {
                "rule": bounded(finding["rule"]),
                "level": bounded(finding["level"]),
                "message": bounded(finding["message"]),
                "line": finding.get("line", 1),
                "fingerprint": finding["fingerprint"],
            }
            for finding in record["findings"]
        }
        activity_id = record.get("activity_id")
        activity_id = bounded(activity_id) if isinstance(activity_id, str) else None
        files[key_of(record)] = (digest(record, with_facts), activity_id, findings)
    return Previous(label, with_facts, files)


def read(path: str) -> "Comparison":
    """`--compare PATH`: the comparison with the report at `path`, or a one-line UsageError."""
    return Comparison(previous_of(read_report(path, "--compare"), path))


class Comparison:
    """The previous report, to compare any number of renderings of this run with."""

    def __init__(self, previous: Previous) -> None:
        self.previous = previous

    def start(self) -> "Marking":
        return Marking(self.previous)


class Marking:
    """One rendering's comparison: `mark` each record in turn, then `summary` (with the removed proposals)."""

    def __init__(self, previous: Previous) -> None:
        self.previous = previous
        self.seen: set[str] = set()
        self.proposals = {NEW: 0, CHANGED: 0, UNCHANGED: 0}
        self.findings = {NEW: 0, PERSISTING: 0, RESOLVED: 0}

    def mark(self, record: dict[str, Any]) -> dict[str, Any]:
        """`record` with its `change`, each finding's `change`, and the findings it no longer has (`resolved`).

        A file is counted the first time it is marked: a format may read a record more than once.
        """
        key = key_of(record)
        counted = key not in self.seen
        self.seen.add(key)
        before = self.previous.files.get(key)
        known = before[2] if before is not None else {}
        current = set()
        for finding in record.get("findings") or []:
            fingerprint = finding.get("fingerprint")
            current.add(fingerprint)
            finding["change"] = PERSISTING if fingerprint in known else NEW
            self.findings[finding["change"]] += counted
        resolved = [known[fingerprint] for fingerprint in sorted(known) if fingerprint not in current]
        if before is None:
            change = NEW
        else:
            change = UNCHANGED if digest(record, self.previous.with_facts) == before[0] else CHANGED
        if counted:
            self.findings[RESOLVED] += len(resolved)
            self.proposals[change] += 1
        record["change"] = change
        record["resolved"] = resolved
        return record

    def removed(self) -> list[dict[str, Any]]:
        """The previous report's proposals this run has no file for, with the findings they had."""
        return [
            {"file": inert(key, keep_bytes=True), "activity_id": activity_id, "findings": len(findings)}
            for key, (_digest, activity_id, findings) in sorted(self.previous.files.items())
            if key not in self.seen
        ]

    def summary(self) -> dict[str, Any]:
        removed = self.removed()
        resolved = self.findings[RESOLVED] + sum(entry["findings"] for entry in removed)
        return {
            "previous": inert(self.previous.label, keep_bytes=True),
            "proposals": {**self.proposals, REMOVED: len(removed)},
            "findings": {**self.findings, RESOLVED: resolved},
            "removed": removed,
        }
