"""The render stage: one module per output format, all registered through the output-format hook."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

from ..findings import tally
from ..records import Record

__all__ = ["OutputFormat", "Report"]

TYPE_CHECKING = False
if TYPE_CHECKING:
    from datetime import date
    from typing import Any

    from ..compare import Comparison
    from ..baseline import BaselineResult
    from ..effective import EffectivePolicy
    from ..findings import FileResult, Tally
    from ..rule import Rule


class Report(Record):
    """What every format renders: the finished results of one run, its counts, and the rules that ran.

    Renderers only read it: waivers, outcomes, portfolio findings and the baseline
    were applied by the finishing stage before it was built.
    """

    # a list, or a `policycheck.results.Results` that decodes one file at a time:
    # iterate it rather than keep what it yields
    results: Sequence["FileResult"]
    rules: Mapping[str, "Rule"]
    rule_plugins: Mapping[str, str]
    # the run's counts, taken by the finishing stage; None for a Report built by hand
    tally: "Tally | None" = None
    fail_on: str = "fail"
    version: str = ""
    color: bool = False
    show_passes: bool = False
    quiet: bool = False
    # set when --baseline or --write-baseline dropped known findings from `results`
    baseline: "BaselineResult | None" = None
    # what the run judged by, stated by every format; None for a Report built by hand
    policy: "EffectivePolicy | None" = None
    # the repository root (else the current folder): SARIF's %SRCROOT%
    root: str = "."
    # the review date the rules judged by (`--today`, else the run's date); None for a Report built by hand
    today: "date | None" = None
    # what the rules were, for the record's hash: {"rules": {id: {level, parameters, plugin}}, "plugins": [...]}
    catalogue: "Mapping[str, Any] | None" = None
    # --compare PREVIOUS.json: what a format marks new, changed or resolved (a `compare.Comparison`)
    compare: "Comparison | None" = None
    # --unsafe-fixes: a finding's unsafe fix counts as one `--fix` makes (the text report's `[*]`)
    unsafe_fixes: bool = False

    @property
    def summary(self) -> dict[str, int]:
        """Counts for the summary line and the JSON report."""
        if self.tally is not None:
            return self.tally.summary()
        return tally(self.results).summary()


class OutputFormat(Record):
    """A named renderer: `render(report) -> str`, written to stdout or `--output FILE`.

    `stream`, when given, yields the same text in pieces; the command line writes
    them as they come, so a large portfolio's report is never one string in memory.
    `reads_facts` False says the format never reads a file's `facts`, so a run that
    writes only such formats does not take them.
    """

    name: str
    render: Callable[[Report], str]
    description: str = ""
    stream: Callable[[Report], Iterable[str]] | None = None
    reads_facts: bool = True

    def write(self, report: Report, handle) -> None:
        """Write the report to a text stream, piece by piece when the format can."""
        if self.stream is None:
            handle.write(self.render(report))
            return
        for piece in self.stream(report):
            handle.write(piece)


def live_waivers(result: "FileResult"):
    """A finished file's live waivers (the finishing stage judged them), for every format's list."""
    return [waiver for waiver in result.waivers if waiver.status == "live"]
