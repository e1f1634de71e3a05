"""The fast validation path (policycheck.compiled) must never change the SCH001 report."""

import copy
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policycheck.load import decode, parse
from policycheck.reference import Reference
from policycheck.testing import starter
from policycheck.compiled import is_date
from policycheck.validate import SchemaValidator, effective_schema

ROOT = Path(__file__).resolve().parents[1]
REFERENCE_EXAMPLE = ROOT / "examples" / "reference.yaml"
DOCUMENTS = sorted(ROOT.glob("examples/**/*.yaml"))


@pytest.fixture(scope="module")
def validators():
    reference = Reference()
    schema = effective_schema(reference, {})
    return SchemaValidator(schema, reference, fast=True), SchemaValidator(schema, reference, fast=False)


def _load(path: Path):
    return parse(decode(path.read_bytes())).data


STARTER = parse(starter()).data


def test_the_fixed_documents_exist():
    assert len(DOCUMENTS) >= 9 and REFERENCE_EXAMPLE in DOCUMENTS


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_same_findings_on_every_example(validators, path):
    fast, full = validators
    data = _load(path)
    assert fast.violations(data) == full.violations(data)


def test_broken_example_really_takes_the_slow_path(validators):
    fast, full = validators
    data = _load(ROOT / "examples" / "broken" / "typo-in-keys.yaml")
    assert not fast.validator.fast.is_valid(data)
    assert fast.violations(data) == full.violations(data) != []


# Values chosen where a compiled validator could plausibly disagree with jsonschema:
# bool vs int, 1.0 vs 1, huge ints, NaN, non-ASCII digits, trailing newlines, year 0.
TRICKY_VALUES = [
    None,
    True,
    False,
    0,
    1,
    1.0,
    2.5,
    -3,
    2**70,
    float("nan"),
    float("inf"),
    "",
    " ",
    "ALB",
    "alb",
    "ALB\n",
    "USA",
    "XXX",
    "NATO",
    "FVEY",
    "USD",
    "usd",
    "EUR\n",
    "2026-01-01",
    "0000-01-01",
    "2026-02-30",
    "2024-02-29",
    "2026-1-1",
    "2026-01-01\n",
    "\u0662\u0660\u0662\u0666-\u0660\u0661-\u0660\u0661",
    "advisory",
    "training",
    "most-capable",
    "activity/v1",
    "activity/v2",
    "THR-1",
    "OBJ-1",
    "SCH001",
    "REL002",
    "x",
    "A" * 300,
    [],
    {},
    [1, 1.0],
    ["ALB", "ALB"],
]
TRICKY = st.one_of(
    st.sampled_from(TRICKY_VALUES),
    st.text(max_size=12),
    st.integers(),
    st.floats(),
    st.lists(st.sampled_from(["ALB", "USA", "THR-1", 1, None]), max_size=3),
    st.dictionaries(
        st.sampled_from(["id", "name", "x-note", "bogus", "country"]), st.sampled_from(["ALB", 1, None, []]), max_size=2
    ),
)


def _paths(data, prefix=()):
    yield prefix
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _paths(value, prefix + (key,))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _paths(value, prefix + (index,))


PATHS = [path for path in _paths(STARTER) if path]


def _mutate(document, path, action, value):
    document = copy.deepcopy(document)
    *parents, last = path
    target = document
    for part in parents:
        target = target[part]
    if action == "replace":
        target[last] = value
    elif action == "delete":
        del target[last]
    elif action == "add" and isinstance(target[last], dict):
        target[last][value if isinstance(value, str) else "extra"] = value
    elif action == "add" and isinstance(target[last], list):
        target[last].append(value)
    return document


SCALARS = [value for value in TRICKY_VALUES if not isinstance(value, (list, dict))]


def _never_looser(fast, full, document) -> bool:
    """The one way the fast path could change the report: calling an invalid document valid."""
    said_valid = fast.validator.fast.is_valid(document)
    return not said_valid or not any(True for _ in full.validator.full.iter_errors(document))


def test_never_looser_for_every_tricky_value_at_every_path(validators):
    fast, full = validators
    looser = [
        (path, value)
        for path in PATHS
        for value in SCALARS
        if not _never_looser(fast, full, _mutate(STARTER, path, "replace", value))
    ]
    assert looser == []


MUTATION = st.tuples(st.sampled_from(PATHS), st.sampled_from(["replace", "delete", "add"]), TRICKY)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mutations=st.lists(MUTATION, min_size=1, max_size=3))
def test_same_findings_on_mutated_documents(validators, mutations):
    fast, full = validators
    document = STARTER
    for path, action, value in mutations:
        try:
            document = _mutate(document, path, action, value)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed or reshaped this path
    expected = full.violations(document)
    assert fast.violations(document) == expected
    assert _never_looser(fast, full, document)


@pytest.mark.parametrize(
    "value, valid",
    [
        ("2024-02-29", True),
        ("2023-02-29", False),
        ("0000-01-01", False),
        ("2024-1-01", False),
        ("2024-01-01\n", False),
        ("\u0662\u0660\u0662\u0664-01-01", False),
    ],
)
def test_is_date_matches_jsonschema(value, valid):
    from jsonschema import FormatChecker

    assert is_date(value) is valid
    assert FormatChecker(formats=("date",)).conforms(value, "date") is valid


def _explained(validator, errors):
    return sorted(
        (violation for error in errors for violation in validator._explain(error)),
        key=lambda v: (tuple(map(str, v.path)), v.message),
    )


def test_common_errors_say_what_jsonschema_says_at_every_path(validators):
    """Every deletion and every tricky value at every path of the starter: where common_errors answers
    (most of them), its violations are jsonschema's; it must answer the usual mistakes itself."""
    from policycheck.validate import _Rare, common_errors

    fast, full = validators
    answered = 0
    for path in PATHS:
        for action, value in [("delete", None), *(("replace", value) for value in SCALARS)]:
            document = _mutate(STARTER, path, action, value)
            try:
                errors = common_errors(fast.schema, document)
            except _Rare:
                continue
            answered += 1
            assert _explained(fast, errors) == _explained(full, full.validator.full.iter_errors(document)), path
    assert answered > len(PATHS)


def test_a_file_with_common_schema_errors_is_checked_without_jsonschema(tmp_path):
    import subprocess
    import sys

    document = tmp_path / "typo.yaml"
    document.write_text(starter().replace("\ntitle:", "\ntitel:", 1), encoding="utf-8")
    code = (
        "import sys; from policycheck.main import main\n"
        "try:\n    main([sys.argv[1], '--no-config'])\n"
        "except SystemExit:\n    pass\n"
        "print('jsonschema' in sys.modules)\n"
    )
    environment = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    for _ in range(2):  # the first run fills the cache (packs, validators), as a user's first run does
        result = subprocess.run(
            [sys.executable, "-c", code, str(document)], capture_output=True, text=True, cwd=tmp_path, env=environment
        )
    assert "SCH001" in result.stdout and "unknown key 'titel'" in result.stdout, result.stdout + result.stderr
    assert result.stdout.strip().endswith("False"), result.stdout
