"""Stage 6, waivers: accountable, expiring exceptions written in the activity itself.

A live waiver turns the named rule's findings (on the node `at` and below, or in
the whole document) into `waived`: still reported with who approved it and why,
never gating. An expired waiver gates (WVR001); a waiver that names an unknown
rule or matches nothing is noise to remove (WVR002).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from .findings import FAIL, WARN, Finding, Waiver
from .hints import close_matches
from .quoting import MAX_MESSAGE, shorten

# Findings that say the document could not be judged; a waiver cannot hide them.
UNWAIVABLE = frozenset({"LOAD001", "SCH001", "ERR001", "WVR001", "WVR002"})


def read_waivers(data: Any, positions: Mapping[tuple, tuple[int, int]]) -> tuple[Waiver, ...]:
    """The well-formed waivers of a document (malformed ones are the schema's to report)."""
    items = data.get("waivers") if isinstance(data, Mapping) else None
    if not isinstance(items, list):
        return ()
    waivers = []
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            continue
        fields = {key: item.get(key) for key in ("rule", "justification", "approved_by", "expires")}
        if not all(isinstance(value, str) and value for value in fields.values()):
            continue
        # every format quotes these: cut at MAX_MESSAGE, as documented (issue 16: 1.5 GB for 20 files)
        for key in ("justification", "approved_by"):
            fields[key] = shorten(fields[key], MAX_MESSAGE)
        at = item.get("at")
        line, column = positions.get(("waivers", index), (1, 1))
        waivers.append(Waiver(**fields, at=at if isinstance(at, str) else None, index=index, line=line, column=column))
    return tuple(waivers)


def _covers(waiver: Waiver, finding: Finding) -> bool:
    if finding.rule_id != waiver.rule or finding.rule_id in UNWAIVABLE:
        return False
    if waiver.at is None or waiver.at in ("", "/"):
        return True
    return finding.pointer == waiver.at or finding.pointer.startswith(waiver.at.rstrip("/") + "/")


def _expired(waiver: Waiver, today: date) -> bool:
    try:
        return date.fromisoformat(waiver.expires) < today
    except ValueError:  # not a date: the schema reports it; treat as expired so it cannot hide anything
        return True


def apply(
    findings: list[Finding],
    waivers: Iterable[Waiver],
    today: date,
    known_rules: Iterable[str],
    enabled_rules: Iterable[str],
    file: str,
    activity_id: str | None,
    levels: Mapping[str, str],
) -> list[Finding]:
    """Waive what live waivers cover and add WVR001/WVR002 findings.

    `levels` maps WVR001/WVR002 to their effective level, or omits them when
    configuration turned them off.
    """
    known = sorted(known_rules)
    enabled = set(enabled_rules)
    result = list(findings)
    for waiver in waivers:
        where = dict(file=file, line=waiver.line, column=waiver.column, activity_id=activity_id)
        waiver_pointer = f"/waivers/{waiver.index}"
        if _expired(waiver, today):
            if "WVR001" in levels:
                result.append(
                    Finding(
                        "WVR001",
                        levels["WVR001"],
                        f"the waiver for {waiver.rule} expired on {waiver.expires} (approved by {waiver.approved_by})",
                        hint="fix the findings it covered, or renew it with a new `expires` and a fresh approval",
                        pointer=waiver_pointer,
                        **where,
                    )
                )
            continue
        matched = False
        for index, finding in enumerate(result):
            if finding.level in (FAIL, WARN) and _covers(waiver, finding):
                result[index] = finding.waived_by(waiver)
                matched = True
        if matched or "WVR002" not in levels:
            continue
        if waiver.rule not in known:
            close = close_matches(waiver.rule, known)
            message = f"the waiver names the unknown rule '{waiver.rule}'"
            hint = f"did you mean '{close[0]}'?" if close else "see `policycheck rules` for rule ids"
        elif waiver.rule in UNWAIVABLE:
            message, hint = f"{waiver.rule} cannot be waived", "fix the document instead; remove the waiver"
        elif waiver.rule not in enabled:
            continue  # the rule did not run here, so the waiver cannot be judged unused
        else:
            scope = f" at {waiver.at}" if waiver.at else ""
            message = f"the waiver for {waiver.rule}{scope} matches no finding"
            hint = "remove it: the problem it excused is gone"
        result.append(Finding("WVR002", levels["WVR002"], message, hint=hint, pointer=waiver_pointer, **where))
    return result
