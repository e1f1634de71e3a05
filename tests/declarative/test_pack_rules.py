"""The rules shipped as declarative packs in rules/packs/."""

import re
from pathlib import Path

import pytest
import yaml

from policycheck.plugins import load_registry
from policycheck.testing import activity_text, assert_findings, check

REFERENCE_EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "reference.yaml"

REGISTRY = load_registry(entry_points=False)
SHIPPED = {
    rule_id: REGISTRY.rules[rule_id]
    for rule_id, plugin in REGISTRY.rule_plugin.items()
    if plugin.startswith("policycheck.builtin.packs:")
}
ALL_PACK_RULES = sorted(SHIPPED)


def line_of(text: str, needle: str, after: str = "") -> int:
    """1-based line of the first line containing `needle` (after the line containing `after`)."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if after in line) if after else 0
    return next(i for i, line in enumerate(lines) if i >= start and needle in line) + 1


def test_each_shipped_pack_holds_one_family():
    by_pack: dict[str, set[str]] = {}
    for rule_id, rule in SHIPPED.items():
        by_pack.setdefault(REGISTRY.rule_plugin[rule_id], set()).add(rule.family)
    assert len(by_pack) == 5 and all(len(families) == 1 for families in by_pack.values())


@pytest.mark.parametrize("rule_id", ALL_PACK_RULES)
def test_own_failing_snippet_raises_the_rule_and_passing_snippet_does_not(rule_id):
    rule = SHIPPED[rule_id]
    assert rule.fails and rule.passes
    failing = check(rule.fails, select=[rule_id])
    assert failing and {finding.rule_id for finding in failing} == {rule_id}
    assert_findings(rule.passes, [], select=[rule_id])


@pytest.mark.parametrize("rule_id", ALL_PACK_RULES)
def test_message_says_what_to_do_and_rationale_cites_the_source(rule_id):
    rule = SHIPPED[rule_id]
    [finding, *_] = check(rule.fails, select=[rule_id])
    # "what is wrong: what to do", naming the key to write in backticks
    action = re.search(r": (add|set|list|complete|vet) .*`", finding.message)
    assert action, finding.message
    assert rule.source and rule.rationale
    cited = (
        "Atlantic Council" if "Atlantic Council" in rule.source else rule.source.split(" (")[0].split(",")[-1].strip()
    )
    assert cited.split()[0] in rule.rationale


def test_reference_example_raises_nothing_from_the_packs():
    text = REFERENCE_EXAMPLE.read_text(encoding="utf-8")
    assert_findings(text, [], select=ALL_PACK_RULES, base=False)


# --- threat-informed ----------------------------------------------------------------


def test_thr001_no_threats_key_points_at_the_document_and_an_empty_list_at_the_list():
    [missing] = assert_findings("threats: null", ["THR001"], select=["THR001"])
    assert (missing.line, missing.pointer) == (1, "")
    snippet = "threats: []"
    [empty] = assert_findings(snippet, ["THR001"], select=["THR001"])
    assert (empty.line, empty.pointer) == (line_of(activity_text(snippet), "threats:"), "/threats")


def test_thr005_only_the_threat_without_a_usable_source():
    snippet = """
threats:
  - {id: THR-1, description: Cyber operations, source: 2022 National Defense Strategy}
  - {id: THR-2, description: Illegal fishing, source: "   "}
