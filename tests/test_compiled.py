"""The compiled yes/no validators: which schemas get one, and the cache they load from."""

import marshal
import subprocess
import sys
from pathlib import Path

import pytest

from policycheck import cache
from policycheck import compiled as compiled_module
from policycheck.compiled import compiled
from policycheck.resources import load_schema

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def cache_folder(tmp_path, monkeypatch):
    """An empty cache folder, and no validators remembered by this process."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(compiled_module, "_built", {})
    return tmp_path / "cache" / "policycheck"


SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["code"],
    "additionalProperties": False,
    "properties": {"code": {"$ref": "#/$defs/code"}, "due": {"type": "string", "format": "date"}},
    "$defs": {"code": {"type": "string", "enum": ["ALB", "USA"], "description": "a trigraph"}},
}


@pytest.mark.parametrize("name", ["activity.schema.json", "config.schema.json", "rule-pack.schema.json"])
def test_every_shipped_schema_gets_a_compiled_validator(cache_folder, name):
    assert compiled(load_schema(name)) is not None


def test_the_compiled_validator_says_valid_or_not(cache_folder):
    validator = compiled(SCHEMA)
    assert validator.is_valid({"code": "ALB", "due": "2024-02-29"})
    for invalid in ({}, {"code": "XXX"}, {"code": "ALB", "extra": 1}, {"code": "ALB", "due": "2023-02-29"}, [], None):
        assert not validator.is_valid(invalid), invalid


def test_the_document_is_never_changed(cache_folder):
    schema = {"type": "object", "properties": {"level": {"type": "string", "default": "fail"}}}
    document = {}
    assert compiled(schema).is_valid(document)
    assert document == {}


@pytest.mark.parametrize(
    "schema",
    [
        {
            "properties": {"a": {"$ref": "#/$defs/a", "minLength": 2}},
            "$defs": {"a": {"type": "string"}},
        },  # draft-07 ignores the sibling
        {"$ref": "other.json#/a"},
        {"enum": [1, "a"]},  # True == 1 in Python
        {"const": False},
        {"format": "email"},
        {"prefixItems": [{"type": "string"}]},
        {"unevaluatedProperties": False},
        {"dependentRequired": {"a": ["b"]}},
        {"items": [{"type": "string"}]},
        {"properties": {"a": {"minContains": 1, "contains": {"type": "string"}}}},
    ],
    ids=repr,
)
def test_no_fast_path_where_draft_07_could_be_looser(cache_folder, schema):
    assert compiled(schema) is None


def test_no_fast_path_is_judged_once_then_read_from_the_cache(cache_folder, monkeypatch):
    looser = {"format": "email"}
    assert compiled(looser) is None
    monkeypatch.setattr(compiled_module, "_built", {})
    monkeypatch.setattr(compiled_module, "_same_in_draft_07", lambda schema: pytest.fail("judged again"))
    assert compiled(looser) is None


def test_the_generator_is_the_fastjsonschema_python_would_import(cache_folder):
    import importlib.util

    origin = importlib.util.find_spec("fastjsonschema").origin
    assert compiled_module._generator().rsplit(":", 1)[0] == origin


def test_property_names_are_not_mistaken_for_keywords(cache_folder):
    assert (
        compiled({"type": "object", "properties": {"prefixItems": {"type": "string"}, "enum": {"enum": ["x"]}}})
        is not None
    )


def test_the_code_is_written_once_then_loaded_from_the_cache(cache_folder, monkeypatch):
    compiled(SCHEMA)
    [stored] = cache_folder.glob("validator-*.marshal")
    monkeypatch.setattr(compiled_module, "_built", {})
    monkeypatch.setattr(compiled_module, "_generate", lambda schema: pytest.fail("generated again"))
    assert compiled(SCHEMA).is_valid({"code": "USA"})
    assert list(cache_folder.glob("validator-*.marshal")) == [stored]


@pytest.mark.parametrize("content", [b"", b"not marshal data"])
def test_a_damaged_cache_file_is_rebuilt(cache_folder, monkeypatch, content):
    compiled(SCHEMA)
    [stored] = cache_folder.glob("validator-*.marshal")
    stored.write_bytes(content)
    monkeypatch.setattr(compiled_module, "_built", {})
    validator = compiled(SCHEMA)
    assert validator.is_valid({"code": "ALB"}) and not validator.is_valid({"code": "alb"})
    built_from, _code = marshal.loads(cache.unseal(stored.read_bytes()))
    assert built_from[1] == marshal.dumps(SCHEMA, 2)


def test_a_changed_schema_gets_code_of_its_own(cache_folder):
    compiled(SCHEMA)
    changed = {**SCHEMA, "$defs": {"code": {"type": "string", "enum": ["ALB", "USA", "GBR"]}}}
    assert compiled(changed).is_valid({"code": "GBR"})
    assert not compiled(SCHEMA).is_valid({"code": "GBR"})
    assert len(list(cache_folder.glob("validator-*.marshal"))) == 2


def test_schemas_of_equal_content_share_code(cache_folder, monkeypatch):
    compiled(SCHEMA)
    monkeypatch.setattr(compiled_module, "_built", {})
    monkeypatch.setattr(compiled_module, "_generate", lambda schema: pytest.fail("generated again"))
    assert compiled(marshal.loads(marshal.dumps(SCHEMA))).is_valid({"code": "USA"})  # other objects, shared differently


def test_a_schema_that_is_not_plain_data_gets_no_fast_path(cache_folder):
    from collections import OrderedDict

    assert compiled(OrderedDict(SCHEMA)) is None


def test_each_fastjsonschema_installation_keeps_its_own_code(cache_folder, monkeypatch):
    compiled(SCHEMA)
    monkeypatch.setattr(compiled_module, "_generator", lambda: "another fastjsonschema")
    monkeypatch.setattr(compiled_module, "_built", {})
    assert compiled(SCHEMA).is_valid({"code": "ALB"})
    generators = sorted(
        marshal.loads(cache.unseal(path.read_bytes()))[0][2] for path in cache_folder.glob("validator-*.marshal")
    )
    assert len(generators) == 2 and "another fastjsonschema" in generators


def test_without_a_writable_cache_it_still_validates(tmp_path, monkeypatch):
    (tmp_path / "file").write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "file"))
    monkeypatch.setattr(compiled_module, "_built", {})
    assert compiled(SCHEMA).is_valid({"code": "ALB"})


def test_without_fastjsonschema_there_is_no_fast_path(cache_folder, monkeypatch):
    monkeypatch.setattr(compiled_module, "_generator", lambda: None)
    assert compiled(SCHEMA) is None


def test_a_start_with_a_warm_cache_imports_neither_fastjsonschema_nor_jsonschema(tmp_path):
    code = (
        "import sys\n"
        "from policycheck.cli import main\n"
        "try:\n"
        f"    main([{str(ROOT / 'examples' / 'albania-nds-advisory.yaml')!r}, '--no-config'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(' '.join(sorted(name for name in sys.modules if name.startswith(('fastjsonschema', 'jsonschema')))))\n"
    )
    environment = {"XDG_CACHE_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    first = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=environment, check=True)
    second = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=environment, check=True)
    assert first.stdout.splitlines()[-1].startswith("fastjsonschema")  # the first start writes the code
    assert second.stdout.splitlines()[-1] == ""


COUNTRIES = ["ABW", "AFG", "ALB", "it's", 'say "x"', "back\\slash", "new\nline", "ALB"]
ENUM_VALUES = [*COUNTRIES, "ABX", "abw", "", "ALB ", 0, 1, 1.0, True, False, [], {}, ["ALB"], None]


@pytest.mark.parametrize(
    "enum", [COUNTRIES, [*COUNTRIES, None], [None, *COUNTRIES], ["ALB", None, "USA"], ["ALB"], [None], []]
)
def test_an_enum_tested_as_a_set_answers_as_the_chain_of_comparisons_did(cache_folder, monkeypatch, enum):
    schema = {"type": "object", "properties": {"code": {"enum": enum}, "codes": {"items": {"enum": enum}}}}
    with_sets = compiled_module._generate(schema)
    monkeypatch.setattr(compiled_module, "_enum_sets", lambda source: source)
    as_written = compiled_module._generate(schema)
    # fastjsonschema 2.22 writes the chain; 2.18 (the minimum version) writes `not in [...]`, left as it is
    import fastjsonschema

    chained = " == 'ABW' or " in fastjsonschema.compile_to_code({"enum": ["ABW", "AFG"]})
    texts = len({option for option in enum if option is not None})
    assert (with_sets[1] != as_written[1]) == (chained and texts > 1)
    for value in ENUM_VALUES:
        for document in ({"code": value}, {"codes": [value]}):
            answers = []
            for entry, code in (with_sets, as_written):
                namespace = {"JsonSchemaValueException": compiled_module._Rejected, "_MAPPINGS": dict}
                exec(code, namespace)
                answers.append(compiled_module.CompiledValidator(namespace[entry]).is_valid(document))
            assert answers[0] == answers[1] == (value in enum and (value is None or isinstance(value, str))), document


def test_only_an_enum_of_text_and_null_options_becomes_a_set():
    chain = (
        "    if not (isinstance(data, str) and data == 'A' or isinstance(data, str) and data == \"B's\""
        " or data is None):"
    )
    assert compiled_module._enum_sets(chain) == (
        "    if not (isinstance(data, str) and data in {'A', \"B's\"} or data is None):"
    )
    untouched = [
        "    if not (isinstance(data, str) and data == 'A'):",  # one option: nothing to gain
        "    if not (isinstance(data, str) and data == 'A' or isinstance(data, bool) and data is True):",
        "    if not (isinstance(data, str) and data == 'A' or isinstance(other, str) and other == 'B'):",
        "    if not (isinstance(data, str) and data == 'A' and isinstance(data, str) and data == 'B'):",
        "    if not (isinstance(data, str) and data == 'A' or isinstance(data, str) and data == 'B' or x):",
    ]
    for line in untouched:
        assert compiled_module._enum_sets(line) == line
