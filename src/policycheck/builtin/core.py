"""Core rules: what every run checks, whatever the policy families say.

LOAD001, SCH001, ERR001, WVR001, WVR002 and WVR003 are produced by pipeline stages
(load, validate, the engine, waivers); they are declared here, through the same
hook as every rule, so that they are listed, explained and configured alike.
"""

from __future__ import annotations

import bisect
from array import array
from collections.abc import Iterator, Sequence
from datetime import date

from ..activity import Activity
from ..helpers import as_date, format_version, is_blank, repeated
from ..hookimpl import hookimpl
from ..rule import Collected, Param, Rule, RuleContext, Violation, portfolio_rule, rule, rules_in
from .sources import ACTIVITY_TYPES, SEED

FAMILY = "core"

LOAD001 = Rule(
    id="LOAD001",
    title="File cannot be read or parsed",
    description=(
        "The file cannot be read or parsed as one YAML document: it is not UTF-8, is binary, has a syntax"
        " error or a duplicate key, holds several documents, or is too big, too deep or an alias bomb. "
        "The finding gives the line and column where reading stopped."
    ),
    family=FAMILY,
    level="fail",
    kind="stage",
    rationale="A proposal that cannot be read cannot be reviewed; it must never pass silently.",
    source="docs/format.md, Loading",
    fails="objectives: []\nobjectives: []\n",
    passes="objectives: []\n",
)

SCH001 = Rule(
    id="SCH001",
    title="Schema violation",
    description=(
        "The document breaks the activity schema of the version its `schema` names (activity/v2 or "
        "activity/v1): a wrong type, a missing required key, a value outside an enum or an unknown key. There "
        "is one finding per error, with its path, line and a hint. An unknown version is one finding naming "
        "the versions, and with `require_schema: activity/v2` in the configuration a v1 document is one "
        "finding saying how to move it to v2."
    ),
    family=FAMILY,
    level="fail",
    kind="stage",
    fix="safe",
    rationale="The schema checks structure (types, required keys, enums, unknown keys) so rules can judge policy.",
    source="docs/format.md; schemas/activity.schema.json",
    fails="partner:\n  country: Albania\n",
    passes="partner:\n  country: ALB\n",
)

ERR001 = Rule(
    id="ERR001",
    title="A rule crashed",
    description=(
        "A rule raised an exception, or broke the contract of a check (yielded something that is not a "
        "Violation, an unknown level), while checking the document; the finding names the rule, its plugin, the "
        "plugin's file and line and the error (`--show-tracebacks` adds the traceback), every other rule still "
        "runs, and the run exits 3. A portfolio rule's crash is on every file it collected from."
    ),
    family=FAMILY,
    level="fail",
    kind="stage",
    rationale="A crashing rule is a bug in a plugin; it is reported with every other rule's findings and exits 3.",
    source="docs/cli.md, Exit codes",
)

WVR001 = Rule(
    id="WVR001",
    title="Waiver expired",
    description=(
        "A waiver's `expires` date is before today (or before `--today`); the findings it covered count again."
    ),
    family=FAMILY,
    level="fail",
    kind="stage",
    rationale="A waiver is a time-boxed, accountable exception; once it expires the findings it covered gate again.",
    source="docs/format.md, waiver",
    fails=(
        "waivers:\n  - rule: THR005\n    justification: Assessment source pending release.\n"
        '    approved_by: Director, Office of Defense Cooperation\n    expires: "2020-01-01"\n'
    ),
    passes="waivers: []\n",
)

WVR002 = Rule(
    id="WVR002",
    title="Waiver unused or for an unknown rule",
    description=(
        "A waiver names an unknown rule, or its rule ran on the document and raised nothing the waiver covers."
    ),
    family=FAMILY,
    level="warn",
    kind="stage",
    rationale="A waiver that excuses nothing hides the next real problem; remove it (like ruff's RUF100).",
    source="docs/format.md, waiver; ruff RUF100",
    fails=(
        "waivers:\n  - rule: THR005\n    justification: Assessment source pending release.\n"
        '    approved_by: Director, Office of Defense Cooperation\n    expires: "2027-06-30"\n'
    ),
    passes="waivers: []\n",
)


