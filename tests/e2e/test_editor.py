"""Editor support: `init` writes the yaml-language-server modeline and the schema it names;
`schema --output` writes a schema the starter validates against."""

from __future__ import annotations

import json
import re

from click.testing import CliRunner

from policycheck.cli import main

MODELINE = re.compile(r"^# yaml-language-server: \$schema=(?P<schema>\S+)$")


def validator_for(path):
    from jsonschema import Draft202012Validator, FormatChecker

    schema = json.loads(path.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FormatChecker())


def test_init_writes_the_modeline_and_the_schema_it_points_to(tmp_path):
    target = tmp_path / "proposals" / "new.yaml"
    target.parent.mkdir()
    result = CliRunner().invoke(main, ["init", str(target)])
    assert result.exit_code == 0, result.output
    text = target.read_text(encoding="utf-8")
    match = MODELINE.match(text.splitlines()[0])
    assert match, "the first line must be the yaml-language-server modeline"
    schema_path = target.parent / match["schema"]  # relative to the activity file, as the language server resolves it
    assert schema_path.is_file()

    import yaml

    document = yaml.safe_load(text)
    errors = list(validator_for(schema_path).iter_errors(document))
    assert not errors, [error.message for error in errors]
    checked = CliRunner().invoke(main, ["check", str(target), "--no-plugins", "--no-config"])
    assert checked.exit_code == 0, checked.output


def test_schema_output_validates_the_starter_and_rejects_a_broken_one(tmp_path):
    import yaml

    from policycheck.testing import starter

    out = tmp_path / "activity.schema.json"
    result = CliRunner().invoke(main, ["schema", "--output", str(out), "--no-plugins", "--no-config"])
    assert result.exit_code == 0, result.output
    validator = validator_for(out)
    document = yaml.safe_load(starter())
    assert not list(validator.iter_errors(document))
    document["partner"]["country"] = "Albania"
    document["sumary"] = document.pop("summary")
    assert len(list(validator.iter_errors(document))) >= 2
