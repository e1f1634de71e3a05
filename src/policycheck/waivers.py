"""Stage 6, waivers: accountable, expiring exceptions written in the activity itself, governed by the policy.

A proposal's author writes the waiver, so the trusted configuration decides
what one may do (`waivers:` in `.policycheck.yaml`, `Governance`): who may
approve it, how long it may run, which rules cannot be waived, and which need
a named statutory `authority` (a rule declares it: GOV005 and REL007 do).

A live waiver turns the named rule's findings (on the node `at` and below, or in
the whole document) into `waived`: still reported with who approved it and why,
never gating. An expired waiver gates (WVR001); one the policy does not allow
gates and hides nothing (WVR003); one that names an unknown rule or matches
nothing is noise to remove (WVR002). Under `--no-waivers` (audit) live waivers
are judged and listed but hide nothing: their findings keep their level.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Mapping
from datetime import date

from .findings import FAIL, WARN, Finding, Waiver
from .hints import close_matches
from .quoting import bounded
from .records import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any
    from .rule import Rule

# Findings that say the document could not be judged, or about waivers themselves:
# no waiver and no policy can hide them.
UNWAIVABLE = frozenset({"LOAD001", "SCH001", "ERR001", "WVR001", "WVR002", "WVR003"})
# the defaults of `waivers:` in the configuration
DEFAULT_UNWAIVABLE = ("PRT001",)  # an id names one activity; a waiver cannot make two one
MAX_DAYS = 365
# RFC 6901, every reference token non-empty: `/`, `//` and `/a//b` name no node a waiver could mean
POINTER = r"^(/([^~/]|~[01])+)+$"  # compiled (0.4 M instructions) by re.match, for a waiver with `at:` only
_FIELDS = ("rule", "justification", "approved_by", "expires")


class Governance(Record):
    """What the trusted configuration allows a waiver to do (`waivers:`), with safe defaults."""

    approvers: tuple[str, ...] = ()  # names or glob patterns; empty: any named approver
    max_days: int = MAX_DAYS
    unwaivable: frozenset[str] = frozenset(DEFAULT_UNWAIVABLE) | UNWAIVABLE
    authorities: Mapping[str, tuple[str, ...]] = {}  # rule id -> offices (names or patterns) that may grant it
    audit: bool = False

    @classmethod
    def of(cls, settings: Mapping[str, Any], rules: Mapping[str, Rule], audit: bool = False) -> Governance:
        """From `waivers:` settings; a rule's declared `waiver_authority` is its default list of offices."""
        authorities = {
            rule_id: tuple(rule.waiver_authority) for rule_id, rule in rules.items() if rule.waiver_authority
        }
        authorities.update({rule_id: tuple(names) for rule_id, names in settings.get("authorities", {}).items()})
        return cls(
            approvers=tuple(settings.get("approvers", ())),
            max_days=settings.get("max_days", MAX_DAYS),
            unwaivable=frozenset(settings.get("unwaivable", DEFAULT_UNWAIVABLE)) | UNWAIVABLE,
            authorities=authorities,
            audit=audit,
        )

    def refusal(self, waiver: Waiver, today: date) -> tuple[str, str] | None:
        """(why, what to do) when the policy does not allow this waiver, else None."""
        if waiver.refused:
            return waiver.refused, "point `at` at the node whose finding is excused, or leave it out"
        if waiver.rule in self.unwaivable:
            return f"{waiver.rule} cannot be waived", "fix the document instead; remove the waiver"
        offices = self.authorities.get(waiver.rule)
        if offices and not (waiver.authority and _matches(waiver.authority, offices)):
            named = f"'{waiver.authority}' is not" if waiver.authority else "no `authority` is"
            return (
                f"an exception to {waiver.rule} belongs to {' or '.join(offices)}; {named} one of them",
                "record the decision of that office in `authority` (and its reference in the justification)",
            )
        if self.approvers and not _matches(waiver.approved_by, self.approvers):
            return (
                f"{waiver.approved_by} may not approve waivers",
                f"approvers allowed by the policy: {', '.join(self.approvers)}",
            )
        days = (date.fromisoformat(waiver.expires) - today).days
        if days > self.max_days:
            return (
                f"the waiver runs {days} days, past the policy's limit of {self.max_days}",
                f"set `expires` no later than {date.fromordinal(today.toordinal() + self.max_days)}, and renew it then",
            )
        return None


def _matches(name: str, patterns: Iterable[str]) -> bool:
    name = " ".join(name.split()).casefold()
    return any(fnmatch.fnmatchcase(name, " ".join(pattern.split()).casefold()) for pattern in patterns)


