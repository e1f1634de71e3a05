"""The input is never modified, document content never runs, and rules cannot change it."""

from __future__ import annotations

import hashlib
import json
import os
from datetime import date
from pathlib import Path

import pytest
import yaml

from policycheck.config import Config
from policycheck.policy import Policy

from reliability_support import COMMON, activity, assert_clean_failure, cli


def _formats() -> list[str]:
    return sorted(Policy(Config(), date(2027, 1, 1), entry_points=False).registry().formats)


def _fingerprint(paths: list[Path]) -> dict[str, tuple]:
    """Content hash, mtime, ctime (changes on any chmod or write) and mode of each file."""
    prints = {}
    for path in paths:
        info = path.stat()
        prints[str(path)] = (
            hashlib.sha256(path.read_bytes()).hexdigest(),
            info.st_mtime_ns,
            info.st_ctime_ns,
            info.st_mode,
            info.st_size,
        )
    return prints


@pytest.fixture
def inputs(tmp_path) -> list[Path]:
    """A clean file, a failing one, one with a waiver, an unloadable one, and a configuration."""
    folder = tmp_path / "in"
    folder.mkdir()
    files = {
        "clean.yaml": activity(),
        "failing.yaml": activity(("country: ALB", "country: Albania"), ("ALB-2027-NDS-01", "ALB-2027-NDS-02")),
        "waived.yaml": activity(
            ("ALB-2027-NDS-01", "ALB-2027-NDS-03"),
            ("rel_to: [USA, ALB]", "rel_to: [USA]"),
            (
                "waivers: []",
                "waivers:\n  - "
                "{rule: REL004, justification: Briefed later, approved_by: ODC Chief, expires: '2027-06-01'}",
            ),
        ),
        "broken.yaml": "schema: activity/v1\nid: [unclosed\n",
        "../config.yaml": "fail_on: warn\n",
    }
    paths = []
    for name, text in files.items():
        path = (folder / name).resolve()
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    # back-date them so a rewrite within the same clock tick would still show
    for path in paths:
        os.utime(path, ns=(1_600_000_000_000_000_000, 1_600_000_000_000_000_000))
    return paths


@pytest.mark.parametrize("output_format", _formats())
def test_no_input_changes_with_any_format(inputs, tmp_path, output_format):
    before = _fingerprint(inputs)
    documents = [str(path) for path in inputs if path.name != "config.yaml"]
    config = str(inputs[-1])
    to_stdout = cli(*documents, "--format", output_format, "--config", config, "--no-plugins", "--today", "2027-01-01")
    to_file = cli(
        *documents,
        "--format",
        output_format,
        "--output",
        str(tmp_path / f"report.{output_format}"),
        "--config",
        config,
        "--no-plugins",
        "--today",
        "2027-01-01",
    )
    for run in (to_stdout, to_file):
        assert_clean_failure(run, 1)
    assert (tmp_path / f"report.{output_format}").stat().st_size > 0
    assert _fingerprint(inputs) == before


def test_no_input_changes_with_every_format_at_once_and_a_directory(inputs, tmp_path):
    before = _fingerprint(inputs)
    args = [
        str(inputs[0].parent),
        "--config",
        str(inputs[-1]),
        "--no-plugins",
        "--today",
        "2027-01-01",
        "--format",
        "text",
    ]
    for name in _formats():
        if name != "text":
            args += ["--format", name, "--output", str(tmp_path / f"all.{name}")]
    run = cli(*args)
    assert_clean_failure(run, 1, "broken.yaml:3:1 FAIL LOAD001 YAML syntax error")
    assert _fingerprint(inputs) == before


# --- document content never runs ---------------------------------------------------------


@pytest.mark.parametrize(
    "tagged",
    [
        "!!python/object/apply:os.system ['touch {marker}']",
        "!!python/object/new:os.system ['touch {marker}']",
        "!!python/object/apply:subprocess.check_call [['touch', '{marker}']]",
    ],
)
def test_python_tags_never_execute(tmp_path, tagged):
    marker = tmp_path / "EXECUTED"
    text = activity(("title: Advisory", f"x-payload: {tagged.format(marker=marker)}\ntitle: Advisory"))
    # the payload is real: PyYAML's unsafe loader runs it
    yaml.unsafe_load(text)
    assert marker.exists()
    marker.unlink()

    path = tmp_path / "payload.yaml"
    path.write_text(text, encoding="utf-8")
    run = cli(str(path), *COMMON)
    assert_clean_failure(run, 1, f"{path}:7:12 FAIL LOAD001 the tag 'tag:yaml.org,2002:python/object/")
    assert not marker.exists()


