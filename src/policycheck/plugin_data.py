"""What plugins contribute as data, checked when it is loaded: schema fragments and reference data.

A bad schema fragment used to fail every file as an "internal error" with the whole
schema in the message; reference data silently replaced the shipped data (a plugin
redefining NATO flipped REL004). Both now stop the run at load (exit 2) with one
short message naming the plugin and the key.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from . import cache
from .activity import plain_copy
from .errors import UsageError
from .hints import did_you_mean, where
from .quoting import shorten
from .resources import load_schema
from .validate import Validator

# Bump when what a cached "this fragment is a valid schema" means changes.
_FRAGMENT_CHECK = 1
SHIPPED = "the shipped data"


class PluginDataError(UsageError):
    """A plugin's schema fragment or reference data that cannot be used (exit code 2)."""


# --- schema fragments ------------------------------------------------------------------


def check_fragment(plugin: str, key: str, fragment: Mapping[str, Any], schema: Mapping[str, Any]) -> None:
    """A fragment for `properties[key]` of the activity `schema`: its `$ref`s resolve, and it is a JSON Schema."""
    whole = {**schema, "properties": {**schema.get("properties", {}), key: fragment}}
    for path, ref in _refs(fragment, ()):
        problem = _unresolved(ref, whole)
        if problem:
            raise PluginDataError(f"plugin '{plugin}': the schema fragment for '{key}' at {where(path)}: {problem}")
    # jsonschema's metaschema check costs its import (~60 ms): once per fragment, then remembered
    identity = f"{key}:{fragment!r}"
    if cache.recall("fragment", identity, _FRAGMENT_CHECK):
        return
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import best_match

    metaschema = Draft202012Validator(
        Draft202012Validator.META_SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER
    )
    error = best_match(metaschema.iter_errors(fragment))  # formats too: a `pattern` must compile
    if error is not None:
        raise PluginDataError(
            f"plugin '{plugin}': the schema fragment for '{key}' is not a valid JSON Schema (draft 2020-12) at "
            f"{where(tuple(error.absolute_path), 'its top')}: {shorten(error.message, 200)}"
        )
    cache.keep("fragment", identity, _FRAGMENT_CHECK, True)


def _refs(node: Any, path: tuple) -> Iterator[tuple[tuple, Any]]:
    if isinstance(node, Mapping):
        for name, value in node.items():
            if name == "$ref":
                yield path + (name,), value
            else:
                yield from _refs(value, path + (name,))
    elif isinstance(node, (list, tuple)):
        for index, value in enumerate(node):
            yield from _refs(value, path + (index,))


def _unresolved(ref: Any, schema: Mapping[str, Any]) -> str | None:
    """Why a `$ref` does not lead to a schema within the activity schema, or None."""
    if not isinstance(ref, str) or not ref.startswith("#"):
        return f"$ref {shorten(repr(ref))} must point into the activity schema, such as '#/$defs/date'"
    node: Any = schema
    for token in filter(None, ref[1:].split("/")):
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, Mapping) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            guess = did_you_mean(token, list(node) if isinstance(node, Mapping) else [])
            return (
                f"$ref '{ref}' points at nothing in the activity schema{'; ' + guess if guess else ''} "
                "(`policycheck schema` prints the schema and its $defs)"
            )
    return None


# --- reference data ---------------------------------------------------------------------


def reference_schema() -> dict[str, Any]:
    """The format of reference data: `reference:` in `schemas/config.schema.json`, the one definition of it."""
    config = load_schema("config.schema.json")
    return {**config["properties"]["reference"], "$defs": config.get("$defs", {})}


class ReferenceOwners:
    """Reference data merged in load order, with who gave each key: a clash is an error naming both."""

    def __init__(self, shipped: Mapping[str, Any]):
        self.data: dict[str, Any] = {kind: plain_copy(value) for kind, value in shipped.items()}
        # (kind, key or entry) -> who gave it; (kind, None) -> who gave a kind that is not a mapping
        self.owners: dict[tuple[str, Any], str] = {}
        self.added: dict[str, dict[str, list[str]]] = {}  # plugin -> kind -> keys or entries it added
        self._validator = Validator(reference_schema())

    def owner(self, kind: str, key: Any) -> str:
        found = self.owners.get((kind, key)) or self.owners.get((kind, None))
        return f"plugin '{found}'" if found else f"{SHIPPED} (rules/data/{kind}.yaml)"

    def add(self, plugin: str, extra: Mapping[str, Any]) -> None:
        errors = sorted(self._validator.iter_errors(plain_copy(extra)), key=lambda error: list(map(str, error.path)))
        if errors:
            error = errors[0]
            raise PluginDataError(
                f"plugin '{plugin}': policycheck_reference_data() at {where(tuple(error.absolute_path), 'its top')}: "
                f"{shorten(error.message, 200)} (the format is `reference:` in schemas/config.schema.json)"
            )
        added = self.added.setdefault(plugin, {})
        for kind, value in plain_copy(extra).items():
            current = self.data.get(kind)
            if current is None:
                self.data[kind] = value
                self.owners[(kind, None)] = plugin
                added[kind] = sorted(map(str, value)) if isinstance(value, (dict, list)) else []
            elif isinstance(current, dict) and isinstance(value, dict):
                for key, item in value.items():
                    if key in current and current[key] != item:
                        raise PluginDataError(
                            f"plugin '{plugin}' changes reference data {kind}/{key}, which {self.owner(kind, key)} "
                            f"defines as {shorten(repr(current[key]))}: a plugin may add keys, not change them "
                            "(configuration's `reference:` may)"
                        )
                    if key not in current:
                        current[key] = item
                        self.owners[(kind, key)] = plugin
                        added.setdefault(kind, []).append(str(key))
            elif isinstance(current, list) and isinstance(value, list):
                new = [item for item in value if item not in current]
                current.extend(new)
                added.setdefault(kind, []).extend(map(str, new))
            elif current != value:
                shape = "a mapping" if isinstance(current, dict) else "a list" if isinstance(current, list) else "set"
                raise PluginDataError(
                    f"plugin '{plugin}' changes reference data {kind}, which {self.owner(kind, None)} defines "
                    f"(as {shape}): a plugin may add to a kind, not replace it"
                )
