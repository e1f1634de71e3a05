"""Every reference list can be extended through `reference:` in configuration."""

from policycheck.testing import assert_findings, check

KOSOVO = "partner: {country: XKX}\nreleasability: {rel_to: [USA, XKX]}\n"
QUAD = "releasability: {rel_to: [USA, QUAD]}\npartner: {country: IND}\n"


def test_a_country_added_in_configuration_passes_the_schema_and_rel_to():
    assert sorted(f.rule_id for f in check(KOSOVO, select=["SCH001", "REL006"])) == ["REL006", "SCH001"]
    config = {"reference": {"countries": {"XKX": "Kosovo"}}}
    assert_findings(KOSOVO, [], select=["SCH001", "REL004", "REL006"], config=config)


def test_a_tetragraph_added_in_configuration_covers_its_members():
    assert sorted(f.rule_id for f in check(QUAD, select=["REL004", "REL006"])) == ["REL004", "REL006"]
    config = {"reference": {"tetragraphs": {"QUAD": ["AUS", "IND", "JPN", "USA"]}}}
    assert_findings(QUAD, [], select=["REL004", "REL006"], config=config)
    assert_findings(QUAD.replace("IND", "FRA"), ["REL004"], select=["REL004", "REL006"], config=config)
