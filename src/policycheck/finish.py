"""The finishing stage: once, after every file is checked, before anything is rendered.

In one pass over the checked results it runs the portfolio rules over what
they collected, then finishes each file: its portfolio findings, its waivers,
the findings sorted, the baseline, each rule's outcome. It stores the finished
records and counts them; every renderer then only reads.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple, Protocol

from . import waivers
from .findings import FileResult, Finding, Tally, outcome
from .results import Results
from .rule import Rule

if TYPE_CHECKING:
    from .baseline import BaselineResult
    from .engine import Engine


class BaselineStage(Protocol):
    """What `--baseline` (`baseline.Applying`) and `--write-baseline` (`baseline.Recording`) do to each file."""

    def keep(self, findings: list[Finding]) -> list[Finding]: ...

    def done(self) -> "BaselineResult": ...


class Finished(NamedTuple):
    """A finished run: every file's final record, their counts, and what the baseline did."""

    results: Results
    tally: Tally
    baseline: "BaselineResult | None" = None


def finish(engine: "Engine", checked: Results, baseline: BaselineStage | None = None) -> Finished:
    added = portfolio_findings(engine, checked)
    known = set(engine.registry.rules)
    wvr_levels = {
        rule_id: engine.level(engine.registry.rules[rule_id])
        for rule_id in ("WVR001", "WVR002")
        if rule_id in engine.enabled_ids
    }
    governance = waivers.Governance.of(engine.config.waivers, engine.registry.rules, engine.config.audit_waivers)
    finished, tally = Results(), Tally()
    for index, result in enumerate(checked):
        result.findings.extend(added.get(index, ()))
        if result.waivers:
            result.findings, result.waivers = waivers.judge(
                result.findings,
                result.waivers,
                engine.today,
                known,
                engine.enabled_ids,
                result.file,
                result.activity_id,
                wvr_levels,
                governance,
            )
        result.findings.sort(key=Finding.sort_key)
        if baseline is not None:
            result.findings = baseline.keep(result.findings)
        result.outcomes = _outcomes(result)
        finished.append(result)
        tally.add(result)
    return Finished(finished, tally, baseline.done() if baseline is not None else None)


def _outcomes(result: FileResult) -> dict[str, str]:
    """A rule that ran ("pass" so far) fails, warns or is waived by its findings, if it has any."""
    by_rule: dict[str, list[Finding]] = {}
    for finding in result.findings:
        by_rule.setdefault(finding.rule_id, []).append(finding)
    ran = {rule_id: outcome(found) for rule_id, found in by_rule.items() if result.outcomes.get(rule_id) == "pass"}
    return dict(sorted({**result.outcomes, **ran}.items()))


def portfolio_findings(engine: "Engine", checked: Results) -> dict[int, list[Finding]]:
    """Every portfolio rule over what it collected: its findings by the index of the file they belong to."""
    added: dict[int, list[Finding]] = {}
    for rule in engine.enabled:
        if rule.kind == "portfolio":
            _portfolio(engine, rule, checked, added)
    return added


def _portfolio(engine: "Engine", rule: Rule, checked: Results, added: dict[int, list[Finding]]) -> None:
    collected = checked.collected.get(rule.id, [])
    try:
        violations = list(rule.check(collected, engine.contexts[rule.id]))
        named = {violation.file for violation in violations}
        # a file checked twice (stdin given twice) gets its findings on its last result
        by_file = {file: index for index, file in enumerate(checked.files) if file in named}
        for violation in violations:
            if violation.file not in by_file:
                raise ValueError(f"violation names file {violation.file!r}, which is not part of this run")
        for violation in violations:
            index = by_file[violation.file]
            # the target's activity id: reports and baseline fingerprints use it
            finding = engine.finding(rule, violation, None)._replace(activity_id=checked[index].activity_id)
            added.setdefault(index, []).append(finding)
    except Exception as error:
        if len(checked):
            first = checked[0]
            added.setdefault(0, []).append(engine.crash(rule, error, first.file, first.activity_id))
