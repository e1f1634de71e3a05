"""The finishing stage: once, after every file is checked, before anything is rendered.

In one pass over the checked results it runs the portfolio rules over what
they collected, then finishes each file: its portfolio findings, its waivers,
the findings sorted, the baseline, each rule's outcome. It stores the finished
records and counts them; every renderer then only reads.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple, Protocol

from . import waivers
from .engine import violations
from .findings import FileResult, Finding, Tally, outcome
from .quoting import shorten
from .results import Results
from .rule import Rule, Violation

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


def finish(
    engine: "Engine", checked: Results, baseline: BaselineStage | None = None, tracebacks: bool = False
) -> Finished:
    """Finish every checked file, once; ERR001 findings keep their traceback only with `tracebacks`."""
    added, crashed = portfolio_findings(engine, checked)
    known = set(engine.registry.rules)
    wvr_levels = {
        rule_id: engine.level(engine.registry.rules[rule_id])
        for rule_id in ("WVR001", "WVR002")
        if rule_id in engine.enabled_ids
    }
    governance = waivers.Governance.of(engine.config.waivers, engine.registry.rules, engine.config.audit_waivers)
    finished, tally = Results(), Tally()
    for index, result in enumerate(checked):
        result.file = checked.files[index]  # the path the checked store holds, not a copy decoded with the record
        result.findings.extend(added.get(index, ()))
        for rule_id in crashed.get(index, ()):
            result.outcomes[rule_id] = "error"
        if not tracebacks and any(finding.traceback for finding in result.findings):
            result.findings = [finding._replace(traceback=None) for finding in result.findings]
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


def portfolio_findings(engine: "Engine", checked: Results) -> tuple[dict[int, list[Finding]], dict[int, list[str]]]:
    """Every portfolio rule over what it collected: its findings by the index of the file they belong to,
    and the rules that crashed by the index of each file they collected from."""
    added: dict[int, list[Finding]] = {}
    crashed: dict[int, list[str]] = {}
    for rule in engine.enabled:
        if rule.kind == "portfolio":
            _portfolio(engine, rule, checked, added, crashed)
    return added, crashed


def _portfolio(
    engine: "Engine", rule: Rule, checked: Results, added: dict[int, list[Finding]], crashed: dict[int, list[str]]
) -> None:
    collected = checked.collected.get(rule.id, [])
    # a file checked twice (stdin given twice) gets its findings on its last result
    index_of = {file: index for index, file in enumerate(checked.files)}
    # the targets' activity ids, which reports and baseline fingerprints use, without decoding their results
    activity_ids = {item.file: item.activity_id for item in collected}

    def activity_id(index: int) -> str | None:
        file = checked.files[index]
        return activity_ids[file] if file in activity_ids else checked[index].activity_id

    def outside(violation: Violation) -> str | None:
        if violation.file in index_of:
            return None
        return (
            f"Violation(file={shorten(repr(violation.file))}) names no file of this run: a portfolio rule's "
            "violations name the file they belong to (a Collected.file)"
        )

    try:
        found = violations(rule.check(collected, engine.contexts[rule.id]), outside)
    except (Exception, SystemExit) as error:
        # the crash is every contributing file's: none of them was judged by this rule
        files = [item.file for item in collected if not engine.ignores(rule.id, item.file)] or checked.files
        crash = engine.crash(rule, error, "", None)  # once: its traceback is the same for every file
        for index in sorted({index_of[file] for file in files}):
            added.setdefault(index, []).append(
                crash._replace(file=checked.files[index], activity_id=activity_id(index))
            )
            crashed.setdefault(index, []).append(rule.id)
        return
    for violation in found:
        if engine.ignores(rule.id, violation.file):
            continue  # per_file_ignores exempts that file from the rule; its value still counted for the others
        index = index_of[violation.file]
        finding = engine.finding(rule, violation, None)._replace(activity_id=activity_id(index))
        added.setdefault(index, []).append(finding)
