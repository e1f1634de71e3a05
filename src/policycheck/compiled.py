"""Yes/no schema validators compiled to Python by fastjsonschema, cached between runs.

Most documents are valid, so each schema first gets a compiled "is it valid?"
answer; only a document it rejects goes through jsonschema, which alone writes
the error report (see `validate.Validator`). fastjsonschema turns a schema into
Python source once; the compiled code object is kept in the cache folder, so a
start loads it in about 2 ms instead of importing a validator library.

fastjsonschema implements draft-07, and our schemas are draft 2020-12: a schema
is compiled only when every keyword in it means the same in both drafts, or is
stricter under fastjsonschema (a stricter answer only sends a document to
jsonschema, which then has the last word). Anything else gets no fast path.
"""

from __future__ import annotations

import datetime
import marshal
import os
import re
import sys
from collections.abc import Callable, Mapping
from types import MappingProxyType

from . import cache

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# Bump when the code stored in the cache changes shape, or `_same_in_draft_07` another answer (it is kept).
_FORMAT = 5

_ANNOTATIONS = {
    "$schema",
    "$id",
    "$comment",
    "title",
    "description",
    "examples",
    "default",
    "deprecated",
    "readOnly",
    "writeOnly",
}
_SUBSCHEMA = {"items", "additionalProperties", "not", "propertyNames", "contains", "if", "then", "else"}
_SUBSCHEMA_MAPS = {"properties", "patternProperties", "$defs"}
_SUBSCHEMA_LISTS = {"allOf", "anyOf", "oneOf"}
_VALUES = {
    "type",
    "required",
    "pattern",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
}


def _same_in_draft_07(schema: Any) -> bool:
    """Whether fastjsonschema's draft-07 code judges this 2020-12 schema as jsonschema does, or more strictly."""
    if isinstance(schema, bool):
        return True
    if not isinstance(schema, Mapping):
        return False
    keywords = set(schema) - _ANNOTATIONS
    if "$ref" in keywords:
        # in draft-07 a $ref hides its siblings; in 2020-12 they apply too
        return keywords == {"$ref"} and isinstance(schema["$ref"], str) and schema["$ref"].startswith("#/")
    for keyword in keywords:
        value = schema[keyword]
        if keyword in _SUBSCHEMA:
            ok = _same_in_draft_07(value)  # a list under `items` is tuple validation in draft-07 only
        elif keyword in _SUBSCHEMA_MAPS:
            ok = isinstance(value, Mapping) and all(_same_in_draft_07(sub) for sub in value.values())
        elif keyword in _SUBSCHEMA_LISTS:
            ok = isinstance(value, list) and all(_same_in_draft_07(sub) for sub in value)
        elif keyword in ("enum", "const"):
            # Python's `True == 1` would let fastjsonschema accept true for 1: text and null only
            options = value if keyword == "enum" else [value]
            ok = isinstance(options, list) and all(option is None or isinstance(option, str) for option in options)
        elif keyword == "format":
            ok = value == "date"  # the only format jsonschema checks for us
        else:
            ok = keyword in _VALUES
        if not ok:
            return False
    return True


def is_date(value: str) -> bool:
    """The "date" format exactly as jsonschema's FormatChecker judges it."""
    # ^\d{4}-\d{2}-\d{2}$ (ASCII digits, the whole string) as a string test: a regex cost each start 0.4 M to compile
    digits = value[:4] + value[5:7] + value[8:]
    if len(value) != 10 or value[4] != "-" or value[7] != "-" or digits.strip("0123456789"):
        return False
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return False
    return True


_FORMATS = {"date": is_date}


class _Rejected(ValueError):
    """What the generated code raises for an invalid document (it would import fastjsonschema's own)."""

    def __init__(self, *args: Any, **details: Any):
        super().__init__(*args)


# The generated module's imports that cost a start most: fastjsonschema itself (~10 ms)
# for its exception classes, and decimal (~1 ms), whose Decimal our loaders never produce.
# (2.22 added JsonSchemaValuesException to the line; earlier releases import one class)
# These patterns are compiled (~0.5 ms) only when code is written, by `_generate`.
_EXCEPTIONS_IMPORT = r"(?m)^from fastjsonschema import JsonSchemaValueException(?:, JsonSchemaValuesException)?\n"
_DECIMAL_IMPORT = "from decimal import Decimal\n"
# the generated "is it an object?" test, made to take the frozen document's mappings too (issue 21: the
# loader freezes as it parses, and the document is validated as the rules will see it)
_DICT_CHECK = r"isinstance\((\w+), \(?dict\)?\)"
_MAPPINGS = (dict, MappingProxyType)


# An enum's test as fastjsonschema writes it, a term for each option joined by " or ": text options as
# `isinstance(data, str) and data == 'ABW'` (the country codes' 249 compared in turn), null as `data is None`
_ENUM_TEST = r"(?m)^( *)if not \((.+)\):$"
_ENUM_OPTION = (
    r"isinstance\((?P<text_of>\w+), str\) and (?P=text_of) == "
    r"""(?P<text>'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")|(?P<none_of>\w+) is None"""
)


