"""What the effective schema and the reference data say at a path."""

from __future__ import annotations

from policycheck.reference import Reference
from policycheck.server import suggest
from policycheck.validate import effective_schema

REFERENCE = Reference()
SCHEMA = effective_schema(REFERENCE, {"x-house": {"description": "Ours.", "properties": {"desk": {"enum": ["EUR"]}}}})


def test_a_propertys_own_description_wins_over_its_definitions():
    # `releasability` refers to $defs/releasability, whose description says more than the property's own
    node = suggest.node_at(SCHEMA, ("releasability",))
    assert node.description == SCHEMA["properties"]["releasability"]["description"]
    assert node.ref == "releasability"


def test_paths_the_schema_allows_nothing_at():
    assert suggest.node_at(SCHEMA, ("partner", "no_such_key")) is None
    assert suggest.node_at(SCHEMA, ("summary", 0)) is None
    assert suggest.node_at(SCHEMA, ("partner", "x-anything")) is not None  # x- extensions are open


def test_keys_leave_out_those_present_and_mark_the_required():
    keys = {item.label: item for item in suggest.keys(SCHEMA, ("releasability",), present=["rel_to"])}
    assert "rel_to" not in keys and keys["classification"].detail == "Classification (required)"
    assert keys["dissemination"].insert == "dissemination: "


def test_values_by_kind_of_node():
    countries = suggest.values(SCHEMA, ("partner", "country"), REFERENCE)
    assert {item.kind for item in countries} == {"country"} and len(countries) == len(REFERENCE.countries)
    release = {item.label: item for item in suggest.values(SCHEMA, ("releasability", "rel_to", 0), REFERENCE)}
    assert release["NATO"].kind == "tetragraph" and "Albania" in release["NATO"].documentation
    assert [item.label for item in suggest.values(SCHEMA, ("x-house", "desk"), REFERENCE)] == ["EUR"]
    threats = suggest.values(SCHEMA, ("objectives", 0, "addresses_threats", 2), REFERENCE, ["THR-1"])
    assert [item.label for item in threats] == ["THR-1"]
    assert suggest.values(SCHEMA, ("summary",), REFERENCE) == []


def test_a_reference_cycle_does_not_hang():
    looping = {
        "$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}},
        "properties": {"x": {"$ref": "#/$defs/a"}},
    }
    assert suggest.node_at(looping, ("x",)) is not None
