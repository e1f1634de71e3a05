"""policycheck: policy compliance checks for security cooperation activity proposals.

The public plugin API is what this module exports, with the hooks in `hookspecs`
and the modules `policycheck.helpers`, `policycheck.hints`, `policycheck.testing`
and `policycheck.report`; docs/plugin-api.md documents every name.
"""

from .activity import Activity
from .findings import Finding
from .hookimpl import hookimpl
from .rule import Collected, Edit, Fix, Param, Rule, RuleContext, Violation, portfolio_rule, rule, rules_in, skip

__version__ = "0.1.0"

__all__ = [
    "Activity",
    "Collected",
    "Edit",
    "Fix",
    "Finding",
    "Param",
    "Rule",
    "RuleContext",
    "Violation",
    "__version__",
    "hookimpl",
    "portfolio_rule",
    "rule",
    "rules_in",
    "skip",
]
