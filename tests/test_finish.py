"""The finishing stage: portfolio rules, waivers, outcomes, the baseline and the counts, once."""

from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policycheck import finish as finish_module
from policycheck import results as results_module
from policycheck.baseline import Applying, Recording, fingerprint, relative_path
from policycheck.findings import SORT_KEY, FileResult, Finding, outcome, tally
from policycheck.finish import PortfolioFindings
from policycheck.results import Results

import run_support as run

PORTFOLIO_PLUGIN = """
import policycheck

@policycheck.portfolio_rule(id="TST970", title="Crashes over the portfolio", family="test", level="fail",
                            rationale="r", source="s", collect=lambda activity, ctx: activity.id)
def crashes(collected, ctx):
    raise RuntimeError(f"boom over {len(collected)} activities")
    yield

@policycheck.portfolio_rule(id="TST971", title="Crashes after its first finding", family="test", level="fail",
                            rationale="r", source="s", collect=lambda activity, ctx: activity.id)
def crashes_late(collected, ctx):
    for item in collected:
        yield policycheck.Violation((), f"{item.value} is suspect", file=item.file)
        raise RuntimeError("boom after one finding")

@policycheck.hookimpl
def policycheck_rules():
    return [crashes, crashes_late]
"""

# an error of policycheck's own kind, raised by a rule, is still the rule's crash: not a failed output
OUTPUT_ERROR_PLUGIN = """
import policycheck
from policycheck.errors import OutputError

@policycheck.portfolio_rule(id="TST972", title="Raises an output error", family="test", level="fail",
                            rationale="r", source="s", collect=lambda activity, ctx: activity.id)
def claims_a_full_disk(collected, ctx):
    raise OutputError("no room")
    yield

@policycheck.hookimpl
def policycheck_rules():
    return [claims_a_full_disk]
"""


def test_each_file_is_finished_with_its_findings_sorted_and_its_outcomes():
    results = run.finished().results
    assert [f.rule_id for f in results[1].findings] == ["DAT001"]
    assert results[1].outcomes["DAT001"] == "fail" and results[0].outcomes["DAT001"] == "pass"
    assert all(list(result.outcomes) == sorted(result.outcomes) for result in results)


def test_a_portfolio_finding_lands_on_the_file_that_reuses_the_id():
    results = run.finished().results
    [prt001] = [finding for result in results for finding in result.findings if finding.rule_id == "PRT001"]
    assert (prt001.file, prt001.activity_id) == ("c.yaml", "ALB-2026-FMF-A")
    assert "already used by a.yaml" in prt001.message
    assert results[2].outcomes["PRT001"] == "fail" and results[0].outcomes["PRT001"] == "pass"


def test_a_file_checked_twice_gets_portfolio_findings_on_its_last_result():
    stdin = run.source("<stdin>", "ALB-2026-FMF-A")
    results = run.finished([stdin, run.source("b.yaml", "ALB-2026-FMF-B"), stdin]).results
    assert [[f.rule_id for f in result.findings if f.rule_id == "PRT001"] for result in results] == [[], [], ["PRT001"]]


@pytest.mark.parametrize("crc", [None, 7])
def test_a_file_named_by_a_portfolio_rule_is_found_by_its_path_even_when_checksums_collide(monkeypatch, crc):
    if crc is not None:
        # every path the same CRC-32: one run of slots from the table's last, around to its first
        monkeypatch.setattr(finish_module, "_crc", lambda file: crc)
    files = ["b.yaml", "a.yaml", "<stdin>", "c/d.yaml", "<stdin>"]
    index_of = finish_module._IndexOf(files)
    assert [index_of.get(file) for file in ["a.yaml", "b.yaml", "c/d.yaml", "<stdin>", "e.yaml"]] == [1, 0, 3, 4, None]


