"""Properties of a whole run, over generated activities and random damage to them.

For any document: no traceback, exit code 0 or 1, the same bytes twice, and exit
code 1 exactly when some finding is at `fail` level. Documents are built from the
schema's enums and the reference code lists, then damaged: keys deleted, types
changed, unknown keys inserted, scalars swapped for lists, random unicode, and
raw-text edits (lines dropped or repeated, characters inserted).
"""

from __future__ import annotations

import copy
import json
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policycheck.load import parse
from policycheck.reference import Reference
from policycheck.resources import load_schema
from policycheck.testing import starter

from reliability_support import COMMON, cli, subprocess_cli

SCHEMA = load_schema("activity.schema.json")
DEFS = SCHEMA["$defs"]
REFERENCE = Reference()
COUNTRIES = sorted(REFERENCE["countries"])
CURRENCIES = sorted(REFERENCE["currencies"])
STARTER = parse(starter()).data
RULE_IDS = ["REL004", "THR001", "MSR001", "GOV001", "INT003", "SCH001", "LOAD001", "XYZ999"]

SETTINGS = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,  # the same examples on every run: CI must not flake
    database=None,  # and no .hypothesis/ folder in the work tree
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _enum(*path: str) -> list[str]:
    node: Any = DEFS
    for part in path:
        node = node[part]
    return node["enum"]


words = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=0, max_size=40)
sentences = st.text(alphabet=st.sampled_from("abcdefghij klmnop ,.-ÄéЖ漢"), min_size=1, max_size=80)
iso_dates = st.dates().map(lambda day: day.isoformat())
codes = st.sampled_from(COUNTRIES)


@st.composite
def valid_activities(draw) -> dict:
    """An activity built from the schema's enums, patterns and the reference code lists."""
    doc = copy.deepcopy(STARTER)
    country = draw(codes)
    doc["id"] = draw(st.from_regex(r"\A[A-Z0-9][A-Z0-9._-]{2,20}\Z"))
    doc["title"] = draw(sentences)
    doc["partner"] = {"country": country, "category": draw(st.sampled_from(_enum("partner", "properties", "category")))}
    doc["activity"]["type"] = draw(st.sampled_from(_enum("activity", "properties", "type")))
    doc["activity"]["start"] = draw(iso_dates)
    doc["activity"]["end"] = draw(iso_dates)
    doc["activity"]["budget"] = {
        "amount": draw(st.one_of(st.integers(0, 10**9), st.floats(0, 1e9, allow_nan=False))),
        "currency": draw(st.sampled_from(CURRENCIES)),
    }
    threats = draw(
        st.lists(st.builds(lambda d: {"id": None, "description": d, "source": "NDS"}, sentences), max_size=3)
    )
    for index, threat in enumerate(threats):
        threat["id"] = f"THR-{index + 1}"
    doc["threats"] = threats
    objectives = []
    for index in range(draw(st.integers(1, 3))):
        indicators = [
            {
                "name": draw(sentences),
                "baseline": draw(st.integers(0, 100)),
                "target": draw(st.one_of(st.integers(0, 100), sentences)),
                "unit": "percent",
                "due": draw(iso_dates),
                "data_source": draw(sentences),
            }
            for _ in range(draw(st.integers(0, 2)))
        ]
        objectives.append(
            {
                "id": f"OBJ-{index + 1}",
                "statement": draw(sentences),
                "addresses_threats": draw(
                    st.lists(st.sampled_from([t["id"] for t in threats] or ["THR-9"]), max_size=2, unique=True)
                ),
                "indicators": indicators,
            }
        )
    doc["objectives"] = objectives
    releasability = doc["releasability"]
    releasability["classification"] = draw(st.sampled_from(_enum("releasability", "properties", "classification")))
    releasability["dissemination"] = draw(
        st.lists(
            st.sampled_from(_enum("releasability", "properties", "dissemination", "items")), max_size=2, unique=True
        )
    )
    releasability["rel_to"] = ["USA", *draw(st.lists(codes, max_size=3, unique=True))]
    releasability["technology_transfer"] = [
        {
            "item": draw(sentences),
            "usml_category": draw(st.sampled_from(DEFS["usmlCategory"]["enum"])),
            "disclosure_decision": draw(
                st.sampled_from(_enum("technologyTransferItem", "properties", "disclosure_decision"))
            ),
        }
        for _ in range(draw(st.integers(0, 2)))
    ]
    doc["interoperability"]["systems"] = [
        {
            "name": draw(sentences),
            "origin": draw(codes),
            "quantity": draw(st.integers(0, 500)),
            "sustainment": {key: draw(st.booleans()) for key in ("training", "spare_parts", "maintenance")}
            | {"funded_years": draw(st.integers(0, 10))},
        }
        for _ in range(draw(st.integers(0, 2)))
    ]
    doc["governance"]["human_rights_vetting"] = draw(
        st.sampled_from(_enum("governance", "properties", "human_rights_vetting"))
    )
    doc["waivers"] = [
        {
            "rule": draw(st.sampled_from(RULE_IDS)),
            "justification": draw(sentences),
            "approved_by": "ODC Chief",
            "expires": draw(iso_dates),
        }
        for _ in range(draw(st.integers(0, 2)))
    ]
    return doc


