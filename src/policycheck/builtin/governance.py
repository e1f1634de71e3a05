"""Good governance: human-rights (Leahy) vetting and congressional notification, judged by funding and dates.

GOV001-GOV004 and GOV011 are declarative (rules/packs/governance.yaml); the checks that
read the funding, compare dates with the start or the partners with the vetted units live here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, timedelta

from ..activity import Activity, Path
from ..helpers import as_date, as_number, format_version
from ..hookimpl import hookimpl
from ..rule import Param, Rule, RuleContext, Violation, rule, rules_in, skip
from .sources import ACTIVITY_TYPES, AECA_36B, FUNDING_AUTHORITIES, LEAHY, LEAHY_VETTING, SEC_333

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

FAMILY = "governance"
VETTING: Path = ("governance", "human_rights_vetting")
VETTED = ("required-complete", "required-pending")
US_FUNDS = ("us-appropriated", "mixed")
V2 = "schema: activity/v2\n"


def _days(count: int) -> str:
    return f"{count} day{'s' if count != 1 else ''}"


def _start(activity: Activity) -> date | None:
    return as_date(activity.get(("activity", "start")))


def _deepest(activity: Activity, path: Path) -> Path:
    """`path`, or its nearest parent the document has: where a finding about a missing key points."""
    while path and activity.get(path) is None:
        path = path[:-1]
    return path


def _v2(activity: Activity, what: str) -> None:
    if format_version(activity.get("schema")) != 2:
        skip(f"only an activity/v2 document records {what}")


def _funding_source(activity: Activity) -> str | None:
    source = activity.get(("funding", "source")) if format_version(activity.get("schema")) == 2 else None
    return source if isinstance(source, str) else None


@rule(
    id="GOV005",
    title="Human-rights vetting still pending close to the start",
    description=(
        "`governance.human_rights_vetting` is `required-pending`. It fails when the activity starts within "
        "`fail_within_days` (default 30) of today, has started, or gives no start date; further out it warns."
    ),
    family=FAMILY,
    level="fail",
    rationale=(
        "No assistance may go to a unit of a foreign security force credibly implicated in a gross violation of "
        f"human rights ({LEAHY}), so assistance cannot start before the vetting result is back. The vetting "
        "itself is the embassy's: it enters the units nominated for assistance in the INVEST system and the "
        f"Department of State vets them ({LEAHY_VETTING}); the proposal tracks the result against its start "
        "date. How close to the start a pending result becomes a blocker is a judgment (`fail_within_days`)."
    ),
    source=f"{LEAHY}; {LEAHY_VETTING}",
    parameters={
        "fail_within_days": Param(30, "days before the start inside which pending vetting fails rather than warns")
    },
    # only these offices may set the Leahy prohibition aside (FAA 620M(b)-(c), 22 U.S.C. 2378d; 10 U.S.C. 362(b))
    waiver_authority=("Secretary of State", "Secretary of Defense"),
    fails="governance:\n  human_rights_vetting: required-pending\n",
    passes="governance:\n  human_rights_vetting: required-complete\n",
)
def vetting_pending(activity: Activity, ctx: RuleContext) -> Iterator[Violation]:
    if activity.get(VETTING) != "required-pending":
        return
    start, window = _start(activity), ctx.params["fail_within_days"]
    wait = "the activity cannot start until the embassy's vetting request comes back approved"
    hint = "when the result is back, set `governance.human_rights_vetting: required-complete`"
    if start is None:
        yield Violation(VETTING, f"human-rights vetting is still pending: {wait}", hint)
    elif start <= ctx.today:
        yield Violation(
            VETTING,
            f"the activity started on {start} with human-rights vetting still pending: no assistance may reach a "
            "unit before its vetting result is back",
            hint,
        )
    elif (start - ctx.today).days <= window:
        yield Violation(
            VETTING,
            f"human-rights vetting is still pending and the activity starts in {_days((start - ctx.today).days)} "
            f"({start}): {wait}; confirm with the embassy that its request covers every unit, or move "
            "`activity.start`",
            hint,
        )
    else:
        yield Violation(
            VETTING,
            f"human-rights vetting is still pending; the activity starts in {_days((start - ctx.today).days)} "
            f"({start}): follow up the embassy's vetting request so that the result is back by "
            f"{start - timedelta(days=window)}",
            hint,
            level="warn",
        )


def _render(value: Any) -> str:
    return "not set" if value is None else " ".join(value.split()) if isinstance(value, str) else str(value)


@rule(
    id="GOV006",
    title="No human-rights vetting for assistance to partner forces",
    description=(
        "On an activity whose type is in `activity_types` (default `training`, `equipment`, `exercise`, "
        "`education`, `fms-case`), `governance.human_rights_vetting` is missing or `not-required`. It is a "
        "warning, and a failure on an activity/v2 document paid with US funds (`funding.source` "
        "`us-appropriated` or `mixed`); it is skipped for other types and when the partner pays with its own "
        "funds (`partner-national`, e.g. a national-funds FMS case)."
    ),
    family=FAMILY,
    level="warn",
    rationale=(
        "The foreign security force units that receive US training, equipment or other assistance are vetted "
        f"for gross violations of human rights ({LEAHY}), students in education included (IMET is assistance "
        "under the Foreign Assistance Act): a training, equipment, exercise, education or FMS activity that "
        "records vetting as not required needs a second look, and one paid with US funds must not go ahead "
        "unvetted. A purchase with the partner's own funds is not assistance, so it is out of scope. The "
        f"vetting is the embassy's submission of the units ({LEAHY_VETTING})."
    ),
    source=f"{LEAHY}; {LEAHY_VETTING}",
    parameters={
        "activity_types": Param(
            ["training", "equipment", "exercise", "education", "fms-case"],
            "the activity types that assist partner forces, so need vetting",
            ACTIVITY_TYPES,
        )
    },
    fails="activity:\n  type: training\ngovernance:\n  human_rights_vetting: not-required\n",
    passes="activity:\n  type: training\ngovernance:\n  human_rights_vetting: required-complete\n",
)
def vetting_missing(activity: Activity, ctx: RuleContext) -> Iterator[Violation]:
    activity_type = activity.get(("activity", "type"))
    if activity_type not in ctx.params["activity_types"]:
        skip("the rule applies only to the types in `activity_types`")
    source = _funding_source(activity)
    if source == "partner-national":
        skip("paid with the partner's own funds: not US assistance")
    status = activity.get(VETTING)
    if status in VETTED:
        return
    authority = activity.get(("funding", "authority"))
    statutes = ctx.reference.get("funding_authorities", {})
    entry = statutes.get(authority) if isinstance(authority, str) else None
    statute = entry.get("leahy") if isinstance(entry, Mapping) else None
    laws = f"the Leahy laws ({statute})" if isinstance(statute, str) else "the Leahy laws"
    us_funded = source in US_FUNDS
    yield Violation(
        _deepest(activity, VETTING),
        f"human-rights vetting is {_render(status)} for this {activity_type} activity: {laws} require vetting of "
        "the partner units it assists; have the embassy submit them for vetting and set "
        "`governance.human_rights_vetting: required-pending`, then `required-complete` when the result is back",
        None
        if us_funded
        else "if the partner pays with its own funds (a national-funds FMS case), vetting does not apply: say so "
        "in activity/v2 with `funding.source: partner-national`",
        level="fail" if us_funded else None,
    )


@rule(
    id="GOV007",
    title="Completed vetting undated or stale at the start",
    description=(
        "On an activity/v2 document whose `governance.human_rights_vetting` is `required-complete`, "
        "`governance.vetting.completed` gives no date, or the result will be more than `validity_days` "
        "(default 365) old when the activity starts."
    ),
    family=FAMILY,
    level="warn",
    rationale=(
        f"Vetting answers whether a unit is credibly implicated in a gross violation of human rights ({LEAHY}) "
        "at the time it is asked; units change, and information arrives. A result long before the start no "
        "longer shows that the unit is clean when the assistance reaches it, so the embassy resubmits it "
        f"({LEAHY_VETTING}). How long a result is relied on is a judgment (`validity_days`, one year by default)."
    ),
    source=f"{LEAHY}; {LEAHY_VETTING}",
    parameters={"validity_days": Param(365, "days a completed vetting result stays current, counted to the start")},
    fails=V2 + 'governance:\n  human_rights_vetting: required-complete\n  vetting: {completed: "2025-06-01"}\n',
    passes=V2 + 'governance:\n  human_rights_vetting: required-complete\n  vetting: {completed: "2026-10-01"}\n',
)
def vetting_stale(activity: Activity, ctx: RuleContext) -> Iterator[Violation]:
    _v2(activity, "the date of the vetting")
    if activity.get(VETTING) != "required-complete":
        skip("the vetting is not recorded complete")
    where: Path = ("governance", "vetting", "completed")
    written = activity.get(where)
    completed = as_date(written)
    if completed is None:
        if written is None:  # a date that is not one is the schema's to report
            yield Violation(
                _deepest(activity, where),
                "human-rights vetting is recorded complete but not when: add `governance.vetting.completed`, the "
                "date of the result, so that its age at the start can be judged",
            )
        return
    start, validity = _start(activity), ctx.params["validity_days"]
    if start is not None and (start - completed).days > validity:
        yield Violation(
            where,
            f"the vetting result of {completed} will be {_days((start - completed).days)} old when the activity "
            f"starts ({start}), more than the {_days(validity)} a result is relied on: ask the embassy to resubmit "
            "the units for vetting before the start",
            "or move `activity.start`; a waiver can record why the older result stands",
        )


@rule(
    id="GOV008",
    title="An additional partner's units are not vetted",
    description=(
        "On an activity/v2 document with `partners` whose vetting is `required-complete` or `required-pending`, "
        "`governance.vetting.units` names no unit of an additional partner (a unit without `country` is the "
        "lead partner's). The rule is skipped without `partners`, and when the lead partner's units are not "
        "vetted (GOV006 judges that)."
    ),
    family=FAMILY,
    level="fail",
    rationale=(
        f"Vetting applies to every unit the activity assists, whichever country it belongs to ({LEAHY}): "
        "a regional activity that vets the lead partner's units must vet those of each other partner too, "
        f"each submitted by the embassy accredited to it ({LEAHY_VETTING})."
    ),
    source=f"{LEAHY}; {LEAHY_VETTING}",
    fails=(
        V2
        + "activity: {type: training}\npartners: [{country: MKD, category: institution-building}]\n"
        + "governance:\n  human_rights_vetting: required-pending\n"
        + "  vetting: {units: [{name: Albanian Naval Force, country: ALB}]}\n"
    ),
    passes=(
        V2
        + "activity: {type: training}\npartners: [{country: MKD, category: institution-building}]\n"
        + "governance:\n  human_rights_vetting: required-pending\n"
        + "  vetting: {units: [{name: Albanian Naval Force}, {name: Army Special Operations Regiment, country: MKD}]}\n"
    ),
)
def partners_not_vetted(activity: Activity, ctx: RuleContext) -> Iterator[Violation]:
    _v2(activity, "additional partners")
    partners = list(activity.items("partners"))
    if not partners:
        skip("no additional partners")
    if activity.get(VETTING) not in VETTED:
        skip("the lead partner's units are not vetted")
    lead = activity.get(("partner", "country"))
    units = activity.items(("governance", "vetting", "units"))
    vetted = {country for _path, unit in units if isinstance(country := unit.get("country", lead), str)}
    for path, partner in partners:
        country = partner.get("country")
        if not isinstance(country, str) or country == lead or country in vetted:
            continue
        yield Violation(
            path,
            f"partner {country} has no unit in `governance.vetting.units`, though the lead partner's units are "
            f"vetted: the units of every partner the activity assists need vetting; list {country}'s, with "
            f"`country: {country}`, as the embassy submits them",
            "a country in `partners` is one the activity assists; an observer that receives nothing is not a partner",
        )


def _notification(activity: Activity, ctx: RuleContext, why: str, days: int, law: str) -> Iterator[Violation]:
    """The findings of a notification that `why` makes necessary and `law` wants `days` before the start."""
    notification = activity.section("notification")
    start, submitted = _start(activity), as_date(notification.get("submitted"))
    if notification.get("required") is False:
        yield Violation(
            ("notification", "required"),
            f"{why}, so {law} requires a congressional notification, but `notification.required` is false: set it to"
            f" true and submit the notification at least {_days(days)} before the activity starts",
        )
    elif submitted is None:
        where = _deepest(activity, ("notification", "submitted"))
        if start is not None and (start - ctx.today).days < days:
            yield Violation(
                where,
                f"{why}: the {law} notification has not been submitted and the activity starts in "
                f"{_days((start - ctx.today).days)} ({start}), inside the {days}-day review period: submit it"
                f" and move `activity.start` to {ctx.today + timedelta(days=days)} or later",
                "record the date in `notification.submitted`",
            )
        else:
            by = f"by {start - timedelta(days=days)}, {_days(days)} before the start" if start else "before the start"
            yield Violation(
                where,
                f"{why}: submit the {law} notification {by}, and record it in `notification.submitted`",
                level="warn",
            )
    elif start is not None and (start - submitted).days < days:
        yield Violation(
            ("notification", "submitted"),
            f"{why}: the notification submitted on {submitted} leaves {_days((start - submitted).days)} before the"
            f" activity starts ({start}), less than the {days}-day review period: move `activity.start` to "
            f"{submitted + timedelta(days=days)} or later",
        )


_VALUES = (
    ("major_defense_equipment", ("activity", "budget", "major_defense_equipment"), "major defense equipment"),
    ("articles_and_services", ("activity", "budget", "amount"), "defense articles and services"),
    ("design_and_construction", ("activity", "budget", "design_and_construction"), "design and construction"),
)


def _thresholds(country: Any, ctx: RuleContext) -> tuple[str, Mapping[str, Any]]:
    """(group description, its thresholds) for the purchaser `country`."""
    data = ctx.reference.get("notification_thresholds", {})
    group = data.get("nato_plus", {})
    for member in group.get("members", ()):
        if country == member or ctx.reference.covers(member, country):
            return f"NATO members, Australia, Japan, South Korea, Israel and New Zealand ({country})", group
    return f"a purchaser outside NATO and its five partners ({country})", data.get("other", {})


@rule(
    id="GOV009",
    title="FMS case above the AECA 36(b) thresholds not notified in time",
    description=(
        "On an activity/v2 `fms-case` under an authority in `authorities` (default `fms`, `fmf`), the case value "
        "(`activity.budget.amount`), its `major_defense_equipment` or its `design_and_construction` in US "
        "dollars reaches the AECA 36(b) threshold for the partner (reference data `notification_thresholds`), "
        "and `notification` is not required, not submitted, or submitted less than the review period (15 days "
        "for NATO, Australia, Japan, South Korea, Israel and New Zealand, else 30) before `activity.start`. "
        "Submission not yet due is a warning."
    ),
    family=FAMILY,
    level="fail",
    rationale=(
        f"An offer to sell major defense equipment, defense articles or services, or design and construction "
        f"services at or above the 36(b) values must be notified to Congress, and the LOA may not be offered "
        f"until the review period has passed ({AECA_36B}). A case not notified, or notified too late for its "
        "start, cannot go ahead as planned. Pseudo-FMS cases of building partner capacity programs are not sales "
        "and are left to GOV010."
    ),
    source=f"{AECA_36B}; rules/data/notification_thresholds.yaml",
    parameters={
        "authorities": Param(
            ["fms", "fmf"], "the funding authorities whose cases the 36(b) thresholds apply to", FUNDING_AUTHORITIES
        )
    },
    fails=(
        V2 + "activity:\n  type: fms-case\n  budget: {amount: 120000000, currency: USD}\n"
        "funding: {authority: fms, source: partner-national}\nnotification: {required: true}\n"
    ),
    passes=(
        V2 + "activity:\n  type: fms-case\n  budget: {amount: 120000000, currency: USD}\n"
        'funding: {authority: fms, source: partner-national}\nnotification: {required: true, submitted: "2026-11-02"}\n'
    ),
)
def notification_36b(activity: Activity, ctx: RuleContext) -> Iterator[Violation]:
    _v2(activity, "congressional notification")
    if activity.get(("activity", "type")) != "fms-case":
        skip("not an FMS case")
    if activity.get(("funding", "authority")) not in ctx.params["authorities"]:
        skip("not a sale under the authorities in `authorities`")
    currency = activity.get(("activity", "budget", "currency"))
    if currency not in (None, "USD"):
        skip("the 36(b) thresholds are in US dollars")
    group, limits = _thresholds(activity.get(("partner", "country")), ctx)
    for key, path, name in _VALUES:
        value, limit = as_number(activity.get(path)), as_number(limits.get(key))
        if value is not None and limit is not None and value >= limit:
            why = (
                f"the case's value in {name}, ${value:,.0f}, is at or above the 36(b) threshold of ${limit:,.0f} "
                f"for {group}"
            )
            yield from _notification(activity, ctx, why, int(limits.get("review_days", 30)), "AECA 36(b)")
            return


@rule(
    id="GOV010",
    title="Section 333 program not notified in time",
    description=(
        "On an activity/v2 document funded under `10-usc-333`, `notification` is not required, not submitted, or "
        "submitted less than `days_before_start` (default 15) days before `activity.start`. Submission not yet "
        "due is a warning."
    ),
    family=FAMILY,
    level="fail",
    rationale=(
        "Building partner capacity assistance under 10 U.S.C. 333 may begin only after the congressional "
        f"committees have been notified, at least 15 days before it is initiated ({SEC_333}); a program "
        "notified late cannot start on its date."
    ),
    source=SEC_333,
    parameters={"days_before_start": Param(15, "days before the start by which the committees must have the notice")},
    fails=V2 + "funding: {authority: 10-usc-333, source: us-appropriated}\nnotification: {required: true}\n",
    passes=(
        V2 + "funding: {authority: 10-usc-333, source: us-appropriated}\n"
        'notification: {required: true, submitted: "2026-12-01"}\n'
    ),
)
def notification_333(activity: Activity, ctx: RuleContext) -> Iterator[Violation]:
    _v2(activity, "the funding authority")
    if activity.get(("funding", "authority")) != "10-usc-333":
        skip("not funded under 10 U.S.C. 333")
    why = "the activity is building partner capacity under 10 U.S.C. 333"
    yield from _notification(activity, ctx, why, ctx.params["days_before_start"], "10 U.S.C. 333(e)")


@hookimpl
def policycheck_rules() -> list[Rule]:
    return rules_in(globals())
