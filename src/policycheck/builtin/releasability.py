"""Releasability: "collaboration first" marking, REL TO lists and technology transfer.

REL010 is declarative (rules/packs); the checks on markings, country codes and
disclosure decisions live here.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping

from ..activity import Activity, Path
from ..hints import close_matches, lookalikes
from ..hookimpl import hookimpl
from ..rule import Rule, RuleContext, Violation, rule, rules_in, skip
from .sources import CAPCO, ITAR, SEED

FAMILY = "releasability"
REC1 = f"{SEED}, recommendation 1 and 'Information and technology sharing: take a collaboration-first mentality'"
REC3 = f"{SEED}, recommendation 3"

DISSEMINATION: Path = ("releasability", "dissemination")
REL_TO: Path = ("releasability", "rel_to")
TRANSFERS: Path = ("releasability", "technology_transfer")
NOFORN, RELTO = "NOFORN", "REL TO"
# partner activities where NOFORN defeats the purpose with an ally trusted like the US
SHARING_TYPES = ("information-sharing", "co-production")
# codes people write instead of the ISO 3166-1 alpha-3 trigraphs CAPCO uses (two-letter and
# sporting codes), which no string similarity would lead back to
ALIASES = {"UK": "GBR", "US": "USA", "GER": "DEU", "NED": "NLD", "SUI": "CHE", "DEN": "DNK"}

TRANSFER = "releasability:\n  technology_transfer:\n    - item: Link 16 terminal\n      usml_category: XI\n"


def _control(activity: Activity, control: str) -> int | None:
    """Index of a dissemination control (`NOFORN`, `REL TO`) in the list, or None."""
    controls = activity.get(DISSEMINATION)
    if isinstance(controls, tuple) and control in controls:
        return controls.index(control)
    return None


def _rel_to(activity: Activity) -> list[tuple[int, str]]:
    """(index, code) of each string in `rel_to`; other items are the schema's to report."""
    codes = activity.get(REL_TO)
    if not isinstance(codes, tuple):
        return []
    return [(index, code) for index, code in enumerate(codes) if isinstance(code, str)]


def _partner(activity: Activity) -> str | None:
    country = activity.get(("partner", "country"))
    return country if isinstance(country, str) else None


@rule(
    id="REL001",
    title="NOFORN together with REL TO",
    description="`releasability.dissemination` lists both `NOFORN` and `REL TO`.",
    family=FAMILY,
    level="fail",
    rationale=(
        "NOFORN (not releasable to foreign nationals) and REL TO (releasable to the countries "
        f"listed) contradict each other; a banner cannot carry both ({CAPCO}). Collaboration "
        f"first ({REC1}) means keeping the REL TO."
    ),
    source=f"{CAPCO}; {REC1}",
    fails="releasability:\n  dissemination: [NOFORN, REL TO]\n",
    passes="releasability:\n  dissemination: [REL TO]\n",
)
def noforn_with_rel_to(activity: Activity, ctx: RuleContext) -> Iterator[Violation]:
    noforn = _control(activity, NOFORN)
    if noforn is not None and _control(activity, RELTO) is not None:
        yield Violation(
            DISSEMINATION + (noforn,),
            "dissemination has both NOFORN and REL TO, which contradict each other: "
            "drop NOFORN and keep REL TO with the countries in `rel_to`",
            "if it truly may not be released, drop REL TO and `rel_to` instead",
        )


