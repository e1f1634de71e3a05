"""The results store: checked results kept encoded, finished one file at a time as they are read."""

from collections import Counter
from datetime import date

import pytest

from policycheck import results as results_module
from policycheck.baseline import apply, fingerprint
from policycheck.config import Config
from policycheck.discover import Source
from policycheck.engine import Engine, RunOptions, check_all
from policycheck.findings import FileResult, Finding, exit_code, summarize
from policycheck.results import Results
from policycheck.testing import activity_text

TODAY = date(2027, 1, 1)

PORTFOLIO_PLUGIN = """
import policycheck

@policycheck.portfolio_rule(id="TST970", title="Crashes over the portfolio", family="test", level="fail",
                            rationale="r", source="s", collect=lambda activity, ctx: activity.id)
def crashes(collected, ctx):
    raise RuntimeError(f"boom over {len(collected)} activities")
    yield

@policycheck.hookimpl
def policycheck_rules():
    return [crashes]
"""


def _source(name: str, activity_id: str, snippet: str = "") -> Source:
    return Source(name, activity_text(f"id: {activity_id}\n{snippet}").encode("utf-8"))


def _sources() -> list[Source]:
    return [
        _source("a.yaml", "ALB-2026-FMF-A"),
        _source("b.yaml", "ALB-2026-FMF-B", 'activity:\n  start: "2028-01-01"\n  end: "2027-01-01"\n'),
        _source("c.yaml", "ALB-2026-FMF-A"),  # a's id again: PRT001
        Source("d.yaml", b"id: [unclosed\n"),  # LOAD001
    ]


def _engine(*plugins: str) -> Engine:
    # every file is the starter, whose one objective would repeat across the portfolio (PRT002)
    return Engine.from_options(
        RunOptions(Config(ignore=("PRT002",)), TODAY, plugin_modules=plugins, entry_points=False)
    )


def _seen(results) -> list[tuple]:
    return [(r.file, r.activity_id, r.banner, r.findings, r.outcomes, r.waivers) for r in results]


def test_every_pass_gives_the_same_finished_results():
    results = check_all(_engine(), _sources())
    assert len(results) == 4
    first = _seen(results)
    assert _seen(results) == first
    assert [_seen([results[index]])[0] for index in range(-4, 0)] == first
    assert [file for file, *_ in first] == ["a.yaml", "b.yaml", "c.yaml", "d.yaml"]
    assert [f.rule_id for f in results[1].findings] == ["DAT001"]
    assert results[1].outcomes["DAT001"] == "fail" and results[0].outcomes["DAT001"] == "pass"


def test_files_are_finished_only_as_they_are_read():
    results = check_all(_engine(), _sources())
    finish, finished = results.finish, []

    def spy(index, result):
        finished.append(index)
        return finish(index, result)

    results.finish = spy
    assert finished == []  # check_all finished nothing yet
    results[2]
    assert finished == [2]
    list(results)
    list(results)
    assert finished == [2, 0, 1, 2, 3, 0, 1, 2, 3]


def test_a_portfolio_finding_lands_on_the_file_that_reuses_the_id():
    results = check_all(_engine(), _sources())
    [prt001] = [finding for result in results for finding in result.findings if finding.rule_id == "PRT001"]
    assert (prt001.file, prt001.activity_id) == ("c.yaml", "ALB-2026-FMF-A")
    assert "already used by a.yaml" in prt001.message
    assert results[2].outcomes["PRT001"] == "fail" and results[0].outcomes["PRT001"] == "pass"


def test_a_file_checked_twice_gets_portfolio_findings_on_its_last_result():
    stdin = _source("<stdin>", "ALB-2026-FMF-A")
    results = check_all(_engine(), [stdin, _source("b.yaml", "ALB-2026-FMF-B"), stdin])
    assert [[f.rule_id for f in result.findings if f.rule_id == "PRT001"] for result in results] == [[], [], ["PRT001"]]


