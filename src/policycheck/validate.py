"""Stage 3, validate: the activity against the effective JSON Schema, as SCH001 violations."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping

from .activity import plain_copy
from .compiled import compiled, is_date
from .hints import TYPE_NAMES, close_matches, did_you_mean, lookalikes, type_name, where
from .quoting import shorten
from .records import Record
from .resources import read_schema
from .rule import Edit, Fix, Violation

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any
    from .reference import Reference

# the format versions this policycheck reads, oldest first, and the schema of each (issue 18)
SCHEMAS = {"activity/v1": "activity.schema.json", "activity/v2": "activity-v2.schema.json"}
VERSIONS = tuple(SCHEMAS)
LATEST = VERSIONS[-1]
ACTIVITY_SCHEMA = SCHEMAS[LATEST]
# top-level keys only activity/v2 knows: a document of no known version is judged as v2 when it has one
V2_KEYS = frozenset({"partners", "funding", "implementing_agency", "case_id", "notification", "assessment"})


def effective_schema(
    reference: "Reference", fragments: Mapping[str, Mapping[str, Any]], version: str = LATEST
) -> dict[str, Any]:
    """The shipped schema of `version` with reference-data enums and plugin sections filled in."""
    schema = read_schema(SCHEMAS[version])  # a fresh copy to fill in
    defs = schema.setdefault("$defs", {})
    # country codes: ISO 3166-1 and GENC together (Reference.countries)
    for name, codes in (("countryCode", reference.countries), ("currencyCode", reference.get("currencies"))):
        if name in defs and codes:
            defs[name]["enum"] = sorted(codes)
    if fragments:
        import copy  # lazily: only plugins' sections need it

        for key, fragment in sorted(fragments.items()):
            schema.setdefault("properties", {})[key] = copy.deepcopy(dict(fragment))
    return schema


_YAML11_BOOLEANS = frozenset({"yes", "no", "y", "n", "on", "off"})


class _Rare(Exception):
    """An error of a kind `common_errors` leaves to jsonschema's own message."""


class SchemaError(Record):
    """One schema error as `SchemaValidator` reads jsonschema's `ValidationError`: the same fields."""

    validator: str
    validator_value: Any
    instance: Any
    absolute_path: tuple
    schema: Mapping[str, Any]
    message: str


_TYPES: dict[str, Callable[[Any], bool]] = {
    "object": lambda value: isinstance(value, dict),
    "array": lambda value: isinstance(value, list),
    "string": lambda value: isinstance(value, str),
    "boolean": lambda value: isinstance(value, bool),
    "null": lambda value: value is None,
    "number": lambda value: isinstance(value, (int, float)) and not isinstance(value, bool),
    "integer": lambda value: (
        not isinstance(value, bool) and (isinstance(value, int) or isinstance(value, float) and value.is_integer())
    ),
}
# annotations: no instance fails them
_OBJECT_KEYWORDS = frozenset({"properties", "patternProperties", "additionalProperties"})
_IGNORED = {"title", "description", "examples", "$schema", "$id", "$comment", "default", "$defs"}


def common_errors(schema: Mapping[str, Any], data: Any) -> list[SchemaError]:
    """The errors jsonschema would report, for a document whose errors are all of the common kinds
    (a required key missing, an unknown key, a wrong type, a value outside an enum or a pattern), without importing
    jsonschema (a third of a cold check of such a file, issue 21). Raises _Rare for any other error or
    keyword: jsonschema then writes every message. tests/test_validate.py holds it to jsonschema's."""
    found: list[SchemaError] = []
    _walk(schema, schema, data, (), found)
    return found


def _walk(root: Mapping[str, Any], schema: Any, value: Any, path: tuple, found: list[SchemaError]) -> None:
    if schema is True:
        return
    if not isinstance(schema, dict):
        raise _Rare()
    for keyword, expected in schema.items():
        if keyword in _IGNORED:
            continue
        if keyword == "$ref":
            if not (isinstance(expected, str) and expected.startswith("#/$defs/")):
                raise _Rare()
            _walk(root, root["$defs"][expected.removeprefix("#/$defs/")], value, path, found)
        elif keyword == "type":
            names = expected if isinstance(expected, list) else [expected]
            if not any(_TYPES[name](value) for name in names):
                found.append(SchemaError("type", expected, value, path, schema, ""))
        elif keyword == "enum":
            options = _text_options(expected)
            if options is None:
                raise _Rare()  # jsonschema's equality of numbers and booleans is its own
            if not (value in options if type(value) is str or value is None else False):
                found.append(SchemaError("enum", expected, value, path, schema, ""))
        elif keyword == "required":
            if isinstance(value, dict):
                found.extend(
                    SchemaError("required", expected, value, path, schema, f"{key!r} is a required property")
                    for key in expected
                    if key not in value
                )
        elif keyword == "pattern":
            # an id or code in the wrong form: the commonest error of all in a portfolio (issue 21)
            if isinstance(value, str) and re.search(expected, value) is None:
                found.append(
                    SchemaError("pattern", expected, value, path, schema, f"{value!r} does not match {expected!r}")
                )
        elif keyword in _OBJECT_KEYWORDS:
            continue  # together, below
        elif keyword == "items":
            if isinstance(value, list):
                for index, item in enumerate(value):
                    _walk(root, expected, item, path + (index,), found)
        elif not _passes(keyword, expected, value):
            raise _Rare()
    if isinstance(value, dict) and not _OBJECT_KEYWORDS.isdisjoint(schema):
        _properties(root, schema, value, path, found)


