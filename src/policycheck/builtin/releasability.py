"""Releasability: "collaboration first" marking, REL TO lists and technology transfer.

REL010 is declarative (rules/packs); the checks on markings, country codes and
disclosure decisions live here.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping

from .. import markings
from ..activity import Activity, Path
from ..helpers import format_version, is_blank, is_placeholder
from ..hints import close_matches, lookalikes
from ..hookimpl import hookimpl
from ..rule import Edit, Fix, Rule, RuleContext, Violation, rule, rules_in, skip
from .sources import CAPCO, GENC, GOLDEN_SENTRY, ITAR, SEED

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

FAMILY = "releasability"
REC1 = f"{SEED}, recommendation 1 and 'Information and technology sharing: take a collaboration-first mentality'"
REC3 = f"{SEED}, recommendation 3"

DISSEMINATION: Path = ("releasability", "dissemination")
REL_TO: Path = ("releasability", "rel_to")
TRANSFERS: Path = ("releasability", "technology_transfer")
SYSTEMS: Path = ("interoperability", "systems")
NOFORN, RELTO = "NOFORN", "REL TO"
# partner activities where NOFORN defeats the purpose with an ally trusted like the US
SHARING_TYPES = ("information-sharing", "co-production")
# codes people write instead of the GENC trigraphs CAPCO uses (two-letter, sporting and
# user-assigned codes), which no string similarity would lead back to
ALIASES = {
    "UK": "GBR",
    "US": "USA",
    "GER": "DEU",
    "NED": "NLD",
    "SUI": "CHE",
    "DEN": "DNK",
    "XKX": "XKS",
    "KOS": "XKS",
    "RKS": "XKS",
}

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
    fix="unsafe",
)
def noforn_with_rel_to(activity: Activity, ctx: RuleContext) -> Iterator[Violation]:
    noforn = _control(activity, NOFORN)
    if noforn is not None and _control(activity, RELTO) is not None:
        yield Violation(
            DISSEMINATION + (noforn,),
            "dissemination has both NOFORN and REL TO, which contradict each other: "
            "drop NOFORN and keep REL TO with the countries in `rel_to`",
            "if it truly may not be released, drop REL TO and `rel_to` instead",
            # unsafe: whether it may be released is the originator's call, which the fix makes for them
            fix=Fix("Drop NOFORN, keep REL TO", (Edit.remove(DISSEMINATION + (noforn,)),), safe=False),
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
        "activity carried out with the partner should be releasable to it. An FMS case is skipped: "
        "its partner-facing documents, the Letter of Request and the Letter of Offer and Acceptance, "
        "are exchanged and marked through the case process itself, while the case file reviewed here "
        "also holds the US side's technology-release, pricing and notification deliberations. It fails "
        "outright when the partner is most capable and the activity is information sharing or "
        "co-production, where sharing is the point."
    ),
    source=REC1,
    fails="releasability:\n  dissemination: [NOFORN]\n  rel_to: null\n",
    passes="releasability:\n  dissemination: [REL TO]\n  rel_to: [USA, ALB]\n",
)
def reflexive_noforn(activity: Activity, ctx: RuleContext) -> Iterator[Violation]:
    activity_type = activity.get(("activity", "type"))
    if activity_type == "fms-case":
        skip("an FMS case's partner-facing documents (LOR, LOA) are marked through the case process")
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
    fix="safe",
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
            fix=_add_rel_to(activity),
        )


def _add_rel_to(activity: Activity) -> Fix | None:
    """REL TO at the end of `dissemination`, or a new `dissemination: [REL TO]` where there is none."""
    controls = activity.get(DISSEMINATION)
    if isinstance(controls, tuple):
        edit = Edit.insert(DISSEMINATION + ("-",), RELTO)
    elif controls is None and "dissemination" not in (activity.get(("releasability",)) or {}):
        edit = Edit.set(DISSEMINATION, [RELTO])
    else:
        return None
    return Fix("Add REL TO to dissemination", (edit,), safe=True)


@rule(
    id="REL004",
    title="rel_to does not cover a partner",
    description=(
        "`rel_to` names no code that covers the partner country, or one of the countries in `partners` "
        "(activity/v2), either directly or through a tetragraph such as `NATO` or `FVEY` that contains it; one "
        "finding per country left out. The rule is skipped when there is no `rel_to`, and a country that is "
        "not a known code is left to the schema."
    ),
    family=FAMILY,
    level="fail",
    rationale=(
        "A proposal released to a list that leaves out the partner cannot be shared with the "
        f"partner it is about ({REC1}); in a regional activity every partner is one. A tetragraph such as "
        f"NATO or FVEY covers each of its members ({CAPCO})."
    ),
    source=f"{REC1}; {CAPCO}",
    fails="releasability:\n  rel_to: [USA, GBR]\n",
    passes="releasability:\n  rel_to: [USA, NATO]\n",
    fix="safe",
)
def partner_not_covered(activity: Activity, ctx: RuleContext) -> Iterator[Violation]:
    codes = [code for _index, code in _rel_to(activity)]
    if not codes:
        skip("no rel_to")
    countries = [(_partner(activity), "the partner")]
    countries += [(partner.get("country"), "partner") for _path, partner in activity.items("partners")]
    countries = [(country, role) for country, role in countries if country in ctx.reference.countries]
    if not countries:
        skip("no valid partner country (the schema reports that)")
    for country, role in countries:
        if any(ctx.reference.covers(code, country) for code in codes):
            continue
        groups = sorted(code for code, members in ctx.reference.tetragraphs.items() if country in members)
        # `alb` for ALB is REL006's to fix: adding ALB beside it would list the country twice
        misspelt, place = any(code.upper() == country for code in codes), _place(codes, country, ctx)
        said = f"the partner, {country}" if role == "the partner" else f"partner {country}"
        yield Violation(
            REL_TO,
            f"`rel_to` [{', '.join(codes)}] does not include {said}: add {country} to `rel_to`",
            f"or a tetragraph that contains it: {', '.join(groups)}" if groups else None,
            fix=None if misspelt else Fix(f"Add {country} to rel_to", (Edit.insert(REL_TO + (place,), country),), True),
        )


def _place(codes: list[str], code: str, ctx: RuleContext) -> int | str:
    """Where `code` goes in `rel_to`: its place in marking order when the list is in order, else the end."""
    tetragraphs = ctx.reference.tetragraphs
    if markings.rel_to_problem(codes, tetragraphs) is not None:
        return "-"
    key = _marking_key(code, tetragraphs)
    return next((index for index, known in enumerate(codes) if _marking_key(known, tetragraphs) > key), "-")


def _marking_key(code: str, tetragraphs) -> tuple:
    return (code != markings.USA, markings.is_tetragraph(code, tetragraphs), code)


@rule(
    id="REL005",
    title="rel_to does not begin with USA or is not in marking order",
    description=(
        "`rel_to` does not include `USA`, or is not in marking order: `USA` first, then country trigraphs "
        "alphabetically, then tetragraphs alphabetically. The finding points at the list when USA is missing, "
        "else at the first code out of place; the rule is skipped when there is no `rel_to`."
    ),
    family=FAMILY,
    level="warn",
    rationale=(
        f"A REL TO marking always begins with USA, then names country trigraphs in alphabetical order, "
        f"then tetragraphs in alphabetical order ({CAPCO}); a list without USA or in another order produces a "
        "banner that does not match the portion markings and must be corrected before release."
    ),
    source=CAPCO,
    fails="releasability:\n  rel_to: [ALB, USA]\n",
    passes="releasability:\n  rel_to: [USA, ALB]\n",
    fix="safe",
)
def rel_to_order(activity: Activity, ctx: RuleContext) -> Iterator[Violation]:
    entries = _rel_to(activity)
    if not entries:
        skip("no rel_to")
    actual = [code for _index, code in entries]
    tetragraphs = ctx.reference.tetragraphs
    problem = markings.rel_to_problem(actual, tetragraphs)
    if problem is None:
        return
    expected = ", ".join(markings.rel_to_order(actual, tetragraphs))
    hint = "USA first, then trigraphs, then tetragraphs, each alphabetically"
    fix = _in_order(activity, actual, tetragraphs)
    if markings.USA not in actual:
        yield Violation(
            REL_TO,
            f"`rel_to` does not include USA, which every REL TO list begins with: write `rel_to: [{expected}]`",
            fix=fix,
        )
        return
    index = next(
        index for (index, code), want in zip(entries, markings.rel_to_order(actual, tetragraphs)) if code != want
    )
    yield Violation(
        REL_TO + (index,), f"`rel_to` is not in marking order ({problem}): write `rel_to: [{expected}]`", hint, fix=fix
    )


def _in_order(activity: Activity, codes: list[str], tetragraphs) -> Fix | None:
    """USA added first if missing, then every code moved to its place in marking order (repeats kept)."""
    if len(codes) != len(activity.get(REL_TO)):
        return None  # an item that is not text: the schema's finding, and no order to judge it by
    edits = []
    if markings.USA not in codes:
        codes = [markings.USA, *codes]
        edits.append(Edit.insert(REL_TO + (0,), markings.USA))
    order = sorted(range(len(codes)), key=lambda index: _marking_key(codes[index], tetragraphs))
    if order != list(range(len(codes))):
        edits.append(Edit.reorder(REL_TO, order))
    if not edits:
        return None
    title = "Put rel_to in marking order" if markings.USA in activity.get(REL_TO) else "Add USA first to rel_to"
    return Fix(title, tuple(edits), safe=True)


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
            "use a GENC country trigraph (GBR, POL, XKS, ...) or a tetragraph (" + ", ".join(sorted(tetragraphs)) + ")"
        )
    return f"did you mean '{guess}' ({countries[guess]})?" if guess in countries else f"did you mean '{guess}'?"


@rule(
    id="REL006",
    title="Unknown code in rel_to",
    description=(
        "A code in `rel_to` is neither a known GENC country trigraph (an ISO 3166-1 alpha-3 code, or a GENC "
        "addition such as XKS for Kosovo) nor a known tetragraph, or is one of the ISO codes GENC does not use "
        "(such as PSE); the hint suggests the code to write. The rule is skipped when there is no `rel_to`."
    ),
    family=FAMILY,
    level="fail",
    rationale=(
        f"REL TO lists use the US Government's country trigraphs and registered tetragraphs ({CAPCO}). Those "
        f"trigraphs are GENC's ({GENC}): the ISO 3166-1 alpha-3 codes, plus codes for entities ISO does not "
        "list, such as XKS for Kosovo, and minus a few ISO codes the US does not use. An unknown code (GER for "
        "Germany instead of DEU, a two-letter code such as UK, a typo) releases to nobody, and the partner it "
        "was meant for cannot receive the document."
    ),
    source=f"{CAPCO}; {GENC}; rules/data/countries.yaml, genc.yaml and tetragraphs.yaml",
    fails="releasability:\n  rel_to: [USA, ALB, GER]\n",
    passes="releasability:\n  rel_to: [USA, ALB, DEU]\n",
    fix="safe",
)
def unknown_code(activity: Activity, ctx: RuleContext) -> Iterator[Violation]:
    entries = _rel_to(activity)
    if not entries:
        skip("no rel_to")
    for index, code in entries:
        if code in ctx.reference.genc_not_used:
            yield Violation(
                REL_TO + (index,),
                f"'{code}' in `rel_to` is an ISO 3166 code that GENC, the code list of US markings, does not use: "
                f"write {ctx.reference.genc_not_used[code]}",
            )
        elif code not in ctx.reference.countries and code not in ctx.reference.tetragraphs:
            yield Violation(
                REL_TO + (index,),
                f"'{code}' in `rel_to` is neither a GENC country trigraph nor a known tetragraph: write the "
                "country's trigraph (its ISO 3166-1 alpha-3 code, or a GENC code such as XKS) or a tetragraph "
                "such as NATO",
                _code_hint(code, ctx),
                fix=_upper_case(REL_TO + (index,), code, ctx),
            )


def _upper_case(path: Path, code: str, ctx: RuleContext) -> Fix | None:
    """`alb` -> `ALB`: a known code written in the wrong case, the one fix that guesses nothing."""
    upper = code.upper()
    if upper == code or (upper not in ctx.reference.countries and upper not in ctx.reference.tetragraphs):
        return None
    return Fix(f"Write '{upper}'", (Edit.set(path, upper),), safe=True)


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
    # an exception to the National Disclosure Policy is the committee's alone (NDP-1)
    waiver_authority=("National Disclosure Policy Committee",),
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


# an ITAR section such as 126.4 or 125.4(b)(1): what an exemption must cite (22 CFR parts 120-130)
# compiled (0.3 M instructions) by re.search, only for an exemption
ITAR_SECTION = r"\b1[23][0-9]\.[0-9]+"


@rule(
    id="REL009",
    title="USML item without an export authorization",
    description=(
        "A `technology_transfer` item with a `usml_category` and `disclosure_decision: approved` or "
        "`not-required` names no export authorization: no `license` and, in activity/v2, no "
        "`export_authorization` (a placeholder such as `N/A` or `TBD` names none). An `export_authorization` "
        "of kind `exemption` must cite the ITAR section (e.g. 22 CFR 126.4). The rule is skipped when the "
        "activity transfers no technology; a pending or denied item is left to REL008 and REL007."
    ),
    family=FAMILY,
    level="warn",
    rationale=(
        "A disclosure decision says whether the item may be shared; exporting a US Munitions List "
        f"article or its technical data still needs a licence or agreement (DSP-5, TAA), an FMS LOA, or a named "
        f"ITAR exemption ({ITAR}), and 'not required' for the disclosure does not make it so for the export. "
        f"Reducing ITAR's burdens ({REC3}) means fewer transactional licences, not unnamed ones: an exemption "
        "is named by its ITAR section."
    ),
    source=f"{ITAR}; {REC3}",
    fails=TRANSFER + "      disclosure_decision: approved\n",
    passes=TRANSFER
    + "      disclosure_decision: approved\n      license: ITAR 126.4 exemption (US Government transfer)\n",
)
def usml_without_license(activity: Activity, ctx: RuleContext) -> Iterator[Violation]:
    v2 = format_version(activity.get("schema")) == 2
    where = "`export_authorization` (kind license, exemption or loa, and its reference)" if v2 else "`license`"
    for path, name, item in _transfers(activity):
        category, decision = item.get("usml_category"), item.get("disclosure_decision")
        if is_blank(category, ctx) or decision not in ("approved", "not-required"):
            continue
        authorization = item.get("export_authorization")
        authorization = authorization if isinstance(authorization, Mapping) and v2 else {}
        reference, license_ = authorization.get("reference"), item.get("license")
        if not is_blank(reference, ctx):
            if authorization.get("kind") == "exemption" and not re.search(ITAR_SECTION, str(reference)):
                yield Violation(
                    path + ("export_authorization", "reference"),
                    f"{name} ships under an ITAR exemption, but '{reference}' names no ITAR section: cite it in "
                    "`export_authorization.reference` (e.g. '22 CFR 126.4' or '22 CFR 126.18')",
                )
            continue
        if not is_blank(license_, ctx):
            continue
        named = (
            f"only a placeholder (`license: {license_}`) for its licence or exemption"
            if is_placeholder(license_, ctx)
            else "no licence or exemption named"
        )
        if decision == "approved":
            problem = f"has an approved disclosure but {named}"
        else:
            problem = f"needs no disclosure decision but still needs an export authorization, and has {named}"
        yield Violation(
            path,
            f"{name} (USML Category {category}) {problem}: name its export authorization in {where}",
            "a DSP-5, TAA or FMS LOA number, or the ITAR exemption it ships under (e.g. 'ITAR 126.4 exemption')",
        )


def _enhanced(name: Any, ctx: RuleContext) -> str | None:
    """The enhanced-EUM designation (reference data `enhanced_eum`) an item's name matches, or None.

    Each designation's words match whole (a word ending in "-", such as "an/pvs-", takes any model
    number after it); `re` keeps the compiled patterns, so building them per call costs little.
    """
    if not isinstance(name, str):
        return None
    for entry in ctx.reference.get("enhanced_eum", ()):
        if not isinstance(entry, Mapping) or not isinstance(entry.get("name"), str):
            continue
        words = [word.strip() for word in entry.get("match", ()) if isinstance(word, str) and word.strip()]
        ends = ["" if word.endswith("-") else r"(?![\w-])" for word in words]
        alternatives = "|".join(re.escape(word) + end for word, end in zip(words, ends))
        if alternatives and re.search(rf"(?<![\w/-])(?:{alternatives})", name, re.IGNORECASE):
            return entry["name"]
    return None


@rule(
    id="REL011",
    title="Enhanced end-use monitoring item without enhanced monitoring",
    description=(
        "On an activity/v2 document, a `technology_transfer` item whose name matches an item on the enhanced "
        "end-use monitoring list (reference data `enhanced_eum`: Stinger, Javelin, night-vision devices, AIM-9X, "
        "AIM-120, TOW, ...) has no `end_use_monitoring: enhanced`, or a system the activity provides matches one "
        "and no technology transfer item lists it."
    ),
    family=FAMILY,
    level="fail",
    rationale=(
        "Defense articles transferred by the US Government are monitored for their use: routinely for most, "
        f"and with enhanced end-use monitoring (serial-number inventories, physical security checks) for the "
        f"sensitive articles designated for it, such as MANPADS, Javelin and night-vision devices ({GOLDEN_SENTRY})."
        " A proposal that transfers one without planning enhanced monitoring cannot meet the terms of the transfer."
    ),
    source=f"{GOLDEN_SENTRY}; rules/data/enhanced_eum.yaml",
    fails=(
        "schema: activity/v2\nreleasability:\n  technology_transfer:\n    - item: FGM-148 Javelin missiles\n"
        "      usml_category: IV\n      disclosure_decision: approved\n"
        "      export_authorization: {kind: loa, reference: AL-B-ZAA}\n      end_use_monitoring: routine\n"
    ),
    passes=(
        "schema: activity/v2\nreleasability:\n  technology_transfer:\n    - item: FGM-148 Javelin missiles\n"
        "      usml_category: IV\n      disclosure_decision: approved\n"
        "      export_authorization: {kind: loa, reference: AL-B-ZAA}\n      end_use_monitoring: enhanced\n"
    ),
)
def enhanced_eum(activity: Activity, ctx: RuleContext) -> Iterator[Violation]:
    if format_version(activity.get("schema")) != 2:
        skip("only an activity/v2 document records end-use monitoring")
    covered = set()
    for path, name, item in activity.named_items(TRANSFERS, "item", unnamed="item #"):
        designation = _enhanced(item.get("item"), ctx)
        if designation is None:
            continue
        covered.add(designation)  # a system it covers is judged here, once
        if item.get("end_use_monitoring") == "enhanced":
            continue
        where = path + ("end_use_monitoring",) if "end_use_monitoring" in item else path
        yield Violation(
            where,
            f"{name} is designated for enhanced end-use monitoring ({designation}): set `end_use_monitoring: "
            "enhanced`, and plan the serial-number inventories and security checks it needs",
        )
    for path, name, system in activity.named_items(SYSTEMS, "name"):
        designation = _enhanced(system.get("name"), ctx)
        if designation is None or designation in covered or system.get("provided") is False:
            continue
        yield Violation(
            path,
            f"system {name} is designated for enhanced end-use monitoring ({designation}), and no technology transfer "
            "item lists it: list it in `releasability.technology_transfer` with `end_use_monitoring: enhanced`",
        )


@hookimpl
def policycheck_rules() -> list[Rule]:
    return rules_in(globals())