def _enum_sets(source: str) -> str:
    """The generated code with each enum of two or more text options tested as one set membership.

    Only a test made of nothing but such options is rewritten, to the same answer for every value: any
    other is left as it was. The set of constants is compiled to a frozenset, kept in the cached code.
    """
    import ast

    option = re.compile(_ENUM_OPTION)

    def as_set(match: re.Match) -> str:
        indent, test = match.groups()
        names, texts, none, at = set(), [], False, 0
        while True:
            found = option.match(test, at)
            if found is None:
                return match.group()
            if found["none_of"]:
                names.add(found["none_of"])
                none = True
            else:
                names.add(found["text_of"])
                texts.append(ast.literal_eval(found["text"]))
            at = found.end()
            if at == len(test):
                break
            if not test.startswith(" or ", at):
                return match.group()
            at += len(" or ")
        if len(names) != 1 or len(texts) < 2:
            return match.group()
        [name] = names
        options = ", ".join(map(repr, sorted(set(texts))))
        null = f" or {name} is None" if none else ""
        return f"{indent}if not (isinstance({name}, str) and {name} in {{{options}}}{null}):"

    return re.sub(_ENUM_TEST, as_set, source)


class _NoDecimal:
    """Stands for decimal.Decimal in the generated type checks: no document holds one."""


class CompiledValidator:
    """A schema's "is this document valid?" as fastjsonschema's generated code."""

    def __init__(self, function: Callable[..., Any]):
        self._function = function

    def is_valid(self, data: Any) -> bool:
        try:
            self._function(data, _FORMATS)
        except Exception:  # _Rejected, or a value the generated code cannot compare: jsonschema decides
            return False
        return True


_built: dict[bytes, CompiledValidator | None] = {}


def compiled(schema: Mapping[str, Any]) -> CompiledValidator | None:
    """The schema's compiled validator, or None where only jsonschema can judge it."""
    try:
        # version 2 writes no back-references or interning flags: equal schemas, equal bytes, in any process
        content = marshal.dumps(schema, 2)
    except ValueError:
        return None  # not plain data (a dict subclass, say): jsonschema alone
    if content not in _built:  # once per process, and forked workers inherit it
        _built[content] = _load(schema, content)
    return _built[content]


def _generator() -> str | None:
    """Which fastjsonschema would write the code (its install's location and time), or None."""
    # importlib.util.find_spec's search for a top-level name, without importing importlib.util
    # and contextlib (4 M instructions of a cold start)
    for finder in sys.meta_path:
        find_spec = getattr(finder, "find_spec", None)
        spec = None if find_spec is None else find_spec("fastjsonschema", None)
        if spec is not None:
            break
    else:
        return None
    if spec.origin is None:
        return None
    return f"{spec.origin}:{os.stat(spec.origin).st_mtime_ns}"


def _load(schema: Mapping[str, Any], content: bytes) -> CompiledValidator | None:
    generator = _generator()
    if generator is None:
        return None  # not installed: jsonschema alone, slower but the same
    built_from = (_FORMAT, content, generator)
    # one entry per schema and fastjsonschema installation (the cache adds the Python)
    generated = cache.recall("validator", content + generator.encode(), built_from)
    if generated is None:
        # False keeps "no fast path" too: the draft check walks the whole schema (~0.3 ms a start)
        generated = (_same_in_draft_07(schema) and _generate(schema)) or False
        cache.keep("validator", content + generator.encode(), built_from, generated)
    if not generated:
        return None
    entry, code = generated
    namespace: dict[str, Any] = {
        "JsonSchemaValueException": _Rejected,
        "JsonSchemaValuesException": _Rejected,
        "Decimal": _NoDecimal,
        "_MAPPINGS": _MAPPINGS,
    }
    exec(code, namespace)  # noqa: S102 - code fastjsonschema wrote from our own schema
    return CompiledValidator(namespace[entry])


def _generate(schema: Mapping[str, Any]) -> tuple[str, Any] | None:
    import fastjsonschema  # 10 ms: only to write a validator the cache does not hold
    from fastjsonschema.exceptions import JsonSchemaDefinitionException

    schema = {**schema, "$schema": "http://json-schema.org/draft-07/schema#"}
    try:
        # use_default=False: the code must never fill defaults into the document
        source = fastjsonschema.compile_to_code(schema, formats=_FORMATS, use_default=False)
    except JsonSchemaDefinitionException:
        return None
    if not re.search(_EXCEPTIONS_IMPORT, source):
        return None  # a fastjsonschema that writes its code differently: no fast path rather than a wrong one
    entry = re.search(r"^def (\w+)\(", source, re.MULTILINE)  # the root schema's function comes first
    if entry is None:
        return None
    source = re.sub(
        _DICT_CHECK, r"isinstance(\1, _MAPPINGS)", re.sub(_EXCEPTIONS_IMPORT, "", source).replace(_DECIMAL_IMPORT, "")
    )
    source = _enum_sets(source)
    return entry.group(1), compile(source, "<fastjsonschema>", "exec")
