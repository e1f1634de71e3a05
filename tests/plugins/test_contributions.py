"""What plugins contribute, checked when loaded: reference data, schema fragments, parameters, packs; and
disabling or blaming one installed plugin (issue 17, defects 6, 7, 8 and 10, and what it found missing)."""

import json

import pytest
from click.testing import CliRunner

from policycheck import Param, Rule
from policycheck.config import ConfigError
from policycheck.cli import main
from policycheck.testing import activity_text, check


def run(*args, plugins="--no-plugins"):
    return CliRunner().invoke(main, [*args, *([plugins] if plugins else []), "--no-config"])


def reference_plugin(data):
    return f"import policycheck\n@policycheck.hookimpl\ndef policycheck_reference_data():\n    return {data!r}\n"


def fragment_plugin(fragment, key="x-test"):
    hook = "import policycheck\n@policycheck.hookimpl\ndef policycheck_schema_fragments():\n"
    return hook + f"    return {{{key!r}: {fragment!r}}}\n"


# --- reference data -------------------------------------------------------------------------


def test_a_plugin_cannot_change_shipped_reference_data(plugin_module):
    name = plugin_module(reference_plugin({"tetragraphs": {"NATO": ["USA"]}}))
    result = run("rules", "-p", name)
    assert result.exit_code == 2
    assert (
        f"plugin '{name}' changes reference data tetragraphs/NATO, which the shipped data "
        "(rules/data/tetragraphs.yaml) defines as ('ALB', 'BEL'," not in result.output  # the repr is shortened
    )
    assert f"plugin '{name}' changes reference data tetragraphs/NATO, which the shipped data " in result.output
    assert "a plugin may add keys, not change them" in result.output and "Traceback" not in result.output


def test_two_plugins_giving_one_key_two_values_is_an_error_naming_both(plugin_module):
    first = plugin_module(reference_plugin({"tetragraphs": {"PACI": ["PLW", "FSM"]}}))
    second = plugin_module(reference_plugin({"tetragraphs": {"PACI": ["PLW"]}}))
    result = run("rules", "-p", first, "-p", second)
    assert result.exit_code == 2
    assert f"plugin '{second}' changes reference data tetragraphs/PACI, which plugin '{first}' defines" in result.output
    same = plugin_module(reference_plugin({"tetragraphs": {"PACI": ["PLW", "FSM"]}}))
    assert run("rules", "-p", first, "-p", same).exit_code == 0  # the same value twice changes nothing


def test_a_plugin_cannot_replace_another_plugins_kind(plugin_module):
    first = plugin_module(reference_plugin({"programs": {"FMF": "Foreign Military Financing"}}))
    second = plugin_module(reference_plugin({"programs": ["FMF"]}))
    result = run("rules", "-p", first, "-p", second)
    assert result.exit_code == 2
    assert f"plugin '{second}' changes reference data programs, which plugin '{first}' defines" in result.output


def test_new_keys_and_entries_are_added_and_listed_by_the_plugins_command(plugin_module):
    name = plugin_module(reference_plugin({"tetragraphs": {"PACI": ["FSM", "PLW"]}, "vague_verbs": ["hew", "foster"]}))
    rows = json.loads(run("plugins", "-p", name, "--format", "json").output)
    assert rows[-1]["reference"] == {"tetragraphs": ["PACI"], "vague_verbs": ["hew"]}  # "foster" is shipped
    assert [row["reference"] for row in rows[:-1]] == [{}] * (len(rows) - 1)
    text = run("plugins", "-p", name).output.splitlines()[-1]
    assert text.split(None, 2)[2] == "reference data: tetragraphs PACI; vague_verbs hew"


@pytest.mark.parametrize(
    "data, message",
    [
        ({"tetragraphs": {"PAC": ["PLW"]}}, "at tetragraphs: 'PAC' does not match '^[A-Z]{4}$'"),
        ({"countries": {"XKX": 7}}, "at countries.XKX: 7 is not of type 'string'"),
        ({"vague_verbs": "hew"}, "at vague_verbs: 'hew' is not of type 'array'"),
    ],
)
def test_reference_data_is_validated_against_its_format(plugin_module, data, message):
    name = plugin_module(reference_plugin(data))
    result = run("rules", "-p", name)
    assert result.exit_code == 2, result.output
    assert f"plugin '{name}': policycheck_reference_data() {message}" in result.output
    assert "(the format is `reference:` in schemas/config.schema.json)" in result.output


