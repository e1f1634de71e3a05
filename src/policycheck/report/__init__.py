"""Stage 7, render: one module per output format, all registered through the output-format hook."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from ..baseline import BaselineResult
    from ..findings import FileResult
    from ..rule import Rule


class Report(NamedTuple):
    """What every format renders: the results of one run and the rules that ran."""

    # a list, or a `policycheck.results.Results` that decodes one file at a time:
    # iterate it rather than keep what it yields
    results: Sequence["FileResult"]
    rules: Mapping[str, "Rule"]
    rule_plugins: Mapping[str, str]
    fail_on: str = "fail"
    version: str = ""
    color: bool = False
    show_passes: bool = False
    quiet: bool = False
    notes: tuple[str, ...] = ()
    # set when --baseline or --write-baseline dropped known findings from `results`
    baseline: "BaselineResult | None" = None

    @property
    def summary(self) -> dict[str, int]:
        from ..findings import summarize

        return summarize(self.results)


class OutputFormat(NamedTuple):
    """A named renderer: `render(report) -> str`, written to stdout or `--output FILE`.

    `stream`, when given, yields the same text in pieces; the command line writes
    them as they come, so a large portfolio's report is never one string in memory.
    """

    name: str
    render: Callable[[Report], str]
    description: str = ""
    stream: Callable[[Report], Iterable[str]] | None = None

    def write(self, report: Report, handle) -> None:
        """Write the report to a text stream, piece by piece when the format can."""
        if self.stream is None:
            handle.write(self.render(report))
            return
        for piece in self.stream(report):
            handle.write(piece)