"""
    [finding] = assert_findings(snippet, ["THR005"], select=["THR005"])
    assert finding.pointer == "/threats/1"
    assert finding.line == line_of(activity_text(snippet), "id: THR-2")
    assert finding.message.startswith("threat THR-2 does not say whose assessment it is: add a `source`")


OBJECTIVE = {
    "statement": "Adopt a costed strategy",
    "addresses_threats": ["THR-1"],
    "capability_gap": "No costed plan",
    "rationale": "Resources follow plans",
    "indicators": [
        {
            "name": "Adopted",
            "baseline": 0,
            "target": 1,
            "unit": "documents",
            "due": "2027-12-31",
            "data_source": "Gazette",
        }
    ],
}


def objectives(*changes: dict) -> str:
    """Objectives OBJ-1, OBJ-2, ... each OBJECTIVE with its changes (None removes a key)."""
    items = []
    for number, change in enumerate(changes, start=1):
        item = {"id": f"OBJ-{number}", **OBJECTIVE, **change}
        items.append({key: value for key, value in item.items() if value is not None})
    return yaml.safe_dump({"objectives": items}, sort_keys=False)


def test_thr006_objective_with_blank_capability_gap():
    snippet = objectives({}, {"capability_gap": ""})
    [finding] = assert_findings(snippet, ["THR006"], select=["THR006"])
    assert finding.pointer == "/objectives/1"
    assert "objective OBJ-2 names no capability gap: add `capability_gap`" in finding.message


def test_thr007_each_objective_without_rationale():
    snippet = objectives({"rationale": None}, {"rationale": None}, {})
    findings = assert_findings(snippet, ["THR007", "THR007"], select=["THR007"])
    assert [finding.pointer for finding in findings] == ["/objectives/0", "/objectives/1"]


# --- measurable success -------------------------------------------------------------


def test_msr001_objective_without_indicators_key():
    snippet = objectives({}, {"indicators": None})
    [finding] = assert_findings(snippet, ["MSR001"], select=["MSR001"])
    assert finding.pointer == "/objectives/1"
    assert finding.level == "fail"


def test_msr005_points_at_the_indicator_line():
    snippet = """
objectives:
  - id: OBJ-1
    statement: Adopt a costed strategy
    addresses_threats: [THR-1]
    indicators:
      - {name: Adopted, baseline: 0, target: 1, unit: documents, due: "2027-12-31", data_source: Gazette}
      - {name: Costed share, baseline: 10, target: 80, unit: percent, due: "2028-06-30"}
"""
    [finding] = assert_findings(snippet, ["MSR005"], select=["MSR005"])
    assert finding.pointer == "/objectives/0/indicators/1"
    assert finding.line == line_of(activity_text(snippet), "name: Costed share")
    assert finding.message.startswith("indicator 'Costed share' names no data source: add `data_source`")


def test_msr006_blank_unit_in_a_second_objective():
    snippet = objectives({}, {"indicators": [{**OBJECTIVE["indicators"][0], "unit": ""}]})
    [finding] = assert_findings(snippet, ["MSR006"], select=["MSR006"])
    assert finding.pointer == "/objectives/1/indicators/0"


# --- releasability --------------------------------------------------------------------


@pytest.mark.parametrize("classification", ["CONFIDENTIAL", "SECRET", "TOP SECRET"])
def test_rel010_classified_without_disclosure_officer(classification):
    snippet = f"releasability: {{classification: {classification}, foreign_disclosure_officer: null}}"
    [finding] = assert_findings(snippet, ["REL010"], select=["REL010"])
    assert finding.pointer == "/releasability"
    assert finding.message.startswith(f"this {classification} activity names no foreign disclosure officer")


@pytest.mark.parametrize("classification", ["UNCLASSIFIED", "CUI"])
def test_rel010_does_not_apply_below_confidential(classification):
    assert_findings(
        f"releasability: {{classification: {classification}, foreign_disclosure_officer: null}}", [], select=["REL010"]
    )


# --- interoperability ------------------------------------------------------------------


@pytest.mark.parametrize("activity_type", ["equipment", "training", "exercise", "fms-case", "co-production"])
def test_int001_capability_activities_without_standards(activity_type):
    [finding] = assert_findings(
        f"activity: {{type: {activity_type}}}\ninteroperability: null", ["INT001"], select=["INT001"]
    )
    assert finding.pointer == ""  # no interoperability section: the document


def test_int001_other_types_and_the_activity_types_parameter():
    assert_findings("activity: {type: advisory}", [], select=["INT001"])
    config = {"rules": {"INT001": {"activity_types": ["advisory"]}}}
    assert_findings("activity: {type: advisory}", ["INT001"], select=["INT001"], config=config)


def test_int004_blank_absorptive_capacity_on_equipment():
    snippet = "activity: {type: equipment}\ninteroperability: {standards: [Link 16], absorptive_capacity: ' '}"
    [finding] = assert_findings(snippet, ["INT004"], select=["INT004"])
    assert finding.pointer == "/interoperability/absorptive_capacity"
    assert_findings("activity: {type: exercise}\ninteroperability: {absorptive_capacity: null}", [], select=["INT004"])


def test_int006_zero_and_missing_quantity_but_not_one():
    snippet = """