WVR003 = Rule(
    id="WVR003",
    title="Waiver not allowed by policy",
    description=(
        "A waiver the trusted configuration's `waivers:` policy does not allow: its rule cannot be waived "
        "(PRT001 and the core findings by default), its approver is not among `approvers`, it runs longer than"
        " `max_days` (365 by default), it lacks the statutory `authority` its rule requires (GOV005, REL007), "
        "or its `at` names no node of the document. The waiver hides nothing."
    ),
    family=FAMILY,
    level="fail",
    kind="stage",
    rationale=(
        "A proposal's author writes its waivers; only the policy can say who may approve one, for how long, "
        "and which exceptions belong to an office the law names (FAA 620M and 10 U.S.C. 362 for the Leahy "
        "laws; the National Disclosure Policy Committee for NDP-1). A waiver outside it must gate, not pass."
    ),
    source="docs/cli.md, Waiver governance; 22 U.S.C. 2378d; 10 U.S.C. 362; NDP-1",
    fails=(
        "waivers:\n  - rule: DAT001\n    justification: Dates follow the partner's fiscal year.\n"
        '    approved_by: Director, Office of Defense Cooperation\n    expires: "2099-12-31"\n'
    ),
    passes="waivers: []\n",
)


@rule(
    id="DAT001",
    title="Activity ends before it starts",
    description="Both `activity.start` and `activity.end` are valid dates and `end` is before `start`.",
    family=FAMILY,
    level="fail",
    rationale="An activity whose end precedes its start cannot be scheduled, funded or measured.",
    source="docs/format.md, activity.start/end",
    fails='activity:\n  start: "2028-01-01"\n  end: "2027-01-01"\n',
    passes='activity:\n  start: "2027-01-01"\n  end: "2028-01-01"\n',
)
def end_before_start(activity: Activity, ctx: RuleContext) -> Iterator[Violation]:
    start, end = as_date(activity.get("/activity/start")), as_date(activity.get("/activity/end"))
    if start and end and end < start:
        yield Violation(
            "/activity/end",
            f"the activity ends ({end}) before it starts ({start})",
            "swap `start` and `end`, or correct the year",
        )


def _id_and_position(activity: Activity, ctx: RuleContext):
    return (activity.id, *activity.position("/id")) if activity.id else None


@portfolio_rule(
    id="PRT001",
    title="Two activities share an id",
    description=(
        "Two or more activities checked in the same run have the same `id`; each one after the first gets"
        " a finding naming the file that used it first."
    ),
    family=FAMILY,
    level="fail",
    collect=_id_and_position,
    rationale="An id names one activity across the portfolio; reviews, waivers and baselines refer to it.",
    source="docs/format.md, id",
    fails="a.yaml: {id: ALB-2027-NDS-01}\nb.yaml: {id: ALB-2027-NDS-01}\n",
    passes="a.yaml: {id: ALB-2027-NDS-01}\nb.yaml: {id: ALB-2027-NDS-02}\n",
)
def duplicate_ids(collected: Sequence[Collected], ctx: RuleContext) -> Iterator[Violation]:
    # only an id used twice is remembered: a dict of every id was ~10 MB at 100,000 files (issue 21)
    twice = repeated(item.value[0] for item in collected if item.value is not None)
    first_seen: dict[str, str] = {}
    for item in collected:
        if item.value is None or item.value[0] not in twice:
            continue
        activity_id, line, column = item.value
        if activity_id in first_seen:
            yield Violation(
                "/id",
                f"id '{activity_id}' is already used by {first_seen[activity_id]}",
                "give each activity its own id",
                file=item.file,
                line=line,
                column=column,
            )
        else:
            first_seen[activity_id] = item.file