def test_python_name_tag_is_refused(tmp_path):
    path = tmp_path / "name.yaml"
    path.write_text("schema: !!python/name:os.system\n", encoding="utf-8")
    assert_clean_failure(
        cli(str(path), *COMMON), 1, f"{path}:1:9 FAIL LOAD001", "python/name:os.system' is not allowed"
    )


# --- rules get a read-only view ------------------------------------------------------------


def test_a_rule_that_mutates_the_activity_gets_err001_and_the_others_still_run(tmp_path):
    path = tmp_path / "clean.yaml"
    path.write_text(activity(), encoding="utf-8")
    before = _fingerprint([path])
    run = cli(str(path), "-p", "mutating_plugin", *COMMON, "--format", "json")
    assert run.exit_code == 3, run.output
    assert "Traceback" not in run.output
    [result] = json.loads(run.stdout)["files"]
    errors = {f["message"].split(":")[0]: f["message"] for f in result["findings"] if f["rule"] == "ERR001"}
    assert sorted(errors) == [
        "rule RLB911 crashed",
        "rule RLB912 crashed",
        "rule RLB913 crashed",
        "rule RLB914 crashed",
    ]
    assert "does not support item assignment" in errors["rule RLB911 crashed"]
    assert "'tuple' object has no attribute 'append'" in errors["rule RLB912 crashed"]
    assert "the activity is read-only (cannot set 'data')" in errors["rule RLB913 crashed"]
    assert "does not support item deletion" in errors["rule RLB914 crashed"]
    # the rule that ran after them saw the document as written
    [seen] = [f for f in result["findings"] if f["rule"] == "RLB919"]
    assert (
        seen["message"]
        == "saw id ALB-2027-NDS-01 with organizations: Ministry of Defense, General Staff of the Albanian Armed Forces"
    )
    # and every built-in rule ran to the same result as in a run without the plugin
    [alone] = json.loads(cli(str(path), *COMMON, "--format", "json").stdout)["files"]
    assert {rule: status for rule, status in result["rules"].items() if not rule.startswith(("RLB", "ERR"))} == {
        rule: status for rule, status in alone["rules"].items() if rule != "ERR001"
    }
    assert {result["rules"][rule] for rule in ("RLB911", "RLB912", "RLB913", "RLB914")} == {"error"}
    assert _fingerprint([path]) == before


def test_activity_view_refuses_changes_directly():
    from policycheck.activity import Activity

    data = {"id": "A-1", "partner": {"organizations": ["MoD"]}}
    view = Activity("f.yaml", data, {("id",): (1, 1)})
    with pytest.raises(TypeError):
        view.data["id"] = "x"  # type: ignore[index]
    with pytest.raises(AttributeError):
        view.data["partner"]["organizations"].append("x")
    with pytest.raises(AttributeError):
        view.file = "other.yaml"
    with pytest.raises(TypeError):
        view._positions[("id",)] = (9, 9)  # type: ignore[index]
    assert data == {"id": "A-1", "partner": {"organizations": ["MoD"]}}
    assert view.position("/id") == (1, 1)


def test_a_report_aimed_at_an_input_is_refused(inputs, tmp_path):
    before = _fingerprint(inputs)
    clean = inputs[0]
    via_other_name = tmp_path / "in" / ".." / "in" / clean.name
    for target in (str(clean), str(via_other_name)):
        run = cli(str(clean.parent), *COMMON, "--format", "json", "--output", target)
        assert_clean_failure(run, 2, f"--output {target} is one of the files being read")
    run = cli(str(clean.parent), *COMMON, "--write-baseline", str(clean))
    assert_clean_failure(run, 2, f"--write-baseline {clean} is one of the files being read")
    assert _fingerprint(inputs) == before
