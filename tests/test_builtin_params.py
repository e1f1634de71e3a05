"""Every parameter of a built-in rule (Python or pack) says what it changes; its choices are the schemas' enums."""

from policycheck.builtin.sources import ACTIVITY_TYPES, FUNDING_AUTHORITIES
from policycheck.plugins import BUILTIN_PLUGINS, load_registry
from policycheck.resources import load_schema


def _built_in_rules():
    registry = load_registry(entry_points=False)
    return [rule for rule_id, rule in registry.rules.items() if registry.rule_plugin[rule_id] in BUILTIN_PLUGINS]


def test_every_parameter_of_a_built_in_rule_has_a_description():
    declared = [(rule.id, name, spec) for rule in _built_in_rules() for name, spec in rule.parameter_specs.items()]
    assert len(declared) >= 10
    assert [(rule_id, name) for rule_id, name, spec in declared if not spec.description] == []


def test_the_choices_are_the_schemas_enums():
    v1, v2 = load_schema("activity.schema.json"), load_schema("activity-v2.schema.json")
    assert list(ACTIVITY_TYPES) == v1["$defs"]["activity"]["properties"]["type"]["enum"]
    assert list(FUNDING_AUTHORITIES) == v2["$defs"]["funding"]["properties"]["authority"]["enum"]