def _paths(node: Any, path: tuple = ()) -> list[tuple]:
    found = [path]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, path + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, path + (index,))
    return found


def _parent(doc: Any, path: tuple) -> Any:
    for part in path[:-1]:
        doc = doc[part]
    return doc


any_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    words,
    st.sampled_from(["NO", "yes", "on", "0755", "1e3", "2027-01-15", "~", ""]),
)
any_value = st.recursive(
    any_scalar,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(words, inner, max_size=3)),
    max_leaves=6,
)


@st.composite
def damaged(draw, doc: dict) -> dict:
    """Up to five random edits: delete a key, change a type, add an unknown key, listify, unicode."""
    doc = copy.deepcopy(doc)
    for _ in range(draw(st.integers(0, 5))):
        path = draw(st.sampled_from(_paths(doc)[1:] or [()]))
        if not path:
            break
        parent, last = _parent(doc, path), path[-1]
        edit = draw(st.sampled_from(["delete", "retype", "unknown-key", "listify", "unicode"]))
        if edit == "delete":
            del parent[last]
        elif edit == "retype":
            parent[last] = draw(any_value)
        elif edit == "unknown-key" and isinstance(parent[last], dict):
            parent[last][draw(words)] = draw(any_value)
        elif edit == "listify":
            parent[last] = [parent[last], draw(any_scalar)]
        elif edit == "unicode":
            parent[last] = draw(words)
    return doc


@st.composite
def raw_damage(draw, text: str) -> str:
    """Line- and character-level edits of the YAML text itself."""
    lines = text.splitlines(keepends=True)
    for _ in range(draw(st.integers(0, 3))):
        if not lines:
            break
        index = draw(st.integers(0, len(lines) - 1))
        edit = draw(st.sampled_from(["drop", "repeat", "insert", "truncate"]))
        if edit == "drop":
            del lines[index]
        elif edit == "repeat":
            lines.insert(index, lines[index])
        elif edit == "insert":
            line = lines[index]
            at = draw(st.integers(0, len(line)))
            lines[index] = (
                line[:at]
                + draw(
                    st.sampled_from(
                        ["\t", ":", "- ", "&a ", "*a", "!!x ", "'", '"', "{", "]", "#", "\ufeff", "\x85", "é"]
                    )
                )
                + line[at:]
            )
        else:
            lines = lines[:index]
    return "".join(lines)


def _dump(doc: dict) -> str:
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=1000)


def _assert_run_properties(text: str) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "activity.yaml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        first = cli(str(path), *COMMON, "--format", "json", "--jobs", "1")
        second = cli(str(path), *COMMON, "--format", "json", "--jobs", "1")
    assert "Traceback" not in first.output, first.output
    assert first.exit_code in (0, 1), first.output
    assert first.stdout == second.stdout and first.exit_code == second.exit_code
    report = json.loads(first.stdout)
    levels = {finding["level"] for entry in report["files"] for finding in entry["findings"]}
    assert first.exit_code == (1 if "fail" in levels else 0), (first.exit_code, levels)
    return report


@SETTINGS
@given(valid_activities())
def test_generated_activities(doc):
    report = _assert_run_properties(_dump(doc))
    rules = {finding["rule"] for entry in report["files"] for finding in entry["findings"]}
    assert not rules & {"LOAD001", "ERR001"}  # a document built from the schema always loads, and no rule crashes on it


@SETTINGS
@given(st.data())
def test_damaged_activities(data):
    doc = data.draw(st.one_of(st.just(STARTER), valid_activities()))
    _assert_run_properties(_dump(data.draw(damaged(doc))))


@SETTINGS
@given(st.data())
def test_damaged_yaml_text(data):
    doc = data.draw(st.one_of(st.just(STARTER), valid_activities()))
    text = data.draw(st.one_of(st.just(starter()), st.just(_dump(doc))))
    _assert_run_properties(data.draw(raw_damage(text)))


def test_output_does_not_depend_on_hash_seed_or_jobs(tmp_path):
    """Set and dict ordering must not leak into the report: two processes, two hash seeds,
    one file at a time against a worker pool (60 files is past parallel.SMALL_RUN)."""
    documents = {
        "clean.yaml": starter(),
        "schema-errors.yaml": _dump(
            {
                **STARTER,
                "partner": {"country": "Albania", "kategory": "x"},
                "x-extra": {"b": 1, "a": [1, "2"]},
                "surprise": 1,
            }
        ),
        "rule-findings.yaml": _dump({**STARTER, "id": "ALB-2027-NDS-02", "threats": [], "governance": {}}),
        "broken.yaml": "id: [\n",
    }
    documents.update(
        {
            f"more-{index:02d}.yaml": starter().replace("ALB-2027-NDS-01", f"ALB-2027-NDS-{index + 10}")
            for index in range(56)
        }
    )
    for name, text in documents.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    runs = [
        subprocess_cli(str(tmp_path), *COMMON, "--format", "json", "--jobs", jobs, env={"PYTHONHASHSEED": seed})
        for seed, jobs in (("1", "1"), ("2024", "2"))
    ]
    for run in runs:
        assert "Traceback" not in run.output and run.exit_code == 1, run.output
    assert runs[0].stdout == runs[1].stdout
    assert len(json.loads(runs[0].stdout)["files"]) == len(documents)
