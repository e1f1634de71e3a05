"""The rule abstraction every plugin uses, built-in or third-party.

A rule is data (id, title, family, level, rationale, source, parameters, examples)
plus a check. A document rule's check receives a read-only `Activity` and a
`RuleContext` and yields `Violation`s. A portfolio rule is map/reduce: `collect`
runs on each activity (in worker processes) and returns a small picklable value,
`check` sees all collected values at the end and yields violations naming a file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from types import MappingProxyType

from .records import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, NoReturn
    from .activity import Activity
    from .reference import Reference

# `info` is advice: shown in every format, counted, never gating and never changing the exit code
LEVELS = ("fail", "warn", "info")
KINDS = ("document", "portfolio", "stage")
# what a rule declares of its fixes, for `explain` and the catalogue
FIXABILITY = ("safe", "unsafe", "safe or unsafe")


_CAPITALS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _is_rule_id(text: str) -> bool:
    """^[A-Z]{2,5}[0-9]{3}$ as re.match judged it (its $ took a final line break too), without compiling
    a regex each start (0.4 M instructions)."""
    core = text[:-1] if text[-1:] == "\n" else text
    return 5 <= len(core) <= 8 and not core[:-3].strip(_CAPITALS) and not core[-3:].strip("0123456789")


class Edit(Record):
    """One change of a `Fix`, addressed like a `Violation.path` (a JSON pointer or a tuple of keys and indexes).

    Build one with `Edit.set`, `Edit.insert`, `Edit.remove`, `Edit.reorder` or `Edit.rename`.
    The edits of a fix apply one after another, as a JSON Patch's do.
    """

    op: str
    path: tuple | str
    value: Any = None

    @classmethod
    def set(cls, path: tuple | str, value: Any) -> "Edit":
        """Replace the value at `path`, or add the key when the mapping has none (at the mapping's end)."""
        return cls("set", path, value)

    @classmethod
    def insert(cls, path: tuple | str, value: Any) -> "Edit":
        """Insert `value` into a list: `path` ends with the index it takes, or `-` for the end."""
        return cls("insert", path, value)

    @classmethod
    def remove(cls, path: tuple | str) -> "Edit":
        """Remove the key or list item at `path`."""
        return cls("remove", path)

    @classmethod
    def reorder(cls, path: tuple | str, order: Sequence[int]) -> "Edit":
        """Put the list at `path` in a new order: `order` lists its old indexes, in their new places."""
        return cls("reorder", path, tuple(order))

    @classmethod
    def rename(cls, path: tuple | str, key: str) -> "Edit":
        """Rename the key at `path` to `key`, keeping its value and its place."""
        return cls("rename", path, key)


EDIT_OPS = ("set", "insert", "remove", "reorder", "rename")


class Fix(Record):
    """A fix a rule attaches to a violation: `Violation(..., fix=Fix("Put USA first", (Edit.reorder(...),), True))`.

    `title` says what it does (the editor's quick-fix title, `--diff`'s summary); `edits` are
    its `Edit`s, applied in order. `safe` fixes only put right what the finding says, keeping
    the document's meaning: `policycheck --fix` applies them. An unsafe one is a judgment
    call (dropping NOFORN) applied only with `--unsafe-fixes`. policycheck writes each fix
    as a text edit at the nodes it names, every other byte kept; a fix whose edits do not
    apply to the document (a path that names nothing, a reorder that is no permutation) is
    an ERR001 finding of its rule.
    """

    title: str
    edits: tuple[Edit, ...]
    safe: bool = False


class Violation(Record):
    """What a check yields: where (a path into the document) and what to do about it.

    `path` is a tuple of keys and indexes (`("objectives", 0, "indicators")`) or a
    JSON pointer string (`"/objectives/0/indicators"`); the finding takes its line and
    column from the node there, or from its nearest ancestor in the file. `message`
    says what is wrong and what to do; `hint` (optional) is printed in brackets after
    it. `level` (`fail`, `warn` or `info`) overrides the rule's level for this one
    finding (REL002 is `fail` only for some partners); None keeps the rule's.
    Configuration's `level:` for the rule wins over both. A portfolio rule's
    violations name the `file` they belong to (a `Collected.file`) and may give the
    `line`/`column` collected there; a document rule leaves these None. `fix` (optional)
    is a `Fix` that puts the violation right (`policycheck --fix`, the editor's quick fix).
    """

    path: tuple | str = ()
    message: str = ""
    hint: str | None = None
    level: str | None = None
    file: str | None = None
    line: int | None = None
    column: int | None = None
    fix: Fix | None = None


class Param(Record):
    """A rule parameter's declaration: `parameters={"activity_types": Param(default=[...], ...)}`.

    `default` is the value a check gets when configuration sets none; its type is the
    type configuration must give (a count whose default is 3 takes only whole numbers of
    0 or more). `description` says what it changes, for `policycheck explain`.
    `choices`, when given, are the values it may take: for a list default, the values its
    items may take. A configured value outside them is a configuration error naming the
    file and line. A plain value (`parameters={"limit": 3}`) is `Param(3)`.
    """

    default: Any
    description: str = ""
    choices: tuple | None = None

    def problem(self, value: Any) -> str | None:
        """Why `value` is not among the `choices`, or None (no choices, or every value allowed)."""
        if self.choices is None:
            return None
        values = value if isinstance(value, (list, tuple)) else [value]
        outside = [item for item in values if item not in self.choices]
        if not outside:
            return None
        return f"{outside[0]!r} is not one of: {', '.join(map(str, self.choices))}"


def _param(rule_id: str, name: str, value: Any) -> Param:
    spec = value if isinstance(value, Param) else Param(value)
    if spec.choices is not None:
        if isinstance(spec.choices, (str, bytes)) or not isinstance(spec.choices, (list, tuple, set, frozenset)):
            raise ValueError(f"rule {rule_id}: parameter '{name}': choices must be a list of values")
        spec = spec._replace(choices=tuple(spec.choices))
        problem = spec.problem(spec.default)
        if problem:
            raise ValueError(f"rule {rule_id}: parameter '{name}': the default {problem}")
    return spec


def code_origin(check: Callable | None) -> tuple[str, int] | None:
    """(file, line) where a check is defined (the line of its decorator): where ERR001 points for it."""
    import inspect  # 10 ms: only for a crash's place

    try:
        check = inspect.unwrap(check) if check is not None else None  # through functools.wraps decorators
    except ValueError:  # a __wrapped__ cycle
        pass
    code = getattr(check, "__code__", None)
    return (code.co_filename, code.co_firstlineno) if code is not None else None


class Skip(Exception):
    """Raised (through `skip()`) by a check when the rule does not apply."""


def skip(reason: str = "not applicable") -> NoReturn:
    """Mark the rule as `skip` for this activity, like `pytest.skip()`."""
    raise Skip(reason)


class RuleContext(Record):
    """What a check (and a portfolio rule's `collect`) receives besides the activity.

    `params`: the rule's parameters, read-only: its defaults, then plugins'
    `policycheck_rule_defaults`, then configuration; their types are those of the
    defaults, so a check can trust them. `reference`: the reference data
    (`policycheck.reference.Reference`: `ctx.reference["countries"]`,
    `.covers(code, country)`). `today`: the date waivers and deadlines are judged
    against (`--today`, else today).
    """

    params: Mapping[str, Any]
    reference: "Reference"
    today: date


class Collected(Record):
    """One activity's contribution to a portfolio rule, as its `check` receives it.

    `file`: the file it came from, to name in a `Violation(file=...)`. `activity_id`:
    the activity's `id`, or None. `value`: what `collect` returned for it (None too:
    every file the rule ran on is here, in the order the files were given).
    """

    file: str
    activity_id: str | None
    value: Any


class Rule:
    """A registered rule, read-only once built. Build one with `@rule` or `@portfolio_rule`.

    `id` is 2-5 capitals and 3 digits (`ODC001`); `title` one line; `family` groups
    rules in listings; `level` is `fail`, `warn` or `info` (advice, never gating).
    `description` is one or two sentences saying exactly when the rule fires, in
    the words of a reviewer (`policycheck explain` prints it; the title stands in
    when it is empty); `rationale` says why it matters and `source` where the
    policy comes from; `help_uri` is an optional link (SARIF shows it).
    `parameters` maps each parameter to its default; `parameter_specs` to its
    `Param` (default, description, choices). `fails` and `passes` are YAML snippets
    that `policycheck explain` prints and `assert_examples` runs: the first must
    raise this rule, the second must not. `check` is the function the decorator
    wrapped, `collect` a portfolio rule's per-file function. `kind` is `document`,
    `portfolio`, or `stage` (core findings such as LOAD001 that a pipeline stage
    produces; declared here so they can be configured and explained like any
    rule). `origin` is `(file, line)` of the rule's declaration, where an ERR001
    points when no line of the plugin's code is in the traceback.
    `waiver_authority` names the offices that alone may grant an exception to the rule,
    when the law gives it to one (GOV005: the Secretaries of State and Defense); a waiver
    must then name one in `authority`. `fix` says which fixes its violations may carry
    (`safe`, `unsafe`, `safe or unsafe`, or None for none), for `explain` and the catalogue.
    """

    # The pipeline's records are NamedTuples or slotted classes, not dataclasses:
    # generating dataclass methods at import was a sixth of a cold start (issue 8).
    __slots__ = ("id", "title", "family", "level", "rationale", "source", "check", "collect", "parameters",
                 "parameter_specs", "fails", "passes", "kind", "help_uri", "description", "_origin",
                 "waiver_authority", "fix")  # fmt: skip

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
        origin: tuple[str, int] | None = None,
        waiver_authority: Sequence[str] = (),
        fix: str | None = None,
    ) -> None:
        if not isinstance(id, str) or not _is_rule_id(id):
            raise ValueError(f"rule id {id!r} must be 2-5 capitals and 3 digits, like THR001")
        if level not in LEVELS:
            raise ValueError(f"rule {id}: level must be one of {LEVELS}, not {level!r}")
        if kind not in KINDS:
            raise ValueError(f"rule {id}: kind must be one of {KINDS}")
        if fix is not None and fix not in FIXABILITY:
            raise ValueError(f"rule {id}: fix must be one of {FIXABILITY} or None, not {fix!r}")
        if kind == "document" and check is None:
            raise ValueError(f"rule {id}: a document rule needs a check")
        if kind == "portfolio" and (check is None or collect is None):
            raise ValueError(f"rule {id}: a portfolio rule needs collect and check")
        self.id, self.title, self.family, self.level = id, title, family, level
        self.rationale, self.source, self.check, self.collect = rationale, source, check, collect
        specs = {name: _param(id, name, value) for name, value in (parameters or {}).items()}
        self.parameter_specs: Mapping[str, Param] = MappingProxyType(specs)
        self.parameters: Mapping[str, Any] = MappingProxyType({name: spec.default for name, spec in specs.items()})
        self.fails, self.passes, self.kind = fails, passes, kind
        self.help_uri, self.description = help_uri, description
        self._origin = origin
        self.waiver_authority: tuple[str, ...] = tuple(waiver_authority)
        self.fix = fix

    @property
    def origin(self) -> tuple[str, int] | None:
        # found when first asked (an ERR001 names it): finding it imports inspect, a tenth of a cold start
        if self._origin is None:
            self._origin = code_origin(self.check)
        return self._origin

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
    fix: str | None = None,
) -> Callable[[Callable[["Activity", RuleContext], Iterable[Violation]]], Rule]:
    """Turn `check(activity, ctx) -> Iterable[Violation]` into a document `Rule`.

    The check runs once per activity with a read-only `Activity` and a
    `RuleContext`, and yields a `Violation` per problem (or returns a list of
    them); `skip(reason)` marks the rule not applicable. `parameters` maps names
    to defaults or `Param`s. Anything else it does wrong (raising, yielding
    something that is not a Violation, an unknown level, a broken `Fix`) is an ERR001
    finding. `fix` declares the kind of fixes its violations carry (`safe`, `unsafe`).
    """
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
    fix: str | None = None,
) -> Callable[[Callable[[Sequence[Collected], RuleContext], Iterable[Violation]]], Rule]:
    """Turn `check(collected, ctx)` into a portfolio `Rule`, a rule over every activity of a run.

    `collect(activity, ctx)` runs on each activity, in the worker process that
    checked it, and returns a small value of plain data (None, numbers, text,
    dates, and tuples, lists and dicts of them, or anything else pickle can send
    between processes). `check(collected, ctx)` runs once, after every file is
    checked, with a `Collected(file, activity_id, value)` per file in input order,
    and yields Violations that name their `file` (and `line`/`column`, collected
    with `activity.position(path)`). A file that `per_file_ignores` exempts from
    the rule still contributes its value; only the findings on it are dropped.
    """
    return _decorator("portfolio", locals())
