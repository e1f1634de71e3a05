"""Rule packs: rules written as YAML conditions on document paths, no Python.

`load_pack(path)` reads a pack with policycheck's own loader (so every problem
names its line: a RulePackError), validates it against `schemas/rule-pack.schema.json`, and
compiles each rule into an ordinary document `Rule`. The built-in packs in
`rules/packs/` and users' `rule_packs:` go through this one function.

A compiled check selects nodes (`for_each`, default the document), keeps those
`where` accepts, and yields a Violation on each node where `require` is false.
Conditions never raise on a document of the wrong shape: a path that cannot be
followed is simply missing.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from types import MappingProxyType

from . import cache
from .activity import FROZEN_MAPPING, LEAF_TYPES, Activity, freeze
from .errors import UsageError
from .files import UnreadableSource, read_regular
from .helpers import is_blank
from .hints import TYPE_NAMES, close_matches, where
from .load import LoadError, decode, parse
from .resources import load_schema, resource_dir
from .rule import Param, Rule, RuleContext, Violation, skip
from .validate import Validator

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

SCHEMA = "rule-pack.schema.json"
# the largest shipped pack is under 9 KB; the bound is SECURITY.md's, fixed
MAX_PACK_BYTES = 4 * 1024 * 1024
MISSING = object()  # a path that does not lead anywhere in the document
COMBINATORS = ("all", "any", "not")
OPERATORS = ("present", "empty", "equals", "in", "not_in", "contains")
SPECIAL_PLACEHOLDERS = ("index", "value")

Condition = Callable[["_Scope", "Any"], bool]


class RulePackError(UsageError):
    """A rule pack that cannot be read or compiled; the message names `file:line` (exit code 2)."""


def load_pack(path: str | os.PathLike[str], reference: Mapping[str, Any] | None = None) -> list[Rule]:
    """The rules of one pack, or RulePackError naming `file:line`, what is wrong and what to do.

    With `reference` (the run's reference data), a `{reference: KIND/KEY}` that leads
    nowhere is an error here, at load, like a `{param: NAME}` the rule does not declare.
    """
    try:
        raw = getattr(path, "content", None)  # a pack read from a trusted git revision (gitref.TrustedFile)
        if raw is None:
            raw = read_regular(os.fspath(path), MAX_PACK_BYTES, " for a rule pack", "", "name the pack's YAML file")
    except OSError as error:
        raise RulePackError(
            f"{path}: cannot read the rule pack: {error.strerror}; check the path in `rule_packs:`"
        ) from None
    except UnreadableSource as error:
        raise RulePackError(f"{path}: cannot read the rule pack: it {error}; check the path in `rule_packs:`") from None
    stamp = _schema_stamp()
    # each pack schema (installation) keeps its own copy of a pack
    identity, built_from = raw + repr(stamp).encode(), (_CACHE_FORMAT, stamp, raw)
    remembered = cache.recall("pack", identity, built_from)
    if remembered is not None:
        data, positions = remembered
        return _Compiler(str(path), positions, reference).pack(data)
    try:
        loaded = parse(decode(raw))
    except LoadError as error:
        # the loader's hints about YAML hold for packs; those about activity files do not
        relevant = error.hint and "activit" not in error.hint and "init" not in error.hint
        detail = f" ({error.hint})" if relevant else ""
        what_to_do = "fix the YAML: a rule pack is one mapping with `pack`, `description` and `rules`"
        raise RulePackError(f"{path}:{error.line}: {error.message}{detail}; {what_to_do}") from None
    compiler = _Compiler(str(path), loaded.positions, reference)
    compiler.validate(loaded.data)
    rules = compiler.pack(loaded.data)
    cache.keep("pack", identity, built_from, (loaded.data, loaded.positions))
    return rules


# A pack that parsed, passed the schema and compiled is kept parsed in the cache
# folder, keyed by its bytes and the schema: parsing the shipped packs with
# positions costs ~5 ms of every start, reading them back ~0.3 ms.
_CACHE_FORMAT = 1


def _schema_stamp() -> tuple[str, int, int]:
    return cache.stamp(os.path.join(resource_dir("schemas"), SCHEMA))


@lru_cache(maxsize=None)
def _validator():
    """The pack schema's validator; jsonschema itself is imported only for an invalid pack."""
    return Validator(load_schema(SCHEMA))


# --- reading the document ---------------------------------------------------------


def _child(node: Any, part: str) -> tuple[Any, str | int]:
    """(child, key in the real path) one step down, or (MISSING, part)."""
    kind = type(node)
    # the frozen document's own types first: an ABC check is ten times slower (activity.FROZEN_MAPPING)
    if kind is FROZEN_MAPPING or kind is dict:
        return node.get(part, MISSING), part
    if kind is tuple or kind is list:
        return (node[int(part)], int(part)) if part.isdigit() and int(part) < len(node) else (MISSING, part)
    if kind not in LEAF_TYPES and isinstance(node, Mapping):
        return node.get(part, MISSING), part
    return MISSING, part


def _walk(start: Any, start_path: tuple, parts: tuple[str, ...]) -> tuple[Any, tuple]:
    """Follow `parts`: (value or MISSING, the deepest path on the way that exists)."""
    node, path = start, start_path
    for part in parts:
        node, key = _child(node, part)
        if node is MISSING:
            break
        path += (key,)
    return node, path


def _nodes(data: Any, parts: tuple[str, ...]) -> list[tuple[tuple, Any]]:
    """(path, node) for every node an absolute `for_each` path selects, in document order."""
    frontier: list[tuple[tuple, Any]] = [((), data)]
    for part in parts:
        following = []
        for path, node in frontier:
            if part == "*":
                if isinstance(node, tuple):
                    following.extend((path + (index,), item) for index, item in enumerate(node))
            else:
                child, key = _child(node, part)
                if child is not MISSING:
                    following.append((path + (key,), child))
        frontier = following
    return frontier


def _blank(value: Any, reference: Any) -> bool:
    # a placeholder (TBD, N/A, -, ...) is as good as nothing: reference data `placeholders` (issue 18)
    return value is MISSING or is_blank(value, reference)


def _key(value: Any) -> Any:
    """A hashable form where 1 == 1.0 but 1 != true and "1" != 1."""
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, (int, float)):
        return ("number", value)
    if isinstance(value, str):
        return ("text", value)
    if value is None:
        return ("null",)
    if isinstance(value, (list, tuple)):
        return ("list", tuple(_key(item) for item in value))
    if isinstance(value, Mapping):
        return ("map", tuple(sorted((str(k), _key(v)) for k, v in value.items())))
    return ("other", repr(value))