def test_a_crashing_portfolio_rule_is_err001_on_every_file_it_collected_from(tmp_path, monkeypatch):
    (tmp_path / "results_portfolio_plugin.py").write_text(PORTFOLIO_PLUGIN, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(finish_module, "RUN", 1)  # TST971's first finding is encoded before it crashes
    finished = run.finished(None, "results_portfolio_plugin")
    results = finished.results
    crashes = [(result.file, f.message) for result in results for f in result.findings if f.rule_id == "ERR001"]
    # d.yaml cannot be parsed: the rule collected nothing there, so its crash is not d.yaml's
    message = "rule TST970 crashed: RuntimeError: boom over 3 activities"
    assert crashes[::2] == [("a.yaml", message), ("b.yaml", message), ("c.yaml", message)]
    # a rule that crashes after some findings keeps none of them: the crash is all it says
    late = "rule TST971 crashed: RuntimeError: boom after one finding"
    assert crashes[1::2] == [("a.yaml", late), ("b.yaml", late), ("c.yaml", late)]
    assert not [f for result in results for f in result.findings if f.rule_id.startswith("TST")]
    assert [result.outcomes["TST970"] for result in results] == ["error", "error", "error", "skip"]
    assert results[0].activity_id == "ALB-2026-FMF-A" and results[0].findings[0].activity_id == "ALB-2026-FMF-A"
    assert finished.tally.exit_code("fail") == 3


def test_a_portfolio_rule_raising_an_output_error_is_its_own_crash(tmp_path, monkeypatch):
    (tmp_path / "output_error_plugin.py").write_text(OUTPUT_ERROR_PLUGIN, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    results = run.finished(None, "output_error_plugin").results
    crashes = [(result.file, f.message) for result in results for f in result.findings if f.rule_id == "ERR001"]
    message = "rule TST972 crashed: OutputError: no room"
    assert crashes == [("a.yaml", message), ("b.yaml", message), ("c.yaml", message)]


def test_the_counts_are_taken_as_the_files_are_finished():
    finished = run.finished()
    assert (
        finished.tally.summary()
        == tally(finished.results).summary()
        == {
            "files": 4,
            "fail": 3,
            "warn": 0,
            "waived": 0,
            "info": 0,
            "files_failed": 3,
            "files_warned": 0,
            "files_passed": 1,
        }
    )
    assert finished.tally.exit_code("fail") == 1


def test_a_baseline_drops_what_it_records_before_the_outcomes_and_counts():
    unfiltered = list(run.finished().results)
    recorded = Counter((relative_path(f.file), fingerprint(f)) for f in unfiltered[1].findings + unfiltered[2].findings)
    finished = run.finished(baseline=Applying(recorded, "b.json"))
    assert finished.baseline.as_dict() == {
        "file": "b.json",
        "entries": 2,
        "matched": 2,
        "unmatched": 0,
        "written": False,
        "hidden_by_file": [{"file": unfiltered[1].file, "findings": 1}, {"file": unfiltered[2].file, "findings": 1}],
    }
    assert [len(result.findings) for result in finished.results] == [0, 0, 0, 1]
    assert finished.results[1].outcomes["DAT001"] == "pass" and finished.tally.summary()["fail"] == 1


def test_writing_a_baseline_records_every_finding_it_can(tmp_path):
    import json

    path = tmp_path / "b.json"
    finished = run.finished(baseline=Recording(str(path)))
    written = json.loads(path.read_text(encoding="utf-8"))
    assert sorted(entry["rule"] for entry in written["findings"]) == ["DAT001", "PRT001"]
    assert finished.baseline.as_dict() == {
        "file": str(path),
        "entries": 2,
        "matched": 2,
        "unmatched": 0,
        "written": True,
        "hidden_by_file": [],
    }
    assert [f.rule_id for result in finished.results for f in result.findings] == ["LOAD001"]  # never recorded


@pytest.mark.parametrize(("block", "run"), [(results_module.BLOCK, finish_module.RUN), (1, 2)])
def test_portfolio_findings_come_back_by_file_in_rule_order_whatever_order_a_rule_gave(monkeypatch, block, run):
    monkeypatch.setattr(results_module, "BLOCK", block)  # 1: every finding encoded apart
    monkeypatch.setattr(finish_module, "RUN", run)  # 2: a rule's findings sorted two at a time, then merged
    added = PortfolioFindings(Results())

    def found(rule_id: str, *at: int) -> list[tuple[int, Finding]]:
        return [
            (index, Finding(rule_id, "warn", f"{rule_id} #{number}", f"{index}.yaml"))
            for number, index in enumerate(at)
        ]

    added.add(found("TST1", 3, 0, 3, 1))
    added.add([])
    added.add(found("TST2", 1, 4))
    of = added.reader()
    assert [[finding.message for finding in of(index)] for index in range(6)] == [
        ["TST1 #1"],
        ["TST1 #3", "TST2 #0"],
        [],
        ["TST1 #0", "TST1 #2"],
        ["TST2 #1"],
        [],
    ]


def test_a_rule_that_names_files_in_order_makes_one_run_and_one_out_of_order_a_run_for_each_step_back(monkeypatch):
    monkeypatch.setattr(finish_module, "RUN", 2)
    added = PortfolioFindings(Results())
    added.add(
        (index, Finding("TST1", "warn", f"TST1 #{number}", f"{index}.yaml"))
        for number, index in enumerate([0, 0, 1, 1, 2])
    )
    assert len(added._runs) == 1  # read back, a run holds one block decoded: one run, however many findings
    added.add(
        (index, Finding("TST2", "warn", f"TST2 #{number}", f"{index}.yaml")) for number, index in enumerate([2, 1, 0])
    )
    assert len(added._runs) == 3  # [1, 2] then [0]: a step back starts a run
    of = added.reader()
    assert [[finding.message for finding in of(index)] for index in range(3)] == [
        ["TST1 #0", "TST1 #1", "TST2 #2"],
        ["TST1 #2", "TST1 #3", "TST2 #1"],
        ["TST1 #4", "TST2 #0"],
    ]


def _outcomes_as_they_were(result):
    """`finish._outcomes` before it ranked levels and remembered sorted orders: its meaning."""
    by_rule = {}
    for finding in result.findings:
        by_rule.setdefault(finding.rule_id, []).append(finding)
    ran = {rule_id: outcome(found) for rule_id, found in by_rule.items() if result.outcomes.get(rule_id) == "pass"}
    return dict(sorted({**result.outcomes, **ran}.items()))


RULE_IDS = st.sampled_from(["DAT001", "PRT001", "GOV002", "ERR001", "A", "Z"])
LEVELS = st.sampled_from(["fail", "warn", "waived", "info", "pass", "other"])


@given(
    st.dictionaries(RULE_IDS, st.sampled_from(["pass", "skip", "error", "fail"])),
    st.lists(st.tuples(RULE_IDS, LEVELS), max_size=8),
)
def test_a_files_outcomes_are_what_their_findings_made_them_before(outcomes, found):
    findings = [Finding(rule_id, level, "m", "a.yaml") for rule_id, level in found]
    result = FileResult("a.yaml", None, None, findings, dict(outcomes))
    order = finish_module._Order()
    expected = _outcomes_as_they_were(result)
    for _ in range(2):  # the second time, the order is the remembered one
        got = finish_module._outcomes(result, order)
        assert got == expected and list(got) == list(expected)
    assert result.outcomes == outcomes  # the checked map is left as it was


def test_past_the_orders_it_remembers_an_outcome_map_is_still_sorted(monkeypatch):
    monkeypatch.setattr(finish_module, "KNOWN_ORDERS", 1)
    order = finish_module._Order()
    assert [order.of(ids) for ids in [("b", "a"), ("d", "c"), ("d", "c")]] == [("a", "b"), ("c", "d"), ("c", "d")]
    assert list(order._known) == [("b", "a")]


def test_findings_sort_by_their_sort_key():
    finding = Finding("DAT001", "fail", "m", "a.yaml", 3, 4, "/id", "h")
    assert SORT_KEY(finding) == finding.sort_key() == ("a.yaml", 3, 4, "DAT001", "/id", "m")