def _objectives_with_partner(activity: Activity, ctx: RuleContext):
    """(partner, [(statement as compared, objective id, line, column), ...]), or None without a partner."""
    country = activity.get("/partner/country")
    if not isinstance(country, str):
        return None
    objectives = []
    for path, objective in activity.items("objectives"):
        statement, objective_id = objective.get("statement"), objective.get("id")
        if isinstance(statement, str) and not is_blank(statement, ctx):  # "TBD" twice is no shared objective
            # the same words whatever the case, spacing or final full stop
            compared = " ".join(statement.casefold().split()).rstrip(".")
            objectives.append(
                (
                    compared,
                    objective_id if isinstance(objective_id, str) else f"#{path[-1] + 1}",
                    path[-1],
                    *activity.position(path + ("statement",)),
                )
            )
    return country, objectives


@portfolio_rule(
    id="PRT002",
    title="Two activities pursue the same objective with the same partner",
    description=(
        "Two activities checked in the same run have the same partner country and an objective with the"
        " same `statement` (ignoring case, spacing and a final full stop); each one after the first gets"
        " a finding naming the activity that stated it first."
    ),
    family=FAMILY,
    level="warn",
    collect=_objectives_with_partner,
    rationale=(
        "'All elements of US national power should be mobilized and coordinated to achieve stated objectives' "
        f"({SEED}, 'The modern threat landscape'). Two proposals that pursue the same objective with the same "
        "partner compete for the same funds and for the partner's capacity to absorb them; a reviewer should "
        "decide them together."
    ),
    source=f"{SEED}, 'The modern threat landscape'",
    fails=(
        "a.yaml: {id: ALB-2027-NDS-01}\n"
        "b.yaml: {id: ALB-2027-NDS-02, title: Second advisory team for the same strategy}\n"
    ),
    passes=(
        "a.yaml: {id: ALB-2027-NDS-01}\n"
        "b.yaml: {id: MKD-2027-NDS-01, partner: {country: MKD, category: institution-building}}\n"
    ),
)
def repeated_objective(collected: Sequence[Collected], ctx: RuleContext) -> Iterator[Violation]:
    # two passes: the statements made twice, then where each of those was first made; every statement of a
    # 100,000-file portfolio held in a dict was most of the finishing stage's memory (issue 21)
    twice = repeated(key for _position, _item, key, _objective in _statements(collected))
    first_seen: dict[bytes, int] = {}  # a statement made twice -> its first item's place in `collected`
    for position, item, key, (statement, objective_id, index, line, column) in _statements(collected):
        if key not in twice:
            continue
        if key not in first_seen:
            first_seen[key] = position
            continue
        first = collected[first_seen[key]]
        if first.file == item.file:
            continue  # the same objective twice in one activity is the document's own business
        first_id = next(stated_id for compared, stated_id, *_ in first.value[1] if compared == statement)
        yield Violation(
            f"/objectives/{index}/statement",
            f"objective {objective_id} states the same objective as {first_id} of "
            f"{first.activity_id or first.file} ({first.file}), "
            f"with the same partner ({item.value[0]}): merge the two activities, or say in `statement` what this "
            "one adds",
            "two proposals for one objective compete for the same funds and the partner's capacity",
            file=item.file,
            line=line,
            column=column,
        )


def _statements(collected: Sequence[Collected]) -> Iterator[tuple[int, Collected, bytes, tuple]]:
    """(place in `collected`, item, digest of partner and statement, objective) for each objective collected."""
    try:  # hashlib would import OpenSSL's bindings first: 4 ms of a cold start, against 0.7 ms
        from _blake2 import blake2b
    except ImportError:  # a Python built without it
        from hashlib import blake2b

    for position, item in enumerate(collected):
        if item.value is None:
            continue
        country, objectives = item.value
        for objective in objectives:
            key = f"{country}\0{objective[0]}".encode("utf-8", "surrogatepass")
            yield position, item, blake2b(key, digest_size=16).digest(), objective


def _concurrent_with_partners(activity: Activity, ctx: RuleContext):
    """(id, partner countries, start, end, line, column) of an activity of the judged types, or None."""
    start, end = as_date(activity.get("/activity/start")), as_date(activity.get("/activity/end"))
    if activity.get("/activity/type") not in ctx.params["activity_types"] or not (start and end) or end < start:
        return None
    countries = [activity.get("/partner/country")]
    if format_version(activity.get("schema")) == 2:
        countries += [partner.get("country") for _path, partner in activity.items("partners")]
    countries = sorted({country for country in countries if isinstance(country, str)})
    return (activity.id, countries, start, end, *activity.position("/activity/start")) if countries else None


