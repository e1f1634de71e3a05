"""The results store: results kept encoded, read back one file at a time, the same on every pass."""

import sys
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from policycheck import results as results_module
from policycheck.cli import main
from policycheck.discover import discover
from policycheck.errors import OutputError
from policycheck.findings import FileResult, Finding
from policycheck.results import Results
from policycheck.parallel import check_sources

import run_support as run

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from portfolio import generate  # noqa: E402


def test_every_pass_gives_the_same_results():
    results = run.finished().results
    assert len(results) == 4
    first = run.seen(results)
    assert run.seen(results) == first
    assert [run.seen([results[index]])[0] for index in range(-4, 0)] == first
    assert [file for file, *_ in first] == ["a.yaml", "b.yaml", "c.yaml", "d.yaml"]


def test_the_first_files_are_kept_as_they_are_and_read_the_same_as_encoded_ones(monkeypatch):
    kept = run.finished().results
    assert kept._end == 0  # nothing was encoded
    monkeypatch.setattr(results_module, "KEPT_FILES", 2)
    mixed = run.finished().results
    assert sorted(mixed._kept) == [0, 1] and mixed._end > 0
    assert run.seen(mixed) == run.seen(kept)
    assert run.seen(mixed) == run.seen(mixed)


def test_past_spill_bytes_results_move_to_a_temporary_file(monkeypatch):
    in_memory = run.finished().results
    monkeypatch.setattr(results_module, "KEPT_FILES", 0)
    monkeypatch.setattr(results_module, "SPILL_BYTES", 100)
    spilled = run.finished().results
    assert spilled._store.fileno()  # a real file
    assert run.seen(spilled) == run.seen(in_memory)


def test_the_spill_stays_in_tmpdir_or_fails_saying_so(monkeypatch, tmp_path):
    """Never quietly elsewhere: tempfile.gettempdir() would pass over a broken $TMPDIR for /tmp."""
    monkeypatch.setattr(results_module, "KEPT_FILES", 0)
    monkeypatch.setattr(results_module, "SPILL_BYTES", 100)
    monkeypatch.setenv("TMPDIR", str(tmp_path / "missing"))
    with pytest.raises(OutputError, match=r"temporary file in .*missing \(\$TMPDIR\): No such file or directory"):
        run.finished()
    created = []
    real = tempfile.TemporaryFile
    monkeypatch.setattr(tempfile, "TemporaryFile", lambda dir: created.append(dir) or real(dir=dir))
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    assert run.seen(run.finished().results)
    assert created and set(created) == {str(tmp_path)}


def test_a_finding_that_cannot_be_pickled_is_kept_as_it_is(monkeypatch):
    monkeypatch.setattr(results_module, "KEPT_FILES", 0)
    unpicklable = Finding("TST999", "warn", "odd", "x.yaml", hint=lambda: "a plugin's mistake")
    results = Results()
    results.append(FileResult(file="x.yaml", findings=[unpicklable], outcomes={"TST999": "pass"}))
    results.append(FileResult(file="y.yaml"))
    assert [r.findings for r in results] == [[unpicklable], []]
    assert [r.findings for r in results] == [[unpicklable], []]


@pytest.mark.parametrize("block", [results_module.BLOCK, 2])
def test_what_portfolio_rules_collected_reads_back_by_file_in_order(monkeypatch, block):
    """Kept in blocks (a block of 2: one encoded, one still open), read back whole, by index and by slice."""
    monkeypatch.setattr(results_module, "BLOCK", block)
    engine = run.engine()
    checked = check_sources(engine, run.portfolio(), jobs=1)
    assert checked.files == ["a.yaml", "b.yaml", "c.yaml", "d.yaml"]
    collected = checked.collected["PRT001"]
    ids = [(item.file, item.value[0]) for item in collected]
    assert ids == [("a.yaml", "ALB-2026-FMF-A"), ("b.yaml", "ALB-2026-FMF-B"), ("c.yaml", "ALB-2026-FMF-A")]
    assert len(collected) == 3 and bool(collected)
    assert [collected[index] for index in range(-3, 3)] == [*collected, *collected]
    assert collected[1:] == list(collected)[1:] and collected[::-1] == list(reversed(collected))
    assert [item.activity_id for item in collected] == ["ALB-2026-FMF-A", "ALB-2026-FMF-B", "ALB-2026-FMF-A"]
    with pytest.raises(IndexError):
        collected[3]


