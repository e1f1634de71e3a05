"""docs/format.md is the contract and schemas/activity.schema.json its machine form: they agree."""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORMAT = (ROOT / "docs" / "format.md").read_text(encoding="utf-8")
SCHEMA = json.loads((ROOT / "schemas" / "activity.schema.json").read_text(encoding="utf-8"))
# enums that are code lists from rules/data (hundreds of codes), or a range the page writes as I–XXI
CODE_LISTS = {"countryCode", "currencyCode", "usmlCategory"}


def documented(word: str) -> bool:
    return f"`{word}`" in FORMAT


def top_level_table() -> dict[str, bool]:
    """key -> required, from the page's "Top level" table."""
    rows = re.findall(r"^\| `([^`]+)` \| [^|]+ \| (yes|no)[^|]*\|", FORMAT, re.MULTILINE)
    return {key: required == "yes" for key, required in rows}


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


def test_the_top_level_table_lists_exactly_the_schema_keys_and_what_is_required():
    table = top_level_table()
    table.pop("x-*")
    assert table == {key: key in SCHEMA["required"] for key in SCHEMA["properties"]}


@pytest.mark.parametrize(
    ("where", "schema"), list(objects(SCHEMA)), ids=lambda value: value if isinstance(value, str) else ""
)
def test_every_key_of_every_section_is_documented(where, schema):
    missing = [key for key in schema["properties"] if not documented(key)]
    assert not missing, f"{where}: {missing} are in the schema but not in docs/format.md"


@pytest.mark.parametrize(
    ("where", "values"), list(enums(SCHEMA)), ids=lambda value: value if isinstance(value, str) else ""
)
def test_every_allowed_value_is_documented(where, values):
    missing = [value for value in values if not documented(str(value))]
    assert not missing, f"{where}: {missing} are allowed by the schema but not in docs/format.md"


def test_the_format_version_is_the_schemas():
    assert f"`{SCHEMA['properties']['schema']['const']}`" in FORMAT.splitlines()[0]


def test_the_reference_example_the_page_names_exists():
    assert "examples/reference.yaml" in FORMAT and (ROOT / "examples" / "reference.yaml").is_file()
