"""docs/format.md is the contract and the activity schemas (v2 and v1) its machine form: they agree."""

import json
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
FORMAT = (ROOT / "docs" / "format.md").read_text(encoding="utf-8")
SCHEMAS = {
    version: json.loads((ROOT / "schemas" / name).read_text(encoding="utf-8"))
    for version, name in (("v2", "activity-v2.schema.json"), ("v1", "activity.schema.json"))
}
# enums that are code lists from rules/data (hundreds of codes), or a range the page writes as I–XXI
CODE_LISTS = {"countryCode", "currencyCode", "usmlCategory"}


def documented(word: str) -> bool:
    return f"`{word}`" in FORMAT


def top_level_table() -> dict[str, dict[str, str]]:
    """key -> {"v2": required|optional|—, "v1": ...}, from the page's "Top level" table."""
    section = FORMAT.split("## Top level", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(
        r"^\| `([^`]+)` \| [^|]+ \| (required|optional|—)[^|]*\| (required|optional|—)[^|]*\|", section, re.M
    )
    return {key: {"v2": v2, "v1": v1} for key, v2, v1 in rows}


def objects(node, where=""):
    """(where, schema) for every object schema with properties, anywhere in the schema."""
    if isinstance(node, dict):
        if isinstance(node.get("properties"), dict):
            yield where, node
        for key, value in node.items():
            yield from objects(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from objects(value, f"{where}/{index}")


def enums(node, where=""):
    if isinstance(node, dict):
        if isinstance(node.get("enum"), list) and not any(name in where for name in CODE_LISTS):
            yield where, node["enum"]
        for key, value in node.items():
            yield from enums(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from enums(value, f"{where}/{index}")


def every(walk):
    """(version, where, item) for each item the walk finds in each schema."""
    return [(version, where, item) for version, schema in SCHEMAS.items() for where, item in walk(schema)]


@pytest.mark.parametrize("version", SCHEMAS)
def test_the_top_level_table_lists_exactly_the_schema_keys_and_what_is_required(version):
    schema = SCHEMAS[version]
    table = {key: columns[version] for key, columns in top_level_table().items() if key != "x-*"}
    present = {key: ("required" if value == "required" else "optional") for key, value in table.items() if value != "—"}
    assert present == {key: "required" if key in schema["required"] else "optional" for key in schema["properties"]}


def test_v2_is_v1_plus_new_keys():
    v1, v2 = SCHEMAS["v1"], SCHEMAS["v2"]
    assert set(v1["properties"]) < set(v2["properties"])
    assert set(v2["required"]) - set(v1["required"]) == {"funding"}
    assert set(v1["$defs"]) < set(v2["$defs"])


@pytest.mark.parametrize(("version", "where", "schema"), every(objects), ids=lambda value: str(value))
def test_every_key_of_every_section_is_documented(version, where, schema):
    missing = [key for key in schema["properties"] if not documented(key)]
    assert not missing, f"{version} {where}: {missing} are in the schema but not in docs/format.md"


@pytest.mark.parametrize(("version", "where", "values"), every(enums), ids=lambda value: str(value))
def test_every_allowed_value_is_documented(version, where, values):
    missing = [value for value in values if not documented(str(value))]
    assert not missing, f"{version} {where}: {missing} are allowed by the schema but not in docs/format.md"


def test_the_page_names_both_versions_first_line():
    first = FORMAT.splitlines()[0]
    assert all(f"`{schema['properties']['schema']['const']}`" in first for schema in SCHEMAS.values())


def test_the_funding_authority_table_is_the_reference_data():
    data = yaml.safe_load((ROOT / "rules" / "data" / "funding_authorities.yaml").read_text(encoding="utf-8"))
    section = FORMAT.split("### `funding`", 1)[1].split("\n### ", 1)[0]
    rows = re.findall(r"^\| `([a-z0-9-]+)` \| [^|]+ \| [^|]+ \| ([^|]*)\|$", section, re.M)
    table = {authority: statute.strip() for authority, statute in rows if authority != "authority"}  # not the header
    assert set(table) == {*data["data"], "other"}
    for authority, entry in data["data"].items():
        assert table[authority] == (entry["leahy"] or "none (not assistance)"), authority


def test_the_migration_steps_the_sch001_message_points_to_exist():
    assert "## Moving a v1 document to v2" in FORMAT


def test_the_reference_example_the_page_names_exists():
    assert "examples/reference.yaml" in FORMAT and (ROOT / "examples" / "reference.yaml").is_file()
