"""Each document is validated against the schema of the version it names; configuration can require v2."""

import json

import pytest
from click.testing import CliRunner

from policycheck.cli import main
from policycheck.config import ConfigError
from policycheck.config_file import read
from policycheck.load import parse
from policycheck.reference import Reference
from policycheck.testing import assert_findings, check, starter
from policycheck.validate import ActivityValidator, SchemaValidator, effective_schema

REQUIRE_V2 = {"require_schema": "activity/v2"}


def sch001(snippet: str, **options):
    return [finding for finding in check(snippet, select=["SCH001"], **options) if finding.rule_id == "SCH001"]


def test_both_starters_are_valid_in_their_own_version():
    assert_findings("", [], base="activity/v2")
    assert_findings("", [], base="activity/v1")


def test_a_v2_field_is_unknown_in_a_v1_document():
    [finding] = sch001("funding: {authority: fmf, source: us-appropriated}", base="activity/v1")
    assert finding.message == "unknown key 'funding' in the document"


def test_a_v2_document_needs_funding():
    [finding] = sch001("funding: null")
    assert finding.message == "the document is missing the required key 'funding'"


@pytest.mark.parametrize("base", ["activity/v2", "activity/v1"])
def test_an_unknown_version_is_one_finding_naming_the_versions(base):
    # the rest is judged as v2 when the document has a key only v2 knows, else as v1: no noise either way
    [finding] = sch001("schema: activity/v3", base=base)
    assert finding.pointer == "/schema"
    assert finding.message == (
        "schema: 'activity/v3' is not a format version this policycheck reads (activity/v1, activity/v2)"
    )
    assert finding.hint == "write `schema: activity/v2` (docs/format.md describes each version)"


@pytest.mark.parametrize("value, shown", [("[]", "[]"), ("{v: 2}", "{'v': 2}"), ("2", "2"), ("[a, b]", "['a', 'b']")])
def test_a_version_that_is_not_a_string_is_the_same_finding(value, shown):
    # found by tests/reliability/test_properties.py: `schema: []` was an ERR001 crash (unhashable list)
    [finding] = sch001(f"schema: {value}", base="activity/v1")
    assert (
        finding.message == f"schema: {shown} is not a format version this policycheck reads (activity/v1, activity/v2)"
    )


def test_a_missing_version_is_the_missing_key():
    [finding] = sch001("schema: null", base="activity/v1")
    assert finding.message == "the document is missing the required key 'schema'"


def test_require_schema_fails_a_v1_document_with_how_to_move_it():
    [finding] = sch001("", base="activity/v1", config=REQUIRE_V2)
    assert finding.level == "fail" and finding.pointer == "/schema"
    assert finding.message.startswith(
        "this project requires activity/v2 (`require_schema` in its configuration) and the document is activity/v1: "
        "move it to activity/v2 as docs/format.md, 'Moving a v1 document to v2', describes"
    )
    assert sch001("", config=REQUIRE_V2) == []
    assert sch001("", base="activity/v1", config={"require_schema": "activity/v1"}) == []


def test_require_schema_in_a_configuration_file(tmp_path):
    path = tmp_path / ".policycheck.yaml"
    path.write_text("require-schema: activity/v2\n", encoding="utf-8")
    assert read(path).require_schema == "activity/v2"
    path.write_text("require_schema: activity/v3\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="require_schema"):
        read(path)


def test_a_v1_document_cannot_slip_past_require_schema_on_the_command_line(tmp_path):
    (tmp_path / ".policycheck.yaml").write_text("require_schema: activity/v2\n", encoding="utf-8")
    (tmp_path / "old.yaml").write_text(starter("activity/v1"), encoding="utf-8")
    runner = CliRunner()
    config = str(tmp_path / ".policycheck.yaml")
    result = runner.invoke(main, [str(tmp_path / "old.yaml"), "--config", config, "--format", "json"])
    assert result.exit_code == 1
    assert [f["rule"] for f in json.loads(result.output)["files"][0]["findings"]] == ["SCH001"]
    ignored = runner.invoke(main, [str(tmp_path / "old.yaml"), "--config", config, "--ignore", "SCH001"])
    assert ignored.exit_code == 2 and "cannot be turned off" in ignored.output


def test_each_version_gets_its_own_validator_built_once():
    validator = ActivityValidator(Reference(), {})
    for version in ("activity/v1", "activity/v2"):
        assert validator.violations(parse(starter(version)).data) == []
    assert set(validator._by_version) == {"activity/v1", "activity/v2"}
    assert validator.validator("activity/v1") is validator.validator("activity/v1")


@pytest.mark.parametrize("version", ["activity/v1", "activity/v2"])
def test_the_fast_path_agrees_with_jsonschema_in_each_version(version):
    reference = Reference()
    schema = effective_schema(reference, {}, version)
    fast, full = SchemaValidator(schema, reference, fast=True), SchemaValidator(schema, reference, fast=False)
    document = parse(starter(version)).data
    for broken in ({**document, "partner": {"country": "XKX"}}, {**document, "funding": {"authority": "x"}}):
        assert fast.violations(broken) == full.violations(broken) != []


def test_schema_prints_v2_unless_asked_for_v1():
    runner = CliRunner()
    latest = json.loads(runner.invoke(main, ["schema", "--no-plugins", "--no-config"]).output)
    older = json.loads(runner.invoke(main, ["schema", "--version", "v1", "--no-plugins", "--no-config"]).output)
    assert latest["$id"].endswith(":v2") and older["$id"].endswith(":v1")
    # GENC codes are country codes in both
    assert "XKS" in latest["$defs"]["countryCode"]["enum"] and "XKS" in older["$defs"]["countryCode"]["enum"]


def test_init_writes_a_v2_starter_that_passes_and_its_schema(tmp_path):
    runner = CliRunner()
    target = tmp_path / "activity.yaml"
    assert runner.invoke(main, ["init", str(target)]).exit_code == 0
    assert "schema: activity/v2" in target.read_text(encoding="utf-8")
    assert json.loads((tmp_path / "activity.schema.json").read_text(encoding="utf-8"))["$id"].endswith(":v2")
    result = runner.invoke(main, [str(target), "--no-config", "--no-plugins", "--today", "2026-11-23"])
    assert result.exit_code == 0 and "PASS no findings" in result.output


def test_a_plugin_cannot_replace_a_v2_section(tmp_path, monkeypatch):
    from policycheck.plugins import PluginError, load_registry

    (tmp_path / "funding_plugin.py").write_text(
        "import policycheck\n@policycheck.hookimpl\ndef policycheck_schema_fragments():\n"
        "    return {'funding': {'type': 'object'}}\n",
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(PluginError, match="'funding' is a built-in section of the activity schema"):
        load_registry(modules=["funding_plugin"], entry_points=False)