@rule(
    id="REL002",
    title="NOFORN on an activity carried out with the partner",
    description=(
        "`releasability.dissemination` lists `NOFORN` on any activity type except `fms-case` (where the "
        "rule is skipped). It is a warning, and a failure when the partner is `most-capable` and the "
        "activity is `information-sharing` or `co-production`."
    ),
    family=FAMILY,
    level="warn",
    rationale=(
        "DOD should take a 'collaboration-first' mentality with its closest and most capable "
        "allies rather than 'a reflexive move to classify documents as NOFORN', which 'unnecessarily "
        f"constrains information-sharing with likeminded nations' ({REC1}). A proposal for an "
        "activity carried out with the partner should be releasable to it; only an FMS case, "
        "managed on the US side, is exempt. It fails outright when the partner is most capable "
        "and the activity is information sharing or co-production, where sharing is the point."
    ),
    source=REC1,
    fails="releasability:\n  dissemination: [NOFORN]\n  rel_to: null\n",
    passes="releasability:\n  dissemination: [REL TO]\n  rel_to: [USA, ALB]\n",
)
def reflexive_noforn(activity: Activity, ctx: RuleContext) -> Iterator[Violation]:
    activity_type = activity.get(("activity", "type"))
    if activity_type == "fms-case":
        skip("NOFORN is not judged on an FMS case")
    noforn = _control(activity, NOFORN)
    if noforn is None:
        return
    country = _partner(activity)
    partner = country or "the partner"
    fix = f"drop NOFORN and release it with REL TO and `rel_to: [USA, {country or 'XXX'}]`"
    hint = "if it truly must stay NOFORN, record why in a waiver"
    if activity.get(("partner", "category")) == "most-capable" and activity_type in SHARING_TYPES:
        yield Violation(
            DISSEMINATION + (noforn,),
            f"NOFORN on {activity_type} with a most-capable partner ({partner}) blocks the sharing the activity "
            f"exists for: {fix}",
            hint,
            level="fail",
        )
    else:
        yield Violation(
            DISSEMINATION + (noforn,),
            f"NOFORN bars {partner} from a proposal for an activity carried out with it: {fix}",
            hint,
        )


@rule(
    id="REL003",
    title="REL TO and rel_to disagree",
    description=(
        "`dissemination` lists `REL TO` but `rel_to` names no country, or `rel_to` names countries but "
        "`dissemination` has no `REL TO`."
    ),
    family=FAMILY,
    level="fail",
    rationale=(
        f"A REL TO marking names the countries it releases to ({CAPCO}): the marking without "
        "`rel_to` releases to nobody in particular, and `rel_to` without the marking never "
        "reaches the banner."
    ),
    source=CAPCO,
    fails="releasability:\n  dissemination: [REL TO]\n  rel_to: null\n",
    passes="releasability:\n  dissemination: [REL TO]\n  rel_to: [USA, ALB]\n",
)
def rel_to_mismatch(activity: Activity, ctx: RuleContext) -> Iterator[Violation]:
    marked, codes = _control(activity, RELTO), _rel_to(activity)
    if marked is not None and not codes:
        country = _partner(activity) or "XXX"
        yield Violation(
            DISSEMINATION + (marked,),
            "dissemination has REL TO but `rel_to` names no country: list who may see it, e.g. `rel_to: [USA, "
            f"{country}]`",
        )
    elif marked is None and codes:
        yield Violation(
            REL_TO,
            "`rel_to` names countries but dissemination has no REL TO: add `REL TO` to `dissemination`",
            "or remove `rel_to` if the information is not releasable",
        )


@rule(
    id="REL004",
    title="rel_to does not cover the partner",
    description=(
        "`rel_to` names no code that covers the partner country, either directly or through a tetragraph "
        "such as `NATO` or `FVEY` that contains it. The rule is skipped when there is no `rel_to` or the "
        "partner country is not a known code."
    ),
    family=FAMILY,
    level="fail",
    rationale=(
        "A proposal released to a list that leaves out the partner cannot be shared with the "
        f"partner it is about ({REC1}). A tetragraph such as NATO or FVEY covers each of its "
        f"members ({CAPCO})."
    ),
    source=f"{REC1}; {CAPCO}",
    fails="releasability:\n  rel_to: [USA, GBR]\n",
    passes="releasability:\n  rel_to: [USA, NATO]\n",
)
def partner_not_covered(activity: Activity, ctx: RuleContext) -> Iterator[Violation]:
    codes = [code for _index, code in _rel_to(activity)]
    country = _partner(activity)
    if not codes or country not in ctx.reference.countries:
        skip("no rel_to, or no valid partner country (the schema reports that)")
    if any(ctx.reference.covers(code, country) for code in codes):
        return
    groups = sorted(code for code, members in ctx.reference.tetragraphs.items() if country in members)
    yield Violation(
        REL_TO,
        f"`rel_to` [{', '.join(codes)}] does not include the partner, {country}: add {country} to `rel_to`",
        f"or a tetragraph that contains it: {', '.join(groups)}" if groups else None,
    )


def _rank(code: str, ctx: RuleContext) -> int:
    if code == "USA":
        return 0
    return 2 if code in ctx.reference.tetragraphs or len(code) > 3 else 1


