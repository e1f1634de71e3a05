"""A plugin (loaded with -p) whose output format writes slowly, so a test can stop a run mid-write.

`--format slow` writes the text report a piece at a time; after the first piece
it prints `writing` on stderr (the test's signal to send SIGINT or SIGTERM) and
then waits between pieces. `--format broken` raises after its first piece: a
bug in a format, which must be exit 3 with the previous file intact.
"""

import sys
import time

import policycheck
from policycheck.report import OutputFormat, text


def _slow(report):
    for index, piece in enumerate(text.stream(report)):
        yield piece
        if index == 0:
            print("writing", file=sys.stderr, flush=True)
        time.sleep(0.05)


def _broken(report):
    yield "a first piece\n"
    raise RuntimeError("the format broke")


@policycheck.hookimpl
def policycheck_output_formats():
    return {
        "slow": OutputFormat("slow", lambda report: "".join(_slow(report)), "slow text", _slow),
        "broken": OutputFormat("broken", lambda report: "".join(_broken(report)), "a broken format", _broken),
    }
