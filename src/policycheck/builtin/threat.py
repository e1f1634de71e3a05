"""Threat-informed objectives: every objective traces to a threat the activity names.

THR001 and THR005-THR007 are declarative (rules/packs); the checks that need to
relate objectives and threats to each other live here.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..activity import Activity
from ..helpers import item_id
from ..hints import close_matches
from ..hookimpl import hookimpl
from ..rule import Rule, RuleContext, Violation, rule, rules_in, skip
from .sources import SEED

FAMILY = "threat-informed"
REC5 = f"{SEED}, recommendation 5"


def _threat_ids(activity: Activity) -> list[str]:
    return [threat["id"] for _path, threat in activity.items("threats") if isinstance(threat.get("id"), str)]


@rule(
    id="THR002",
    title="Objective addresses no threat",
    description="An objective has no `addresses_threats`, or the list names no threat id.",
    family=FAMILY,
    level="fail",
    rationale=(
        "Security cooperation goal-setting must be 'first and foremost threat-informed' "
        f"({REC5}). An objective that names no threat cannot show why it is worth funding "
        "or what it changes when the threat changes."
    ),
    source=REC5,
    fails=(
        "objectives:\n"
        "  - id: OBJ-1\n"
        "    statement: The Ministry of Defense adopts a costed National Defense Strategy.\n"
    ),
    passes=(
        "objectives:\n"
        "  - id: OBJ-1\n"
        "    statement: The Ministry of Defense adopts a costed National Defense Strategy.\n"
        "    addresses_threats: [THR-1]\n"
    ),
)
def objective_without_threat(activity: Activity, ctx: RuleContext) -> Iterator[Violation]:
    known = _threat_ids(activity)
    hint = f"the threats of this activity: {', '.join(known)}" if known else "list the threats in `threats` first"
    for path, objective in activity.items("objectives"):
        if activity.strings(path + ("addresses_threats",)):
            continue
        where = path + ("addresses_threats",) if "addresses_threats" in objective else path
        yield Violation(
            where,
            f"objective {item_id(objective, path[-1])} addresses no threat: "
            "add `addresses_threats` naming the threat ids this objective counters",
            hint,
        )


@rule(
    id="THR003",
    title="Objective names an unknown threat",
    description=(
        "An objective's `addresses_threats` names an id that no entry in `threats` has; the hint suggests"
        " the closest id."
    ),
    family=FAMILY,
    level="fail",
    rationale=(
        "An objective is threat-informed only if the threat it names is one the proposal "
        f"actually assesses ({REC5}); an id with no matching entry in `threats` is usually "
        "a typo or a threat deleted from the draft, and breaks the trace from threat to objective."
    ),
    source=REC5,
    fails=(
        "objectives:\n"
        "  - id: OBJ-1\n"
        "    statement: The Ministry of Defense adopts a costed National Defense Strategy.\n"
        "    addresses_threats: [THR-2]\n"
    ),
    passes=(
        "objectives:\n"
        "  - id: OBJ-1\n"
        "    statement: The Ministry of Defense adopts a costed National Defense Strategy.\n"
        "    addresses_threats: [THR-1]\n"
    ),
)
def unknown_threat(activity: Activity, ctx: RuleContext) -> Iterator[Violation]:
    known = _threat_ids(activity)
    known_set = set(known)
    for path, objective in activity.items("objectives"):
        named = activity.get(path + ("addresses_threats",))
        if not isinstance(named, tuple):
            continue
        for index, threat_id in enumerate(named):
            if isinstance(threat_id, str) and threat_id not in known_set:
                yield Violation(
                    path + ("addresses_threats", index),
                    f"objective {item_id(objective, path[-1])} names threat '{threat_id}', which is not in "
                    "`threats`: correct the id, or add the threat",
                    _closest_threat_hint(threat_id, known),
                )


def _closest_threat_hint(threat_id: str, known: list[str]) -> str:
    close = close_matches(threat_id, known, fold_case=True)  # so that 'thr-1' still finds 'THR-1'
    if close:
        return f"did you mean '{close[0]}'?"
    if known:
        return f"name one of {', '.join(known)}, or add a threat with id '{threat_id}' to `threats`"
    return f"add a threat with id '{threat_id}' to `threats`"


@rule(
    id="THR004",
    title="Threat addressed by no objective",
    description=(
        "A threat in `threats` is named in no objective's `addresses_threats`. The rule is skipped when "
        "the activity lists no threat."
    ),
    family=FAMILY,
    level="warn",
    rationale=(
        f"Strategy-driven security cooperation starts from the threat ({REC5}); a threat "
        "the proposal lists but no objective counters is either a gap in the plan or "
        "padding in the threat picture, and a reviewer should know which."
    ),
    source=REC5,
    fails=(
        "threats:\n"
        "  - id: THR-1\n"
        "    description: Hybrid and cyber operations against Western Balkans state institutions\n"
        "    source: 2022 National Defense Strategy\n"
        "  - id: THR-2\n"
        "    description: Destructive cyber attacks against government networks\n"
        "    source: CISA advisory AA22-264A\n"
    ),
    passes=(
        "threats:\n"
        "  - id: THR-1\n"
        "    description: Hybrid and cyber operations against Western Balkans state institutions\n"
        "    source: 2022 National Defense Strategy\n"
    ),
)
def unaddressed_threat(activity: Activity, ctx: RuleContext) -> Iterator[Violation]:
    threats = list(activity.items("threats"))
    if not threats:
        skip("the activity lists no threat")
    addressed = {
        threat_id
        for path, _objective in activity.items("objectives")
        for threat_id in activity.strings(path + ("addresses_threats",))
    }
    for path, threat in threats:
        threat_id = threat.get("id")
        if isinstance(threat_id, str) and threat_id not in addressed:
            yield Violation(
                path,
                f"threat {threat_id} is addressed by no objective: name it in the `addresses_threats` "
                "of the objective that counters it",
                "or remove the threat if the activity does not act on it",
            )


@hookimpl
def policycheck_rules() -> list[Rule]:
    return rules_in(globals())
