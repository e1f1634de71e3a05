"""Core portfolio rules beyond their own examples: who gets the finding, and where."""

from policycheck.testing import activity_text, check_portfolio

SECOND = "{id: ALB-2027-NDS-02, title: Second advisory team}"


def test_prt002_the_later_activity_gets_the_finding_at_its_statement(locate):
    files = {"a.yaml": "{id: ALB-2027-NDS-01}", "b.yaml": SECOND}
    [finding] = check_portfolio(files, select=["PRT002"])
    assert (finding.rule_id, finding.file, finding.level) == ("PRT002", "b.yaml", "warn")
    assert (finding.line, finding.column) == locate(activity_text(SECOND), "statement:")
    assert finding.pointer == "/objectives/0/statement"
    assert "same objective as OBJ-1 of ALB-2027-NDS-01 (a.yaml), with the same partner (ALB)" in finding.message
    assert finding.activity_id == "ALB-2027-NDS-02"


def test_prt002_case_spacing_and_a_full_stop_do_not_make_it_another_objective():
    rewritten = """
id: ALB-2027-NDS-02
objectives:
  - id: OBJ-9
    statement: '  the MINISTRY of defense adopts a National Defense Strategy that links NATO capability   targets
      to a costed ten-year plan'
    addresses_threats: [THR-1]
"""
    found = check_portfolio({"a.yaml": "{id: ALB-2027-NDS-01}", "b.yaml": rewritten}, select=["PRT002"])
    assert [finding.rule_id for finding in found] == ["PRT002"]


def test_prt002_another_partner_or_another_objective_is_not_a_repeat():
    other_partner = "{id: MKD-2027-NDS-01, partner: {country: MKD, category: institution-building}}"
    other_objective = """
id: ALB-2027-NDS-02
objectives: [{id: OBJ-1, statement: The General Staff adopts a readiness reporting system., addresses_threats: [THR-1]}]
"""
    files = {"a.yaml": "{id: ALB-2027-NDS-01}", "b.yaml": other_partner, "c.yaml": other_objective}
    assert check_portfolio(files, select=["PRT002"]) == []


def test_prt002_one_activity_repeating_itself_is_not_a_portfolio_finding():
    twice = """
objectives:
  - {id: OBJ-1, statement: Same words, addresses_threats: [THR-1]}
  - {id: OBJ-2, statement: Same words, addresses_threats: [THR-1]}
"""
    assert check_portfolio({"a.yaml": twice}, select=["PRT002"]) == []
