"""GOV005-GOV010: Leahy vetting and congressional notification, by funding and dates (policycheck.builtin.governance).

The starter (activity/v2) is an FMF-funded advisory activity with ALB (a NATO member) that
starts on 2027-01-15; the tests' today is 2027-01-01 unless they say otherwise.
"""

from datetime import date

import pytest

from policycheck.testing import assert_examples, assert_findings, check

RULES = ["GOV005", "GOV006", "GOV007", "GOV008", "GOV009", "GOV010"]
PENDING = "governance: {human_rights_vetting: required-pending}\n"


@pytest.mark.parametrize("rule_id", RULES)
def test_own_examples(rule_id):
    assert_examples(rule_id)


# --- GOV005 -------------------------------------------------------------------


@pytest.mark.parametrize("activity_type", ["advisory", "training", "education"])
def test_gov005_pending_close_to_the_start_fails_whatever_the_type(only, activity_type):
    finding = only(f"activity: {{type: {activity_type}}}\n" + PENDING, "GOV005")
    assert finding.level == "fail"
    assert finding.pointer == "/governance/human_rights_vetting"
    assert finding.message == (
        "human-rights vetting is still pending and the activity starts in 14 days (2027-01-15): the activity cannot "
        "start until the embassy's vetting request comes back approved; confirm with the embassy that its request "
        "covers every unit, or move `activity.start`"
    )
    assert finding.hint == "when the result is back, set `governance.human_rights_vetting: required-complete`"


def test_gov005_pending_far_from_the_start_only_warns(only):
    finding = only(PENDING, "GOV005", today=date(2026, 6, 1))
    assert finding.level == "warn"
    assert finding.message == (
        "human-rights vetting is still pending; the activity starts in 228 days (2027-01-15): follow up the "
        "embassy's vetting request so that the result is back by 2026-12-16"
    )


def test_gov005_the_window_is_a_parameter(only):
    config = {"rules": {"GOV005": {"fail_within_days": 365}}}
    assert only(PENDING, "GOV005", today=date(2026, 6, 1), config=config).level == "fail"


def test_gov005_an_activity_already_started_fails(only):
    finding = only(PENDING, "GOV005", today=date(2027, 2, 1))
    assert finding.message.startswith("the activity started on 2027-01-15 with human-rights vetting still pending")


def test_gov005_without_a_start_date_fails():
    findings = check("activity: {start: null}\n" + PENDING, select=["GOV005"])
    [finding] = [finding for finding in findings if finding.rule_id == "GOV005"]
    assert finding.level == "fail" and finding.message.startswith("human-rights vetting is still pending: ")


def test_gov005_leaves_the_vetting_to_the_embassy(only):
    # the desk officer does not vet units: the embassy submits them and the Department vets them
    for today in (date(2026, 6, 1), date(2027, 1, 1)):
        message = only(PENDING, "GOV005", today=today).message
        assert "embassy" in message and "vet the units" not in message


@pytest.mark.parametrize("status", ["required-complete", "not-required", "null"])
def test_gov005_silent_unless_pending(status):
    assert_findings(f"governance: {{human_rights_vetting: {status}}}\n", [], select=["GOV005"])


# --- GOV006 -------------------------------------------------------------------


V1_MESSAGE = (
    "human-rights vetting is not-required for this {type} activity: the Leahy laws require vetting of the partner "
    "units it assists; have the embassy submit them for vetting and set `governance.human_rights_vetting: "
    "required-pending`, then `required-complete` when the result is back"
)


@pytest.mark.parametrize("activity_type", ["training", "equipment", "exercise", "education", "fms-case"])
def test_gov006_a_v1_document_warns_for_assistance_to_partner_forces(only, activity_type):
    snippet = f"activity: {{type: {activity_type}}}\ngovernance: {{human_rights_vetting: not-required}}\n"
    finding = only(snippet, "GOV006", base="activity/v1")
    assert finding.level == "warn"
    assert finding.pointer == "/governance/human_rights_vetting"
    assert finding.message == V1_MESSAGE.format(type=activity_type)
    # v1 cannot say who pays: the hint says how a national-funds case says so in v2
    assert "funding.source: partner-national" in finding.hint


