"""The reviewer's logic behind the HTML report: the report's banner, suggested decisions, order, roll-ups."""

from datetime import date
from decimal import Decimal

import pytest

from policycheck.reference import Reference
from policycheck.report import review
from policycheck.report.review import Marking, portfolio_banner

TETRAGRAPHS = Reference().tetragraphs
TODAY = date(2026, 11, 23)


def banner(*markings):
    return portfolio_banner(markings, TETRAGRAPHS).text


def rel_to(*codes, classification="CUI", controls=()):
    return Marking(classification, ("REL TO", *controls), codes)


# --- the banner --------------------------------------------------------------------


def test_a_noforn_activity_makes_the_report_noforn_at_the_highest_classification():
    assert banner(Marking("SECRET", ("NOFORN",)), rel_to("USA", "ALB")) == "SECRET//NOFORN"


def test_the_report_is_released_only_to_whom_every_activity_is():
    assert banner(rel_to("USA", "ALB", "MKD"), rel_to("USA", "MKD", "POL")) == "CUI//REL TO USA, MKD"


def test_no_country_in_common_but_the_usa_means_noforn():
    assert banner(rel_to("USA", "ALB"), rel_to("USA", "POL")) == "CUI//NOFORN"


def test_a_tetragraph_stands_for_its_members():
    # POL is a NATO member: a NATO release and a POL release share POL
    assert banner(rel_to("USA", "NATO"), rel_to("USA", "POL")) == "CUI//REL TO USA, POL"
    # AUS is not: nothing in common
    assert banner(rel_to("USA", "NATO"), rel_to("USA", "AUS")) == "CUI//NOFORN"


def test_two_tetragraphs_intersect_to_their_common_members_as_trigraphs():
    assert banner(rel_to("USA", "NATO"), rel_to("USA", "FVEY")) == "CUI//REL TO USA, CAN, GBR"


def test_a_tetragraph_every_list_names_is_kept_and_covers_its_members():
    assert banner(rel_to("USA", "NATO"), rel_to("USA", "AUS", "NATO")) == "CUI//REL TO USA, NATO"
    assert banner(rel_to("USA", "POL", "NATO"), rel_to("USA", "NATO")) == "CUI//REL TO USA, NATO"
    assert banner(rel_to("USA", "POL", "NATO"), rel_to("USA", "POL", "NATO")) == "CUI//REL TO USA, POL, NATO"
    assert banner(rel_to("USA", "JPN", "NATO"), rel_to("USA", "JPN", "NATO")) == "CUI//REL TO USA, JPN, NATO"


def test_rel_to_is_in_marking_order_usa_then_trigraphs_then_tetragraphs():
    assert banner(rel_to("NZL", "USA", "ACGU", "FVEY", "JPN")) == "CUI//REL TO USA, JPN, NZL, ACGU, FVEY"


def test_an_unknown_tetragraph_matches_only_itself():
    assert banner(rel_to("USA", "ABCD"), rel_to("USA", "ABCD", "ALB")) == "CUI//REL TO USA, ABCD"
    assert banner(rel_to("USA", "ABCD"), rel_to("USA", "ALB")) == "CUI//NOFORN"


def test_orcon_and_propin_carry_over_in_capco_order():
    markings = (rel_to("USA", "GBR", controls=("PROPIN",)), Marking("SECRET", ("ORCON", "REL TO"), ("USA", "GBR")))
    assert banner(*markings) == "SECRET//ORCON/PROPIN/REL TO USA, GBR"
    assert banner(Marking("SECRET", ("PROPIN", "NOFORN", "ORCON"))) == "SECRET//ORCON/NOFORN/PROPIN"


def test_a_control_this_module_does_not_know_is_kept_not_dropped():
    assert banner(Marking("SECRET", ("RELIDO", "NOFORN"))) == "SECRET//NOFORN/RELIDO"


def test_unclassified_without_controls_is_plain_unclassified():
    assert banner(Marking("UNCLASSIFIED"), Marking("UNCLASSIFIED")) == "UNCLASSIFIED"
    assert banner() == "UNCLASSIFIED"


def test_an_unrestricted_activity_does_not_narrow_the_rel_to_of_the_others():
    assert banner(Marking("UNCLASSIFIED"), rel_to("USA", "ALB")) == "CUI//REL TO USA, ALB"
    assert banner(Marking("CUI"), rel_to("USA", "ALB", classification="UNCLASSIFIED")) == "CUI//REL TO USA, ALB"


def test_classified_without_a_release_decision_is_not_releasable():
    assert banner(Marking("SECRET")) == "SECRET//NOFORN"
    assert banner(Marking("CONFIDENTIAL"), rel_to("USA", "ALB")) == "CONFIDENTIAL//NOFORN"


def test_rel_to_without_codes_releases_to_nobody():
    assert banner(rel_to(), rel_to("USA", "ALB")) == "CUI//NOFORN"


def test_unmarked_files_are_counted_not_guessed():
    result = portfolio_banner([None, Marking("SECRETISH"), rel_to("USA", "ALB")], TETRAGRAPHS)
    assert (result.text, result.unmarked) == ("CUI//REL TO USA, ALB", 2)


