"""What the schema, the reference data and the document say at a path: descriptions for
hover, keys and values for completion. Plain records; `lsp` turns them into LSP types.

The schema is the effective one (`validate.effective_schema`), so plugins' sections
are described and completed like the built-in ones.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from ..records import Record

if TYPE_CHECKING:
    from ..reference import Reference
    from ..rule import Rule

Path = tuple


class Suggestion(Record):
    """One completion: what to insert, and what the editor shows beside it."""

    label: str
    kind: str  # "key", "value", "country", "tetragraph", "threat" or "rule"
    detail: str = ""
    documentation: str = ""
    insert: str = ""


class Node(Record):
    """A schema node at a path: the node with `$ref`s followed, what the path itself says of it, the last `$ref`."""

    schema: Mapping[str, Any]
    title: str
    description: str
    ref: str | None


def _follow(root: Mapping[str, Any], node: Mapping[str, Any]) -> tuple[Mapping[str, Any], str | None]:
    ref_name = None
    for _ in range(32):  # a schema's references are a few levels deep; a cycle must not hang the server
        ref = node.get("$ref")
        if not isinstance(ref, str) or not ref.startswith("#/$defs/"):
            break
        ref_name = ref[len("#/$defs/") :]
        node = root.get("$defs", {}).get(ref_name, {})
    return node, ref_name


def _node(root: Mapping[str, Any], written: Mapping[str, Any], ref: str | None = None) -> Node:
    schema, followed = _follow(root, written)
    # a property's own title and description (beside its `$ref`) say more than the definition's
    title = written.get("title") or schema.get("title") or ""
    description = written.get("description") or schema.get("description") or ""
    return Node(schema, str(title), str(description), followed or ref)


def node_at(root: Mapping[str, Any], path: Iterable[Any]) -> Node | None:
    """The schema of the value at `path`, or None where the schema allows nothing there."""
    node = _node(root, root)
    for part in path:
        schema = node.schema
        if isinstance(part, int):
            items = schema.get("items")
            if not isinstance(items, Mapping):
                return None
            node = _node(root, items)
            continue
        properties = schema.get("properties", {})
        if part in properties:
            node = _node(root, properties[part])
            continue
        pattern = next(
            (value for key, value in schema.get("patternProperties", {}).items() if re.search(key, part)), None
        )
        if pattern is not None:
            node = _node(root, pattern)
        elif isinstance(schema.get("additionalProperties"), Mapping):
            node = _node(root, schema["additionalProperties"])
        else:
            return None
    return node


def describe(root: Mapping[str, Any], path: Path) -> str | None:
    """A key's hover text: its title, its description, and the values it takes."""
    node = node_at(root, path)
    if node is None or not (node.title or node.description):
        return None
    parts = [f"**{node.title}**" if node.title else f"**{path[-1]}**"]
    if node.description:
        parts.append(node.description)
    values = node.schema.get("enum")
    if isinstance(values, list) and values and node.ref not in ("countryCode", "currencyCode"):
        parts.append("One of: " + ", ".join(f"`{value}`" for value in values))
    return "\n\n".join(parts)


def keys(root: Mapping[str, Any], path: Path, present: Iterable[str] = ()) -> list[Suggestion]:
    """The keys the mapping at `path` may take, but for those it already has."""
    node = node_at(root, path)
    if node is None:
        return []
    taken = set(present)
    found = []
    for key, written in node.schema.get("properties", {}).items():
        if key in taken:
            continue
        child = _node(root, written)
        required = key in node.schema.get("required", ())
        detail = child.title + (" (required)" if required else "")
        found.append(Suggestion(key, "key", detail, child.description, f"{key}: "))
    return found


def _country(code: str, name: str) -> Suggestion:
    return Suggestion(code, "country", name, f"{code}: {name} (ISO 3166-1 alpha-3)", code)


def _tetragraph(code: str, members: Iterable[str], countries: Mapping[str, str]) -> Suggestion:
    names = [countries.get(member, member) for member in members]
    return Suggestion(code, "tetragraph", f"tetragraph: {len(names)} countries", f"{code}: {', '.join(names)}", code)


def values(
    root: Mapping[str, Any],
    path: Path,
    reference: "Reference",
    threat_ids: Iterable[str] = (),
    rules: Mapping[str, "Rule"] | None = None,
) -> list[Suggestion]:
    """The values the node at `path` may take: codes with their names, enums, threat ids, rule ids."""
    if len(path) == 4 and path[0] == "objectives" and path[2] == "addresses_threats" and isinstance(path[3], int):
        return [Suggestion(threat, "threat", "a threat of this activity", "", threat) for threat in threat_ids]
    if len(path) == 3 and path[0] == "waivers" and path[2] == "rule" and rules is not None:
        return [Suggestion(rule.id, "rule", rule.title, rule.description, rule.id) for rule in rules.values()]
    node = node_at(root, path)
    if node is None:
        return []
    countries = reference.countries
    if node.ref == "countryCode":
        return [_country(code, name) for code, name in countries.items()]
    if node.ref == "releaseCode":
        return [_country(code, name) for code, name in countries.items()] + [
            _tetragraph(code, members, countries) for code, members in reference.tetragraphs.items()
        ]
    if node.ref == "currencyCode" and "currencies" in reference:
        return [Suggestion(code, "value", name, "", code) for code, name in reference["currencies"].items()]
    if "const" in node.schema:
        return [Suggestion(str(node.schema["const"]), "value", node.title, node.description, str(node.schema["const"]))]
    if isinstance(node.schema.get("enum"), list):
        return [Suggestion(str(value), "value", node.title, "", str(value)) for value in node.schema["enum"]]
    if node.schema.get("type") == "boolean":
        return [Suggestion(word, "value", node.title, "", word) for word in ("true", "false")]
    return []


def is_mapping(root: Mapping[str, Any], path: Path) -> bool:
    """Whether the schema wants a mapping at `path` (after `- `, keys are typed rather than values)."""
    node = node_at(root, path)
    return node is not None and (node.schema.get("type") == "object" or "properties" in node.schema)
