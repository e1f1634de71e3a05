"""The activity schemas (v2 and v1) agree with the contract, and rules/data is well formed.

The schemas are checked with jsonschema directly (not through the engine) so that a
failure here points at the schema file, not at the loader or the rule runner.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator, FormatChecker

REPO = Path(__file__).parents[1]
SCHEMA_PATHS = {"v2": REPO / "schemas" / "activity-v2.schema.json", "v1": REPO / "schemas" / "activity.schema.json"}
DATA_DIR = REPO / "rules" / "data"
EXAMPLE_PATH = REPO / "examples" / "reference.yaml"
# a clean document of each version: the reference example is v2, the v1 starter stays v1
DOCUMENTS = {"v2": EXAMPLE_PATH, "v1": REPO / "src" / "policycheck" / "templates" / "starter-v1.yaml"}


# --- helpers ---------------------------------------------------------------


def _stringify_dates(node):
    """safe_load turns unquoted dates into date objects; the policycheck loader keeps strings."""
    if isinstance(node, dict):
        return {k: _stringify_dates(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_stringify_dates(v) for v in node]
    if isinstance(node, (dt.date, dt.datetime)):
        return node.isoformat()
    return node


@pytest.fixture(scope="module", params=["v2", "v1"])
def version(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def schema(version) -> dict:
    return json.loads(SCHEMA_PATHS[version].read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def validator(schema) -> Draft202012Validator:
    return Draft202012Validator(schema, format_checker=FormatChecker())


@pytest.fixture(scope="module")
def example(version) -> dict:
    return _stringify_dates(yaml.safe_load(DOCUMENTS[version].read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def v2():
    schema = json.loads(SCHEMA_PATHS["v2"].read_text(encoding="utf-8"))
    return Draft202012Validator(schema, format_checker=FormatChecker())


@pytest.fixture(scope="module")
def reference_example() -> dict:
    return _stringify_dates(yaml.safe_load(EXAMPLE_PATH.read_text(encoding="utf-8")))


def changed(doc: dict, path: str, value) -> dict:
    """A deep copy of doc with the value at a /-separated path replaced."""
    new = copy.deepcopy(doc)
    *parents, last = path.strip("/").split("/")
    node = new
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return new


def without(doc: dict, path: str) -> dict:
    """A deep copy of doc with the key at a /-separated path removed."""
    new = copy.deepcopy(doc)
    *parents, last = path.strip("/").split("/")
    node = new
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    del node[last]
    return new


def errors(validator, doc) -> list:
    return sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))


def only_error(validator, doc):
    found = errors(validator, doc)
    assert len(found) == 1, [e.message for e in found]
    return found[0]


# --- the schema itself -----------------------------------------------------


def test_schema_is_valid_draft_2020_12(schema, version):
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == f"urn:policycheck:schema:activity:{version}"
    assert schema["properties"]["schema"]["const"] == f"activity/{version}"


def _objects(node, where="#"):
    """Every object schema (one that has properties) with its location."""
    if isinstance(node, dict):
        if "properties" in node:
            yield where, node
        for key, sub in node.items():
            yield from _objects(sub, f"{where}/{key}")
    elif isinstance(node, list):
        for i, sub in enumerate(node):
            yield from _objects(sub, f"{where}/{i}")


def test_every_property_has_title_and_description(schema):
    assert schema["title"] and schema["description"]
    for where, obj in _objects(schema):
        for key, prop in obj["properties"].items():
            assert prop.get("title"), f"{where}/properties/{key} has no title"
            assert prop.get("description"), f"{where}/properties/{key} has no description"


def test_every_object_is_closed_but_allows_x_keys(schema):
    for where, obj in _objects(schema):
        assert obj.get("additionalProperties") is False, where
        assert obj.get("patternProperties") == {"^x-": {}}, where


def test_code_definitions_leave_the_enum_to_the_engine(schema):
    for name in ("countryCode", "currencyCode"):
        code = schema["$defs"][name]
        assert code["pattern"] == "^[A-Z]{3}$"
        assert "enum" not in code


# --- the clean documents -------------------------------------------------------


def test_the_clean_document_of_each_version_is_valid(validator, example):
    assert [e.message for e in errors(validator, example)] == []


def test_commented_parts_of_the_reference_example_are_valid(v2, reference_example):
    """The optional items the reference example only shows in comments validate too."""
    doc = copy.deepcopy(reference_example)
    doc["partners"] = [{"country": "MKD", "category": "institution-building", "organizations": ["Ministry of Defence"]}]
    doc["case_id"] = "AL-D-QAA"
    doc["notification"] = {"required": False, "submitted": "2026-12-01", "reference": "DSCA Transmittal No. 27-01"}
    doc["activity"]["budget"].update(major_defense_equipment=0, design_and_construction=0)
    doc["releasability"]["technology_transfer"] = [
        {
            "item": "Link 16 terminal",
            "usml_category": "XI",
            "disclosure_decision": "approved",
            "export_authorization": {"kind": "license", "reference": "DSP-5 050123456"},
            "end_use_monitoring": "routine",
        }
    ]
    doc["interoperability"]["systems"] = [
        {
            "name": "AN/PRC-163 radio",
            "origin": "USA",
            "quantity": 40,
            "provided": True,
            "sustainment": {
                "training": True,
                "spare_parts": True,
                "maintenance": True,
                "funded_years": 5,
                "funded_by": "us",
            },
        }
    ]
    doc["governance"]["vetting"] = {
        "completed": "2026-11-02",
        "units": [{"name": "Defense Policy and Planning Directorate", "country": "ALB"}],
    }
    doc["waivers"] = [
        {
            "rule": "REL002",
            "justification": "Partner-facing briefing to be released after the summit.",
            "approved_by": "Director, Office of Defense Cooperation",
            "expires": "2027-03-01",
            "at": "/objectives/0/indicators/1",
        }
    ]
    assert [e.message for e in errors(v2, doc)] == []


# --- small failing (and passing) documents ---------------------------------


def test_unknown_top_level_key_is_an_error(validator, example):
    err = only_error(validator, changed(example, "/objectivs", []))
    assert err.validator == "additionalProperties"
    assert "objectivs" in err.message


def test_unknown_key_inside_a_section_is_an_error(validator, example):
    err = only_error(validator, changed(example, "/partner/contry", "ALB"))
    assert err.validator == "additionalProperties"
    assert list(err.absolute_path) == ["partner"]


def test_x_keys_are_accepted_at_top_level_and_inside_sections(validator, example):
    doc = changed(example, "/x-foo", {"anything": [1, 2]})
    doc = changed(doc, "/partner/x-foo", "bar")
    doc = changed(doc, "/objectives/0/indicators/0/x-note", None)
    assert errors(validator, doc) == []


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("/partner/category", "ally"),
        ("/activity/type", "workshop"),
        ("/releasability/classification", "SECRET//NOFORN"),
        ("/releasability/dissemination", ["NOFORN", "FOUO"]),
    ],
)
def test_bad_enum_is_an_error(validator, example, path, value):
    err = only_error(validator, changed(example, path, value))
    assert err.validator == "enum"


@pytest.mark.parametrize(
    ("path", "missing"),
    [
        ("/releasability", "releasability"),
        ("/partner/country", "country"),
        ("/activity/start", "start"),
        ("/objectives/0/statement", "statement"),
    ],
)
def test_missing_required_key_is_an_error(validator, example, path, missing):
    err = only_error(validator, without(example, path))
    assert err.validator == "required"
    assert repr(missing) in err.message


def test_objectives_must_not_be_empty(validator, example):
    assert only_error(validator, changed(example, "/objectives", [])).validator == "minItems"


@pytest.mark.parametrize("bad_id", ["alb-2027", "AB", "-ALB-2027", "ALB 2027", "A" * 65])
def test_bad_id_pattern_is_an_error(validator, example, bad_id):
    err = only_error(validator, changed(example, "/id", bad_id))
    assert err.validator == "pattern"
    assert list(err.absolute_path) == ["id"]


@pytest.mark.parametrize("value", ["activity/v3", "activity/v1 ", "v2"])
def test_unknown_schema_version_is_an_error(validator, example, value):
    assert only_error(validator, changed(example, "/schema", value)).validator == "const"


# --- what v2 adds ------------------------------------------------------------------


def test_v2_requires_funding_with_authority_and_source(v2, reference_example):
    assert "funding" in only_error(v2, without(reference_example, "/funding")).message
    for key in ("authority", "source"):
        err = only_error(v2, without(reference_example, f"/funding/{key}"))
        assert err.validator == "required" and list(err.absolute_path) == ["funding"]


@pytest.mark.parametrize(
    ("path", "value", "keyword"),
    [
        ("/funding/authority", "section-333", "enum"),
        ("/funding/source", "us", "enum"),
        ("/funding/fiscal_year", 1850, "minimum"),
        ("/case_id", "AL-B-ZA", "pattern"),
        ("/notification/submitted", "soon", "format"),
        ("/objectives/0/indicators/0/kind", "impact", "enum"),
        ("/objectives/0/indicators/0/baseline_source", "guessed", "enum"),
        ("/partners", [{"country": "MKD"}], "required"),
        ("/assessment/initial_assessment", {"reference": "Study"}, "required"),
        (
            "/releasability/technology_transfer",
            [{"item": "Radar", "export_authorization": {"kind": "loa"}}],
            "required",
        ),
        ("/releasability/technology_transfer", [{"item": "Radar", "end_use_monitoring": "enhanced-plus"}], "enum"),
        ("/governance/vetting", {"units": [{"country": "ALB"}]}, "required"),
    ],
)
def test_bad_v2_values_are_errors(v2, reference_example, path, value, keyword):
    found = errors(v2, changed(reference_example, path, value))
    assert keyword in {e.validator for e in found}, [e.message for e in found]


@pytest.mark.parametrize("key", ["funding", "partners", "notification", "assessment", "case_id"])
def test_v2_keys_are_unknown_in_v1(key):
    schema = json.loads(SCHEMA_PATHS["v1"].read_text(encoding="utf-8"))
    v1 = Draft202012Validator(schema, format_checker=FormatChecker())
    doc = _stringify_dates(yaml.safe_load(DOCUMENTS["v1"].read_text(encoding="utf-8")))
    assert only_error(v1, changed(doc, f"/{key}", {})).validator == "additionalProperties"


@pytest.mark.parametrize(("value", "keywords"), [("2027-02-30", {"format"}), ("15/01/2027", {"format", "pattern"})])
def test_bad_date_is_an_error(validator, example, value, keywords):
    found = errors(validator, changed(example, "/activity/start", value))
    assert {e.validator for e in found} == keywords
    assert all(list(e.absolute_path) == ["activity", "start"] for e in found)


@pytest.mark.parametrize(
    ("path", "value", "keyword"),
    [
        ("/activity/budget/amount", -1, "minimum"),
        ("/releasability/rel_to", ["USA", "ALB", "ALB"], "uniqueItems"),
        ("/releasability/rel_to", ["USA", "alb"], "pattern"),
        ("/objectives/0/indicators/0/target", True, "type"),
    ],
)
def test_bad_values_are_errors(validator, example, path, value, keyword):
    assert only_error(validator, changed(example, path, value)).validator == keyword


def test_unknown_rel_to_code_is_left_to_rule_rel006(validator, example):
    assert errors(validator, changed(example, "/releasability/rel_to", ["USA", "ALB", "ZZZ", "FVEY"])) == []


# --- reference data --------------------------------------------------------


def _load_data(name: str):
    return yaml.safe_load((DATA_DIR / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", sorted(DATA_DIR.glob("*.yaml")), ids=lambda p: p.name)
def test_data_files_have_description_source_and_data(path):
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert set(doc) == {"description", "source", "data"}
    assert isinstance(doc["description"], str) and doc["description"]
    assert isinstance(doc["source"], str) and doc["source"]
    assert doc["data"]


def test_countries_are_the_249_iso_codes_sorted():
    countries = _load_data("countries.yaml")["data"]
    assert len(countries) == 249
    assert list(countries) == sorted(countries)
    assert {"ALB", "NOR", "USA"} <= set(countries)
    assert countries["NOR"] == "Norway"


def test_currencies_include_the_common_codes():
    currencies = _load_data("currencies.yaml")["data"]
    assert {"USD", "EUR", "ALL"} <= set(currencies)
    assert all(len(code) == 3 and code.isupper() for code in currencies)


def test_tetragraph_members_are_known_countries():
    countries = set(_load_data("countries.yaml")["data"])
    tetragraphs = _load_data("tetragraphs.yaml")["data"]
    assert tetragraphs["FVEY"] == ["AUS", "CAN", "GBR", "NZL", "USA"]
    assert tetragraphs["ACGU"] == ["AUS", "CAN", "GBR", "USA"]
    assert len(tetragraphs["NATO"]) == 32 and {"FIN", "SWE"} <= set(tetragraphs["NATO"])
    for code, members in tetragraphs.items():
        assert len(code) == 4 and code not in countries
        assert members == sorted(set(members)), code
        assert set(members) <= countries, code


def test_vague_verbs_are_lowercase_and_cover_the_catalogue():
    verbs = _load_data("vague_verbs.yaml")["data"]
    assert all(v == v.lower().strip() for v in verbs)
    assert len(verbs) == len(set(verbs))
    assert {
        "enhance",
        "strengthen",
        "improve",
        "support",
        "build relationships",
        "foster",
        "promote",
        "increase awareness",
        "facilitate",
        "bolster",
        "deepen",
        "advance",
        "build capacity",
    } <= set(verbs)


def test_adversary_suppliers_are_known_countries():
    countries = set(_load_data("countries.yaml")["data"])
    suppliers = _load_data("adversary_suppliers.yaml")["data"]
    assert suppliers == ["CHN", "IRN", "PRK", "RUS"]
    assert set(suppliers) <= countries


def test_genc_codes_are_the_ones_iso_does_not_assign():
    countries = _load_data("countries.yaml")["data"]
    genc = _load_data("genc.yaml")["data"]
    assert genc["added"]["XKS"] == "Kosovo"
    assert all(len(code) == 3 and code.isalpha() and code.isupper() and code not in countries for code in genc["added"])
    assert list(genc["added"]) == sorted(genc["added"])
    # the ISO codes GENC does not use are ISO codes, and each points at codes that exist
    assert set(genc["not_used"]) <= set(countries)
    for replacement in genc["not_used"].values():
        codes = [word for word in replacement.replace(",", " ").replace("(", " ").split() if word.isupper()]
        assert codes and all(code in countries or code in genc["added"] for code in codes if len(code) == 3), codes


def test_placeholders_are_lowercase_and_unique():
    placeholders = _load_data("placeholders.yaml")["data"]
    assert all(isinstance(entry, str) and entry == entry.casefold().strip() for entry in placeholders)
    assert len(placeholders) == len(set(placeholders))
    assert {"tbd", "n/a", "unknown", "-", "none", "todo", "?"} <= set(placeholders)


def test_funding_authorities_are_the_schema_enum():
    schema = json.loads(SCHEMA_PATHS["v2"].read_text(encoding="utf-8"))
    authorities = _load_data("funding_authorities.yaml")["data"]
    assert [*authorities, "other"] == schema["$defs"]["funding"]["properties"]["authority"]["enum"]
    for key, entry in authorities.items():
        assert set(entry) == {"title", "citation", "leahy"}, key
        assert entry["leahy"] in (None, "10 U.S.C. 362", "22 U.S.C. 2378d"), key


def test_notification_thresholds_are_the_statute():
    thresholds = _load_data("notification_thresholds.yaml")["data"]
    nato_plus, other = thresholds["nato_plus"], thresholds["other"]
    assert nato_plus["members"] == ["NATO", "AUS", "ISR", "JPN", "KOR", "NZL"]
    assert (nato_plus["major_defense_equipment"], nato_plus["articles_and_services"]) == (25_000_000, 100_000_000)
    assert (nato_plus["design_and_construction"], nato_plus["review_days"]) == (300_000_000, 15)
    assert (other["major_defense_equipment"], other["articles_and_services"]) == (14_000_000, 50_000_000)
    assert (other["design_and_construction"], other["review_days"]) == (200_000_000, 30)


def test_enhanced_eum_entries_have_a_name_and_words():
    entries = _load_data("enhanced_eum.yaml")["data"]
    names = [entry["name"] for entry in entries]
    for item in ("Stinger", "Javelin", "Night-vision", "AIM-9X", "AIM-120", "TOW"):
        assert any(item in name for name in names), item
    for entry in entries:
        assert set(entry) == {"name", "match"} and entry["match"]
        assert all(word == word.casefold().strip() for word in entry["match"])