def read_waivers(data: Any, positions: Mapping[tuple, tuple[int, int]]) -> tuple[Waiver, ...]:
    """The well-formed waivers of a document (malformed ones are the schema's to report, and waive nothing).

    Their text is made inert here, so every message and format that quotes them is too.
    """
    items = data.get("waivers") if isinstance(data, Mapping) else None
    if not isinstance(items, (list, tuple)):  # a tuple in the engine's frozen document
        return ()
    waivers = []
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            continue
        fields = {key: item.get(key) for key in _FIELDS}
        if not all(isinstance(value, str) and value.strip() for value in fields.values()):
            continue  # a blank approver or justification approves nothing (SCH001 says so)
        at, authority = item.get("at"), item.get("authority")
        if at is not None and not isinstance(at, str) or authority is not None and not isinstance(authority, str):
            continue
        line, column = positions.get(("waivers", index), (1, 1))
        refused = None
        if at is not None and not _resolves(data, at):
            what = (
                "is not an RFC 6901 pointer to one node"
                if not re.match(POINTER, at)
                else "names no node of this document"
            )
            refused = f"`at: {at}` {what}, so the waiver cannot say what it excuses"
        waivers.append(
            Waiver(
                **{key: bounded(value) for key, value in fields.items()},
                at=bounded(at),
                index=index,
                line=line,
                column=column,
                authority=bounded(authority.strip()) if authority and authority.strip() else None,
                refused=bounded(refused),
            )
        )
    return tuple(waivers)


def _resolves(data: Any, pointer: str) -> bool:
    """Whether an RFC 6901 pointer (with no empty reference token) names a node of `data`."""
    if not re.match(POINTER, pointer):
        return False
    node = data
    for token in pointer[1:].split("/"):
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, Mapping) and token in node:
            node = node[token]
        elif isinstance(node, (list, tuple)) and re.fullmatch(r"0|[1-9][0-9]*", token) and int(token) < len(node):
            node = node[int(token)]
        else:
            return False
    return True


def _covers(waiver: Waiver, finding: Finding) -> bool:
    if finding.rule_id != waiver.rule or finding.rule_id in UNWAIVABLE:
        return False
    if waiver.at is None:
        return True
    return finding.pointer == waiver.at or finding.pointer.startswith(waiver.at + "/")


def _expired(waiver: Waiver, today: date) -> bool:
    try:
        return date.fromisoformat(waiver.expires) < today
    except ValueError:  # not a date: the schema reports it; treat as expired so it cannot hide anything
        return True


def judge(
    findings: list[Finding],
    waivers: Iterable[Waiver],
    today: date,
    known_rules: Iterable[str],
    enabled_rules: Iterable[str],
    file: str,
    activity_id: str | None,
    levels: Mapping[str, str],
    governance: Governance | None = None,
) -> tuple[list[Finding], tuple[Waiver, ...]]:
    """The findings with live waivers applied, WVR001/WVR002/WVR003 added; and each waiver with its status.

    `levels` maps WVR002 to its effective level, or omits it when configuration
    turned it off; WVR001 and WVR003 always fail.
    """
    governance = governance or Governance()
    known = sorted(known_rules)
    enabled = set(enabled_rules)
    result = list(findings)
    judged = []
    for waiver in waivers:
        where = dict(file=file, line=waiver.line, column=waiver.column, activity_id=activity_id)
        waiver_pointer = f"/waivers/{waiver.index}"
        if _expired(waiver, today):
            judged.append(waiver._replace(status="expired"))
            result.append(
                Finding(
                    "WVR001",
                    FAIL,
                    f"the waiver for {waiver.rule} expired on {waiver.expires} (approved by {waiver.approved_by})",
                    hint="fix the findings it covered, or renew it with a new `expires` and a fresh approval",
                    pointer=waiver_pointer,
                    **where,
                )
            )
            continue
        if waiver.rule not in known:
            judged.append(waiver._replace(status="unknown-rule"))
            if "WVR002" in levels:
                close = close_matches(waiver.rule, known)
                hint = f"did you mean '{close[0]}'?" if close else "see `policycheck rules` for rule ids"
                message = f"the waiver names the unknown rule '{waiver.rule}'"
                result.append(Finding("WVR002", levels["WVR002"], message, hint=hint, pointer=waiver_pointer, **where))
            continue
        refusal = governance.refusal(waiver, today)
        if refusal is not None:
            judged.append(waiver._replace(status="refused"))
            why, what_to_do = refusal
            message = f"the waiver for {waiver.rule} (approved by {waiver.approved_by}) is refused: {why}"
            result.append(Finding("WVR003", FAIL, message, hint=what_to_do, pointer=waiver_pointer, **where))
            continue
        days_left = (date.fromisoformat(waiver.expires) - today).days
        judged.append(waiver._replace(status="live", days_left=days_left))
        matched = False
        for index, finding in enumerate(result):
            if finding.level in (FAIL, WARN) and finding.waiver is None and _covers(waiver, finding):
                # under audit the finding keeps its level: the waiver shows what it would hide
                result[index] = finding._replace(waiver=waiver) if governance.audit else finding.waived_by(waiver)
                matched = True
        if matched or "WVR002" not in levels or waiver.rule not in enabled:
            continue  # a rule that did not run here cannot show a waiver unused
        scope = f" at {waiver.at}" if waiver.at else ""
        message = f"the waiver for {waiver.rule}{scope} matches no finding"
        hint = "remove it: the problem it excused is gone"
        result.append(Finding("WVR002", levels["WVR002"], message, hint=hint, pointer=waiver_pointer, **where))
    return result, tuple(judged)
