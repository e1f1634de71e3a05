"""Stage 7, render: one module per output format, all registered through the output-format hook."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Mapping

if TYPE_CHECKING:
    from ..baseline import BaselineResult
    from ..findings import FileResult
    from ..rule import Rule


@dataclass(frozen=True)
class Report:
    """What every format renders: the results of one run and the rules that ran."""

    results: list["FileResult"]
    rules: Mapping[str, "Rule"]
    rule_plugins: Mapping[str, str]
    fail_on: str = "fail"
    version: str = ""
    color: bool = False
    show_passes: bool = False
    quiet: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)
    # set when --baseline or --write-baseline dropped known findings from `results`
    baseline: "BaselineResult | None" = None

    @property
    def summary(self) -> dict[str, int]:
        from ..findings import summarize

        return summarize(self.results)


@dataclass(frozen=True)
class OutputFormat:
    """A named renderer: `render(report) -> str`, written to stdout or `--output FILE`."""

    name: str
    render: Callable[[Report], str]
    description: str = ""