# --- schema fragments ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "fragment, message",
    [
        ({"type": "objet"}, "is not a valid JSON Schema (draft 2020-12) at type: 'objet' is not valid under"),
        ({"type": "object", "required": "case_id"}, "at required: 'case_id' is not of type 'array'"),
        ({"properties": {"a": {"pattern": "[unclosed"}}}, "at properties.a.pattern: '[unclosed' is not a 'regex'"),
        ({"$ref": "#/$defs/dat"}, "at $ref: $ref '#/$defs/dat' points at nothing in the activity schema; did you mean"),
        ({"$ref": "https://example.com/x.json"}, "must point into the activity schema, such as '#/$defs/date'"),
    ],
)
def test_a_bad_schema_fragment_fails_at_load_naming_the_plugin_and_key(plugin_module, tmp_path, fragment, message):
    name = plugin_module(fragment_plugin(fragment))
    path = tmp_path / "a.yaml"
    path.write_text(activity_text("x-test: {a: b}\n"), encoding="utf-8")
    result = run(str(path), "-p", name)
    assert result.exit_code == 2, result.output
    [line] = result.output.splitlines()
    assert line.startswith(f"policycheck: error: plugin '{name}': the schema fragment for 'x-test' ")
    assert message in line and len(line) < 400  # no schema dump


def test_a_good_fragment_loads_and_init_writes_it_into_the_editor_schema(plugin_module, tmp_path, monkeypatch):
    name = plugin_module(fragment_plugin({"type": "object", "properties": {"due": {"$ref": "#/$defs/date"}}}))
    monkeypatch.chdir(tmp_path)
    result = run("init", "proposal.yaml", "-p", name)
    assert result.exit_code == 0, result.output
    schema = json.loads((tmp_path / "activity.schema.json").read_text(encoding="utf-8"))
    assert schema["properties"]["x-test"]["properties"]["due"] == {"$ref": "#/$defs/date"}
    assert "enum" in schema["$defs"]["countryCode"]  # the reference data's codes, as `policycheck schema` writes


# --- parameters: descriptions and choices -------------------------------------------------

TYPES = """
import policycheck

@policycheck.rule(id="PAR001", title="Typed", family="test", level="warn", rationale="-", source="tests",
                  parameters={
                      "activity_types": policycheck.Param(
                          default=["exercise"], description="Activity types the rule applies to.",
                          choices=["exercise", "training", "information-sharing"]),
                      "limit": 3,
                  })
def typed(activity, ctx):
    yield policycheck.Violation("/id", f"{ctx.params['activity_types']} {ctx.params['limit']}")

@policycheck.hookimpl
def policycheck_rules():
    return [typed]
"""


def test_a_value_outside_a_parameters_choices_is_a_config_error_at_its_line(plugin_module, tmp_path):
    name = plugin_module(TYPES)
    config = tmp_path / "config.yaml"
    config.write_text("rules:\n  PAR001:\n    activity_types:\n      - exercise\n      - trainin\n", encoding="utf-8")
    path = tmp_path / "a.yaml"
    path.write_text(activity_text(""), encoding="utf-8")
    result = CliRunner().invoke(main, [str(path), "-p", name, "--config", str(config), "--no-plugins"])
    assert result.exit_code == 2
    assert (
        f"{config}:5: rules.PAR001.activity_types: 'trainin' is not one of: exercise, training, information-sharing; "
        "did you mean 'training'?" in result.output
    )
    with pytest.raises(ConfigError, match="'trainin' is not one of"):
        check("", plugins=[name], config={"rules": {"PAR001": {"activity_types": ["trainin"]}}})
    [finding] = check(
        "", plugins=[name], select=["PAR"], config={"rules": {"PAR001": {"activity_types": ["training"]}}}
    )
    assert finding.message == "['training'] 3"  # plain values stay accepted: `limit` is Param(3)


def test_explain_shows_descriptions_choices_and_what_the_configuration_sets(plugin_module, tmp_path):
    name = plugin_module(TYPES)
    config = tmp_path / "config.yaml"
    config.write_text("rules:\n  PAR001: {level: fail, limit: 5}\n", encoding="utf-8")
    plain = run("explain", "PAR001", "-p", name, plugins=None).output
    assert "Level: warn    Plugin:" in plain
    assert (
        "- `activity_types` (default: ['exercise']): Activity types the rule applies to; one of: exercise, training, "
        "information-sharing; set with `rules: {PAR001: {activity_types: ...}}`" in plain
    )
    configured = CliRunner().invoke(main, ["explain", "PAR001", "-p", name, "--config", str(config)]).output
    assert f"Level: fail in {config} (default: warn)" in configured
    assert f"- `limit` 5 (set in {config}; default: 3); set with" in configured
    ignored = tmp_path / "ignore.yaml"
    ignored.write_text("ignore: [PAR]\n", encoding="utf-8")
    off = CliRunner().invoke(main, ["explain", "PAR001", "-p", name, "--config", str(ignored)]).output
    assert f"Level: off in {ignored} (default: warn)" in off


