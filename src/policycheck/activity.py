"""The read-only view of one activity that every rule receives."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from functools import lru_cache
from types import MappingProxyType

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

Path = tuple


# The frozen document's own types, checked with `type(x) is FROZEN_MAPPING` where rules and helpers
# look: 27 ns a check against 266 ns for isinstance(x, Mapping), an ABC (issue 21).
FROZEN_MAPPING = MappingProxyType
# what else a document holds: never a mapping, so no ABC check is needed to say so
LEAF_TYPES = frozenset({str, int, float, bool, type(None), date})
_EMPTY: Mapping[str, Any] = MappingProxyType({})


def freeze(value: Any) -> Any:
    """Deep read-only copy: mappings become MappingProxyType, lists become tuples."""
    if isinstance(value, dict):
        return MappingProxyType({key: freeze(item) for key, item in value.items()})
    if isinstance(value, list):
        return tuple(freeze(item) for item in value)
    return value


def plain_copy(value: Any) -> Any:
    """A deep, mutable copy of data: any mapping as a dict, any list or tuple as a list (for edits and JSON)."""
    if type(value) in LEAF_TYPES:
        return value
    if isinstance(value, Mapping):
        return {key: plain_copy(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain_copy(item) for item in value]
    return value


def to_path(pointer: tuple | str) -> Path:
    """Accept a tuple path or a JSON pointer ("/objectives/0") and return a tuple."""
    if isinstance(pointer, tuple):
        return pointer
    return _parsed_pointer(pointer)


@lru_cache(maxsize=1024)  # rules name the same few pointers for every document
def _parsed_pointer(pointer: str) -> Path:
    if pointer in ("", "/"):
        return ()
    parts = []
    for token in pointer.lstrip("/").split("/"):
        token = token.replace("~1", "/").replace("~0", "~")
        parts.append(int(token) if token.isdigit() else token)
    return tuple(parts)


def to_pointer(path: tuple | str) -> str:
    """A tuple path as a JSON pointer string."""
    if isinstance(path, str):
        return path
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


class Activity:
    """One activity document, frozen, with line/column lookup.

    `data` is the whole document as read-only mappings and tuples. `get()` and
    the section helpers never raise on a document of the wrong shape (a schema
    error is reported separately), so a rule can be written for valid input.
    """

    __slots__ = ("file", "data", "_positions", "_lists")

    def __init__(self, file: str, data: Mapping[str, Any], positions: Mapping[Path, tuple[int, int]]):
        # object.__setattr__ because __setattr__ below refuses: one rule must not
        # swap `data` (or the positions) under the rules that run after it
        object.__setattr__(self, "file", file)
        object.__setattr__(self, "data", freeze(data))
        object.__setattr__(self, "_positions", MappingProxyType(positions))
        object.__setattr__(self, "_lists", {})

    @classmethod
    def of_frozen(cls, file: str, data: Mapping[str, Any], positions: Mapping[Path, tuple[int, int]]) -> "Activity":
        """An activity of data the loader froze as it parsed (`load.parse(..., frozen=True)`): no second walk."""
        activity = cls.__new__(cls)
        object.__setattr__(activity, "file", file)
        object.__setattr__(activity, "data", data)
        object.__setattr__(activity, "_positions", MappingProxyType(positions))
        object.__setattr__(activity, "_lists", {})
        return activity

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"the activity is read-only (cannot set '{name}')")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"the activity is read-only (cannot delete '{name}')")

    @property
    def id(self) -> str | None:
        value = self.data.get("id")
        return value if isinstance(value, str) else None

    def get(self, path: tuple | str, default: Any = None) -> Any:
        """The value at a path, or `default` when any step is missing or of the wrong type."""
        node: Any = self.data
        for part in path if type(path) is tuple else to_path(path):
            kind = type(node)
            if kind is FROZEN_MAPPING and type(part) is str:
                if part not in node:
                    return default
                node = node[part]
            elif kind is tuple and type(part) is int and 0 <= part < len(node):
                node = node[part]
            else:
                return default
        return node

    def section(self, key: str) -> Mapping[str, Any]:
        """A top-level mapping such as `partner`, or an empty one."""
        value = self.data.get(key)
        return value if type(value) is FROZEN_MAPPING else _EMPTY

    def items(self, path: tuple | str) -> Iterator[tuple[Path, Mapping[str, Any]]]:
        """(path, mapping) for each mapping in the list at `path`, skipping malformed items."""
        base = to_path(path)
        found = self._lists.get(base)
        if found is None:  # rules walk the same few lists (objectives, their indicators): each once a document
            value = self.get(base)
            found = (
                tuple((base + (index,), item) for index, item in enumerate(value) if type(item) is FROZEN_MAPPING)
                if type(value) is tuple
                else ()
            )
            self._lists[base] = found
        return iter(found)

    def named_items(
        self, path: tuple | str, name_key: str, unnamed: str = "#"
    ) -> list[tuple[Path, str, Mapping[str, Any]]]:
        """(path, label, mapping) for each mapping in the list at `path`, labelled for messages:
        its `name_key` quoted ("'AN/PRC-163'"), else its position (`unnamed` + "2")."""
        return [
            (
                item_path,
                f"'{item[name_key]}'" if isinstance(item.get(name_key), str) else f"{unnamed}{item_path[-1] + 1}",
                item,
            )
            for item_path, item in self.items(path)
        ]

    def strings(self, path: tuple | str) -> tuple[str, ...]:
        """The strings of the list at `path` (other items and other types ignored)."""
        value = self.get(path)
        if type(value) is not tuple:
            return ()
        return tuple(item for item in value if type(item) is str)

    def position(self, path: tuple | str) -> tuple[int, int]:
        """(line, column) of the node at `path`, or of its nearest ancestor in the file."""
        parts = to_path(path)
        while parts:
            if parts in self._positions:
                return self._positions[parts]
            parts = parts[:-1]
        return self._positions.get((), (1, 1))
