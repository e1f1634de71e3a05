"""A plugin (loaded with -p) that sabotages a later input while the run is going.

While the path in POLICYCHECK_SABOTAGE_PATH is still a regular file, its rule does
what POLICYCHECK_SABOTAGE says to it: `delete` it, or `fifo` (replace it with a
named pipe, which would block a reader that opened it without looking).
"""

import os

import policycheck


@policycheck.rule(
    id="RLB901",
    title="Sabotages a later file once",
    family="test",
    level="warn",
    rationale="Proves a file that vanishes or changes kind mid-run is reported, not fatal.",
    source="tests/reliability",
)
def sabotage(activity, ctx):
    path = os.environ["POLICYCHECK_SABOTAGE_PATH"]
    if os.path.isfile(path):
        os.remove(path)
        if os.environ["POLICYCHECK_SABOTAGE"] == "fifo":
            os.mkfifo(path)
    return ()


@policycheck.hookimpl
def policycheck_rules():
    return [sabotage]