def test_a_crashing_portfolio_rule_is_err001_on_the_first_file(tmp_path, monkeypatch):
    (tmp_path / "results_portfolio_plugin.py").write_text(PORTFOLIO_PLUGIN, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    results = check_all(_engine("results_portfolio_plugin"), _sources())
    crashes = [(result.file, f.message) for result in results for f in result.findings if f.rule_id == "ERR001"]
    assert crashes == [("a.yaml", "rule TST970 crashed: RuntimeError: boom over 3 activities")]
    assert results[0].activity_id == "ALB-2026-FMF-A" and results[0].findings[0].activity_id == "ALB-2026-FMF-A"
    assert exit_code(results, "fail") == 3


def test_a_result_stored_back_is_kept_as_given_not_finished_again():
    results = check_all(_engine(), _sources())
    changed = results[2]
    changed.findings = [f for f in changed.findings if f.rule_id != "PRT001"]
    results[2] = changed
    assert [f.rule_id for f in results[2].findings] == []  # the portfolio finding is not added again
    assert _seen([results[2]]) == _seen([changed])
    assert [f.rule_id for f in results[1].findings] == ["DAT001"]  # the others are still finished


def test_counts_are_those_of_the_last_full_pass():
    results = check_all(_engine(), _sources())
    assert results.counted is None
    for _ in results:
        break
    assert results.counted is None  # a pass cut short counts nothing
    as_list = list(results)
    assert results.counted is not None
    assert (
        summarize(results)
        == summarize(as_list)
        == {
            "files": 4,
            "fail": 3,
            "warn": 0,
            "waived": 0,
            "files_failed": 3,
            "files_warned": 0,
            "files_passed": 1,
        }
    )
    assert exit_code(results, "fail") == exit_code(as_list, "fail") == 1
    results[2] = FileResult(file="c.yaml")
    assert results.counted is None  # a change: the next pass counts again
    assert summarize(results)["fail"] == 2


def test_a_baseline_drops_findings_from_a_store_as_from_a_list():
    as_list = list(check_all(_engine(), _sources()))
    store = check_all(_engine(), _sources())
    recorded = Counter(fingerprint(f) for f in as_list[1].findings + as_list[2].findings)
    assert apply(store, recorded, "b.json") == apply(as_list, recorded, "b.json")
    assert summarize(store) == summarize(as_list)  # not the counts of the pass that dropped them
    assert _seen(store) == _seen(as_list)
    assert [len(result.findings) for result in store] == [0, 0, 0, 1]


def test_the_first_files_are_kept_as_they_are_and_read_the_same_as_encoded_ones(monkeypatch):
    kept = check_all(_engine(), _sources())
    assert kept._end == 0  # nothing was encoded
    monkeypatch.setattr(results_module, "KEPT_FILES", 2)
    mixed = check_all(_engine(), _sources())
    assert sorted(mixed._kept) == [0, 1] and mixed._end > 0
    assert _seen(mixed) == _seen(kept)
    assert _seen(mixed) == _seen(mixed)


def test_past_spill_bytes_results_move_to_a_temporary_file(monkeypatch):
    in_memory = check_all(_engine(), _sources())
    monkeypatch.setattr(results_module, "KEPT_FILES", 0)
    monkeypatch.setattr(results_module, "SPILL_BYTES", 100)
    spilled = check_all(_engine(), _sources())
    assert spilled._store.fileno()  # a real file
    assert _seen(spilled) == _seen(in_memory)


def test_without_a_temporary_folder_results_stay_in_memory(monkeypatch):
    import tempfile

    def no_folder():
        raise FileNotFoundError("No usable temporary directory found")

    monkeypatch.setattr(results_module, "KEPT_FILES", 0)
    monkeypatch.setattr(results_module, "SPILL_BYTES", 100)
    monkeypatch.setattr(tempfile, "TemporaryFile", no_folder)
    assert _seen(check_all(_engine(), _sources())) == _seen(check_all(_engine(), _sources()))


def test_a_finding_that_cannot_be_pickled_is_kept_as_it_is(monkeypatch):
    monkeypatch.setattr(results_module, "KEPT_FILES", 0)
    unpicklable = Finding("TST999", "warn", "odd", "x.yaml", hint=lambda: "a plugin's mistake")
    results = Results()
    results.append(FileResult(file="x.yaml", findings=[unpicklable], outcomes={"TST999": "pass"}))
    results.append(FileResult(file="y.yaml"))
    assert [r.findings for r in results] == [[unpicklable], []]
    assert [r.findings for r in results] == [[unpicklable], []]


def test_indexes_out_of_range_raise():
    results = check_all(_engine(), _sources()[:1])
    with pytest.raises(IndexError):
        results[1]
    with pytest.raises(IndexError):
        results[1] = FileResult(file="z.yaml")