@rule(
    id="REL005",
    title="rel_to not in marking order",
    description=(
        "`rel_to` is not in marking order: `USA` first, then country trigraphs alphabetically, then "
        "tetragraphs alphabetically. The finding points at the first code out of place; the rule is "
        "skipped when there is no `rel_to`."
    ),
    family=FAMILY,
    level="warn",
    rationale=(
        f"In a REL TO marking USA comes first, then country trigraphs in alphabetical order, "
        f"then tetragraphs in alphabetical order ({CAPCO}); a list in another order produces a "
        "banner that does not match the portion markings and must be corrected before release."
    ),
    source=CAPCO,
    fails="releasability:\n  rel_to: [ALB, USA]\n",
    passes="releasability:\n  rel_to: [USA, ALB]\n",
)
def rel_to_order(activity: Activity, ctx: RuleContext) -> Iterator[Violation]:
    entries = _rel_to(activity)
    if not entries:
        skip("no rel_to")
    actual = [code for _index, code in entries]
    expected = sorted(actual, key=lambda code: (_rank(code, ctx), code))
    for (index, code), want in zip(entries, expected):
        if code == want:
            continue
        if want == "USA":
            problem = "USA comes first"
        elif _rank(want, ctx) < _rank(code, ctx):
            problem = f"trigraph {want} comes before tetragraph {code}"
        else:
            kind = "tetragraphs" if _rank(want, ctx) == 2 else "trigraphs"
            problem = f"{kind} go in alphabetical order: {want} before {code}"
        yield Violation(
            REL_TO + (index,),
            f"`rel_to` is not in marking order ({problem}): write `rel_to: [{', '.join(expected)}]`",
            "USA first, then trigraphs, then tetragraphs, each alphabetically",
        )
        return


def _code_hint(code: str, ctx: RuleContext) -> str:
    latin = lookalikes(code)
    if latin is not None:  # 'АLB' with a Cyrillic 'А': name the letter, then suggest from the Latin spelling
        note, spelled = latin
        return f"{note}: {_code_hint(spelled, ctx)}"
    countries, tetragraphs = ctx.reference.countries, ctx.reference.tetragraphs
    by_name = {name.casefold(): known for known, name in countries.items()}
    guess = ALIASES.get(code.upper()) or by_name.get(code.casefold())
    if guess is None and (code.upper() in countries or code.upper() in tetragraphs):
        guess = code.upper()
    if guess is None:
        wanted = code.upper()
        close = close_matches(wanted, [*countries, *tetragraphs], n=5)
        # among equally similar codes a typo usually keeps the first letters: NZE -> NZL, not ZWE
        guess = max(close, key=lambda known: len(os.path.commonprefix([known, wanted])), default=None)
    if guess is None:
        return (
            "use an ISO 3166-1 alpha-3 country code (GBR, POL, ...) or a tetragraph ("
            + ", ".join(sorted(tetragraphs))
            + ")"
        )
    return f"did you mean '{guess}' ({countries[guess]})?" if guess in countries else f"did you mean '{guess}'?"


@rule(
    id="REL006",
    title="Unknown code in rel_to",
    description=(
        "A code in `rel_to` is neither a known ISO 3166-1 alpha-3 country code nor a known tetragraph; "
        "the hint suggests the closest code. The rule is skipped when there is no `rel_to`."
    ),
    family=FAMILY,
    level="fail",
    rationale=(
        f"REL TO lists use ISO 3166-1 alpha-3 trigraphs and registered tetragraphs ({CAPCO}); "
        "an unknown code (GER for Germany instead of DEU, a two-letter code such as UK, a typo) releases to "
        "nobody, and the partner it was meant for cannot receive the document."
    ),
    source=f"{CAPCO}; ISO 3166-1 alpha-3; rules/data/countries.yaml and tetragraphs.yaml",
    fails="releasability:\n  rel_to: [USA, ALB, GER]\n",
    passes="releasability:\n  rel_to: [USA, ALB, DEU]\n",
)
def unknown_code(activity: Activity, ctx: RuleContext) -> Iterator[Violation]:
    entries = _rel_to(activity)
    if not entries:
        skip("no rel_to")
    for index, code in entries:
        if code not in ctx.reference.countries and code not in ctx.reference.tetragraphs:
            yield Violation(
                REL_TO + (index,),
                f"'{code}' in `rel_to` is neither an ISO 3166-1 alpha-3 country code nor a known tetragraph: "
                "write the country's alpha-3 code or a tetragraph such as NATO",
                _code_hint(code, ctx),
            )


def _transfers(activity: Activity) -> list[tuple[Path, str, Mapping]]:
    """(path, "'item name'", item) for each technology transfer item; skip the rule when there are none."""
    return activity.named_items(TRANSFERS, "item", unnamed="item #") or skip("no technology transfer")