def test_gov006_imet_education_is_in_scope(only):
    # IMET students are the textbook Leahy-vetted program
    snippet = (
        "activity: {type: education}\nfunding: {authority: imet, source: us-appropriated}\n"
        "governance: {human_rights_vetting: not-required}\n"
    )
    finding = only(snippet, "GOV006")
    assert finding.level == "fail"
    assert "the Leahy laws (22 U.S.C. 2378d) require vetting" in finding.message
    assert finding.hint is None


@pytest.mark.parametrize(
    "funding, statute",
    [
        ("{authority: 10-usc-333, source: us-appropriated}", "10 U.S.C. 362"),
        ("{authority: fmf, source: mixed}", "22 U.S.C. 2378d"),
        ("{authority: usai, source: us-appropriated}", "10 U.S.C. 362"),
    ],
)
def test_gov006_us_funded_assistance_fails_and_names_its_statute(only, funding, statute):
    snippet = f"activity: {{type: training}}\nfunding: {funding}\ngovernance: {{human_rights_vetting: not-required}}\n"
    finding = only(snippet, "GOV006")
    assert finding.level == "fail" and f"the Leahy laws ({statute})" in finding.message


def test_gov006_a_national_funds_fms_case_is_out_of_scope():
    snippet = (
        "activity: {type: fms-case}\nfunding: {authority: fms, source: partner-national}\n"
        "governance: {human_rights_vetting: not-required}\n"
    )
    assert_findings(snippet, [], select=["GOV006"])
    # the same case paid with FMF is US assistance
    us_funded = snippet.replace("fms, source: partner-national", "fmf, source: us-appropriated")
    assert_findings(us_funded, ["GOV006"], select=["GOV006"])


def test_gov006_missing_vetting_points_at_the_nearest_section(only):
    missing = only("activity: {type: exercise}\ngovernance: {human_rights_vetting: null}\n", "GOV006")
    assert missing.pointer == "/governance"
    assert missing.message.startswith("human-rights vetting is not set for this exercise activity: ")
    assert only("activity: {type: exercise}\ngovernance: null\n", "GOV006").pointer == ""


@pytest.mark.parametrize("activity_type", ["advisory", "key-leader-engagement", "hadr"])
def test_gov006_skips_other_types(activity_type):
    snippet = f"activity: {{type: {activity_type}}}\ngovernance: {{human_rights_vetting: not-required}}\n"
    assert_findings(snippet, [], select=["GOV006"])


def test_gov006_silent_once_vetting_is_recorded():
    for status in ("required-complete", "required-pending"):
        snippet = f"activity: {{type: training}}\ngovernance: {{human_rights_vetting: {status}}}\n"
        assert_findings(snippet, [], select=["GOV006"])


def test_gov006_activity_types_is_a_parameter(only):
    config = {"rules": {"GOV006": {"activity_types": ["advisory"]}}}
    assert only("governance: {human_rights_vetting: not-required}\n", "GOV006", config=config).level == "fail"


# --- GOV007 -------------------------------------------------------------------


def vetted(completed: str | None) -> str:
    vetting = f'  vetting: {{completed: "{completed}"}}\n' if completed else ""
    return "governance:\n  human_rights_vetting: required-complete\n" + vetting


def test_gov007_a_result_over_a_year_old_at_the_start_warns(only):
    finding = only(vetted("2025-12-01"), "GOV007")
    assert finding.level == "warn"
    assert finding.pointer == "/governance/vetting/completed"
    assert finding.message == (
        "the vetting result of 2025-12-01 will be 410 days old when the activity starts (2027-01-15), more than the "
        "365 days a result is relied on: ask the embassy to resubmit the units for vetting before the start"
    )


