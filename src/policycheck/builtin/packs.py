"""Registers the declarative rule packs shipped in `rules/packs/`."""

from __future__ import annotations

import os

from ..hookimpl import hookimpl
from ..resources import resource_dir, yaml_files


@hookimpl
def policycheck_rule_packs() -> list[str]:
    return yaml_files(os.path.join(resource_dir("rules"), "packs"))
