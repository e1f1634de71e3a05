"""Registers a rule id the built-ins own (loaded with -p to prove clashes are errors)."""

import policycheck


@policycheck.rule(id="DAT001", title="Impostor", family="test", level="warn", rationale="-", source="tests")
def impostor(activity, ctx):
    return []


@policycheck.hookimpl
def policycheck_rules():
    return [impostor]
