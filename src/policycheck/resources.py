"""Where the shipped `rules/` and `schemas/` folders are, installed or in a checkout."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

_PACKAGE = Path(__file__).resolve().parent


@lru_cache(maxsize=None)
def resource_dir(name: str) -> Path:
    """`rules` or `schemas`: inside the wheel under `_data/`, else the repository root."""
    installed = _PACKAGE / "_data" / name
    if installed.is_dir():
        return installed
    checkout = _PACKAGE.parents[1] / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"policycheck is installed without its {name}/ folder ({installed})")


@lru_cache(maxsize=None)
def load_schema(name: str) -> dict[str, Any]:
    """A JSON schema shipped in `schemas/`, parsed once per process: never change it."""
    return read_schema(name)


def read_schema(name: str) -> dict[str, Any]:
    """A JSON schema shipped in `schemas/`, freshly parsed (~5x cheaper than a deep copy)."""
    with open(resource_dir("schemas") / name, encoding="utf-8") as handle:
        return json.load(handle)
