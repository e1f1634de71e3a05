"""A plugin with a schema section of its own (loaded with -p): hover and completion must know it.

It also prints on standard output, as a careless plugin might: the server's protocol must survive it.
"""

import policycheck

print("house plugin loaded")  # the point: standard output belongs to the protocol

SECTION = {
    "title": "House section",
    "description": "The fields our desk adds to every proposal.",
    "type": "object",
    "properties": {
        "desk": {
            "title": "Desk",
            "description": "The desk that owns the proposal.",
            "type": "string",
            "enum": ["EUR", "INDOPACOM"],
        },
    },
    "additionalProperties": False,
}


@policycheck.hookimpl
def policycheck_schema_fragments():
    return {"x-house": SECTION}


@policycheck.rule(
    id="HSE001",
    title="Says hello on standard output",
    family="house",
    level="warn",
    rationale="Exercises a rule that prints while the server runs.",
    source="tests",
)
def prints(activity, ctx):
    print("checking", activity.file)
    if activity.get("/x-house/desk") == "EUR":
        yield policycheck.Violation("/x-house/desk", "the EUR desk reviews this one itself")


@policycheck.hookimpl
def policycheck_rules():
    return [prints]