@portfolio_rule(
    id="PRT003",
    title="More activities with one partner at once than it can absorb",
    description=(
        "Activities of the types in `activity_types` (default `equipment`, `fms-case`, `co-production`, "
        "`training`) checked in the same run have the same partner (the lead partner, or one in activity/v2 "
        "`partners`), and on some day more than `max_concurrent` (default 3) of them run at once; each activity "
        "that runs on such a day gets a finding naming the others. An id used twice counts once (PRT001 "
        "reports it)."
    ),
    family=FAMILY,
    level="warn",
    collect=_concurrent_with_partners,
    rationale=(
        "The partner absorbs what the whole portfolio delivers, with the same units, maintainers and staff: "
        f"'a rethinking of a military force's real-world absorptive capacity' ({SEED}, 'Emerging and advanced "
        "technologies') applies across activities, not only within one. Several capability-delivering "
        "activities with one partner at the same time should be decided together. How many at once is too many "
        "is a judgment: `max_concurrent`."
    ),
    source=f"{SEED}, 'Emerging and advanced technologies' (absorptive capacity)",
    parameters={
        "max_concurrent": Param(3, "the most activities of those types with one partner running on one day"),
        "activity_types": Param(
            ["equipment", "fms-case", "co-production", "training"], "the activity types counted", ACTIVITY_TYPES
        ),
    },
    fails=(
        "a.yaml: {id: ALB-2027-TRN-01, activity: {type: training}}\n"
        "b.yaml: {id: ALB-2027-TRN-02, activity: {type: training}}\n"
        "c.yaml: {id: ALB-2027-EQP-01, activity: {type: equipment}}\n"
        "d.yaml: {id: ALB-2027-EQP-02, activity: {type: equipment}}\n"
    ),
    passes=(
        "a.yaml: {id: ALB-2027-TRN-01, activity: {type: training}}\n"
        "b.yaml: {id: ALB-2027-TRN-02, activity: {type: training}}\n"
        "c.yaml: {id: ALB-2027-EQP-01, activity: {type: equipment}}\n"
        'd.yaml: {id: ALB-2028-EQP-02, activity: {type: equipment, start: "2028-07-01", end: "2029-06-30"}}\n'
    ),
)
def too_many_at_once(collected: Sequence[Collected], ctx: RuleContext) -> Iterator[Violation]:
    # Each partner's activities are kept as numbers (start, end, place in `collected`: ~24 B an activity, where
    # their `Collected` items were ~0.4 KB), and a finding's own item is read as `collected` is walked again.
    limit = ctx.params["max_concurrent"]
    partners = _Partners(collected, limit)
    others: dict[tuple[str, int], list[int]] = {}  # (partner, day) -> the latest six running then
    names: dict[int, str] = {}  # place in `collected` -> how a message names that activity
    for position, item in partners.counted():
        _activity_id, countries, start, end, line, column = item.value
        for country in countries:
            calendar = partners.by_partner[country]
            found = calendar.overload(start.toordinal(), end.toordinal())
            if found is None:
                continue
            day, count = found
            latest = others.get((country, day))
            if latest is None:
                latest = others[(country, day)] = calendar.latest_running(day, 6)
            running = [other for other in latest if other != position][:5]
            for other in running:
                if other not in names:
                    named = collected[other]
                    names[other] = f"{named.value[0] or named.file} ({named.file})"
            listed = ", ".join(names[other] for other in reversed(running))  # earliest start first
            more = f" and {count - 1 - len(running)} more" if count - 1 > len(running) else ""
            yield Violation(
                "/activity/start",
                f"{count} capability-delivering activities with {country} run at once on {date.fromordinal(day)}, "
                f"more than {limit}: this one and {listed}{more}; decide them together, or stagger their dates",
                "the same partner units and staff absorb each of them; `max_concurrent` sets how many at once",
                file=item.file,
                line=line,
                column=column,
            )