@pytest.mark.parametrize("completed", ["2026-01-15", "2026-11-02"])
def test_gov007_silent_within_its_validity(completed):
    assert_findings(vetted(completed), [], select=["GOV007"])


def test_gov007_validity_is_a_parameter(only):
    config = {"rules": {"GOV007": {"validity_days": 180}}}
    assert "more than the 180 days" in only(vetted("2026-06-01"), "GOV007", config=config).message


def test_gov007_a_complete_vetting_without_its_date(only):
    finding = only(vetted(None), "GOV007")
    assert finding.pointer == "/governance"
    assert "add `governance.vetting.completed`" in finding.message


def test_gov007_applies_to_completed_vetting_in_activity_v2_only():
    assert_findings("governance: {human_rights_vetting: required-pending}\n", [], select=["GOV007"])
    assert_findings(vetted(None), [], select=["GOV007"], base="activity/v1")


# --- GOV008 -------------------------------------------------------------------


def regional(units: str, status: str = "required-pending") -> str:
    return (
        "activity: {type: training}\n"
        "partners: [{country: MKD, category: institution-building}, {country: MNE, category: institution-building}]\n"
        f"governance:\n  human_rights_vetting: {status}\n  vetting: {{units: {units}}}\n"
    )


def test_gov008_every_additional_partner_needs_a_vetted_unit():
    findings = assert_findings(
        regional("[{name: Albanian Naval Force}, {name: Special Operations Regiment, country: MKD}]"),
        ["GOV008"],
        select=["GOV008"],
    )
    assert findings[0].pointer == "/partners/1"
    assert findings[0].level == "fail"
    assert findings[0].message.startswith(
        "partner MNE has no unit in `governance.vetting.units`, though the lead partner's units are vetted: "
    )


def test_gov008_silent_when_each_partner_has_a_unit():
    units = "[{name: Naval Force, country: ALB}, {name: Regiment, country: MKD}, {name: Navy, country: MNE}]"
    assert_findings(regional(units, "required-complete"), [], select=["GOV008"])


def test_gov008_no_units_listed_flags_each_partner():
    assert_findings(regional("[]"), ["GOV008", "GOV008"], select=["GOV008"])


def test_gov008_skipped_when_the_lead_partner_is_not_vetted_or_there_are_no_partners():
    assert_findings(regional("[]", "not-required"), [], select=["GOV008"])
    assert_findings("partners: []\n" + PENDING, [], select=["GOV008"])


# --- GOV009 -------------------------------------------------------------------


def case(country: str, budget: str, notification: str = "{required: true}", authority: str = "fms") -> str:
    return (
        f"partner: {{country: {country}, category: other}}\n"
        f"activity:\n  type: fms-case\n  budget: {budget}\n"
        f"funding: {{authority: {authority}, source: partner-national}}\nnotification: {notification}\n"
    )


def test_gov009_a_case_above_the_nato_plus_threshold_not_notified_in_time_fails(only):
    finding = only(case("ALB", "{amount: 120000000, currency: USD}"), "GOV009")
    assert finding.level == "fail"
    assert finding.pointer == "/notification"
    assert finding.message == (
        "the case's value in defense articles and services, $120,000,000, is at or above the 36(b) threshold of "
        "$100,000,000 for "
        "NATO members, Australia, Japan, South Korea, Israel and New Zealand (ALB): the AECA 36(b) notification has "
        "not been submitted and the activity starts in 14 days (2027-01-15), inside the 15-day review period: "
        "submit it and move `activity.start` to 2027-01-16 or later"
    )


@pytest.mark.parametrize(
    "country, budget, threshold",
    [
        ("ECU", "{amount: 60000000, currency: USD}", "defense articles and services, $60,000,000, is at or above the "
         "36(b) threshold of $50,000,000 for a purchaser outside NATO"),
        ("KOR", "{amount: 40000000, major_defense_equipment: 30000000, currency: USD}", "major defense equipment, "
         "$30,000,000, is at or above the 36(b) threshold of $25,000,000"),
        ("EGY", "{amount: 40000000, design_and_construction: 210000000, currency: USD}", "design and construction, "
         "$210,000,000, is at or above the 36(b) threshold of $200,000,000"),
    ],
)  # fmt: skip
def test_gov009_each_threshold_of_each_group(only, country, budget, threshold):
    assert threshold in only(case(country, budget), "GOV009").message