@pytest.mark.parametrize(
    ("text", "marking"),
    [
        ("CUI//REL TO USA, ALB", Marking("CUI", ("REL TO",), ("USA", "ALB"))),
        ("SECRET//ORCON/NOFORN", Marking("SECRET", ("ORCON", "NOFORN"))),
        ("UNCLASSIFIED", Marking("UNCLASSIFIED")),
        ("TOP SECRET//REL TO USA, FVEY", Marking("TOP SECRET", ("REL TO",), ("USA", "FVEY"))),
        ("", None),
        (None, None),
    ],
)
def test_a_banner_reads_back_as_its_marking(text, marking):
    assert review.parse_banner(text) == marking


def test_a_record_marking_wins_over_its_banner():
    record = {"banner": "CUI", "marking": {"classification": "SECRET", "dissemination": ["NOFORN"], "rel_to": None}}
    assert review.marking_of(record) == Marking("SECRET", ("NOFORN",))
    assert review.marking_of({"banner": "CUI//NOFORN"}) == Marking("CUI", ("NOFORN",))
    assert review.marking_of({}) is None


# --- one proposal --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "live", "decision"),
    [
        ("error", 0, "return"),
        ("fail", 3, "return"),
        ("warn", 0, "approve with conditions"),
        ("waived", 0, "approve with conditions"),
        ("pass", 1, "approve with conditions"),
        ("pass", 0, "approve"),
    ],
)
def test_the_suggested_decision(status, live, decision):
    assert review.suggested_decision(status, live) == decision


def test_a_record_without_status_takes_its_worst_finding():
    assert review.status_of({}) == "pass"
    assert review.status_of({"findings": [{"level": "warn"}, {"level": "fail"}]}) == "fail"
    assert review.status_of({"findings": [{"level": "fail", "rule": "ERR001"}]}) == "error"
    assert review.status_of({"status": "nonsense", "findings": ["not a finding", {"level": "waived"}]}) == "waived"


def test_the_top_finding_is_a_crash_then_the_first_fail_then_the_first_warning():
    findings = [{"rule": "A", "level": "warn"}, {"rule": "B", "level": "fail"}, {"rule": "C", "level": "fail"}]
    assert review.top_finding(findings) == (1, findings[1])
    assert review.top_finding([*findings, {"rule": "ERR001", "level": "fail"}])[0] == 3
    assert review.top_finding([{"rule": "D", "level": "waived"}]) is None


def test_an_expired_waiver_is_not_live():
    record = {"status": "pass", "waivers": [{"rule": "GOV001", "expires": "2026-11-01"}]}
    assert review.row_of(0, record, TODAY).decision == "approve"
    record["waivers"].append({"rule": "GOV002", "expires": "2026-11-23"})  # its last day
    assert review.row_of(0, record, TODAY).decision == "approve with conditions"


def test_days_left_from_the_record_win_over_the_date():
    assert review.waiver_days_left({"days_left": 5, "expires": "2030-01-01"}, TODAY) == 5
    assert review.waiver_days_left({"expires": "2026-12-03"}, TODAY) == 10
    assert review.waiver_days_left({"expires": "2026-12-03"}, None) is None
    assert review.waiver_days_left({"expires": "soon"}, TODAY) is None


def test_a_row_of_a_file_that_failed_to_load():
    row = review.row_of(
        4, {"file": "x.yaml", "status": "fail", "findings": [{"rule": "LOAD001", "level": "fail"}]}, TODAY
    )
    assert (row.file, row.activity_id, row.partners, row.budget, row.start, row.lead) == (
        "x.yaml",
        None,
        (),
        None,
        None,
        "-",
    )
    assert row.top[:3] == (0, "LOAD001", "fail") and row.decision == "return"


@pytest.mark.parametrize(
    "record",
    [
        {},
        {"file": None, "findings": None, "partners": "ALB", "budget": {"amount": "lots", "currency": "USD"}},
        {"partners": [None, {"country": 3}], "start": "2026-02-30", "waivers": "none", "notification": True},
        {"budget": {"amount": True, "currency": "USD"}, "title": 7, "vetting": ["x"], "marking": {"classification": 1}},
    ],
)
def test_missing_or_malformed_keys_never_crash(record):
    row = review.row_of(0, record, TODAY)
    assert row.file == "file 1" and row.partners == () and row.budget is None and row.start is None


def test_the_queue_sorts_worst_first_then_soonest_start():
    records = [
        {"file": "a", "status": "pass", "start": "2026-12-01"},
        {"file": "b", "status": "warn", "start": "2027-01-01"},
        {"file": "c", "status": "fail", "start": "2027-06-01"},
        {"file": "d", "status": "fail", "start": "2026-12-15"},
        {"file": "e", "status": "fail"},
        {"file": "f", "status": "error", "start": "2028-01-01"},
        {"file": "g", "status": "waived", "start": "2026-11-30"},
    ]
    rows = sorted((review.row_of(i, record, TODAY) for i, record in enumerate(records)), key=review.Row.sort_key)
    assert [row.file for row in rows] == ["f", "d", "c", "e", "b", "g", "a"]


