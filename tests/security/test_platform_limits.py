"""CI outputs at the platforms' limits: SARIF's 25,000 results and suppressions, GitHub's annotations per step,
the 1 MiB step summary."""

from __future__ import annotations

import json

from policycheck.baseline import BaselineResult
from policycheck.effective import EffectivePolicy
from policycheck.findings import FileResult, Finding, Waiver, tally
from policycheck.report import Report
from policycheck.report import github, markdown, sarif
from policycheck.rule import Rule

from .conftest import ROOT

RULES = {
    rule_id: Rule(rule_id, f"Rule {rule_id}", "core", level, "Why.", "Source.", check=lambda a, c: ())
    for rule_id, level in (("DAT001", "fail"), ("MSR001", "warn"))
}
POLICY = EffectivePolicy(origin="defaults")


def report(results, baseline=None) -> Report:
    return Report(
        results=results,
        rules=RULES,
        rule_plugins={},
        tally=tally(results),
        version="1",
        baseline=baseline,
        policy=POLICY,
    )


def finding(index: int, rule: str = "DAT001", level: str = "fail", file: str = "p/a.yaml") -> Finding:
    return Finding(rule, level, f"finding {index}", file, line=index + 1, pointer=f"/x/{index}")


def test_sarif_keeps_at_most_25000_results_fails_first_and_says_so():
    warnings = [finding(i, "MSR001", "warn") for i in range(20_000)]
    fails = [finding(i) for i in range(6_000)]
    log = json.loads(sarif.render(report([FileResult("p/a.yaml", findings=warnings + fails)])))
    [run] = log["runs"]
    assert len(run["results"]) == 25_000
    assert sum(result["level"] == "error" for result in run["results"]) == 6_000  # every failure kept
    [note] = run["invocations"][0]["toolExecutionNotifications"]
    assert note["message"]["text"].startswith("1,000 of 26,000 results left out")


def test_sarif_suppresses_waived_and_baselined_results_and_is_valid():
    from jsonschema import Draft7Validator

    waiver = Waiver("DAT001", "Fiscal year.", "Director", "2027-06-30", status="live", days_left=10)
    waived = finding(1).waived_by(waiver)
    hidden = finding(2, file="p/b.yaml")
    baseline = BaselineResult("base.json", 1, 1, 0, by_file=(("p/b.yaml", 1),), hidden=(hidden,))
    log = json.loads(sarif.render(report([FileResult("p/a.yaml", findings=[waived], waivers=(waiver,))], baseline)))
    [run] = log["runs"]
    kinds = {result["message"]["text"]: result["suppressions"][0]["kind"] for result in run["results"]}
    assert kinds == {"finding 1": "inSource", "finding 2": "external"}
    assert all(result["suppressions"][0]["justification"] for result in run["results"])
    assert run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"].startswith("file:///")
    assert run["properties"]["waiversInForce"][0]["daysLeft"] == 10
    schema = json.loads((ROOT / "tests" / "report" / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    assert not list(Draft7Validator(schema).iter_errors(log))


def test_github_annotations_most_severe_first_within_the_limits_then_one_summary():
    findings = [finding(i, "MSR001", "warn") for i in range(15)] + [finding(i) for i in range(15)]
    lines = github.render(report([FileResult("p/a.yaml", findings=findings)])).splitlines()
    commands = [line.split(" ", 1)[0] for line in lines if line.startswith("::")]
    assert commands == ["::error"] * 10 + ["::warning"] * 10 + ["::notice"]
    assert "not annotated: 5 errors, 5 warnings" in lines[20]


def test_markdown_stays_under_the_step_summary_limit_with_a_compact_form():
    results = [
        FileResult(
            f"p/{index:05}.yaml", findings=[finding(index, file=f"p/{index:05}.yaml")], outcomes={"DAT001": "fail"}
        )
        for index in range(30_000)
    ]
    text = markdown.render(report(results))
    assert len(text.encode("utf-8")) <= markdown.MAX_BYTES
    assert "Compact summary: 30000 files" in text and "more files with findings are not listed" in text
    assert "### Effective policy" in text  # the statement is never cut
    small = markdown.render(report(results[:3]))
    assert "Compact" not in small and "### Findings" in small