def test_gov009_the_review_period_is_30_days_outside_nato_plus(only):
    # 26 days before the start: too late for a purchaser outside NATO and its partners, in time for Albania
    today = date(2026, 12, 20)
    late = only(case("ECU", "{amount: 60000000}"), "GOV009", today=today)
    assert late.level == "fail" and "inside the 30-day review period" in late.message
    assert only(case("ALB", "{amount: 120000000}"), "GOV009", today=today).level == "warn"


@pytest.mark.parametrize(
    "notification, pointer, text",
    [
        ("{required: false}", "/notification/required", "but `notification.required` is false: set it to true"),
        ('{required: true, submitted: "2027-01-05"}', "/notification/submitted", "leaves 10 days before the activity"),
    ],
)
def test_gov009_not_required_or_submitted_late(only, notification, pointer, text):
    finding = only(case("ALB", "{amount: 120000000}", notification), "GOV009")
    assert finding.pointer == pointer and text in finding.message and finding.level == "fail"


def test_gov009_not_yet_due_warns_with_the_date_to_submit_by(only):
    finding = only(case("ALB", "{amount: 120000000}"), "GOV009", today=date(2026, 6, 1))
    assert finding.level == "warn"
    assert finding.message.endswith(
        "submit the AECA 36(b) notification by 2026-12-31, 15 days before the start, and record it in "
        "`notification.submitted`"
    )


@pytest.mark.parametrize(
    "snippet",
    [
        case("ALB", "{amount: 90000000, currency: USD}"),  # below the NATO+ threshold
        case("ALB", "{amount: 120000000, currency: EUR}"),  # the thresholds are in dollars
        case("ALB", "{amount: 120000000}", '{required: true, submitted: "2026-12-01"}'),
        case("ALB", "{amount: 120000000}", authority="10-usc-333"),  # a pseudo-FMS case is not a sale
        case("ALB", "{amount: 120000000}").replace("type: fms-case", "type: equipment"),
    ],
)
def test_gov009_silent_or_skipped(snippet):
    assert_findings(snippet, [], select=["GOV009"])


def test_gov009_applies_to_activity_v2():
    snippet = "activity: {type: fms-case, budget: {amount: 900000000}}\n"
    assert_findings(snippet, [], select=["GOV009"], base="activity/v1")


# --- GOV010 -------------------------------------------------------------------

SECTION_333 = "funding: {authority: 10-usc-333, source: us-appropriated}\n"


def test_gov010_a_333_program_not_notified_15_days_before_start_fails(only):
    finding = only(SECTION_333 + "notification: {required: true}\n", "GOV010")
    assert finding.level == "fail"
    assert finding.message.startswith(
        "the activity is building partner capacity under 10 U.S.C. 333: the 10 U.S.C. 333(e) notification has not "
        "been submitted and the activity starts in 14 days (2027-01-15)"
    )


@pytest.mark.parametrize("submitted, found", [("2026-12-31", []), ("2027-01-05", ["GOV010"])])
def test_gov010_submitted_early_enough_or_not(submitted, found):
    notification = f'notification: {{required: true, submitted: "{submitted}"}}\n'
    assert_findings(SECTION_333 + notification, found, select=["GOV010"])


def test_gov010_days_before_start_is_a_parameter():
    notification = 'notification: {required: true, submitted: "2026-12-31"}\n'
    config = {"rules": {"GOV010": {"days_before_start": 30}}}
    assert_findings(SECTION_333 + notification, ["GOV010"], select=["GOV010"], config=config)


def test_gov010_skips_other_authorities():
    assert_findings("notification: {required: false}\n", [], select=["GOV010"])
