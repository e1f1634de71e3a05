"""policycheck plugin: the `x-fms` section of an FMS case proposal, its rules, and `--format csv`.

Three hooks: a schema fragment makes `x-fms` a checked section (violations are
SCH001 findings like any schema error), two rules judge it, and an output
format writes findings as CSV for a spreadsheet-minded case manager.
"""

from __future__ import annotations

import policycheck
from policycheck.report import OutputFormat

from . import csv_format
from .rules import RULES
from .schema import X_FMS

__version__ = "0.1.0"


@policycheck.hookimpl
def policycheck_schema_fragments() -> dict:
    return {"x-fms": X_FMS}


@policycheck.hookimpl
def policycheck_rules() -> list[policycheck.Rule]:
    return list(RULES)


@policycheck.hookimpl
def policycheck_output_formats() -> dict:
    return {"csv": OutputFormat("csv", csv_format.render, "one row per finding, for spreadsheets")}
