"""Core rules: what every run checks, whatever the policy families say.

LOAD001, SCH001, ERR001, WVR001 and WVR002 are produced by pipeline stages
(load, validate, the engine, waivers); they are declared here, through the same
hook as every rule, so that they are listed, explained and configured alike.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from ..activity import Activity
from ..helpers import as_date
from ..hookimpl import hookimpl
from ..rule import Collected, Rule, RuleContext, Violation, portfolio_rule, rule, rules_in
from .sources import SEED

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
        "The document breaks the activity schema: a wrong type, a missing required key, a value outside "
        "an enum or an unknown key. There is one finding per error, with its path, line and a hint."
    ),
    family=FAMILY,
    level="fail",
    kind="stage",
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
        "A waiver names an unknown rule or a rule that cannot be waived, or its rule ran on the document "
        "and raised nothing the waiver covers."
    ),
    family=FAMILY,
    level="warn",
    kind="stage",
    rationale="A waiver that excuses nothing hides the next real problem; remove it (like ruff's RUF100).",
    source="docs/format.md, waiver; ruff RUF100",
    fails=(
        "waivers:\n  - rule: THR005\n    justification: Assessment source pending release.\n"
        '    approved_by: Director, Office of Defense Cooperation\n    expires: "2099-01-01"\n'
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
    first_seen: dict[str, str] = {}
    for item in collected:
        if item.value is None:
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
        if isinstance(statement, str) and statement.strip():
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
    first_seen: dict[tuple[str, str], tuple[str, str, str | None]] = {}
    for item in collected:
        if item.value is None:
            continue
        country, objectives = item.value
        for statement, objective_id, index, line, column in objectives:
            key = (country, statement)
            if key not in first_seen:
                first_seen[key] = (item.file, objective_id, item.activity_id)
                continue
            file, first_id, first_activity = first_seen[key]
            if file == item.file:
                continue  # the same objective twice in one activity is the document's own business
            yield Violation(
                f"/objectives/{index}/statement",
                f"objective {objective_id} states the same objective as {first_id} of {first_activity or file} "
                f"({file}), "
                f"with the same partner ({country}): merge the two activities, or say in `statement` what this one "
                "adds",
                "two proposals for one objective compete for the same funds and the partner's capacity",
                file=item.file,
                line=line,
                column=column,
            )


@hookimpl
def policycheck_rules() -> list[Rule]:
    return rules_in(globals())
