"""What the five Python rule families share: registration, documentation, the reference example, bad shapes."""

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

REGISTRY = load_registry(entry_points=False)
# the Python rule families: every built-in plugin module but the core checks, the packs and the formats
FAMILY_MODULES = [
    name
    for name in BUILTIN_PLUGINS
    if name.startswith("policycheck.builtin.") and name not in ("policycheck.builtin.core", "policycheck.builtin.packs")
]
ALL = sorted(rule_id for rule_id, plugin in REGISTRY.rule_plugin.items() if plugin in FAMILY_MODULES)
REFERENCE_EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "reference.yaml"


def test_each_family_is_a_builtin_plugin_registering_its_rules_through_the_hook():
    assert len(FAMILY_MODULES) == 5
    for module in FAMILY_MODULES:
        registered = importlib.import_module(module).policycheck_rules()
        ids = sorted(rule.id for rule in registered)
        assert ids and ids == sorted(rule_id for rule_id in ALL if REGISTRY.rule_plugin[rule_id] == module)
        # one family per module, named by the module's FAMILY
        assert {REGISTRY.rules[rule_id].family for rule_id in ids} == {importlib.import_module(module).FAMILY}


@pytest.mark.parametrize("rule_id", ALL)
def test_rule_documents_itself_and_cites_its_source(rule_id):
    rule = REGISTRY.rules[rule_id]
    assert rule.title and rule.description and rule.fails and rule.passes
    # the rationale cites the document it rests on, in parentheses, as the source field does
    cited = re.findall(
        r"\((Atlantic Council|ODNI|International Traffic in Arms|DoD Instruction|Leahy laws|Arms Export Control Act"
        r"|10 U\.S\.C\. 333|DSCA Security Assistance Management Manual|GENC)",
        rule.rationale,
    )
    assert cited and all(name in rule.source for name in cited[:1])


def test_reference_example_raises_nothing_from_these_rules():
    text = REFERENCE_EXAMPLE.read_text(encoding="utf-8")
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
            {
                "statement": "Enhance things",
                "addresses_threats": [None, 4, "THR-1", "THR-9"],
                "indicators": [None, {"due": 20270101, "baseline": [], "target": {}}],
            },
        ],
        "releasability": {
            "dissemination": "NOFORN",
            "rel_to": [None, 1, "USA", "usa", ""],
            "technology_transfer": [
                None,
                "Radar",
                {"item": None, "usml_category": 11, "disclosure_decision": ["approved"], "license": 5},
            ],
        },
        "interoperability": {
            "systems": [
                None,
                5,
                {"name": 3, "origin": ["CHN"], "sustainment": [1]},
                {"sustainment": {"training": "yes", "funded_years": "five"}},
            ]
        },
    },
    {
        "releasability": {"dissemination": ["NOFORN", "REL TO"], "rel_to": "USA"},
        "partner": {"country": "AUS", "category": "most-capable"},
    },
    # an activity/v2 document, so that the rules reading v2 fields get past their version check
    {
        "schema": "activity/v2",
        "activity": {"type": "fms-case", "start": "2027-01-15", "end": "2028-01-01", "budget": {"amount": "lots"}},
        "partner": {"country": "JPN"},
        "partners": ["FSM", {"country": 4}, {"country": "MHL"}],
        "funding": {"authority": ["fms"], "source": 7},
        "notification": {"required": "yes", "submitted": 20270101},
        "assessment": {"initial_assessment": "done"},
        "objectives": [{"indicators": [{"kind": "output"}, "x", {"kind": 3, "baseline_source": "estimated"}]}],
        "releasability": {
            "rel_to": ["USA", "FSM"],
            "technology_transfer": [
                {"item": "Javelin", "export_authorization": "DSP-5", "end_use_monitoring": ["enhanced"]},
                {"item": 5, "usml_category": "IV", "disclosure_decision": "approved", "export_authorization": {}},
            ],
        },
        "interoperability": {"systems": [{"name": "Stinger", "provided": "no", "sustainment": {"funded_by": []}}]},
        "governance": {
            "human_rights_vetting": "required-complete",
            "vetting": {"completed": ["2026-01-01"], "units": [None, {"country": ["ALB"]}, {"country": {"code": 1}}]},
        },
    },
    {
        "schema": "activity/v2",
        "activity": {"type": "training", "start": "2027-01-15", "budget": {"amount": 5000000, "currency": "USD"}},
        "funding": {"authority": "10-usc-333", "source": "us-appropriated"},
        "notification": None,
        "governance": {"human_rights_vetting": "required-pending", "vetting": {"units": "all of them"}},
        "partners": [{"country": "MKD"}],
        "assessment": [],
    },
]


@pytest.mark.parametrize("data", MALFORMED, ids=range(len(MALFORMED)))
def test_wrongly_shaped_documents_never_crash_a_rule(data):
    # called directly: the engine would quietly skip a rule that trips on an invalid document
    reference = Reference()
    activity = Activity("bad.yaml", data, {})
    for rule_id in ALL:
        rule = REGISTRY.rules[rule_id]
        context = RuleContext(params=rule.parameters, reference=reference, today=date(2027, 1, 1))
        try:
            list(rule.check(activity, context))
        except Skip:
            pass
