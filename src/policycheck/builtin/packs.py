"""Registers the declarative rule packs shipped in `rules/packs/`."""

from __future__ import annotations

from pathlib import Path

from ..hookimpl import hookimpl
from ..resources import resource_dir


@hookimpl
def policycheck_rule_packs() -> list[Path]:
    return sorted(resource_dir("rules").glob("packs/*.yaml"))