interoperability:
  systems:
    - {name: Radio, origin: USA, quantity: 0}
    - {name: Radar, origin: USA, quantity: 1}
    - {name: Boat, origin: USA}
"""
    findings = assert_findings(snippet, ["INT006", "INT006"], select=["INT006"])
    assert [(finding.pointer, finding.message.split(":")[0]) for finding in findings] == [
        ("/interoperability/systems/0", "system 'Radio' delivers no units (quantity"),
        ("/interoperability/systems/2", "system 'Boat' delivers no units (quantity"),
    ]
    assert "(quantity: 0)" in findings[0].message and "(quantity: not set)" in findings[1].message
    assert findings[1].line == line_of(activity_text(snippet), "name: Boat")


# --- governance ---------------------------------------------------------------------


def test_gov001_to_gov004_without_a_governance_section_point_at_the_document():
    findings = assert_findings("governance: null", ["GOV001", "GOV002", "GOV003", "GOV004"], select=["GOV00"])
    assert {(finding.line, finding.pointer) for finding in findings} == {(1, "")}


@pytest.mark.parametrize(
    "key,rule_id",
    [
        ("participation", "GOV001"),
        ("accountability", "GOV002"),
        ("responsiveness", "GOV003"),
        ("transparency", "GOV004"),
    ],
)
def test_gov001_to_gov004_empty_key_points_at_the_key(key, rule_id):
    snippet = f"governance: {{{key}: ''}}"
    [finding] = assert_findings(snippet, [rule_id], select=[rule_id])
    assert finding.pointer == f"/governance/{key}"
    assert finding.line == line_of(activity_text(snippet), f"{key}:")
    assert f"add `governance.{key}`" in finding.message


def test_gov011_other_authority_needs_a_citation():
    [finding] = assert_findings("funding: {authority: other, citation: TBD}", ["GOV011"], select=["GOV011"])
    assert finding.pointer == "/funding/citation"
    assert_findings("funding: {authority: 10-usc-333}", [], select=["GOV011"])


def test_gov012_an_fms_case_names_its_case_and_agency():
    [finding] = assert_findings("activity: {type: fms-case}", ["GOV012"], select=["GOV012"])
    assert finding.pointer == ""
    assert_findings("activity: {type: training}", [], select=["GOV012"])
    v1_case = "activity: {type: fms-case}\nimplementing_agency: null\ncase_id: null"
    assert_findings(v1_case, [], select=["GOV012"], base="activity/v1")  # v1 has neither field


# --- placeholders (rules/data/placeholders.yaml) -------------------------------------


@pytest.mark.parametrize(
    "snippet, rule_id",
    [
        ("threats: [{id: THR-1, description: Hybrid operations, source: N/A}]", "THR005"),
        ("governance: {participation: TBD}", "GOV001"),
        ("governance: {accountability: '-'}", "GOV002"),
        ("governance: {responsiveness: unknown}", "GOV003"),
        ("governance: {transparency: n/a}", "GOV004"),
        ("activity: {type: training}\ninteroperability: {standards: [TBD, '?']}", "INT001"),
        ("activity: {type: training}\ninteroperability: {absorptive_capacity: To be determined}", "INT004"),
        ("releasability: {classification: SECRET, foreign_disclosure_officer: '(TBD)'}", "REL010"),
    ],
)
def test_a_placeholder_is_no_value_for_present_and_empty(snippet, rule_id):
    assert_findings(snippet, [rule_id], select=[rule_id])


def test_a_list_with_one_real_entry_is_not_empty():
    assert_findings("activity: {type: training}\ninteroperability: {standards: [TBD, Link 16]}", [], select=["INT001"])


def test_placeholders_added_by_configuration_count_in_packs():
    snippet = "governance: {participation: awaiting partner input}"
    assert_findings(snippet, [], select=["GOV001"])
    config = {"reference": {"placeholders": ["awaiting partner input"]}}
    assert_findings(snippet, ["GOV001"], select=["GOV001"], config=config)
