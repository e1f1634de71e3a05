"""Interoperability and sustainment: what the partner receives must keep working.

INT001, INT004 and INT006 are declarative (rules/packs); the checks on each
system's sustainment package and origin live here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from ..activity import Activity, Path
from ..helpers import format_version, join_and
from ..hookimpl import hookimpl
from ..rule import Param, Rule, RuleContext, Violation, rule, rules_in, skip
from .sources import SEED, TOTAL_PACKAGE

FAMILY = "interoperability"
CAPABILITY = f"{SEED}, footnote 2 (a capability is the sum of its inputs: personnel, training, logistics, ...)"
CHALLENGES = f"{SEED}, 'Challenges to twenty-first century security cooperation' (third challenge: cost and capacity)"
ABSORB = f"{SEED}, 'Emerging and advanced technologies' (absorptive capacity)"

SYSTEMS: Path = ("interoperability", "systems")
SUSTAINMENT_PARTS = (("training", "training"), ("spare_parts", "spare parts"), ("maintenance", "maintenance"))

SYSTEM = "interoperability:\n  systems:\n    - name: AN/PRC-163 radio\n      origin: USA\n      quantity: 40\n"


def _systems(activity: Activity) -> list[tuple[Path, str, Mapping]]:
    """(path, "'name'", system) for each system; skip the rule when there are none."""
    return activity.named_items(SYSTEMS, "name") or skip("no systems")


def _provided(activity: Activity) -> list[tuple[Path, str, Mapping]]:
    """The systems the activity delivers: an activity/v2 `provided: false` system is the partner's own."""
    systems = _systems(activity)
    if format_version(activity.get("schema")) == 2:
        systems = [entry for entry in systems if entry[2].get("provided") is not False]
    return systems or skip("the activity delivers no system")


@rule(
    id="INT002",
    title="System without sustainment",
    description=(
        "A system in `interoperability.systems` has no `sustainment` mapping (the package of training, "
        "spare parts and maintenance). The rule is skipped when the activity delivers no system; in activity/v2 "
        "a system with `provided: false` (the partner's own, which the activity only depends on) is not judged."
    ),
    family=FAMILY,
    level="fail",
    rationale=(
        "A capability is the equipment plus the training, logistics and support that make it "
        f"work ({CAPABILITY}); equipment delivered without a total package of training, spare "
        f"parts and maintenance ({TOTAL_PACKAGE}) soon stops working, and the money is wasted. "
        f"Cost and capacity decide what a partner can keep running ({CHALLENGES})."
    ),
    source=f"{CAPABILITY}; {TOTAL_PACKAGE}",
    fails=SYSTEM,
    passes=SYSTEM + "      sustainment: {training: true, spare_parts: true, maintenance: true, funded_years: 5}\n",
)
def system_without_sustainment(activity: Activity, ctx: RuleContext) -> Iterator[Violation]:
    for path, name, system in _provided(activity):
        if not isinstance(system.get("sustainment"), Mapping):
            yield Violation(
                path,
                f"system {name} has no sustainment package: add `sustainment` saying whether training, "
                "spare parts and maintenance are funded, and for how many years",
                "e.g. `sustainment: {training: true, spare_parts: true, maintenance: true, funded_years: 5}`",
            )