def test_a_default_outside_its_choices_is_refused_where_it_is_declared(plugin_module):
    with pytest.raises(ValueError, match="parameter 'kind': the default 'x' is not one of: a, b"):
        Rule(id="PAR009", title="t", family="f", level="warn", rationale="r", source="s",
             check=lambda a, c: [], parameters={"kind": Param("x", choices=["a", "b"])})  # fmt: skip
    defaults = plugin_module(
        "import policycheck\n@policycheck.hookimpl\ndef policycheck_rule_defaults():\n"
        "    return {'PAR001': {'activity_types': ['exercise', 'drill']}}\n"
    )
    result = run("rules", "-p", plugin_module(TYPES), "-p", defaults)
    assert result.exit_code == 2
    assert f"plugin '{defaults}': policycheck_rule_defaults() for PAR001.activity_types: 'drill' is not one of" in (
        result.output
    )


# --- rule packs: reference data that does not exist ------------------------------------------

PACK = """\
pack: refs
description: A pack that refers to reference data.
rules:
  - id: REF001
    title: Refers to data
    family: test
    level: warn
    rationale: Tests the loader.
    source: the tests
    require: {path: /partner/country, in: {reference: partner_groups/pacific}}
    message: not in the group
"""


def test_a_pack_reference_to_missing_data_fails_at_load_with_its_line(tmp_path):
    (tmp_path / "refs.yaml").write_text(PACK, encoding="utf-8")
    (tmp_path / "config.yaml").write_text("rule_packs: [refs.yaml]\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["rules", "--config", str(tmp_path / "config.yaml"), "--no-plugins"])
    assert result.exit_code == 2
    assert (
        f"{tmp_path / 'refs.yaml'}:10: rules[0].require.in.reference: reference data 'partner_groups/pacific' does not"
        in (result.output)
    )
    (tmp_path / "config.yaml").write_text(
        "rule_packs: [refs.yaml]\nreference:\n  partner_groups: {pacific: [PLW, FSM]}\n", encoding="utf-8"
    )  # data the configuration adds counts
    assert CliRunner().invoke(main, ["rules", "--config", str(tmp_path / "config.yaml"), "--no-plugins"]).exit_code == 0


# --- installed plugins: disabling one, and blaming a broken one ------------------------------


@pytest.fixture
def installed(tmp_path, monkeypatch):
    """`install(entry_name, source)`: a distribution on sys.path with a `policycheck` entry point."""

    def install(entry_name, source):
        folder = tmp_path / f"site-{entry_name}"
        info = folder / f"{entry_name}_plugin-1.0.dist-info"
        info.mkdir(parents=True)
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {entry_name}-plugin\nVersion: 1.0\n")
        (info / "entry_points.txt").write_text(f"[policycheck]\n{entry_name} = {entry_name}_mod\n")
        (folder / f"{entry_name}_mod.py").write_text(source, encoding="utf-8")
        monkeypatch.syspath_prepend(str(folder))

    return install


def test_config_naming_a_broken_plugins_rules_names_the_broken_plugin(installed, tmp_path):
    installed("pif", "import numpy_that_is_not_here\n")
    config = tmp_path / "config.yaml"
    config.write_text("rules:\n  PIF001: {level: fail}\n", encoding="utf-8")
    path = tmp_path / "a.yaml"
    path.write_text(activity_text(""), encoding="utf-8")
    result = CliRunner().invoke(main, [str(path), "--config", str(config)])
    assert result.exit_code == 2
    assert (
        f"{config}:2: 'PIF001' matches no rule, and plugin 'pif' (pif_mod) failed to load: ModuleNotFoundError: "
        "No module named 'numpy_that_is_not_here'. Fix or reinstall that plugin if it defines these rules, or disable "
        "it with -p no:pif" in result.output
    )
    assert "did you mean" not in result.output
    selected = CliRunner().invoke(main, [str(path), "--select", "PIF", "--no-config"])
    assert selected.exit_code == 2 and "--select: 'PIF' matches no rule, and plugin 'pif'" in selected.output


def test_p_no_name_disables_one_installed_plugin_without_importing_it(installed, tmp_path):
    installed("pif", "import numpy_that_is_not_here\n")
    path = tmp_path / "a.yaml"
    path.write_text(activity_text(""), encoding="utf-8")
    assert CliRunner().invoke(main, [str(path), "--strict-plugins", "--no-config"]).exit_code == 2
    result = CliRunner().invoke(main, [str(path), "--strict-plugins", "--no-config", "-p", "no:pif"])
    assert result.exit_code == 0, result.output
    rows = json.loads(CliRunner().invoke(main, ["plugins", "--format", "json", "-p", "no:pif", "--no-config"]).output)
    assert "pif" not in [row["name"] for row in rows]


@pytest.mark.parametrize(
    "name, message",
    [
        ("pff", "-p no:pff: no installed plugin is named 'pff'; did you mean 'pif'?"),
        ("policycheck.builtin.core", "-p no:policycheck.builtin.core: the built-in plugins cannot be disabled"),
    ],
)
def test_p_no_name_must_name_an_installed_plugin(installed, name, message):
    installed("pif", "import policycheck\n")
    result = CliRunner().invoke(main, ["rules", "-p", f"no:{name}", "--no-config"])
    assert result.exit_code == 2 and message in result.output