# id(enum) -> (enum, its options as a set, or None where one is not text or null): a country code's enum is
# ~270 codes long, walked twice per value without it
_enum_sets: dict[int, tuple[list, frozenset | None]] = {}


def _text_options(expected: list) -> frozenset | None:
    known = _enum_sets.get(id(expected))
    if known is None or known[0] is not expected:
        text_only = all(isinstance(option, str) or option is None for option in expected)
        known = (expected, frozenset(expected) if text_only else None)
        if len(_enum_sets) >= 256:
            _enum_sets.clear()
        _enum_sets[id(expected)] = known
    return known[1]


def _properties(root: Mapping[str, Any], schema: Mapping[str, Any], value: dict, path: tuple, found: list) -> None:
    """properties, patternProperties and additionalProperties together, as they share the keys they judge."""
    properties = schema.get("properties", {})
    patterns = schema.get("patternProperties", {})
    extra = []
    for key, item in value.items():
        matched = key in properties
        if matched:
            _walk(root, properties[key], item, path + (key,), found)
        for pattern, subschema in patterns.items():
            if isinstance(key, str) and re.search(pattern, key):
                matched = True
                _walk(root, subschema, item, path + (key,), found)
        if not matched:
            extra.append((key, item))
    additional = schema.get("additionalProperties", True)
    if additional is False and extra:
        found.append(SchemaError("additionalProperties", False, value, path, schema, ""))
    elif additional is not True:
        for key, item in extra:
            _walk(root, additional, item, path + (key,), found)


def _passes(keyword: str, expected: Any, value: Any) -> bool:
    """Whether a value passes one of the rarer keywords (an error of one goes to jsonschema)."""
    if keyword == "const":
        return value == expected and type(value) is type(expected)
    if keyword == "format":
        return expected == "date" and (not isinstance(value, str) or is_date(value))
    if keyword in ("minLength", "maxLength"):
        return not isinstance(value, str) or (
            len(value) >= expected if keyword == "minLength" else len(value) <= expected
        )
    if keyword == "minItems":
        return not isinstance(value, list) or len(value) >= expected
    if keyword == "uniqueItems":
        return not expected or not isinstance(value, list) or _unique(value)
    if keyword in ("minimum", "maximum"):
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            return True
        return value >= expected if keyword == "minimum" else value <= expected
    return False  # a keyword this walk does not know: jsonschema judges


def _unique(items: list) -> bool:
    """Plain text and numbers, compared as jsonschema compares them; anything else is left to it."""
    if not all(isinstance(item, str) for item in items):
        return False
    return len(set(items)) == len(items)


class Validator:
    """A draft 2020-12 validator that imports jsonschema only for invalid data.

    Most documents are valid, so a compiled validator (`compiled`, ~2 ms to
    load, ~60 ms less than importing jsonschema) answers "valid?" first; only
    data it rejects goes through jsonschema's `iter_errors`, which alone
    describes errors. It is never looser than jsonschema on our schemas
    (tests/test_validate_fast.py), so the errors are the same with `fast=False`.
    Only the "date" format is checked, with jsonschema's own test.
    """

    def __init__(self, schema: Mapping[str, Any], fast: bool = True, common: bool = False):
        self.schema = schema
        self.fast = compiled(schema) if fast else None
        self.common = common and fast  # common_errors before jsonschema (for the activity schemas, issue 21)
        self._full: Any = None

    @property
    def full(self) -> Any:
        """jsonschema's validator, built (and imported) for the first invalid document."""
        if self._full is None:
            from jsonschema import Draft202012Validator, FormatChecker

            self._full = Draft202012Validator(self.schema, format_checker=FormatChecker(formats=("date",)))
        return self._full

    def iter_errors(self, data: Any) -> Iterator[Any]:
        """jsonschema `ValidationError`s, as `Draft202012Validator.iter_errors` gives them."""
        if self.fast is not None and self.fast.is_valid(data):
            return iter(())
        data = plain_copy(data)  # jsonschema's arrays are lists, and its messages quote them
        if self.common:
            try:
                return iter(common_errors(self.schema, data))
            except _Rare:
                pass
        return self.full.iter_errors(data)


