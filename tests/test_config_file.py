"""Configuration files: reading, validating, and pointing at the line of a setting."""

from __future__ import annotations

from pathlib import Path

import pytest

from policycheck.config import Config, ConfigError
from policycheck.config_file import _toml_line, check, read


def test_toml_line_finder_follows_tables_dotted_keys_and_lists():
    text = (
        '[project]\nname = "select"\n\n'
        '[tool.policycheck]\nselect = ["A", "B",\n  "C"]\nrules.X001.level = "warn"\n\n'
        '[tool.policycheck.per_file_ignores]\n"legacy/*" = ["D"]\n'
    )
    assert _toml_line(text, ("select",)) == 5
    assert _toml_line(text, ("select", 2)) == 6
    assert _toml_line(text, ("rules", "X001", "level")) == 7
    assert _toml_line(text, ("per_file_ignores", "legacy/*", 0)) == 10
    assert _toml_line(text, ("missing",)) is None
    assert _toml_line('[project]\nname = "x"\n', ("select",)) is None


def test_config_without_a_file_has_no_location():
    with pytest.raises(ConfigError, match=r"^configuration: select: no rule matches 'NOPE'"):
        check(Config(select=("NOPE",)), Config(select=("NOPE",)).unknown_rules(["DAT001"]))


def test_config_schema_is_a_valid_schema_and_documents_every_key():
    from jsonschema import Draft202012Validator

    from policycheck.config import ALIASES
    from policycheck.resources import load_schema

    schema = load_schema("config.schema.json")
    Draft202012Validator.check_schema(schema)
    # what the run adds to the file's settings: where they came from, and --no-waivers
    fields = set(Config._fields) - {"source", "root", "origin", "revision", "audit_waivers", "lines"}
    assert set(schema["properties"]) == fields | set(ALIASES)
    assert all(schema["properties"][key].get("description") for key in schema["properties"])


def test_the_readme_configuration_example_is_valid(tmp_path):
    import re

    from policycheck.plugins import load_registry

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    [block] = re.findall(r"```yaml\n(.*?)```", section, re.DOTALL)
    path = tmp_path / ".policycheck.yaml"
    path.write_text(block, encoding="utf-8")
    config = read(path)
    registry = load_registry(entry_points=False)
    check(config, config.unknown_rules(registry.rules))
    check(config, config.bad_parameters(registry.parameter_defaults()))
    assert config.plugins == ("house_rules",) and config.fail_on == "warn"


def test_a_valid_configuration_costs_no_jsonschema_import(tmp_path):
    project = tmp_path
    import subprocess
    import sys

    (project / ".policycheck.yaml").write_text("select: [DAT001]\nrules: {DAT001: {level: warn}}\n", encoding="utf-8")
    code = (
        "import sys\nfrom pathlib import Path\nfrom policycheck.config_file import read\n"
        "read(Path('.policycheck.yaml'))\n"
        "print(sorted(name for name in sys.modules if name.split('.')[0] == 'jsonschema'))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=project, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
    (project / ".policycheck.yaml").write_text("select: [DAT001]\nslect: []\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown key 'slect'"):  # the slow path still explains errors
        read(project / ".policycheck.yaml")