def _render(value: Any) -> str:
    if value is MISSING or value is None:
        return "not set"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, (tuple, list)):
        return ", ".join(_render(item) for item in value)
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{key}: {_render(item)}" for key, item in value.items()) + "}"
    return str(value)


class _Scope:
    """What conditions see while one rule checks one document."""

    __slots__ = ("root", "params", "reference", "pack_reference")

    def __init__(self, activity: Activity, ctx: RuleContext, pack_reference: Mapping[str, Any]):
        self.root = activity.data
        self.params = ctx.params
        self.reference = ctx.reference
        self.pack_reference = pack_reference


# --- compiling a pack ------------------------------------------------------------


class _Path:
    """A parsed path: absolute (from the root) or relative (from the node)."""

    __slots__ = ("absolute", "parts")

    def __init__(self, text: str):
        self.absolute = text.startswith("/")
        body = text.strip("/") if text != "." else ""
        self.parts = tuple(part.replace("~1", "/").replace("~0", "~") for part in body.split("/")) if body else ()

    def get(self, scope: _Scope, node: Any) -> Any:
        return _walk(scope.root if self.absolute else node, (), self.parts)[0]


def _is_path_text(name: str) -> bool:
    r"""^(\.|/?[^/*{}]+(/[^/*{}]+)*)$ for a placeholder's stripped name, as a string test (the regex was 0.4 M
    instructions of each start to compile)."""
    if name == ".":
        return True
    body = name[1:] if name.startswith("/") else name
    return all(part and not any(char in "*{}" for char in part) for part in body.split("/"))


_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")


