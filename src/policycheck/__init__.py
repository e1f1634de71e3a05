"""policycheck: policy compliance checks for security cooperation activity proposals.

The public plugin API is what this module exports; see `hookspecs` for the hooks.
"""

from .activity import Activity
from .hookimpl import hookimpl
from .rule import Collected, Rule, RuleContext, Violation, portfolio_rule, rule, rules_in, skip

__version__ = "0.1.0"

__all__ = [
    "Activity",
    "Collected",
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