def _what_to_write(path: tuple, expected: list[str], schema: Mapping[str, Any], root: Mapping[str, Any]) -> str:
    """For a key left empty: what belongs under it, or to remove it."""
    key = f"`{path[-1]}:`" if path and isinstance(path[-1], str) else "the key"
    if "array" in expected:
        items = schema.get("items")
        reference = items.get("$ref", "") if isinstance(items, dict) else ""
        if reference.startswith("#/$defs/"):
            items = root.get("$defs", {}).get(reference.removeprefix("#/$defs/"), {})
        required = items.get("required") if isinstance(items, dict) else None
        entries = f" (each a '- ' item with {', '.join(required)})" if required else ""
        return f"write its entries under {key}{entries}, or remove {key}"
    if "object" in expected:
        return f"write its keys under {key}, indented, or remove {key}"
    return f"write a value after {key}, or remove it"


class SchemaValidator:
    """The activity schema as SCH001 violations; built once per process, called per document."""

    def __init__(self, schema: dict[str, Any], reference: "Reference", fast: bool = True):
        self.schema = schema
        self.reference = reference
        self.validator = Validator(schema, fast, common=True)

    def violations(self, data: Any) -> list[Violation]:
        found: list = []
        specific: set[tuple] = set()  # paths with an error more telling than a pattern mismatch
        for error in self.validator.iter_errors(data):
            if error.validator != "pattern":
                specific.add(tuple(error.absolute_path))
            found.extend((error.validator, violation) for violation in self._explain(error))
        found = [violation for kind, violation in found if kind != "pattern" or tuple(violation.path) not in specific]
        found.sort(key=lambda v: (tuple(map(str, v.path)), v.message))
        return found

    def _explain(self, error) -> Iterator[Violation]:
        path = tuple(error.absolute_path)
        place = where(path)
        kind, value = error.validator, error.instance
        if kind == "additionalProperties" and isinstance(value, dict):
            known = sorted(error.schema.get("properties", {}))
            for key in sorted(k for k in value if k not in known and not str(k).startswith("x-")):
                if key == "<<":
                    yield Violation(
                        path + (key,),
                        f"a merge key ('<<') in {place}: merge keys are not supported",
                        "write the keys out in full (YAML 1.2, which policycheck reads, has no merge keys)",
                    )
                    continue
                yield Violation(
                    path + (key,),
                    f"unknown key '{key}' in {place}",
                    did_you_mean(key, known) or f"allowed keys: {', '.join(known)}; prefix extensions with 'x-'",
                    fix=_rename(path + (key,), key, known, value),
                )
        elif kind == "required":
            missing = error.message.split("'")[1] if "'" in error.message else error.message
            yield Violation(path, f"{place} is missing the required key '{missing}'", f"add '{missing}:'")
        elif kind == "enum" and error.validator_value is self.schema["$defs"].get("countryCode", {}).get("enum"):
            upper = value.upper() if isinstance(value, str) else None
            case = upper in self.reference.countries and upper != value
            yield Violation(
                path,
                f"{place}: '{value}' is not an ISO 3166-1 alpha-3 country code",
                self._country_hint(value),
                fix=Fix(f"Write '{upper}'", (Edit.set(path, upper),), safe=True) if case else None,
            )
        elif kind == "enum" and error.validator_value is self.schema["$defs"].get("currencyCode", {}).get("enum"):
            yield Violation(
                path,
                f"{place}: '{value}' is not an ISO 4217 currency code",
                did_you_mean(value, list(self.reference["currencies"])),
            )
        elif kind == "enum":
            options = [str(option) for option in error.validator_value]
            yield Violation(
                path,
                f"{place}: '{value}' is not one of: {', '.join(options)}",
                did_you_mean(value, options),
            )
        elif kind == "const":
            yield Violation(
                path,
                f"{place}: expected '{error.validator_value}', found '{value}'",
                f"this policycheck reads '{error.validator_value}'",
            )
        elif kind == "type" and value is None:  # `waivers:` with nothing under it
            expected = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
            wanted = " or ".join(TYPE_NAMES.get(name, name) for name in expected)
            yield Violation(
                path, f"{place} is empty: expected {wanted}", _what_to_write(path, expected, error.schema, self.schema)
            )
        elif kind == "type":
            expected = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
            wanted = " or ".join(TYPE_NAMES.get(name, name) for name in expected)
            hint = "quote the value so it stays text" if "string" in expected and value is not None else None
            if "boolean" in expected and isinstance(value, str) and value.lower() in _YAML11_BOOLEANS:
                # YAML 1.2 reads yes/no/on/off as text, unlike YAML 1.1 tools
                hint = (
                    f"write {'true' if value.lower() in ('yes', 'y', 'on') else 'false'}: '{value}' is text in YAML 1.2"
                )
            yield Violation(path, f"{place}: expected {wanted}, found {type_name(value)} ({value!r})", hint)
        elif kind == "format":
            yield Violation(
                path, f"{place}: '{value}' is not a valid {error.validator_value}", "write dates as YYYY-MM-DD"
            )
        elif kind == "pattern":
            latin = lookalikes(value) if isinstance(value, str) else None
            hint = f"it must match {error.validator_value}"
            yield Violation(
                path, f"{place}: '{value}' does not have the expected form", f"{latin[0]}; {hint}" if latin else hint
            )
        else:
            yield Violation(path, f"{place}: {error.message}")

    def _country_hint(self, value: Any) -> str | None:
        countries = self.reference.countries
        latin = lookalikes(value) if isinstance(value, str) else None
        if latin is not None:
            note, value = latin
            if value in countries:
                return f"{note}: did you mean '{value}' ({countries[value]})?"
            suggestion = self._country_hint(value)
            return f"{note}; {suggestion}" if suggestion else note
        if isinstance(value, str):
            by_name = {name.lower(): code for code, name in countries.items()}
            if value.lower() in by_name:
                code = by_name[value.lower()]
                return f"did you mean '{code}' ({countries[code]})?"
            if value.upper() in countries:
                return f"did you mean '{value.upper()}' ({countries[value.upper()]})?"
            close = close_matches(value.lower(), by_name)
            code = by_name[close[0]] if close else next(iter(close_matches(value.upper(), countries)), None)
            if code:
                return f"did you mean '{code}' ({countries[code]})?"
        return None