@rule(
    id="INT003",
    title="Sustainment incomplete or funded too briefly",
    description=(
        "A system's `sustainment` does not set `training`, `spare_parts` and `maintenance` all to true, "
        "or states no `funded_years`, or funds fewer than `min_funded_years` (default 3); in activity/v2 it "
        "also says who funds it (`funded_by`: us, partner or shared), and `funded_years` counts the years "
        "whoever that is funds. A system with no `sustainment` at all is left to INT002, and a v2 system with "
        "`provided: false` is not judged."
    ),
    family=FAMILY,
    level="warn",
    rationale=(
        "A sustainment package that leaves out training, spare parts or maintenance, or that "
        "is funded for only a year or two, hands the partner a system it cannot yet absorb "
        f"or keep running ({ABSORB}; {CHALLENGES}; {TOTAL_PACKAGE}). Under the Total Package Approach "
        "the purchaser often pays for the sustainment itself: years the partner funds count as much as US ones, "
        "so a proposal says who pays."
    ),
    source=f"{ABSORB}; {TOTAL_PACKAGE}",
    parameters={"min_funded_years": Param(3, "the fewest years of funded sustainment accepted")},
    fails=SYSTEM + "      sustainment: {training: true, spare_parts: false, maintenance: true, funded_years: 1}\n",
    passes=SYSTEM + "      sustainment: {training: true, spare_parts: true, maintenance: true, funded_years: 5,\n"
    "        funded_by: partner}\n",
)
def incomplete_sustainment(activity: Activity, ctx: RuleContext) -> Iterator[Violation]:
    minimum = ctx.params["min_funded_years"]
    v2 = format_version(activity.get("schema")) == 2
    for path, name, system in _provided(activity):
        sustainment = system.get("sustainment")
        if not isinstance(sustainment, Mapping):
            continue  # INT002's finding
        lacking = [label for key, label in SUSTAINMENT_PARTS if sustainment.get(key) is not True]
        problems = [f"leaves out {join_and(lacking)}"] if lacking else []
        funded = sustainment.get("funded_years")
        if isinstance(funded, bool) or not isinstance(funded, (int, float)):
            problems.append("states no `funded_years`")
        elif funded < minimum:
            problems.append(f"is funded for {funded} year{'s' if funded != 1 else ''}, fewer than {minimum}")
        if v2 and sustainment.get("funded_by") is None:
            problems.append("does not say who funds it")
        if problems:
            yield Violation(
                path + ("sustainment",),
                f"the sustainment of system {name} {'; it '.join(problems)}: fund training, spare parts "
                f"and maintenance for at least {minimum} years",
                "say who pays with `funded_by: us`, `partner` or `shared`, and count the partner's years in "
                "`funded_years`"
                if v2
                else "count the years the partner funds too in `funded_years`; activity/v2 records who pays "
                "(`funded_by`)",
            )


@rule(
    id="INT005",
    title="System from an adversary supplier",
    description=(
        "A system's `origin` is on the `adversary_suppliers` reference list (by default CHN, IRN, PRK, "
        "RUS). The rule is skipped when the activity delivers no system."
    ),
    family=FAMILY,
    level="warn",
    rationale=(
        "US equipment is often too expensive for partners, 'which leads them to look for "
        f"cheaper alternatives from other—and sometimes adversarial—suppliers' ({CHALLENGES}). "
        "A system from such a supplier brings dependence on it for spares and software and "
        "limits interoperability with US and allied forces. The supplier list is reference "
        "data (`adversary_suppliers`), extendable by plugins and configuration."
    ),
    source=f"{CHALLENGES}; rules/data/adversary_suppliers.yaml",
    fails="interoperability:\n  systems:\n    - name: Coastal radar\n      origin: CHN\n      quantity: 4\n"
    "      sustainment: {training: true, spare_parts: true, maintenance: true, funded_years: 5}\n",
    passes="interoperability:\n  systems:\n    - name: Coastal radar\n      origin: USA\n      quantity: 4\n"
    "      sustainment: {training: true, spare_parts: true, maintenance: true, funded_years: 5}\n",
)
def adversary_supplier(activity: Activity, ctx: RuleContext) -> Iterator[Violation]:
    adversaries = set(ctx.reference.get("adversary_suppliers", ()))
    for path, name, system in _systems(activity):
        origin = system.get("origin")
        if isinstance(origin, str) and origin in adversaries:
            country = ctx.reference.countries.get(origin, origin)
            yield Violation(
                path + ("origin",),
                f"system {name} comes from {country} ({origin}), on the adversary-supplier list: "
                "prefer a US or allied system built to the same standards",
                "or justify this source (dependence for spares and software, interoperability) in a waiver",
            )


@hookimpl
def policycheck_rules() -> list[Rule]:
    return rules_in(globals())
