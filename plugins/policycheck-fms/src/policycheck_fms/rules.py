"""FMS001 and FMS002: rules over the `x-fms` section this plugin adds to the schema."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Iterator

from policycheck import Activity, Param, RuleContext, Violation, rule, skip

FAMILY = "fms"
SAMM = "Security Assistance Management Manual (SAMM), chapter 5 (FMS case development)"

CASE = (
    "activity: {type: fms-case}\n"
    "x-fms:\n  case_id: AL-B-ZAA\n  implementing_agency: Army\n  status: offered\n"
    '  offer_date: "2026-09-01"\n'
)


@rule(
    id="FMS001",
    title="FMS case without its x-fms section",
    description="An `fms-case` activity has no `x-fms` section. The rule is skipped for other activity types.",
    family=FAMILY,
    level="warn",
    rationale=(
        "A proposal for an FMS case is reviewed against its Letter of Offer and Acceptance; without "
        "the case identifier and implementing agency a reviewer cannot find the case or its status."
    ),
    source=SAMM,
    fails="activity: {type: fms-case}\n",
    passes=CASE + '  offer_expiration: "2027-03-01"\n',
)
def fms_case_without_section(activity: Activity, ctx: RuleContext) -> Iterator[Violation]:
    if activity.get("/activity/type") != "fms-case":
        skip("not an fms-case activity")
    if "x-fms" not in activity.data:
        yield Violation(
            "/activity/type",
            "an fms-case activity without an x-fms section",
            "add x-fms with case_id (e.g. AL-B-ZAA) and implementing_agency; `policycheck explain FMS001` shows one",
        )


@rule(
    id="FMS002",
    title="LOA offer expired or about to",
    description=(
        "An LOA still `offered` has an `offer_expiration` before today: a failure; one within "
        "`warn_within_days` (default 30) of today is a warning. The rule is skipped when the offer is not"
        " pending or has no expiration date."
    ),
    family=FAMILY,
    level="fail",
    rationale=(
        "An LOA not accepted by its offer expiration date lapses: the case must be re-priced and "
        "re-offered, so a proposal built on it is built on nothing. One about to lapse needs a "
        "decision now (a warning, `warn_within_days` before the date)."
    ),
    source=f"{SAMM}; LOA standard terms and conditions (offer expiration date)",
    parameters={"warn_within_days": Param(30, description="How many days before the expiration date to warn")},
    fails=CASE + '  offer_expiration: "2026-12-01"\n',
    passes=CASE + '  offer_expiration: "2027-03-01"\n',
)
def offer_expired(activity: Activity, ctx: RuleContext) -> Iterator[Violation]:
    section = activity.section("x-fms")
    if section.get("status", "offered") != "offered":
        skip("the offer is not pending acceptance")
    try:
        expires = date.fromisoformat(section.get("offer_expiration"))
    except (TypeError, ValueError):  # absent or malformed: SCH001 reports the latter
        skip("no offer expiration date")
    where = "/x-fms/offer_expiration"
    if expires < ctx.today:
        yield Violation(
            where,
            f"LOA {section.get('case_id')} expired on {expires} (today is {ctx.today})",
            "ask the implementing agency to re-offer the LOA, or set status if it was accepted",
        )
    elif expires <= ctx.today + timedelta(days=ctx.params["warn_within_days"]):
        yield Violation(
            where,
            f"LOA {section.get('case_id')} expires on {expires}, in {(expires - ctx.today).days} days",
            "get the partner's acceptance before the offer expiration date",
            level="warn",
        )


RULES = (fms_case_without_section, offer_expired)
