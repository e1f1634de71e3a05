"""Test helpers for rule authors: "this YAML snippet raises exactly these findings".

A snippet is merged over a clean starter activity (the one `policycheck init`
writes), so a test states only what it changes: mappings merge key by key,
lists and scalars replace, and a key set to null is removed. A snippet that is
not a YAML mapping is checked as it is. The starter is an activity/v2 document;
`base="activity/v1"` merges over the v1 starter instead, to test what a v1
document gets.

The merged document is written out again as YAML, so a finding's line and
column are those of `activity_text(snippet)`, not of the snippet: print it to
see them, or assert on `pointer`, which does not move. Checks run through the
same engine as the command line, so a rule that yields something a run would
reject (a bad level, a value that is not a Violation) is an ERR001 here too.
Tests import the installed policycheck and load the plugin by module name:
install your package (`pip install -e .`) before running them.

    from policycheck.testing import assert_findings

    def test_objective_without_threat():
        assert_findings("objectives: [{id: O1, statement: Train pilots}]",
                        ["THR002"], select=["THR002"])
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from importlib import resources
from typing import Any

import yaml

from .config import Config, ConfigError, from_mapping
from .config_file import check as check_config
from .discover import Source
from .engine import Engine
from .findings import Finding
from .finish import finish
from .load import LoadError, decode, parse
from .parallel import check_sources
from .policy import Policy
from .rule import Rule

__all__ = [
    "ConfigError",
    "TODAY",
    "activity_text",
    "assert_examples",
    "assert_findings",
    "check",
    "check_portfolio",
    "example_files",
    "rule_ids",
    "starter",
]

TODAY = date(2027, 1, 1)


# the starter of each format version; `policycheck init` writes the latest (issue 18)
STARTERS = {"activity/v2": "templates/starter.yaml", "activity/v1": "templates/starter-v1.yaml"}


def starter(version: str = "activity/v2") -> str:
    """The text of the clean starter activity (the activity/v2 one `policycheck init` writes, or activity/v1)."""
    return resources.files("policycheck").joinpath(STARTERS[version]).read_text(encoding="utf-8")


def _merge(base: Any, overlay: Any) -> Any:
    if not isinstance(base, dict) or not isinstance(overlay, dict):
        return overlay
    merged = dict(base)
    for key, value in overlay.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = _merge(base.get(key), value)
    return merged


def activity_text(snippet: str, base: bool | str = True) -> str:
    """The YAML document a snippet stands for: merged over the starter when `base` is true, over the
    starter of that version when it names one (`"activity/v1"`), and the snippet as it is when false."""
    if not base:
        return snippet
    try:
        overlay = parse(decode(snippet.encode("utf-8"))).data if snippet.strip() else {}
    except LoadError:
        return snippet
    if not isinstance(overlay, dict):
        return snippet
    merged = _merge(parse(starter(base) if isinstance(base, str) else starter()).data, overlay)
    return yaml.safe_dump(merged, sort_keys=False, allow_unicode=True, width=1000)


_ENGINES: dict[str, Engine] = {}


def _engine(policy: Policy) -> Engine:
    # building the registry imports plugins and reads reference data: once per distinct setup
    key = repr(policy)
    if key not in _ENGINES:
        engine = Engine.from_policy(policy)
        # a misspelt selector would select nothing and make an "expect no findings" test pass vacuously
        registry, settings = engine.registry, policy.config
        check_config(settings, settings.unknown_rules(registry.rules))
        check_config(settings, settings.bad_parameters(registry.parameter_defaults(), registry.parameter_specs()))
        _ENGINES[key] = engine
    return _ENGINES[key]


def _setup(select: Iterable[str], plugins: Iterable[str], config: Mapping[str, Any] | None, today: date) -> Engine:
    settings: Config = from_mapping(dict(config or {}))
    if select:
        settings = settings._replace(select=tuple(select))
    return _engine(Policy(config=settings, today=today, plugin_modules=tuple(plugins), entry_points=False))


def check(
    snippet: str,
    *,
    select: Iterable[str] = (),
    plugins: Iterable[str] = (),
    config: Mapping[str, Any] | None = None,
    today: date = TODAY,
    base: bool | str = True,
    file: str = "activity.yaml",
    tracebacks: bool = False,
) -> list[Finding]:
    """Run the checks on one snippet and return its findings, sorted.

    `plugins` are module names to load (as with `-p`); entry points are not
    loaded, so a test sees exactly the built-ins plus what it names. `config`
    is a configuration mapping as in `.policycheck.yaml`. A selector, rule id
    or parameter that matches no rule (or a parameter value outside its
    `choices`) raises `ConfigError`, as the CLI would. `base=False` checks the
    snippet as it is. With `tracebacks`, an ERR001 keeps its `traceback`, as
    with `--show-tracebacks`. `file` is the name findings carry.
    """
    return check_portfolio(
        {file: snippet}, select=select, plugins=plugins, config=config, today=today, base=base, tracebacks=tracebacks
    )


def check_portfolio(
    files: Mapping[str, str],
    *,
    select: Iterable[str] = (),
    plugins: Iterable[str] = (),
    config: Mapping[str, Any] | None = None,
    today: date = TODAY,
    base: bool | str = True,
    tracebacks: bool = False,
) -> list[Finding]:
    """Check several snippets as one run, so portfolio rules see them all.

    `files` maps a file name to its snippet (each merged over the starter, so
    give each its own `id`). Returns the findings of every file, sorted by
    file, line and rule; options are those of `check`.
    """
    engine = _setup(select, plugins, config, today)
    sources = [Source(name, activity_text(snippet, base).encode("utf-8")) for name, snippet in files.items()]
    finished = finish(engine, check_sources(engine, sources, jobs=1), tracebacks=tracebacks)
    return sorted((finding for result in finished.results for finding in result.findings), key=Finding.sort_key)


def rule_ids(findings: Iterable[Finding]) -> list[str]:
    """The rule ids of findings, sorted, with repeats (a multiset as a list)."""
    return sorted(finding.rule_id for finding in findings)


def _detail(findings: Iterable[Finding]) -> str:
    """Findings as an assertion lists them, with a crashed rule's traceback: what the author needs to fix it."""
    lines = []
    for f in findings:
        lines.append(f"  {f.line}:{f.column} {f.level} {f.rule_id} {f.message}")
        lines.extend(f"      {line}" for line in (f.traceback or "").splitlines())
    return "\n".join(lines) or "  (none)"


