"""The rule abstraction every plugin uses, built-in or third-party.

A rule is data (id, title, family, level, rationale, source, parameters, examples)
plus a check. A document rule's check receives a read-only `Activity` and a
`RuleContext` and yields `Violation`s. A portfolio rule is map/reduce: `collect`
runs on each activity (in worker processes) and returns a small picklable value,
`check` sees all collected values at the end and yields violations naming a file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple, NoReturn

if TYPE_CHECKING:
    from .activity import Activity
    from .reference import Reference

LEVELS = ("fail", "warn")
RULE_ID = re.compile(r"^[A-Z]{2,5}[0-9]{3}$")
KINDS = ("document", "portfolio", "stage")


class Violation(NamedTuple):
    """What a check yields: where (a JSON-pointer path) and what to do about it.

    `path` is a tuple of keys and indexes (`("objectives", 0, "indicators")`) or a
    JSON pointer string. `level` overrides the rule's level for this one finding
    (e.g. REL002 is `fail` only for some partners). Portfolio rules also name the
    `file` the violation belongs to, and may give `line`/`column` they collected.
    """

    path: tuple | str = ()
    message: str = ""
    hint: str | None = None
    level: str | None = None
    file: str | None = None
    line: int | None = None
    column: int | None = None


class Skip(Exception):
    """Raised (through `skip()`) by a check when the rule does not apply."""


def skip(reason: str = "not applicable") -> NoReturn:
    """Mark the rule as `skip` for this activity, like `pytest.skip()`."""
    raise Skip(reason)


class RuleContext(NamedTuple):
    """What a check receives besides the activity.

    `params`: the rule's parameters, defaults merged with configuration.
    `reference`: reference data (countries, tetragraphs, vague verbs, ...).
    `today`: the date waivers and deadlines are judged against (`--today`).
    """

    params: Mapping[str, Any]
    reference: "Reference"
    today: date


class Collected(NamedTuple):
    """One activity's contribution to a portfolio rule."""

    file: str
    activity_id: str | None
    value: Any


class Rule:
    """A registered rule, read-only once built. Build one with `@rule` or `@portfolio_rule`.

    `description` is one or two sentences saying exactly when the rule fires, in
    the words of a reviewer (`policycheck explain` prints it; the title stands in
    when it is empty). `fails` and `passes` are YAML snippets that `policycheck explain` prints and
    the test suite runs: the first must raise this rule, the second must not.
    `kind` is `document`, `portfolio`, or `stage` (core findings such as LOAD001
    that a pipeline stage produces; declared here so they can be configured and
    explained like any rule). `waiver_authority` names the offices that alone may
    grant an exception to the rule, when the law gives it to one (GOV005: the
    Secretaries of State and Defense); a waiver must then name one in `authority`.
    """

    # The pipeline's records are NamedTuples or slotted classes, not dataclasses:
    # generating dataclass methods at import was a sixth of a cold start (issue 8).
    __slots__ = ("id", "title", "family", "level", "rationale", "source", "check", "collect",
                 "parameters", "fails", "passes", "kind", "help_uri", "description", "waiver_authority")  # fmt: skip

    def __init__(
        self,
        id: str,
        title: str,
        family: str,
        level: str,
        rationale: str,
        source: str,
        check: Callable[..., Iterable[Violation]] | None = None,
        collect: Callable[["Activity", RuleContext], Any] | None = None,
        parameters: Mapping[str, Any] | None = None,
        fails: str = "",
        passes: str = "",
        kind: str = "document",
        help_uri: str | None = None,
        description: str = "",
        waiver_authority: Sequence[str] = (),
    ) -> None:
        if not isinstance(id, str) or not RULE_ID.match(id):
            raise ValueError(f"rule id {id!r} must be 2-5 capitals and 3 digits, like THR001")
        if level not in LEVELS:
            raise ValueError(f"rule {id}: level must be one of {LEVELS}, not {level!r}")
        if kind not in KINDS:
            raise ValueError(f"rule {id}: kind must be one of {KINDS}")
        if kind == "document" and check is None:
            raise ValueError(f"rule {id}: a document rule needs a check")
        if kind == "portfolio" and (check is None or collect is None):
            raise ValueError(f"rule {id}: a portfolio rule needs collect and check")
        self.id, self.title, self.family, self.level = id, title, family, level
        self.rationale, self.source, self.check, self.collect = rationale, source, check, collect
        self.parameters: Mapping[str, Any] = MappingProxyType(dict(parameters or {}))
        self.fails, self.passes, self.kind = fails, passes, kind
        self.help_uri, self.description = help_uri, description
        self.waiver_authority: tuple[str, ...] = tuple(waiver_authority)

    def __repr__(self) -> str:
        return f"Rule(id={self.id!r}, kind={self.kind!r}, level={self.level!r})"


def rules_in(namespace: Mapping[str, Any]) -> list[Rule]:
    """Every `Rule` defined in a module, in the order defined: `return rules_in(globals())`
    in a `policycheck_rules` hook registers a module's rules with no list to keep."""
    return [value for value in namespace.values() if isinstance(value, Rule)]


def _decorator(kind: str, meta: dict[str, Any]) -> Callable:
    """The decorator `rule`/`portfolio_rule` return; `meta` is their keyword arguments."""
    meta = {**meta, "parameters": meta["parameters"] or {}}

    def wrap(fn: Callable) -> Rule:
        return Rule(check=fn, kind=kind, **meta)

    return wrap


def rule(
    *,
    id: str,
    title: str,
    family: str,
    level: str,
    rationale: str,
    source: str,
    parameters: Mapping[str, Any] | None = None,
    fails: str = "",
    passes: str = "",
    help_uri: str | None = None,
    description: str = "",
    waiver_authority: Sequence[str] = (),
) -> Callable[[Callable[["Activity", RuleContext], Iterable[Violation]]], Rule]:
    """Turn `check(activity, ctx) -> Iterable[Violation]` into a `Rule`."""
    # the signature above is spelled out for plugin authors' editors; forward it whole
    return _decorator("document", locals())


def portfolio_rule(
    *,
    id: str,
    title: str,
    family: str,
    level: str,
    rationale: str,
    source: str,
    collect: Callable[["Activity", RuleContext], Any],
    parameters: Mapping[str, Any] | None = None,
    fails: str = "",
    passes: str = "",
    help_uri: str | None = None,
    description: str = "",
    waiver_authority: Sequence[str] = (),
) -> Callable[[Callable[[Sequence[Collected], RuleContext], Iterable[Violation]]], Rule]:
    """Turn `check(collected, ctx)` into a portfolio `Rule`; `collect` runs per activity."""
    return _decorator("portfolio", locals())
