"""A plugin (loaded with -p) whose rules try to change the activity they are given.

Each must fail with ERR001 (the view is read-only) while the observer rule, which
runs after them, still sees the document as written.
"""

import policycheck


def _rule(id, title):
    return policycheck.rule(
        id=id,
        title=title,
        family="test",
        level="fail",
        rationale="Exercises the read-only view.",
        source="tests/reliability",
    )


@_rule("RLB911", "Overwrites the id")
def set_key(activity, ctx):
    activity.data["id"] = "x"
    return ()


@_rule("RLB912", "Appends to a list")
def append(activity, ctx):
    activity.data["partner"]["organizations"].append("Intruders")
    return ()


@_rule("RLB913", "Replaces the whole document")
def replace_data(activity, ctx):
    activity.data = {"id": "x"}
    return ()


@_rule("RLB914", "Deletes a key")
def delete_key(activity, ctx):
    del activity.data["objectives"]
    return ()


@policycheck.rule(
    id="RLB919",
    title="Reports what it sees",
    family="test",
    level="warn",
    rationale="Shows the other rules ran and that the document was not changed.",
    source="tests/reliability",
)
def observe(activity, ctx):
    organizations = ", ".join(activity.strings(("partner", "organizations")))
    yield policycheck.Violation(("id",), f"saw id {activity.get('id')} with organizations: {organizations}")


@policycheck.hookimpl
def policycheck_rules():
    return [set_key, append, replace_data, delete_key, observe]