class ActivityValidator:
    """Each document against the schema of the version its `schema` names, as SCH001 violations.

    A document naming no known version gets one SCH001 saying which versions
    exist, and the rest of it is judged as activity/v2 if it has a key only v2
    knows, else as v1. With `require` (the configuration's `require_schema`), a
    document of an older version gets an SCH001 saying how to move it.
    """

    def __init__(
        self,
        reference: "Reference",
        fragments: Mapping[str, Mapping[str, Any]],
        require: str | None = None,
        fast: bool = True,
    ):
        self.reference, self.fragments, self.require, self.fast = reference, fragments, require, fast
        self._by_version: dict[str, SchemaValidator] = {}

    def validator(self, version: str) -> SchemaValidator:
        """The validator of one version, built the first time a document of that version comes."""
        if version not in self._by_version:
            schema = effective_schema(self.reference, self.fragments, version)
            self._by_version[version] = SchemaValidator(schema, self.reference, self.fast)
        return self._by_version[version]

    def violations(self, data: Any) -> list[Violation]:
        declared = data.get("schema") if isinstance(data, Mapping) else None
        if isinstance(declared, str) and declared in SCHEMAS:  # `schema: []` is a wrong version, not a crash
            found = self.validator(declared).violations(data)
            if self.require and VERSIONS.index(declared) < VERSIONS.index(self.require):
                found.append(_too_old(declared, self.require))
            return found
        judged = "activity/v2" if isinstance(data, Mapping) and V2_KEYS & set(data) else "activity/v1"
        found = self.validator(judged).violations(data)
        if isinstance(data, Mapping) and "schema" in data:
            found = [violation for violation in found if tuple(violation.path) != ("schema",)]
            found.insert(
                0,
                Violation(
                    ("schema",),
                    f"schema: {shorten(repr(plain_copy(declared)))} is not a format version this policycheck reads "
                    f"({', '.join(VERSIONS)})",
                    f"write `schema: {LATEST}` (docs/format.md describes each version)",
                ),
            )
        return found


def _rename(path: tuple, key: Any, known: list[str], mapping: Mapping) -> Fix | None:
    """`sumary` -> `summary`: a key with exactly one close match that the mapping does not already have."""
    close = close_matches(key, known, n=2) if isinstance(key, str) else []
    if len(close) != 1 or close[0] in mapping:
        return None
    return Fix(f"Rename '{key}' to '{close[0]}'", (Edit.rename(path, close[0]),), safe=True)


def _too_old(declared: str, required: str) -> Violation:
    return Violation(
        ("schema",),
        f"this project requires {required} (`require_schema` in its configuration) and the document is {declared}: "
        f"move it to {required} as docs/format.md, 'Moving a v1 document to v2', describes (set `schema: "
        f"{required}` and add `funding` with its `authority` and `source`)",
        "every v1 field stays valid in v2; the new fields are optional apart from `funding`",
    )
