"""JUnit XML, for CI test reports (GitLab `artifacts:reports:junit`, Jenkins, test-summary actions).

One testsuite per file, one testcase per (file, rule), from the rule's outcome:

    pass    passing testcase
    skip    <skipped> (the rule does not apply, or the document could not
            be judged: unreadable, or the rule needs a valid document)
    fail    <failure>, every finding of the rule in the body
    warn    passing testcase with the warnings in <system-out>;
            <failure> under --fail-on warn, because then they gate
    info    passing testcase with the advice in <system-out>: it never gates
    waived  <skipped> whose message is the waiver's justification: an accepted
            exception is neither a pass nor a failure, and never gates
    error   <error>: the rule crashed (ERR001's message, and its traceback
            under --show-tracebacks)

Times are 0 and there is no timestamp, so the output is deterministic. The
output is valid against `junit-10.xsd` (the schema Jenkins' xUnit and pytest
follow): the file is the suite's `file` and each case's `classname` (GitLab
shows it), and a last suite, `policycheck`, with no testcase, carries the
waivers in force and the effective policy in its properties and `system-out`.
Every string from a document or a file name is made inert and XML-clean.
Streamed one testsuite at a time (`stream`): memory stays flat however many
files there are.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from ..baseline import relative_path
from ..quoting import inert
from . import Report, live_waivers
from .text import baseline_lines, hidden_lines, waiver_lines

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(text: str) -> str:
    """Text XML 1.0 can carry, made inert: what it still forbids becomes U+FFFD."""
    return _NOT_XML.sub("\ufffd", inert(text))


def _line(finding) -> str:
    """A finding as lines of a testcase's body, each made inert and XML-clean on its own."""
    text = f"{finding.file}:{finding.line}:{finding.column} {finding.level.upper()} {finding.rule_id} {finding.message}"
    if finding.hint:
        text += f" [{finding.hint}]"
    lines = [text]
    if finding.waiver is not None:
        waiver = finding.waiver
        authority = f" (authority: {waiver.authority})" if waiver.authority else ""
        waived = "waived" if finding.level == "waived" else "would be waived (--no-waivers)"
        lines.append(f"    {waived} until {waiver.expires} by {waiver.approved_by}{authority}: {waiver.justification}")
    if finding.traceback:  # --show-tracebacks
        lines.extend(finding.traceback.splitlines())
    return "\n".join(_clean(line) for line in lines)


def _waiver_message(findings) -> str:
    waivers = sorted(
        {(f.waiver.justification, f.waiver.approved_by, f.waiver.expires) for f in findings if f.waiver is not None}
    )
    return "; ".join(
        f"waived: {justification} (approved by {approver}, expires {expires})"
        for justification, approver, expires in waivers
    )


def _cases(result, report: Report):
    """Each (rule id, outcome, its findings) of one file, in rule order."""
    by_rule: dict[str, list] = {}
    for finding in result.findings:
        by_rule.setdefault(finding.rule_id, []).append(finding)
    for rule_id in sorted(set(result.outcomes) | set(by_rule)):
        findings = by_rule.get(rule_id, [])
        yield rule_id, result.outcomes.get(rule_id) or ("fail" if findings else "pass"), findings


def _counted_as(status: str, gate_warnings: bool) -> str | None:
    """The suite count a testcase of this outcome adds to, beside `tests`."""
    if status == "error":
        return "errors"
    if status == "fail" or (status == "warn" and gate_warnings):
        return "failures"
    return "skipped" if status in ("waived", "skip") else None


def _counts(result, report: Report) -> dict[str, int]:
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for _, status, _ in _cases(result, report):
        counts["tests"] += 1
        kind = _counted_as(status, report.fail_on == "warn")
        if kind:
            counts[kind] += 1
    return counts


def _suite(result, report: Report) -> ET.Element:
    path = _clean(relative_path(result.file))
    suite = ET.Element("testsuite", name=path, file=path)
    properties = [
        (name, value) for name, value in (("activity_id", result.activity_id), ("banner", result.banner)) if value
    ]
    if properties:
        holder = ET.SubElement(suite, "properties")
        for name, value in properties:
            ET.SubElement(holder, "property", name=name, value=_clean(value))
    crashes = [f for f in result.findings if f.rule_id == "ERR001"]
    for rule_id, status, findings in _cases(result, report):
        rule = report.rules.get(rule_id)
        case = ET.SubElement(
            suite, "testcase", classname=path, name=_clean(f"{rule_id} {rule.title}" if rule else rule_id), time="0"
        )
        body = "\n".join(_line(f) for f in findings)
        kind = _counted_as(status, report.fail_on == "warn")
        if kind == "errors":
            crash = next((f for f in crashes if f.message.startswith(f"rule {rule_id} crashed")), None)
            message = crash.message if crash else "the rule crashed"
            ET.SubElement(case, "error", type="error", message=_clean(message)).text = _line(crash) if crash else None
        elif kind == "failures":
            message = _clean(findings[0].message) if findings else status
            ET.SubElement(case, "failure", type=status, message=message).text = body
        elif status == "waived":
            ET.SubElement(case, "skipped", message=_clean(_waiver_message(findings)))
            ET.SubElement(case, "system-out").text = body
        elif status == "skip":
            reason = result.notes.get(rule_id, "not applicable, or the document could not be judged")
            ET.SubElement(case, "skipped", message=_clean(reason))
        elif findings:  # warn, not gating
            ET.SubElement(case, "system-out").text = body
    for key, value in _counts(result, report).items():
        suite.set(key, str(value))
    suite.set("time", "0")
    return suite


def stream(report: Report):
    """The XML one testsuite at a time, after a first pass for the totals the root carries.

    Byte for byte what `ET.indent` and `ET.tostring` write for the whole tree;
    memory stays flat however many files there are.
    """
    totals = {"tests": 0, "failures": 0, "errors": 0}  # junit-10.xsd has no `skipped` on <testsuites>
    for result in report.results:
        for key, value in _counts(result, report).items():
            if key in totals:
                totals[key] += value
    root = " ".join(f'{key}="{value}"' for key, value in {"name": "policycheck", **totals, "time": 0}.items())
    yield f'<?xml version="1.0" encoding="UTF-8"?>\n<testsuites {root}'
    empty = True
    waivers = []
    for result in report.results:
        waivers.extend((result.file, waiver) for waiver in live_waivers(result))
        yield (">" if empty else "") + _indented(_suite(result, report))
        empty = False
    if report.policy is not None:
        yield (">" if empty else "") + _indented(_policy_suite(report, waivers))
        empty = False
    yield " />\n" if empty else "\n</testsuites>\n"


def _indented(suite: ET.Element) -> str:
    ET.indent(suite, level=1)
    return "\n  " + ET.tostring(suite, encoding="unicode")


def render(report: Report) -> str:
    return "".join(stream(report))


def _policy_suite(report: Report, waivers: list) -> ET.Element:
    """The `policycheck` suite: no testcase, the run's baseline, waivers in force and effective policy."""
    suite = ET.Element("testsuite", name="policycheck", tests="0", failures="0", errors="0", skipped="0")
    holder = ET.SubElement(suite, "properties")
    lines = [*baseline_lines(report), *waiver_lines(waivers), *report.policy.lines(), *hidden_lines(report)]
    for index, line in enumerate(report.policy.lines()):
        ET.SubElement(holder, "property", name=f"policy.{index + 1}", value=_clean(line))
    ET.SubElement(suite, "system-out").text = "\n".join(_clean(line) for line in lines)
    suite.set("time", "0")
    return suite
