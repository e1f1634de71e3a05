"""A plugin (loaded with -p) that lets a test stop or break a run at a chosen moment.

- `--format slow` writes the text report a piece at a time; after the first piece
  it prints `writing` on stderr (the test's cue to send SIGINT or SIGTERM), then
  waits between pieces;
- `--format broken` raises after its first piece: a bug in a format (exit 3);
- rule RLB902 prints `checking` on stderr once per process and, with
  POLICYCHECK_SLOW_RULE set, waits on every file (a run long enough to interrupt);
  with POLICYCHECK_MARKER set it creates that file, so a test can see whether any
  file was checked at all.
"""

import os
import sys
import time

import policycheck
from policycheck.report import OutputFormat, text

_announced = []


def _slow(report):
    for index, piece in enumerate(text.stream(report)):
        yield piece
        if index == 0:
            _cue("writing")
        time.sleep(0.05)


def _broken(report):
    yield "a first piece\n"
    raise RuntimeError("the format broke")


@policycheck.rule(
    id="RLB902",
    title="Marks and paces the check",
    family="test",
    level="warn",
    rationale="Lets a reliability test see that files were checked, and interrupt a long run.",
    source="tests/reliability",
)
def pace(activity, ctx):
    if not _announced:
        _announced.append(True)
        _cue("checking")
    if os.environ.get("POLICYCHECK_MARKER"):
        open(os.environ["POLICYCHECK_MARKER"], "a").close()
    if os.environ.get("POLICYCHECK_SLOW_RULE"):
        time.sleep(0.05)
    return ()


def _cue(word: str) -> None:
    # one write: stderr writes through, so print's text and newline are two, and two workers'
    # cues could interleave ("checkingchecking")
    sys.stderr.write(word + "\n")
    sys.stderr.flush()


@policycheck.hookimpl
def policycheck_rules():
    return [pace]


@policycheck.hookimpl
def policycheck_output_formats():
    return {
        "slow": OutputFormat("slow", lambda report: "".join(_slow(report)), "slow text", _slow),
        "broken": OutputFormat("broken", lambda report: "".join(_broken(report)), "a broken format", _broken),
    }
