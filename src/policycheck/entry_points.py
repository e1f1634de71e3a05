"""Entry points in the `policycheck` group, found without importing importlib.metadata.

Importing importlib.metadata costs 15-25 ms of every cold start; reading the few
small entry_points.txt files costs about 1 ms (issue 8; benchmarks/README.md).
Distributions are taken from sys.path in order, the first of each name winning,
as importlib.metadata does; anything this cannot read (a zip on sys.path) is
left to importlib.metadata.
"""

from __future__ import annotations

import os
import re
import sys
from types import SimpleNamespace

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def find(group: str) -> list[Any]:
    """The entry points in `group`, each with `name`, `value`, `dist` and `load()`."""
    found = _read(group)
    if found is None:
        from importlib.metadata import entry_points

        found = list(entry_points(group=group))
    return found


class _EntryPoint:
    """The part of importlib.metadata.EntryPoint the loader uses."""

    __slots__ = ("name", "value", "dist")

    def __init__(self, name: str, value: str, dist: Any):
        self.name, self.value, self.dist = name, value, dist

    def load(self) -> Any:
        import importlib  # 1.6 M instructions with warnings: only an installed plugin is loaded

        module, _, attributes = self.value.split("[")[0].partition(":")
        target = importlib.import_module(module.strip())
        for attribute in filter(None, attributes.strip().split(".")):
            target = getattr(target, attribute)
        return target


def _read(group: str) -> list[_EntryPoint] | None:
    """The entry points in `group` as importlib.metadata finds them, or None where it cannot tell."""
    header = f"[{group}]"
    seen: set[str] = set()
    found: list[_EntryPoint] = []
    for entry in sys.path:
        folder = entry or "."
        if not os.path.isdir(folder):
            if os.path.exists(folder):
                return None
            continue
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            continue
        for name in names:
            if not name.lower().endswith((".dist-info", ".egg-info")):
                continue
            normalized = re.sub(r"[-_.]+", "_", name.rsplit(".", 1)[0].partition("-")[0]).lower()
            if normalized in seen:
                continue
            seen.add(normalized)
            try:
                with open(os.path.join(folder, name, "entry_points.txt"), encoding="utf-8") as handle:
                    text = handle.read()
            except (OSError, ValueError):
                continue
            if header in text:
                found.extend(_group_entries(text, group, os.path.join(folder, name)))
    return found


def _group_entries(text: str, group: str, info: str) -> list[_EntryPoint]:
    metadata: dict[str, str] = {}
    for file_name in ("METADATA", "PKG-INFO"):
        try:
            with open(os.path.join(info, file_name), encoding="utf-8") as handle:
                for line in handle:
                    if not line.strip():
                        break  # the headers end at the first blank line
                    key, _, value = line.partition(":")
                    metadata.setdefault(key.strip(), value.strip())
            break
        except OSError:
            continue
    dist = SimpleNamespace(name=metadata.get("Name"), version=metadata.get("Version"))
    entries, section = [], None
    for line in map(str.strip, text.splitlines()):
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line.strip("[]")
        elif section == group and "=" in line:
            name, value = (part.strip() for part in line.split("=", 1))
            entries.append(_EntryPoint(name, value, dist))
    return entries