def _without_tracebacks(findings: list[Finding]) -> list[Finding]:
    return [finding._replace(traceback=None) if finding.traceback else finding for finding in findings]


def assert_findings(snippet: str, expected: Iterable[str], **options: Any) -> list[Finding]:
    """Assert that `snippet` raises exactly the rule ids `expected` (with repeats).

    Options are those of `check`. On failure the message lists every finding
    with its line, column, level and message, and a crashed rule's traceback.
    Returns the findings, for further asserts (`finding.pointer`, `.level`...).
    """
    keep = options.pop("tracebacks", False)
    findings = check(snippet, tracebacks=True, **options)
    got, want = rule_ids(findings), sorted(expected)
    if got != want:
        raise AssertionError(f"expected findings {want}, got {got}:\n{_detail(findings)}")
    return findings if keep else _without_tracebacks(findings)


def example_files(rule: Rule, snippet: str) -> dict[str, str]:
    """The files one of a rule's examples stands for, name -> snippet (each merged over the
    starter). A portfolio rule's example may map file names to snippets (`a.yaml: {id: X-1}`),
    to be checked as one run; any other snippet is one file."""
    if rule.kind == "portfolio":
        try:
            files = parse(decode(snippet.encode("utf-8"))).data
        except LoadError:
            files = None
        # keys that all name YAML files: a portfolio; anything else is one activity's snippet
        if isinstance(files, dict) and files and all(str(name).endswith((".yaml", ".yml")) for name in files):
            return {
                name: yaml.safe_dump(body or {}, sort_keys=False, allow_unicode=True) for name, body in files.items()
            }
    return {"activity.yaml": snippet}


def assert_examples(
    rule_id: str,
    *,
    plugins: Iterable[str] = (),
    config: Mapping[str, Any] | None = None,
    today: date = TODAY,
) -> None:
    """Assert that a rule's own `fails` example raises it and its `passes` example raises nothing.

    These are the snippets `policycheck explain` prints, so this keeps the
    documentation honest. Only `rule_id` (and the always-on LOAD001, SCH001,
    ERR001) run. A portfolio rule's examples map file names to snippets and
    are checked as one run.
    """
    options = {"select": [rule_id], "plugins": plugins, "config": config, "today": today}
    rule = _setup(**options).registry.rules.get(rule_id)
    if rule is None:
        raise AssertionError(f"no rule {rule_id} is registered; give its plugin module in plugins=")
    if not rule.fails or not rule.passes:
        raise AssertionError(f"{rule_id} needs both a `fails` and a `passes` example")
    failing = check_portfolio(example_files(rule, rule.fails), tracebacks=True, **options)
    if rule_id not in rule_ids(failing) or {"LOAD001", "SCH001", "ERR001"} & set(rule_ids(failing)):
        raise AssertionError(
            f"{rule_id}'s `fails` example must raise {rule_id} and be a valid activity, got:\n{_detail(failing)}"
        )
    passing = check_portfolio(example_files(rule, rule.passes), tracebacks=True, **options)
    if passing:
        raise AssertionError(f"{rule_id}'s `passes` example must raise nothing, got:\n{_detail(passing)}")
