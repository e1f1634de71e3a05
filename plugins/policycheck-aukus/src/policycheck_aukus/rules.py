"""The AUKUS rules: AUK001 and AUK002 judge one activity, AUK003 a whole run.

AUKUS Pillar 2 ("advanced capabilities": undersea, quantum, AI and autonomy,
hypersonics, cyber, electronic warfare) only works if Australia, the United
Kingdom and the United States share technology with little friction. These
rules catch proposals that put friction back by habit.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Iterator, Sequence

from policycheck import Activity, Collected, Edit, Fix, Param, RuleContext, Violation, portfolio_rule, rule, skip

FAMILY = "aukus"
SOURCE = "AUKUS Joint Leaders Statement (2021); AUKUS Pillar 2 advanced capabilities"
PARTNERS = Param(
    default=["AUS", "GBR"],
    description="Country codes of the AUKUS partners (the United States is the proposer)",
)


def _aukus_partner(activity: Activity, ctx: RuleContext) -> str | None:
    country = activity.get("/partner/country")
    return country if country in ctx.params["partners"] else None


@rule(
    id="AUK001",
    title="NOFORN on an activity with a most-capable AUKUS partner",
    description=(
        "The partner country is one of the AUKUS `partners` (default AUS, GBR) with category "
        "`most-capable`, and `releasability.dissemination` lists `NOFORN`. The rule is skipped for any "
        "other partner."
    ),
    family=FAMILY,
    level="fail",
    rationale=(
        "An activity with Australia or the United Kingdom under AUKUS exists to share capability. "
        "NOFORN withholds the proposal itself from the partner it is for; mark it REL TO the AUKUS "
        "partners so the partner can co-plan."
    ),
    source=f"{SOURCE}; DoDM 5200.01 Vol. 2 (dissemination controls)",
    parameters={"partners": PARTNERS},
    fails=(
        "partner: {country: AUS, category: most-capable}\n"
        "releasability:\n  classification: SECRET\n  dissemination: [NOFORN]\n  rel_to: null\n"
    ),
    passes=(
        "partner: {country: AUS, category: most-capable}\n"
        "releasability:\n  classification: SECRET\n  dissemination: [REL TO]\n  rel_to: [USA, AUS, GBR]\n"
    ),
    fix="unsafe",
)
def noforn_with_aukus_partner(activity: Activity, ctx: RuleContext) -> Iterator[Violation]:
    country = _aukus_partner(activity, ctx)
    if country is None or activity.get("/partner/category") != "most-capable":
        skip("not a most-capable AUKUS partner")
    controls = activity.get("/releasability/dissemination", ())
    controls = controls if isinstance(controls, tuple) else ()
    for index, control in enumerate(controls):
        if control == "NOFORN":
            path = ("releasability", "dissemination", index)
            # unsafe: releasing it is the originator's decision, which the fix would make for them
            edit = Edit.remove(path) if "REL TO" in controls else Edit.set(path, "REL TO")
            yield Violation(
                path,
                f"NOFORN withholds this activity from {country}, the AUKUS partner it is carried out with",
                "replace NOFORN with REL TO and list USA and the partners in rel_to (or the AUKS code)",
                fix=Fix("Replace NOFORN with REL TO", (edit,), safe=False),
            )


@rule(
    id="AUK002",
    title="Transactional export licence where the AUKUS exemption applies",
    description=(
        "A `technology_transfer` item for an AUKUS partner names a transactional licence "
        "(`transactional_licenses`, default DSP-5, DSP-61, DSP-73, DSP-85) in `license`, and its USML "
        "category is not in `excluded_usml_categories`. The rule is skipped when the partner is not an "
        "AUKUS partner."
    ),
    family=FAMILY,
    level="warn",
    rationale=(
        "Since 2024 the ITAR AUKUS exemption lets authorized users in Australia, the United Kingdom "
        "and the United States transfer most defense articles and services among themselves without "
        "a licence per transaction. A DSP-5 or similar licence for such a transfer costs months; cite "
        "the exemption unless the item is excluded from it."
    ),
    source="22 CFR 126.7 (ITAR exemption for AUKUS); 22 CFR 123.1 (DSP-5, DSP-61, DSP-73, DSP-85 licences)",
    parameters={
        "partners": PARTNERS,
        "transactional_licenses": Param(
            default=["DSP-5", "DSP-61", "DSP-73", "DSP-85"],
            description="Licence kinds granted per transaction, which the exemption can replace",
        ),
        # a stand-in for the exemption's excluded-technology list, which names items, not categories
        "excluded_usml_categories": Param(
            default=[],
            description="USML categories kept under licence: items in them are not flagged",
            choices=[
                "I",
                "II",
                "III",
                "IV",
                "V",
                "VI",
                "VII",
                "VIII",
                "IX",
                "X",
                "XI",
                "XII",
                "XIII",
                "XIV",
                "XV",
                "XVI",
                "XVII",
                "XVIII",
                "XIX",
                "XX",
                "XXI",
            ],
        ),
    },
    fails=(
        "partner: {country: GBR, category: most-capable}\n"
        "releasability:\n  technology_transfer:\n"
        "    - item: Undersea acoustic processing software\n      usml_category: XI\n"
        "      disclosure_decision: approved\n      license: DSP-5\n"
    ),
    passes=(
        "partner: {country: GBR, category: most-capable}\n"
        "releasability:\n  technology_transfer:\n"
        "    - item: Undersea acoustic processing software\n      usml_category: XI\n"
        "      disclosure_decision: approved\n      license: 22 CFR 126.7\n"
    ),
)
def licence_where_exemption_applies(activity: Activity, ctx: RuleContext) -> Iterator[Violation]:
    country = _aukus_partner(activity, ctx)
    if country is None:
        skip("not an AUKUS partner")
    transactional = {name.upper() for name in ctx.params["transactional_licenses"]}
    excluded = set(ctx.params["excluded_usml_categories"])
    for path, item in activity.items("/releasability/technology_transfer"):
        licence = item.get("license")
        if not isinstance(licence, str) or not licence.split():
            continue
        kind = licence.split()[0].upper()  # "DSP-5 05-123456" is a DSP-5
        if kind in transactional and item.get("usml_category") not in excluded:
            yield Violation(
                path + ("license",),
                f"'{item.get('item')}' goes to {country} under a transactional {kind} licence, "
                "but the AUKUS exemption (22 CFR 126.7) may cover it",
                "if sender and receiver are authorized users and the item is not excluded, "
                "write `license: 22 CFR 126.7`; otherwise waive this finding with the reason",
            )


def _budget(activity: Activity, ctx: RuleContext) -> Any:
    """Per activity: (partner, amount, line, column), or None when it does not count."""
    country = _aukus_partner(activity, ctx)
    amount = activity.get("/activity/budget/amount")
    if country is None or activity.get("/activity/budget/currency") != ctx.params["currency"]:
        return None
    if isinstance(amount, bool) or not isinstance(amount, (int, float)):
        return None
    return (country, amount, *activity.position("/activity/budget/amount"))


@portfolio_rule(
    id="AUK003",
    title="Total budget for one AUKUS partner above the ceiling",
    description=(
        "Across every file of the run, the budgets (in `currency`, default USD) of activities with one "
        "AUKUS partner add up to more than `max_total_per_partner` (default 50,000,000); each of those "
        "activities gets a finding."
    ),
    family=FAMILY,
    level="warn",
    collect=_budget,
    rationale=(
        "Each proposal can be reasonable while the portfolio is not: many activities with one partner "
        "add up past what the programme can fund or the partner can absorb. The total per partner "
        "over every file of a run is compared with a ceiling the programme office sets."
    ),
    source=f"{SOURCE}; portfolio planning guidance of the programme office (the ceiling is a parameter)",
    parameters={
        "partners": PARTNERS,
        "max_total_per_partner": Param(50_000_000, description="The ceiling per partner over a run, in `currency`"),
        "currency": Param("USD", description="The currency of the budgets counted; others are left out"),
    },
    fails="partner: {country: AUS, category: most-capable}\nactivity:\n  budget: {amount: 60000000, currency: USD}\n",
    passes="partner: {country: AUS, category: most-capable}\nactivity:\n  budget: {amount: 850000, currency: USD}\n",
)
def budget_per_partner(collected: Sequence[Collected], ctx: RuleContext) -> Iterator[Violation]:
    ceiling, currency = ctx.params["max_total_per_partner"], ctx.params["currency"]
    by_partner: dict[str, list[Collected]] = defaultdict(list)
    for item in collected:
        if item.value is not None:
            by_partner[item.value[0]].append(item)
    for country, items in sorted(by_partner.items()):
        total = sum(item.value[1] for item in items)
        if total <= ceiling:
            continue
        for item in sorted(items, key=lambda entry: entry.file):
            _country, amount, line, column = item.value
            yield Violation(
                ("activity", "budget", "amount"),
                f"activities with {country} total {total:,.0f} {currency} in this run ({len(items)} "
                f"files; this one {amount:,.0f}), above max_total_per_partner {ceiling:,.0f}",
                "phase activities into later years, or raise AUK003's max_total_per_partner if the total is planned",
                file=item.file,
                line=line,
                column=column,
            )


RULES = (noforn_with_aukus_partner, licence_where_exemption_applies, budget_per_partner)
