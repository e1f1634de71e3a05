"""Where the shipped `rules/` and `schemas/` folders are, installed or in a checkout.

Paths are plain `str`: a bare `policycheck FILE` start need not import pathlib.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from typing import Any

_PACKAGE = os.path.dirname(os.path.realpath(__file__))


@lru_cache(maxsize=None)
def resource_dir(name: str) -> str:
    """`rules` or `schemas`: inside the wheel under `_data/`, else the repository root."""
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
    """A JSON schema shipped in `schemas/`, freshly parsed (~5x cheaper than a deep copy)."""
    with open(os.path.join(resource_dir("schemas"), name), encoding="utf-8") as handle:
        return json.load(handle)
