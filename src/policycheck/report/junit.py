"""JUnit XML, for CI test reports (GitLab `artifacts:reports:junit`, Jenkins, test-summary actions).

One testsuite per file, one testcase per (file, rule), from the rule's outcome:

    pass    passing testcase
    skip    <skipped> (the rule does not apply, or the document could not
            be judged: unreadable, or the rule needs a valid document)
    fail    <failure>, every finding of the rule in the body
    warn    passing testcase with the warnings in <system-out>;
            <failure> under --fail-on warn, because then they gate
    waived  <skipped> whose message is the waiver's justification: an accepted
            exception is neither a pass nor a failure, and never gates
    error   <error>: the rule crashed (ERR001 carries the traceback message)

Times are 0 and there is no timestamp, so the output is deterministic. Streamed
one testsuite at a time (`stream`): memory stays flat however many files there are.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from ..baseline import relative_path
from . import Report

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(text: str) -> str:
    """Text XML 1.0 can carry: characters it forbids (from escaped YAML strings) become U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


def _line(finding) -> str:
    text = f"{finding.file}:{finding.line}:{finding.column} {finding.level.upper()} {finding.rule_id} {finding.message}"
    if finding.hint:
        text += f" [{finding.hint}]"
    if finding.waiver is not None:
        waiver = finding.waiver
        text += f"\n    waived until {waiver.expires} by {waiver.approved_by}: {waiver.justification}"
    return text


def _waiver_message(findings) -> str:
    waivers = sorted(
        {(f.waiver.justification, f.waiver.approved_by, f.waiver.expires) for f in findings if f.waiver is not None}
    )
    return "; ".join(
        f"waived: {justification} (approved by {approver}, expires {expires})"
        for justification, approver, expires in waivers
    )


def _suites(report: Report):
    """Each file's testsuite with its counts, one file at a time."""
    gate_warnings = report.fail_on == "warn"
    for result in report.results:
        path = relative_path(result.file)
        suite = ET.Element("testsuite", name=path)
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        properties = [
            (name, value) for name, value in (("activity_id", result.activity_id), ("banner", result.banner)) if value
        ]
        if properties:
            holder = ET.SubElement(suite, "properties")
            for name, value in properties:
                ET.SubElement(holder, "property", name=name, value=_clean(value))
        by_rule: dict[str, list] = {}
        for finding in result.findings:
            by_rule.setdefault(finding.rule_id, []).append(finding)
        crashes = [f for f in result.findings if f.rule_id == "ERR001"]
        for rule_id in sorted(set(result.outcomes) | set(by_rule)):
            findings = by_rule.get(rule_id, [])
            status = result.outcomes.get(rule_id) or ("fail" if findings else "pass")
            rule = report.rules.get(rule_id)
            case = ET.SubElement(
                suite,
                "testcase",
                classname=path,
                name=f"{rule_id} {rule.title}" if rule else rule_id,
                file=path,
                time="0",
            )
            if findings:
                case.set("line", str(findings[0].line))
            counts["tests"] += 1
            body = "\n".join(_clean(_line(f)) for f in findings)
            if status == "error":
                crash = next((f for f in crashes if f.message.startswith(f"rule {rule_id} crashed")), None)
                message = crash.message if crash else "the rule crashed"
                ET.SubElement(case, "error", type="error", message=_clean(message)).text = (
                    _clean(_line(crash)) if crash else None
                )
                counts["errors"] += 1
            elif status == "fail" or (status == "warn" and gate_warnings):
                ET.SubElement(
                    case, "failure", type=status, message=_clean(findings[0].message) if findings else status
                ).text = body
                counts["failures"] += 1
            elif status == "waived":
                ET.SubElement(case, "skipped", message=_clean(_waiver_message(findings)))
                ET.SubElement(case, "system-out").text = body
                counts["skipped"] += 1
            elif status == "skip":
                ET.SubElement(case, "skipped", message="not applicable, or the document could not be judged")
                counts["skipped"] += 1
            elif findings:  # warn, not gating
                ET.SubElement(case, "system-out").text = body
        for key, value in counts.items():
            suite.set(key, str(value))
        suite.set("time", "0")
        yield suite, counts


def stream(report: Report):
    """The XML one testsuite at a time, after a first pass for the totals the root carries.

    Byte for byte what `ET.indent` and `ET.tostring` write for the whole tree.
    """
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for _, counts in _suites(report):
        for key, value in counts.items():
            totals[key] += value
    root = " ".join(f'{key}="{value}"' for key, value in {"name": "policycheck", **totals, "time": 0}.items())
    yield f'<?xml version="1.0" encoding="UTF-8"?>\n<testsuites {root}'
    empty = True
    for suite, _ in _suites(report):
        ET.indent(suite, level=1)
        yield (">" if empty else "") + "\n  " + ET.tostring(suite, encoding="unicode")
        empty = False
    yield " />\n" if empty else "\n</testsuites>\n"


def render(report: Report) -> str:
    return "".join(stream(report))
