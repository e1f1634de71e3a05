"""Reference data (country codes, tetragraphs, vague verbs, ...) as one read-only object.

The shipped data lives in `rules/data/*.yaml`; plugins add to it through the
`policycheck_reference_data` hook and users through `reference:` in configuration.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from types import MappingProxyType

import yaml

from . import cache
from .resources import resource_dir, yaml_files

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["Reference"]

try:
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]


def _shipped() -> dict[str, Any]:
    """rules/data/*.yaml, through a marshal copy in the user's cache folder.

    Parsing the YAML costs ~5 ms of every start (and of every worker); reading
    the copy ~0.1 ms. The copy is keyed by each file's name, size and
    modification time, so an edited data file is parsed again.
    """
    folder = os.path.join(resource_dir("rules"), "data")
    paths = yaml_files(folder)
    built_from = [cache.stamp(path) for path in paths]
    data = cache.recall("reference", folder, built_from)
    if data is None:
        data = {}
        for path in paths:
            with open(path, encoding="utf-8") as handle:
                data[os.path.splitext(os.path.basename(path))[0]] = yaml.load(handle, Loader=_SafeLoader)["data"]
        cache.keep(
            "reference", folder, built_from, data
        )  # unless marshal cannot store it (e.g. a date): then always parse the YAML
    return data


def merge(base: dict[str, Any], extra: Mapping[str, Any]) -> None:
    """Add `extra` into `base`: mappings update, lists append new entries."""
    for kind, value in extra.items():
        current = base.get(kind)
        if isinstance(current, dict) and isinstance(value, Mapping):
            current.update(value)
        elif isinstance(current, list) and isinstance(value, (list, tuple)):
            current.extend(item for item in value if item not in current)
        else:
            base[kind] = value if not isinstance(value, tuple) else list(value)


class Reference(Mapping[str, "Any"]):
    """All reference data, read-only, with the lookups rules need most.

    `countries` is every country code accepted: the ISO 3166-1 alpha-3 codes of
    `countries` and the GENC additions of `genc` (`genc` alone holds those).
    """

    def __init__(self, extras: Iterable[Mapping[str, Any]] = ()):
        data = _shipped()
        for extra in extras:
            merge(data, extra)
        self._data = {
            kind: MappingProxyType(value)
            if isinstance(value, dict)
            else tuple(value)
            if isinstance(value, list)
            else value
            for kind, value in data.items()
        }
        genc = self._data.get("genc", {})
        # GENC's own trigraphs (XKS, ...) are country codes too: US markings use GENC, not bare ISO 3166
        self.genc: Mapping[str, str] = MappingProxyType(dict(genc.get("added", {})))
        self.genc_not_used: Mapping[str, str] = MappingProxyType(dict(genc.get("not_used", {})))
        self.countries: Mapping[str, str] = MappingProxyType({**self._data.get("countries", {}), **self.genc})
        self.tetragraphs: Mapping[str, tuple[str, ...]] = MappingProxyType(
            {code: tuple(members) for code, members in self._data.get("tetragraphs", {}).items()}
        )

    def __getitem__(self, kind: str) -> Any:
        return self._data[kind]

    def __iter__(self):
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def covers(self, code: str, country: str) -> bool:
        """Whether a REL TO entry (trigraph or tetragraph) includes `country`."""
        return code == country or country in self.tetragraphs.get(code, ())