def test_collected_values_kept_encoded_and_spilled_give_the_same_report(monkeypatch, tmp_path):
    """A portfolio whose collected values are pickled in small blocks, into the temporary file, reports the same."""
    generate(tmp_path, 120, seed=7)

    def report() -> str:
        result = CliRunner().invoke(
            main, [str(tmp_path), "--no-config", "--today", "2027-01-01", "--format", "json", "--jobs", "1"]
        )
        assert result.exit_code == 1
        return result.output

    as_kept = report()
    assert '"PRT001"' in as_kept and '"PRT003"' in as_kept
    spilled = []
    real = tempfile.TemporaryFile
    monkeypatch.setattr(tempfile, "TemporaryFile", lambda dir: spilled.append(dir) or real(dir=dir))
    monkeypatch.setattr(results_module, "BLOCK", 3)
    monkeypatch.setattr(results_module, "KEPT_FILES", 500)  # only the collected values are encoded
    monkeypatch.setattr(results_module, "SPILL_BYTES", 100)
    assert report() == as_kept
    assert spilled


def test_indexes_out_of_range_raise():
    results = run.finished(run.portfolio()[:1]).results
    with pytest.raises(IndexError):
        results[1]


def test_a_finished_record_takes_the_place_of_the_checked_one_past_the_kept_and_the_spilled(monkeypatch):
    monkeypatch.setattr(results_module, "SPILL_BYTES", 1024)  # spilled to a scratch file part-way
    results = Results()
    for index in range(results_module.KEPT_FILES + 40):
        results.append(FileResult(f"{index}.yaml", f"ID-{index}", outcomes={"DAT001": "pass"}))
    for index, result in enumerate(results):
        result.activity_id, result.outcomes = f"done-{index}", {"DAT001": "fail"}
        results.replace(index, result)
    assert [(result.activity_id, result.outcomes) for result in results] == [
        (f"done-{index}", {"DAT001": "fail"}) for index in range(len(results))
    ]
    assert list(results.files) == [f"{index}.yaml" for index in range(len(results))]
    with pytest.raises(ValueError, match="not 'other.yaml'"):
        results.replace(3, FileResult("other.yaml", None))


def test_a_store_of_the_discovered_sources_keeps_their_paths_once_and_in_their_order(tmp_path):
    """The check stage's store takes the sources' own paths (one copy, not two) and refuses a result out of place."""
    for name in ("a.yaml", "b.yaml"):
        (tmp_path / name).write_text("id: X\n", encoding="utf-8")
    sources = discover([str(tmp_path)])
    checked = check_sources(run.engine(), sources, jobs=1)
    assert checked.files is sources.paths
    assert list(checked.files) == [str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml")] and len(checked) == 2
    expected = Results(sources.paths)
    assert len(expected) == 0
    with pytest.raises(ValueError, match="result 0 is of 'b.yaml'"):
        expected.append(FileResult(file="b.yaml"))
    expected.append(FileResult(file=str(tmp_path / "a.yaml")))
    with pytest.raises(IndexError, match="no result 1 to replace"):
        expected.replace(1, FileResult(file=str(tmp_path / "b.yaml")))
    expected.append(FileResult(file=str(tmp_path / "b.yaml")))
    with pytest.raises(ValueError, match="not of the file expected there"):
        expected.append(FileResult(file=str(tmp_path / "c.yaml")))
    assert [result.file for result in expected] == list(sources.paths)
