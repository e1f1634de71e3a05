"""Where the shipped `rules/` and `schemas/` folders are, installed or in a checkout.

Paths are plain `str` and schemas come from a marshal copy in the cache folder:
a bare `policycheck FILE` start imports neither pathlib nor json.
"""

from __future__ import annotations

import os
from functools import lru_cache

from . import cache

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_PACKAGE = os.path.dirname(os.path.realpath(__file__))


@lru_cache(maxsize=None)
def resource_dir(name: str) -> str:
    """`rules`, `schemas` or `docs`: inside the wheel under `_data/`, else the repository root."""
    installed = os.path.join(_PACKAGE, "_data", name)
    if os.path.isdir(installed):
        return installed
    checkout = os.path.join(os.path.dirname(os.path.dirname(_PACKAGE)), name)
    if os.path.isdir(checkout):
        return checkout
    raise FileNotFoundError(f"policycheck is installed without its {name}/ folder ({installed})")


def yaml_files(folder: str) -> list[str]:
    """The `*.yaml` files in `folder`, sorted by name."""
    return sorted(os.path.join(folder, name) for name in os.listdir(folder) if name.endswith(".yaml"))


@lru_cache(maxsize=None)
def load_schema(name: str) -> dict[str, Any]:
    """A JSON schema shipped in `schemas/`, parsed once per process: never change it."""
    return read_schema(name)


def read_schema(name: str) -> dict[str, Any]:
    """A JSON schema shipped in `schemas/`, a fresh copy to change at will.

    It is read back from a marshal copy in the cache folder, keyed by the
    file's path, size and modification time; json is imported only to parse
    a schema the cache does not hold yet.
    """
    path = os.path.join(resource_dir("schemas"), name)
    built_from = cache.stamp(path)
    schema = cache.recall("schema", path, built_from)
    if schema is None:
        import json  # 3.8 ms: only a schema the cache does not hold yet is parsed

        with open(path, encoding="utf-8") as handle:
            schema = json.load(handle)
        cache.keep("schema", path, built_from, schema)
    return schema
