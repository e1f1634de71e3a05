"""What the four Python rule families share: registration, the catalogue, the spec example, bad shapes."""

import importlib
import re
from datetime import date
from pathlib import Path

import pytest

from policycheck.activity import Activity
from policycheck.plugins import BUILTIN_PLUGINS, load_registry
from policycheck.reference import Reference
from policycheck.rule import RuleContext, Skip
from policycheck.testing import check

SHARED = Path(__file__).resolve().parents[3] / "shared"
MODULES = {
    "policycheck.builtin.threat": ("threat-informed", ["THR002", "THR003", "THR004"]),
    "policycheck.builtin.measurable": ("measurable-success", ["MSR002", "MSR003", "MSR004", "MSR007"]),
    "policycheck.builtin.releasability": ("releasability", [f"REL00{n}" for n in range(1, 10)]),
    "policycheck.builtin.interoperability": ("interoperability", ["INT002", "INT003", "INT005"]),
}
ALL = [rule_id for _family, ids in MODULES.values() for rule_id in ids]


def catalogue_levels() -> dict[str, str]:
    """id -> level from the tables of rules.md."""
    text = (SHARED / "spec" / "rules.md").read_text(encoding="utf-8")
    return dict(re.findall(r"^\| ([A-Z]+\d{3}) \| (fail|warn) \|", text, re.MULTILINE))


def test_each_family_is_a_builtin_plugin_registering_its_rules_through_the_hook():
    registry = load_registry(entry_points=False)
    for module, (family, ids) in MODULES.items():
        assert module in BUILTIN_PLUGINS
        assert BUILTIN_PLUGINS.index(module) == BUILTIN_PLUGINS.index("policycheck.builtin.core") + 1 + list(MODULES).index(module)
        assert sorted(rule.id for rule in importlib.import_module(module).policycheck_rules()) == ids
        for rule_id in ids:
            assert registry.rule_plugin[rule_id] == module
            assert registry.rules[rule_id].family == family


@pytest.mark.parametrize("rule_id", ALL)
def test_rule_matches_the_catalogue_and_documents_itself(rule_id):
    rule = load_registry(entry_points=False).rules[rule_id]
    assert rule.level == catalogue_levels()[rule_id]
    assert rule.title and rule.fails and rule.passes
    # the rationale cites the document it rests on, in parentheses, as the source field does
    cited = re.findall(r"\((Atlantic Council|ODNI|International Traffic in Arms|DoD Instruction)", rule.rationale)
    assert cited and all(name in rule.source for name in cited[:1])


def test_parameters_and_their_defaults():
    rules = load_registry(entry_points=False).rules
    assert dict(rules["MSR004"].parameters) == {"max_years_after_end": 2}
    assert dict(rules["INT003"].parameters) == {"min_funded_years": 3}
    assert all(not rules[rule_id].parameters for rule_id in ALL if rule_id not in ("MSR004", "INT003"))


def test_spec_example_raises_nothing_from_these_rules():
    text = (SHARED / "spec" / "activity-example.yaml").read_text(encoding="utf-8")
    assert check(text, select=ALL, base=False) == []


MALFORMED = [
    {},
    {"objectives": "none", "threats": {"id": "THR-1"}, "releasability": "SECRET", "interoperability": []},
    {
        "activity": {"type": ["fms-case"], "start": 2027, "end": "someday"},
        "partner": {"country": 7, "category": None},
        "threats": [None, 3, {"id": 5}, {"id": "THR-1"}],
        "objectives": [
            None,
            {"id": ["OBJ"], "statement": 12, "addresses_threats": "THR-1", "indicators": {"name": "x"}},
            {"statement": "Enhance things", "addresses_threats": [None, 4, "THR-1", "THR-9"], "indicators": [None, {"due": 20270101, "baseline": [], "target": {}}]},
        ],
        "releasability": {
            "dissemination": "NOFORN",
            "rel_to": [None, 1, "USA", "usa", ""],
            "technology_transfer": [None, "Radar", {"item": None, "usml_category": 11, "disclosure_decision": ["approved"], "license": 5}],
        },
        "interoperability": {"systems": [None, 5, {"name": 3, "origin": ["CHN"], "sustainment": [1]}, {"sustainment": {"training": "yes", "funded_years": "five"}}]},
    },
    {"releasability": {"dissemination": ["NOFORN", "REL TO"], "rel_to": "USA"}, "partner": {"country": "AUS", "category": "most-capable"}},
]


@pytest.mark.parametrize("data", MALFORMED, ids=range(len(MALFORMED)))
def test_wrongly_shaped_documents_never_crash_a_rule(data):
    # called directly: the engine would quietly skip a rule that trips on an invalid document
    registry = load_registry(entry_points=False)
    reference = Reference()
    activity = Activity("bad.yaml", data, {})
    for rule_id in ALL:
        rule = registry.rules[rule_id]
        context = RuleContext(params=rule.parameters, reference=reference, today=date(2027, 1, 1))
        try:
            list(rule.check(activity, context))
        except Skip:
            pass