class _Compiler:
    def __init__(self, file: str, positions: Mapping[tuple, tuple[int, int]], reference: Mapping[str, Any] | None):
        self.file = file
        self.positions = positions
        self.reference = reference  # the run's, to check lookups against; None: checked when they run
        self.pack_reference: Mapping[str, Any] = {}

    def error(self, at: tuple, problem: str, what_to_do: str) -> RulePackError:
        line = None
        for depth in range(len(at), -1, -1):  # the node, or its nearest parent in the file
            if at[:depth] in self.positions:
                line = self.positions[at[:depth]][0]
                break
        place = f"{self.file}:{line}" if line else self.file
        return RulePackError(f"{place}: {where(at, 'the pack')}: {problem}; {what_to_do}")

    # schema

    def validate(self, data: Any) -> None:
        errors = list(_validator().iter_errors(data))
        if not errors:
            return
        first = min(errors, key=lambda e: (self._line(tuple(e.absolute_path)), -len(e.absolute_path), e.message))
        raise self._explain(first)

    def _line(self, path: tuple) -> int:
        return self.positions.get(path, (0, 0))[0]

    def _explain(self, error) -> RulePackError:
        at = tuple(error.absolute_path)
        schema = error.schema if isinstance(error.schema, Mapping) else {}
        described = schema.get("description") or ""
        if error.validator == "additionalProperties" and isinstance(error.instance, Mapping):
            known = list(schema.get("properties", {}))
            unknown = sorted(key for key in error.instance if key not in known)[0]
            noun = "operator" if schema.get("title") == "Condition" else "key"
            close = close_matches(str(unknown), known)
            guess = f"did you mean '{close[0]}'? " if close else ""
            return self.error(at + (unknown,), f"unknown {noun} '{unknown}'", f"{guess}use one of: {', '.join(known)}")
        if error.validator == "required":
            missing = re.search(r"'([^']+)' is a required property", error.message)
            name = missing.group(1) if missing else error.message
            return self.error(
                at, f"the required key '{name}' is missing", f"add `{name}:` ({_describe(error.schema, name)})"
            )
        if error.validator == "type" and at == ():
            return self.error(
                at, "a rule pack must be a mapping", "write `pack:`, `description:` and `rules:` at the top level"
            )
        return self.error(at, _problem(error), described or "see schemas/rule-pack.schema.json")

    # rules

    def pack(self, data: Mapping[str, Any]) -> list[Rule]:
        reference = MappingProxyType({kind: freeze(value) for kind, value in (data.get("reference") or {}).items()})
        self.pack_reference = reference
        first_line: dict[str, int] = {}
        rules = []
        for index, spec in enumerate(data["rules"]):
            at = ("rules", index)
            if spec["id"] in first_line:
                raise self.error(
                    at + ("id",),
                    f"duplicate rule id '{spec['id']}' (first defined on line {first_line[spec['id']]})",
                    "give each rule its own id",
                )
            first_line[spec["id"]] = self._line(at + ("id",))
            rules.append(self.rule(spec, at, reference))
        return rules

    def rule(self, spec: Mapping[str, Any], at: tuple, reference: Mapping[str, Any]) -> Rule:
        params = dict(spec.get("parameters") or {})
        descriptions, choices = spec.get("parameter_descriptions") or {}, spec.get("parameter_choices") or {}
        for key, named in (("parameter_descriptions", descriptions), ("parameter_choices", choices)):
            for name in named:
                if name not in params:
                    raise self.error(
                        at + (key, name),
                        f"`{key}` names '{name}', which the rule does not declare "
                        f"(declared: {', '.join(params) or 'none'})",
                        "declare it with a default under the rule's `parameters:`, or remove it here",
                    )
        specs = {
            name: Param(value, descriptions.get(name, ""), tuple(choices[name]) if name in choices else None)
            for name, value in params.items()
        }
        when = self.condition(spec["when"], at + ("when",), params) if "when" in spec else None
        where = self.condition(spec["where"], at + ("where",), params) if "where" in spec else None
        require = self.condition(spec["require"], at + ("require",), params)
        for_each = _Path(spec["for_each"]).parts if "for_each" in spec else ()
        target = _Path(spec.get("at", "."))
        message = self.template(spec["message"], at + ("message",))
        hint = self.template(spec["hint"], at + ("hint",)) if spec.get("hint") else None
        rule_id = spec["id"]

        def check(activity: Activity, ctx: RuleContext) -> list[Violation]:
            scope = _Scope(activity, ctx, reference)
            if when is not None and not when(scope, scope.root):
                skip(f"{rule_id} applies only when its `when` condition holds")
            found = []
            for path, node in _nodes(scope.root, for_each):
                if (where is not None and not where(scope, node)) or require(scope, node):
                    continue
                start, start_path = (scope.root, ()) if target.absolute else (node, path)
                value, pointed = _walk(start, start_path, target.parts)
                found.append(
                    Violation(
                        pointed,
                        message(scope, node, path, value),
                        hint(scope, node, path, value) if hint else None,
                    )
                )
            return found

        return Rule(
            id=rule_id,
            title=spec["title"].strip(),
            family=spec["family"],
            level=spec["level"],
            rationale=spec["rationale"].strip(),
            source=spec["source"].strip(),
            check=check,
            parameters=specs,
            fails=spec.get("fails", ""),
            passes=spec.get("passes", ""),
            help_uri=spec.get("help_uri"),
            waiver_authority=spec.get("waiver_authority", ()),
            description=" ".join(spec.get("description", "").split()),
            origin=(self.file, self._line(at) or 1),  # where ERR001 points: the rule in the pack
        )

    def condition(self, spec: Mapping[str, Any], at: tuple, params: Mapping[str, Any]) -> Condition:
        combinators = [key for key in COMBINATORS if key in spec]
        operators = [key for key in OPERATORS if key in spec]
        if combinators:
            if len(spec) > 1:
                others = ", ".join(f"`{key}`" for key in spec if key != combinators[0])
                raise self.error(
                    at,
                    f"`{combinators[0]}` cannot share a condition with {others}",
                    "nest them: put each condition in its own item under `all:`",
                )
            return self.combinator(combinators[0], spec[combinators[0]], at, params)
        if "path" not in spec:
            raise self.error(at, f"`{operators[0]}` has no `path` to test", "add `path:` naming what it tests")
        if not operators:
            raise self.error(
                at, f"the condition on '{spec['path']}' has no operator", f"add one of: {', '.join(OPERATORS)}"
            )
        if len(operators) > 1:
            raise self.error(
                at,
                f"one condition has two operators ({', '.join(operators)})",
                "split it into two conditions under `all:` (or `any:`)",
            )
        return self.test(operators[0], _Path(spec["path"]), spec[operators[0]], at + (operators[0],), params)

    def combinator(self, name: str, operand: Any, at: tuple, params: Mapping[str, Any]) -> Condition:
        if name == "not":
            inner = self.condition(operand, at + ("not",), params)
            return lambda scope, node: not inner(scope, node)
        parts = [self.condition(item, at + (name, index), params) for index, item in enumerate(operand)]
        if name == "all":
            return lambda scope, node: all(part(scope, node) for part in parts)
        return lambda scope, node: any(part(scope, node) for part in parts)

    def test(self, operator: str, path: _Path, operand: Any, at: tuple, params: Mapping[str, Any]) -> Condition:
        if operator == "present":
            return lambda scope, node: (not _blank(path.get(scope, node), scope.reference)) is operand
        if operator == "empty":
            return lambda scope, node: _empty(path.get(scope, node), scope.reference) is operand
        fetch = self.lookup(operand, at, params)
        if operator == "equals":
            return lambda scope, node: _equal(path.get(scope, node), fetch(scope))
        if operator == "contains":
            return lambda scope, node: _contains(path.get(scope, node), fetch(scope))
        literal = None if isinstance(operand, Mapping) else _keys(operand, operand)  # computed once
        negate = operator == "not_in"

        def member(scope: _Scope, node: Any) -> bool:
            value = path.get(scope, node)
            if value is MISSING:
                return False
            keys = literal if literal is not None else _keys(fetch(scope), operand)
            return (_key(value) in keys) is not negate

        return member

    def lookup(self, operand: Any, at: tuple, params: Mapping[str, Any]) -> Callable[[_Scope], Any]:
        """The operand's value at check time: a literal, a parameter, or reference data."""
        if not isinstance(operand, Mapping):
            constant = freeze(operand)
            return lambda scope: constant
        if "param" in operand:
            name = operand["param"]
            if name not in params:
                declared = ", ".join(params) or "none"
                raise self.error(
                    at + ("param",),
                    f"unknown parameter '{name}' (declared: {declared})",
                    "declare it with a default under the rule's `parameters:`",
                )
            return lambda scope: scope.params.get(name)
        parts = _Path(operand["reference"]).parts
        if not parts:
            raise self.error(
                at + ("reference",),
                "`reference: .` names no data",
                "write the kind, e.g. `reference: adversary_suppliers`",
            )
        kind, rest = parts[0], parts[1:]
        if self.reference is not None:
            data = self.pack_reference.get(kind, self.reference.get(kind, MISSING))
            if _walk(data, (), rest)[0] is MISSING:
                kinds = ", ".join(sorted({*self.pack_reference, *self.reference}))
                raise self.error(
                    at + ("reference",),
                    f"reference data '{operand['reference']}' does not exist",
                    f"name data that does (kinds: {kinds}), or add it under the pack's `reference:`",
                )

        def reference(scope: _Scope) -> Any:
            data = scope.pack_reference.get(kind, MISSING)
            if data is MISSING:
                data = scope.reference[kind] if kind in scope.reference else MISSING
            value = _walk(data, (), rest)[0]
            if value is MISSING:
                raise LookupError(f"reference data '{operand['reference']}' does not exist")
            return value

        return reference

    def template(self, text: str, at: tuple) -> Callable[[_Scope, Any, tuple, Any], str]:
        """A message with {placeholders}, compiled into (kind, piece) pairs to fill in per finding."""
        pieces: list[tuple[str, Any]] = []
        position = 0
        for match in _PLACEHOLDER.finditer(text):
            pieces.append(("text", text[position : match.start()]))
            position = match.end()
            token, name = match.group(0), (match.group(1) or "").strip()
            if token in ("{{", "}}"):
                pieces.append(("text", token[0]))
            elif match.group(1) is None:
                raise self.error(at, f"a lone '{token}' in the text", "write {{ or }} for a literal brace")
            elif name in SPECIAL_PLACEHOLDERS:
                pieces.append((name, None))
            elif _is_path_text(name):
                pieces.append(("path", _Path(name)))
            else:
                raise self.error(
                    at,
                    f"'{token}' is not a valid placeholder",
                    "write {FIELD}, {relative/path}, {/absolute/path}, {index} or {value}",
                )
        pieces.append(("text", text[position:]))

        def render(scope: _Scope, node: Any, path: tuple, value: Any) -> str:
            out = []
            for kind, piece in pieces:
                if kind == "text":
                    out.append(piece)
                elif kind == "index":
                    out.append(str(next((part for part in reversed(path) if isinstance(part, int)), "")))
                elif kind == "value":
                    out.append(_render(value))
                else:
                    out.append(_render(piece.get(scope, node)))
            return "".join(out).strip()

        return render


