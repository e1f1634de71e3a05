"""policycheck plugin: AUKUS Pillar 2 technology-sharing checks.

Installed, it is found through the `policycheck` entry-point group; in tests it
is loaded by module name (`plugins=["policycheck_aukus"]`). This module is the
plugin: its `@hookimpl` functions are what policycheck calls.
"""

from __future__ import annotations

import policycheck

from .rules import RULES

__version__ = "0.1.0"


@policycheck.hookimpl
def policycheck_rules() -> list[policycheck.Rule]:
    return list(RULES)


@policycheck.hookimpl
def policycheck_reference_data() -> dict:
    # AUKS is an illustrative code for this plugin, not a registered CAPCO tetragraph:
    # it lets a proposal write `rel_to: [USA, AUKS]` and have REL TO checks expand it.
    return {"tetragraphs": {"AUKS": ["AUS", "GBR", "USA"]}}