class _Partners:
    """Each partner's calendar of the activities PRT003 counts: an id used twice counts once, the first time."""

    def __init__(self, collected: Sequence[Collected], limit: int) -> None:
        self._collected = collected
        # only an id used twice is remembered, as PRT001 does
        self._twice = repeated(
            item.value[0] for item in collected if item.value is not None and item.value[0] is not None
        )
        self.by_partner: dict[str, _Calendar] = {}
        for position, item in self.counted():
            _activity_id, countries, start, end, *_ = item.value
            for country in countries:
                calendar = self.by_partner.get(country)
                if calendar is None:
                    calendar = self.by_partner[country] = _Calendar()
                calendar.add(start.toordinal(), end.toordinal(), position)
        for calendar in self.by_partner.values():
            calendar.close(limit)

    def counted(self) -> Iterator[tuple[int, Collected]]:
        """(place in `collected`, item) of each activity counted, in input order."""
        seen = set()
        for position, item in enumerate(self._collected):
            if item.value is None:
                continue
            activity_id = item.value[0]
            if activity_id in self._twice:
                if activity_id in seen:
                    continue
                seen.add(activity_id)
            yield position, item


class _Calendar:
    """One partner's activities as day numbers (`date.toordinal`), in order of start (then input order)."""

    def __init__(self) -> None:
        self._added = array("q")  # start << 32 | index of the activity in `_ends` and `_positions`
        # 4 B each ('i'): a day number (at most 3,652,059, 31 December 9999) and a position fit; 'l' is 8 B on Linux
        self._ends, self._positions = array("i"), array("i")

    def add(self, start: int, end: int, position: int) -> None:
        self._added.append(start << 32 | len(self._ends))
        self._ends.append(end)
        self._positions.append(position)

    def close(self, limit: int) -> None:
        """Sorts the activities and works out the stretches of days on which more than `limit` run."""
        self.starts, self.ends, self.positions = array("i"), array("i"), array("i")
        for key in sorted(self._added):
            index = key & 0xFFFFFFFF
            self.starts.append(key >> 32)
            self.ends.append(self._ends[index])
            self.positions.append(self._positions[index])
        del self._added, self._ends, self._positions
        self._firsts, self._lasts, self._counts = _stretches(self.starts, array("i", sorted(self.ends)), limit)

    def overload(self, start: int, end: int) -> tuple[int, int] | None:
        """(first day, how many run) of the first stretch within [start, end] on which too many run."""
        # the stretches are disjoint and in date order: the first that ends on or after this start
        at = bisect.bisect_left(self._lasts, start)
        if at == len(self._lasts) or self._firsts[at] > end:
            return None
        return max(self._firsts[at], start), self._counts[at]

    def latest_running(self, day: int, most: int) -> list[int]:
        """The places of up to `most` activities running on `day`, latest start first: the likeliest still running."""
        running = []
        for index in reversed(range(bisect.bisect_right(self.starts, day))):
            if self.ends[index] >= day:
                running.append(self.positions[index])
                if len(running) == most:
                    break
        return running


def _stretches(starts: Sequence[int], ends: Sequence[int], limit: int) -> tuple[array, array, array]:
    """(first days, last days, how many run) of the stretches on which more than `limit` activities run.

    One sweep over the sorted starts and the sorted ends (an activity ending on a day leaves
    before one starting the next day arrives): no pair of activities is compared.
    """
    firsts, lasts, counts = array("i"), array("i"), array("i")
    running = arrived = left = 0
    while left < len(ends):  # the last day of all is the day after an end: none ends before it starts
        leaves = ends[left] + 1
        day = starts[arrived] if arrived < len(starts) and starts[arrived] < leaves else leaves
        while left < len(ends) and ends[left] + 1 == day:
            running, left = running - 1, left + 1
        while arrived < len(starts) and starts[arrived] == day:
            running, arrived = running + 1, arrived + 1
        if running > limit and left < len(ends):
            following = ends[left] + 1 if arrived == len(starts) else min(starts[arrived], ends[left] + 1)
            firsts.append(day)
            lasts.append(following - 1)
            counts.append(running)
    return firsts, lasts, counts


@hookimpl
def policycheck_rules() -> list[Rule]:
    return rules_in(globals())