def _equal(value: Any, want: Any) -> bool:
    return value is not MISSING and _key(value) == _key(want)


def _contains(value: Any, want: Any) -> bool:
    return isinstance(value, tuple) and any(_key(item) == _key(want) for item in value)


def _empty(value: Any, reference: Any) -> bool:
    # a list of placeholders (`standards: [TBD]`) is as empty as `[]`
    if isinstance(value, tuple):
        return all(_blank(item, reference) for item in value)
    return _blank(value, reference) or (isinstance(value, Mapping) and not value)


def _keys(collection: Any, operand: Any) -> frozenset:
    """The values a parameter or reference list stands for (a mapping stands for its keys)."""
    if isinstance(collection, (Mapping, tuple, list)):
        return frozenset(_key(item) for item in collection)
    raise TypeError(f"{operand!r} gives {_render(collection)!r}, not a list")


def _describe(schema: Mapping[str, Any], key: str) -> str:
    prop = schema.get("properties", {}).get(key, {})
    return (prop.get("description") or prop.get("title") or "see schemas/rule-pack.schema.json").rstrip(".")


def _problem(error) -> str:
    value = error.instance
    if error.validator == "type":
        return f"{_render(freeze(value))!r} is not {TYPE_NAMES.get(str(error.validator_value), error.validator_value)}"
    if error.validator == "enum":
        return f"'{_render(freeze(value))}' is not one of: {', '.join(map(str, error.validator_value))}"
    if error.validator == "pattern":
        return f"'{value}' is not valid here"
    if error.validator == "minItems":
        return "the list is empty"
    if error.validator == "minLength":  # jsonschema's own wording of it changed in 4.21
        return "the text is empty" if value == "" else f"'{value}' is shorter than {error.validator_value} characters"
    if error.validator == "minProperties":
        return f"the {str(error.schema.get('title', 'mapping')).lower()} is empty"
    if error.validator in ("anyOf", "oneOf"):
        return f"'{_render(freeze(value))}' is not a valid value here"
    return error.message
