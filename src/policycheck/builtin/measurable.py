"""Measurable success: every objective says how success will be measured, and by when.

MSR001, MSR005 and MSR006 are declarative (rules/packs); the checks that compare
values, dates or wording live here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import lru_cache

from ..activity import Activity, Path
from ..helpers import as_date, as_number, format_version, is_blank, is_placeholder, item_id, years_after
from ..hookimpl import hookimpl
from ..rule import Param, Rule, RuleContext, Violation, rule, rules_in, skip
from .sources import AME, SEED

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

FAMILY = "measurable-success"
METRICS = f"{SEED}, 'Differentiating between the types of cooperative security partners and approaches'"

OBJECTIVE = (
    "objectives:\n"
    "  - id: OBJ-1\n"
    "    statement: The Ministry of Defense adopts a costed National Defense Strategy.\n"
    "    addresses_threats: [THR-1]\n"
    "    indicators:\n"
)


def _indicator(**fields: str) -> str:
    """One indicator of the example objective, as YAML lines (for the fails/passes snippets)."""
    lines = "".join(f"        {key}: {value}\n" for key, value in fields.items())
    return "      - name: Strategy adopted by the Council of Ministers\n" + lines


def _indicators(activity: Activity) -> Iterator[tuple[Path, str, Mapping[str, Any]]]:
    """(path, "indicator 'name' of objective OBJ-1", indicator) for every indicator of every objective."""
    for objective_path, objective in activity.items("objectives"):
        objective_id = item_id(objective, objective_path[-1])
        for path, indicator in activity.items(objective_path + ("indicators",)):
            name = indicator.get("name")
            label = f"'{name}'" if isinstance(name, str) else f"#{path[-1] + 1}"
            yield path, f"indicator {label} of objective {objective_id}", indicator


MEANING = {"baseline": "the value today", "target": "the value that means the objective is met"}


@rule(
    id="MSR002",
    title="Indicator without baseline or target",
    description=(
        "An indicator of an objective has no `baseline` or no `target`, or leaves one blank or a placeholder "
        "such as `TBD`, `N/A` or `unknown` (reference data `placeholders`)."
    ),
    family=FAMILY,
    level="fail",
    rationale=(
        "Each activity needs 'a clear articulation of the objective, why it is being sought, "
        f"and how success will be measured' ({METRICS}). Without a baseline there is nothing "
        f"to compare against, and without a target nobody can say the objective was met ({AME})."
    ),
    source=f"{METRICS}; {AME}",
    fails=OBJECTIVE + _indicator(target="1", unit="documents", due='"2027-12-31"', data_source="Official Gazette"),
    passes=OBJECTIVE
    + _indicator(baseline="0", target="1", unit="documents", due='"2027-12-31"', data_source="Official Gazette"),
)
def missing_baseline_or_target(activity: Activity, ctx: RuleContext) -> Iterator[Violation]:
    for path, label, indicator in _indicators(activity):
        missing = [key for key in ("baseline", "target") if is_blank(indicator.get(key), ctx)]
        if missing:
            stand_ins = [f"{key}: {indicator[key]!r}" for key in missing if is_placeholder(indicator.get(key), ctx)]
            yield Violation(
                path,
                f"{label} has no {' or '.join(missing)}: add "
                + " and ".join(f"`{key}` ({MEANING[key]})" for key in missing),
                f"{' and '.join(stand_ins)} only stands in for a value" if stand_ins else None,
            )


@rule(
    id="MSR003",
    title="Target equals baseline",
    description=(
        'An indicator\'s `target` is the same as its `baseline`: the same number (so 1 and "1.0" match), '
        "or the same text ignoring case and surrounding spaces."
    ),
    family=FAMILY,
    level="warn",
    rationale=(
        "An indicator whose target is its baseline measures no change, so the activity would "
        f"count as a success if it achieved nothing ({METRICS}; {AME})."
    ),
    source=f"{METRICS}; {AME}",
    fails=OBJECTIVE
    + _indicator(baseline="1", target="1", unit="documents", due='"2027-12-31"', data_source="Official Gazette"),
    passes=OBJECTIVE
    + _indicator(baseline="0", target="1", unit="documents", due='"2027-12-31"', data_source="Official Gazette"),
)
def target_equals_baseline(activity: Activity, ctx: RuleContext) -> Iterator[Violation]:
    for path, label, indicator in _indicators(activity):
        baseline, target = indicator.get("baseline"), indicator.get("target")
        if is_blank(baseline, ctx) or is_blank(target, ctx):
            continue
        left, right = as_number(baseline), as_number(target)
        if left is not None and right is not None:
            same = left == right
        else:
            same = (
                isinstance(baseline, str)
                and isinstance(target, str)
                and baseline.strip().casefold() == target.strip().casefold()
            )
        if same:
            yield Violation(
                path + ("target",),
                f"{label} has target {target!r}, the same as its baseline, so success would mean no change: "
                "set `target` to the value that shows the objective met",
            )


@rule(
    id="MSR004",
    title="Indicator due date missing or outside the activity",
    description=(
        "An indicator has no `due` date, or its `due` is before `activity.start` or more than "
        "`max_years_after_end` years (default 2) after `activity.end`. The dates are not judged when the "
        "activity ends before it starts (DAT001 reports that)."
    ),
    family=FAMILY,
    level="warn",
    rationale=(
        "Success has to be measured at a stated time: an indicator with no due date is never "
        "assessed, one due before the activity starts cannot measure its effect, and one due "
        "long after it ends can no longer be attributed to it "
        f"({METRICS}; {AME}, on assessing outcomes over the life of an activity)."
    ),
    source=f"{METRICS}; {AME}",
    parameters={"max_years_after_end": Param(2, "years after the activity ends that an indicator may still fall due")},
    fails=OBJECTIVE
    + _indicator(baseline="0", target="1", unit="documents", due='"2026-06-30"', data_source="Official Gazette"),
    passes=OBJECTIVE
    + _indicator(baseline="0", target="1", unit="documents", due='"2027-12-31"', data_source="Official Gazette"),
)
def due_date_out_of_range(activity: Activity, ctx: RuleContext) -> Iterator[Violation]:
    years = ctx.params["max_years_after_end"]
    start, end = as_date(activity.get(("activity", "start"))), as_date(activity.get(("activity", "end")))
    if start and end and end < start:
        start = end = None  # no window to judge against: DAT001 reports the dates themselves
    latest = years_after(end, years) if end else None
    span = f"{years} year{'s' if years != 1 else ''}"
    for path, label, indicator in _indicators(activity):
        if is_blank(indicator.get("due"), ctx):
            window = f"between {start} and {latest}" if start and latest else None
            yield Violation(
                path, f"{label} has no due date: add `due: YYYY-MM-DD`, when the target should be reached", window
            )
            continue
        due = as_date(indicator["due"])
        if due is None:
            continue  # not a date: the schema reports it
        if start and due < start:
            yield Violation(
                path + ("due",),
                f"{label} is due {due}, before the activity starts ({start}): "
                "move `due` after the start, when the activity can have had an effect",
            )
        elif latest and due > latest:
            yield Violation(
                path + ("due",),
                f"{label} is due {due}, more than {span} after the activity ends ({end}): "
                f"measure by {latest}, while the result can still be attributed to the activity",
                "or raise `max_years_after_end` for MSR004 in configuration",
            )


@lru_cache(maxsize=8)
def _vague_forms(verbs: tuple[str, ...]) -> tuple[dict[str, str], frozenset[str], int]:
    """Every inflected form of every vague verb with its base verb, the first words of the forms, and the most
    words a form has."""
    base_of: dict[str, str] = {}
    for entry in verbs:
        words = entry.casefold().split()
        if not words:
            continue
        for head in _inflections(words[0]):
            base_of.setdefault(" ".join([head, *words[1:]]), " ".join(words))
    heads = frozenset(form.split(" ", 1)[0] for form in base_of)
    return base_of, heads, max((form.count(" ") + 1 for form in base_of), default=0)


# words as a regex's \b sees them; a dict of forms, not one regex of them all, which took ~7 ms to compile
_WORD = re.compile(r"\w+")
_SPACE = re.compile(r"\s+")


# the past forms that the regular suffix rules below cannot produce
IRREGULAR = {"build": ("built",), "make": ("made",), "grow": ("grew", "grown"), "bring": ("brought",)}


def _inflections(verb: str) -> set[str]:
    """A verb with its -s, -ed and -ing forms: enhance/enhances/enhanced/enhancing."""
    forms = {verb, *IRREGULAR.get(verb, ())}
    if verb.endswith("e"):
        forms |= {verb + "s", verb + "d", verb[:-1] + "ing"}
    elif len(verb) > 1 and verb.endswith("y") and verb[-2] not in "aeiou":
        forms |= {verb[:-1] + "ies", verb[:-1] + "ied", verb + "ing"}
    else:
        forms |= {verb + ("es" if verb.endswith(("s", "sh", "ch", "x", "z")) else "s"), verb + "ed", verb + "ing"}
        # equip -> equipped, equipping: [^aeiou][aeiou][^aeiouwxy]$ (a word has no line break), as a string test
        # (the regex was 0.35 M instructions of each start to compile)
        if len(verb) > 2 and verb[-3] not in "aeiou" and verb[-2] in "aeiou" and verb[-1] not in "aeiouwxy":
            forms |= {verb + verb[-1] + "ed", verb + verb[-1] + "ing"}
    return forms


# vague verbs that are nouns too ("the logistics support command", "in advance of"): their bare form
# counts as a verb only where a verb stands, at the start or after one of VERB_CUES
ALSO_NOUNS = frozenset({"support", "advance"})
VERB_CUES = frozenset(
    {"to", "will", "shall", "should", "must", "can", "could", "would", "may", "might", "do", "does", "did"}
    | {"help", "helps", "and", "or", "we", "they", "it", "also"}
)


def _vague_verb(statement: str, verbs: tuple[str, ...]) -> tuple[str, str] | None:
    """(the words as written, the vague verb) of the first vague verb used as a verb in `statement`, or None.

    At each word, the longest form wins ("build relationships" over "build"); the words of a form are
    separated by spaces only."""
    base_of, heads, most = _vague_forms(verbs)
    words = list(_WORD.finditer(statement))
    for index, first in enumerate(words):
        if first.group(0).casefold() not in heads:
            continue  # most words start no form
        for count in range(min(most, len(words) - index), 0, -1):
            phrase = words[index : index + count]
            if any(
                not _SPACE.fullmatch(statement, left.end(), right.start()) for left, right in zip(phrase, phrase[1:])
            ):
                continue
            word = " ".join(found.group(0) for found in phrase)
            verb = base_of.get(word.casefold())
            if verb is None:
                continue
            if word.casefold() in ALSO_NOUNS:
                before = re.findall(r"[A-Za-z']+", statement[: first.start()])
                if before and before[-1].casefold() not in VERB_CUES:
                    break  # a noun: "the logistics support command"
            return word, verb
    return None


@rule(
    id="MSR007",
    title="Objective rests on a vague verb with no numeric target",
    description=(
        'An objective\'s statement uses a vague verb from the `vague_verbs` reference data ("enhance", '
        '"strengthen", "improve", "support", ... in any inflection) and none of its indicators has a '
        "numeric `target`; in activity/v2 an indicator of `kind: output` does not count. A word that is a noun "
        'too ("support", "advance") counts only where a verb stands: at the start, or after "to", a modal '
        '(will, should, ...), "and" or "or".'
    ),
    family=FAMILY,
    level="warn",
    rationale=(
        "'Enhance', 'strengthen', 'improve' or 'support' say that something should change, "
        "not how much: such an objective is measurable only through an indicator with a "
        f"numeric target. Objectives must say how success will be measured ({METRICS}; {AME}); "
        "a count of what the activity delivers (an output: courses held, radios handed over) does not show "
        "the change the verb promises. The verbs are reference data (`vague_verbs`), extendable by plugins and "
        "configuration."
    ),
    source=f"{METRICS}; {AME}; rules/data/vague_verbs.yaml",
    fails=(
        "objectives:\n"
        "  - id: OBJ-1\n"
        "    statement: Strengthen defense planning at the Ministry of Defense.\n"
        "    addresses_threats: [THR-1]\n"
        "    indicators:\n"
        "      - name: Defense planning process\n"
        "        baseline: ad hoc\n"
        "        target: institutionalized\n"
    ),
    passes=(
        "objectives:\n"
        "  - id: OBJ-1\n"
        "    statement: Strengthen defense planning at the Ministry of Defense.\n"
        "    addresses_threats: [THR-1]\n"
        "    indicators:\n"
        "      - name: Share of capability targets with a costed line in the ten-year plan\n"
        "        baseline: 10\n"
        "        target: 80\n"
    ),
)
def vague_objective(activity: Activity, ctx: RuleContext) -> Iterator[Violation]:
    verbs = tuple(verb for verb in ctx.reference.get("vague_verbs", ()) if isinstance(verb, str))
    v2 = format_version(activity.get("schema")) == 2
    for path, objective in activity.items("objectives"):
        statement = objective.get("statement")
        targets = (
            indicator.get("target")
            for _path, indicator in activity.items(path + ("indicators",))
            if not (v2 and indicator.get("kind") == "output")  # what the activity delivers, not what changes
        )
        # targets first: a document whose objectives all have numeric targets never builds the verb forms
        if not isinstance(statement, str) or any(as_number(target) is not None for target in targets):
            continue
        vague = _vague_verb(statement, verbs)
        if vague is None:
            continue
        word, verb = vague
        said = f"'{verb}'" if word.casefold() == verb else f"'{verb}' (\"{word}\")"
        yield Violation(
            path + ("statement",),
            f"objective {item_id(objective, path[-1])} rests on the vague verb {said} and none of its "
            "indicators has a numeric target: give an indicator a numeric `target` (a count, a percentage, a time)",
            "or restate the objective as the result the partner will achieve",
        )


@rule(
    id="MSR008",
    title="A large activity names no initial assessment",
    description=(
        "On an activity/v2 document whose `activity.budget.amount` in US dollars is `min_budget` (default "
        "1,000,000) or more, `assessment.initial_assessment` is missing or has no `reference`, or its `date` is "
        "after `activity.start`. The rule is skipped for smaller budgets and other currencies."
    ),
    family=FAMILY,
    level="warn",
    rationale=(
        "Significant security cooperation initiatives are to be preceded by an initial assessment of the "
        f"partner's capabilities, requirements and conditions ({AME}): it is where the objectives, the "
        "baselines and the theory of change come from, and an activity designed without one measures against "
        "nothing. Which activities are significant is a judgment: `min_budget`."
    ),
    source=AME,
    parameters={"min_budget": Param(1000000, "the budget in US dollars from which an initial assessment is required")},
    fails="schema: activity/v2\nactivity:\n  budget: {amount: 4500000, currency: USD}\nassessment: null\n",
    passes=(
        "schema: activity/v2\nactivity:\n  budget: {amount: 4500000, currency: USD}\n"
        'assessment:\n  initial_assessment: {reference: ODC Tirana baseline assessment, date: "2026-09-30"}\n'
    ),
)
def no_initial_assessment(activity: Activity, ctx: RuleContext) -> Iterator[Violation]:
    if format_version(activity.get("schema")) != 2:
        skip("only an activity/v2 document records its assessment")
    amount, minimum = as_number(activity.get(("activity", "budget", "amount"))), ctx.params["min_budget"]
    if activity.get(("activity", "budget", "currency")) not in (None, "USD") or amount is None or amount < minimum:
        skip("a budget below `min_budget` US dollars")
    where: Path = ("assessment", "initial_assessment")
    initial = activity.get(where)
    initial = initial if isinstance(initial, Mapping) else {}
    dated, start = as_date(initial.get("date")), as_date(activity.get(("activity", "start")))
    if is_blank(initial.get("reference"), ctx):
        found = where if initial else ("assessment",) if activity.get("assessment") is not None else ()
        yield Violation(
            found,
            f"the activity costs ${amount:,.0f}, {'at' if amount == minimum else 'above'} the ${minimum:,.0f} at "
            "which an initial assessment is expected, but names none: add `assessment.initial_assessment` with "
            "the `reference` and `date` of the assessment the activity was designed from",
        )
    elif dated and start and dated > start:
        yield Violation(
            where + ("date",),
            f"the initial assessment is dated {dated}, after the activity starts ({start}): the activity was not "
            "designed from it; date the assessment the design rests on, or assess before the start",
        )


def _objectives_with_indicators(activity: Activity) -> Iterator[tuple[Path, Mapping[str, Any], list]]:
    for path, objective in activity.items("objectives"):
        indicators = list(activity.items(path + ("indicators",)))
        if indicators:
            yield path, objective, indicators


@rule(
    id="MSR009",
    title="An objective is measured only by outputs",
    description=(
        "On an activity/v2 document, every indicator of an objective has `kind: output`. An objective with an "
        "indicator of another or no kind is not judged."
    ),
    family=FAMILY,
    level="warn",
    rationale=(
        "Outputs count what the activity delivers (courses held, equipment handed over); outcomes measure the "
        "change in the partner's capability the objective is about. Monitoring that tracks only outputs cannot "
        f"show that an objective was met ({AME}; {METRICS})."
    ),
    source=f"{AME}; {METRICS}",
    fails=(
        "schema: activity/v2\nobjectives:\n  - id: OBJ-1\n"
        "    statement: The Ministry of Defense adopts a costed National Defense Strategy.\n"
        "    addresses_threats: [THR-1]\n    indicators:\n"
        "      - {name: Planning workshops held, kind: output, baseline: 0, target: 6}\n"
    ),
    passes=(
        "schema: activity/v2\nobjectives:\n  - id: OBJ-1\n"
        "    statement: The Ministry of Defense adopts a costed National Defense Strategy.\n"
        "    addresses_threats: [THR-1]\n    indicators:\n"
        "      - {name: Planning workshops held, kind: output, baseline: 0, target: 6}\n"
        "      - {name: Strategy adopted by the Council of Ministers, kind: outcome, baseline: 0, target: 1}\n"
    ),
)
def only_outputs(activity: Activity, ctx: RuleContext) -> Iterator[Violation]:
    if format_version(activity.get("schema")) != 2:
        skip("only an activity/v2 document says what kind each indicator is")
    for path, objective, indicators in _objectives_with_indicators(activity):
        if all(indicator.get("kind") == "output" for _path, indicator in indicators):
            yield Violation(
                path + ("indicators",),
                f"objective {item_id(objective, path[-1])} is measured only by outputs (what the activity "
                "delivers): add an indicator of `kind: outcome` measuring the change in the partner's capability",
            )


@rule(
    id="MSR010",
    title="An indicator's baseline is an estimate",
    description="On an activity/v2 document, an indicator has `baseline_source: estimated`.",
    family=FAMILY,
    level="warn",
    rationale=(
        "A baseline is what success is measured against; an estimate can make any result look like progress. "
        f"The baseline comes from the initial assessment or the first monitoring data ({AME}), so an estimated "
        "one is replaced by a measurement before the results are judged."
    ),
    source=AME,
    fails=OBJECTIVE + _indicator(baseline="15", baseline_source="estimated", target="80", unit="percent"),
    passes=OBJECTIVE + _indicator(baseline="15", baseline_source="measured", target="80", unit="percent"),
)
def estimated_baseline(activity: Activity, ctx: RuleContext) -> Iterator[Violation]:
    if format_version(activity.get("schema")) != 2:
        skip("only an activity/v2 document says where a baseline comes from")
    for path, label, indicator in _indicators(activity):
        if indicator.get("baseline_source") == "estimated":
            yield Violation(
                path + ("baseline_source",),
                f"{label} has an estimated baseline: measure it (in the initial assessment, or the first monitoring "
                "report before the activity starts) and set `baseline_source: measured`",
                "until then, results measured against it show change from a guess",
            )


@hookimpl
def policycheck_rules() -> list[Rule]:
    return rules_in(globals())