def test_days_to_start():
    assert review.row_of(0, {"start": "2026-12-03"}, TODAY).days_to_start == 10
    assert review.row_of(0, {"start": "2026-11-20"}, TODAY).days_to_start == -3
    assert review.row_of(0, {"start": "2026-12-03"}, None).days_to_start is None


# --- the portfolio ---------------------------------------------------------------------


RULES = {"GOV004": {"family": "governance"}, "REL002": {"family": "releasability"}}


def portfolio_of(records):
    portfolio = review.Portfolio(RULES)
    for index, record in enumerate(records):
        portfolio.add(review.row_of(index, record, TODAY), review.findings_of(record))
    return portfolio


def proposal(status, amount=None, currency="USD", country="ALB", findings=(), **extra):
    record = {"status": status, "partners": [{"country": country}], "findings": list(findings), **extra}
    if amount is not None:
        record["budget"] = {"amount": amount, "currency": currency}
    return record


def test_budget_at_risk_sums_the_proposals_to_return_per_currency():
    portfolio = portfolio_of(
        [
            proposal("fail", 100, "USD"),
            proposal("error", 50.5, "USD"),
            proposal("fail", 70, "EUR"),
            proposal("warn", 1000, "USD"),
            proposal("pass", 1, "EUR"),
        ]
    )
    assert portfolio.total.at_risk == {"USD": Decimal("150.5"), "EUR": Decimal(70)}
    assert portfolio.total.budget == {"USD": Decimal("1150.5"), "EUR": Decimal(71)}


def test_money_is_never_summed_across_currencies_in_any_roll_up():
    portfolio = portfolio_of([proposal("fail", 100, "USD", "POL"), proposal("fail", 100, "EUR", "POL")])
    assert portfolio.by_partner["POL"].budget == {"USD": Decimal(100), "EUR": Decimal(100)}
    assert dict(portfolio.budget_status["EUR"]) == {("POL", "fail"): Decimal(100)}


def test_format_money():
    assert review.format_money(Decimal(1250000), "USD") == "USD 1,250,000"
    assert review.format_money(Decimal("1250.5"), "EUR") == "EUR 1,250.50"


def test_rule_roll_up_counts_proposals_not_findings():
    gov = {"rule": "GOV004", "level": "warn"}
    portfolio = portfolio_of(
        [proposal("warn", findings=[gov, gov]), proposal("warn", findings=[gov]), proposal("pass")]
        + [proposal("fail", findings=[{"rule": "REL002", "level": "fail"}, gov])]
    )
    [(first, tally), (second, other)] = portfolio.rules_by_reach()
    assert (first, tally.proposals, tally.levels["warn"]) == ("GOV004", 3, 4)
    assert (second, other.proposals) == ("REL002", 1)
    assert portfolio.by_family["governance"].proposals == 3
    assert portfolio.heat[("governance", "ALB")] == 4 and portfolio.heat[("releasability", "ALB")] == 1


def test_roll_ups_group_by_lead_partner_and_type():
    portfolio = portfolio_of(
        [
            proposal("fail", country="POL", type="training"),
            {"status": "pass", "partners": [{"country": "EST"}, {"country": "POL"}], "type": "training"},
            proposal("pass", country="POL", type=None),
        ]
    )
    assert {key: group.proposals for key, group in portfolio.by_partner.items()} == {"POL": 2, "EST": 1}
    assert {key: group.proposals for key, group in portfolio.by_type.items()} == {"training": 2, "-": 1}
    assert [key for key, _ in portfolio.groups(portfolio.by_partner)] == ["POL", "EST"]


def test_a_rule_without_metadata_falls_in_the_other_family():
    portfolio = portfolio_of([proposal("fail", findings=[{"rule": "XYZ001", "level": "fail"}])])
    assert list(portfolio.by_family) == ["other"]


def test_starts_by_month_and_vetting_and_notifications_when_the_field_exists():
    portfolio = portfolio_of(
        [
            proposal("pass", start="2027-01-10", vetting="required-pending"),
            proposal("pass", start="2027-01-20", vetting="required-pending"),
            proposal("pass", start="2027-03-01"),
        ]
    )
    assert dict(portfolio.starts) == {("2027-01", "required-pending"): 2, ("2027-03", "unknown"): 1}
    assert not portfolio.notification_known
    portfolio = portfolio_of(
        [
            proposal("pass", start="2027-01-10", notification={"required": True, "submitted": None}),
            proposal("pass", start="2027-01-11", notification={"required": True, "submitted": "2026-10-01"}),
            proposal("pass", start="2027-02-11", notification={"required": False}),
        ]
    )
    assert portfolio.notification_known and dict(portfolio.notifications) == {"2027-01": 1, "2027-02": 0}


def test_months_runs_across_years():
    assert review.months("2026-11", "2027-02") == ["2026-11", "2026-12", "2027-01", "2027-02"]
