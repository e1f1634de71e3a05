"""A plugin whose rule raises, to prove crash isolation (loaded with -p)."""

import policycheck


@policycheck.rule(
    id="TST901",
    title="Always crashes",
    family="test",
    level="fail",
    rationale="Exercises ERR001.",
    source="tests",
)
def always_crashes(activity, ctx):
    raise RuntimeError("boom")
    yield  # pragma: no cover - makes this a generator like real rules


@policycheck.rule(
    id="TST902",
    title="Always fires",
    family="test",
    level="warn",
    rationale="Shows other rules still run after a crash.",
    source="tests",
)
def always_fires(activity, ctx):
    yield policycheck.Violation(("partner", "country"), "test finding", "a hint")


@policycheck.hookimpl
def policycheck_rules():
    return [always_crashes, always_fires]