@rule(
    id="REL007",
    title="Technology transfer disclosure denied",
    description=(
        "A `technology_transfer` item has `disclosure_decision: denied`. The rule is skipped when the "
        "activity transfers no technology."
    ),
    family=FAMILY,
    level="fail",
    rationale=(
        "A denied foreign disclosure decision means the item may not be shared with the "
        "partner; an activity built on it cannot go ahead as proposed. Releasability "
        f"processes should be modernized and made faster ({REC3}), not bypassed."
    ),
    source=f"{REC3}; National Disclosure Policy (NDP-1)",
    fails=TRANSFER + "      disclosure_decision: denied\n",
    passes=TRANSFER + "      disclosure_decision: approved\n      license: DSP-5\n",
)
def disclosure_denied(activity: Activity, ctx: RuleContext) -> Iterator[Violation]:
    for path, name, item in _transfers(activity):
        if item.get("disclosure_decision") == "denied":
            yield Violation(
                path + ("disclosure_decision",),
                f"disclosure of {name} was denied, so it cannot be transferred: "
                "remove it from the activity or replace it with a releasable item",
                "if the decision is being appealed, mark it `pending`",
            )


@rule(
    id="REL008",
    title="Technology transfer disclosure pending or missing",
    description=(
        "A `technology_transfer` item has `disclosure_decision: pending` or no `disclosure_decision` at "
        "all. The rule is skipped when the activity transfers no technology."
    ),
    family=FAMILY,
    level="warn",
    rationale=(
        "Slow releasability decisions are what stretch FMS case timelines and frustrate allies "
        f"({REC3}); a proposal whose technology has no disclosure decision yet may not be "
        "deliverable on its schedule, and the reviewer should know."
    ),
    source=f"{REC3}; National Disclosure Policy (NDP-1)",
    fails=TRANSFER + "      disclosure_decision: pending\n",
    passes=TRANSFER + "      disclosure_decision: approved\n      license: DSP-5\n",
)
def disclosure_pending(activity: Activity, ctx: RuleContext) -> Iterator[Violation]:
    for path, name, item in _transfers(activity):
        decision = item.get("disclosure_decision")
        if decision is None or decision == "pending":
            where, state = (
                (path, "has no disclosure_decision")
                if decision is None
                else (path + ("disclosure_decision",), "is still pending disclosure")
            )
            yield Violation(
                where,
                f"technology transfer {name} {state}: obtain the foreign disclosure decision before the activity is "
                "approved",
                "record it as `approved`, `denied` or `not-required`",
            )


@rule(
    id="REL009",
    title="Approved USML item without a licence or exemption",
    description=(
        "A `technology_transfer` item with a `usml_category` has `disclosure_decision: approved` but no "
        "`license` naming its licence, agreement or ITAR exemption. The rule is skipped when the activity"
        " transfers no technology."
    ),
    family=FAMILY,
    level="warn",
    rationale=(
        "An approved disclosure says the item may be shared; exporting a US Munitions List "
        f"article or its technical data still needs a licence or agreement (DSP-5, TAA, an FMS "
        f"LOA) or a named ITAR exemption ({ITAR}). Reducing ITAR's burdens ({REC3}) means "
        "fewer transactional licences, not unnamed ones. The format has no exemption field: "
        "name the exemption in `license` (e.g. 'ITAR 126.4 exemption') and the rule accepts it."
    ),
    source=f"{ITAR}; {REC3}",
    fails=TRANSFER + "      disclosure_decision: approved\n",
    passes=TRANSFER
    + "      disclosure_decision: approved\n      license: ITAR 126.4 exemption (US Government transfer)\n",
)
def usml_without_license(activity: Activity, ctx: RuleContext) -> Iterator[Violation]:
    for path, name, item in _transfers(activity):
        category, license_ = item.get("usml_category"), item.get("license")
        if (
            item.get("disclosure_decision") == "approved"
            and isinstance(category, str)
            and category.strip()
            and not (isinstance(license_, str) and license_.strip())
        ):
            yield Violation(
                path,
                f"{name} (USML Category {category}) has an approved disclosure but no licence or exemption named: "
                "name its export authorization in `license`",
                "a DSP-5, TAA or FMS LOA number, or the ITAR exemption it ships under (e.g. 'ITAR 126.4 exemption')",
            )


@hookimpl
def policycheck_rules() -> list[Rule]:
    return rules_in(globals())
