"""A plugin rule with a help URI, and one without, for the SARIF rule descriptors (loaded with -p)."""

import policycheck


@policycheck.rule(
    id="TRP001",
    title="Title mentions a draft",
    family="test-report",
    level="warn",
    rationale="A proposal sent for review is no longer a draft.",
    source="tests",
    help_uri="https://example.org/rules/TRP001",
)
def draft_title(activity, ctx):
    if "draft" in str(activity.get("/title")).lower():
        yield policycheck.Violation("/title", "the title still says draft", "remove 'draft' from the title")


@policycheck.rule(
    id="TRP002",
    title="Never fires",
    family="test-report",
    level="fail",
    rationale="A rule with no help URI.",
    source="tests",
)
def never_fires(activity, ctx):
    return iter(())


@policycheck.hookimpl
def policycheck_rules():
    return [draft_title, never_fires]
