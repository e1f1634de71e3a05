"""Ordered: items sorted in spilled runs and merged, read back in order as often as asked."""

import random
import tempfile

import pytest

from policycheck import ordered
from policycheck.errors import OutputError
from policycheck.ordered import Ordered


@pytest.fixture
def scratch_files(monkeypatch, tmp_path):
    """The scratch files made, each in $TMPDIR."""
    made = []
    real = tempfile.TemporaryFile
    monkeypatch.setattr(tempfile, "TemporaryFile", lambda dir: made.append(dir) or real(dir=dir))
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    return made


@pytest.mark.parametrize("run, piece", [(1, 1), (3, 2), (7, 3), (ordered.RUN, ordered.PIECE)])
def test_items_come_back_sorted_by_key_on_every_read(monkeypatch, scratch_files, run, piece):
    monkeypatch.setattr(ordered, "RUN", run)
    monkeypatch.setattr(ordered, "PIECE", piece)
    rng = random.Random(run)
    items = [(rng.choice("abc"), rng.randrange(5), index) for index in range(200)]
    kept = Ordered(lambda item: (item[1], item[0], item[2]))
    for item in items:
        kept.append(item)
    expected = sorted(items, key=lambda item: (item[1], item[0], item[2]))
    assert len(kept) == 200
    assert list(kept) == expected
    assert list(kept) == expected  # a second pass reads the merged order again
    assert bool(scratch_files) == (run < 200)


def test_a_few_items_stay_in_memory_and_none_is_empty(scratch_files):
    kept = Ordered(lambda item: -item)
    for item in (1, 3, 2):
        kept.append(item)
    assert list(kept) == [3, 2, 1] and list(kept) == [3, 2, 1]
    empty = Ordered(lambda item: item)
    assert len(empty) == 0 and not empty and list(empty) == []
    assert scratch_files == []


def test_items_are_never_compared_themselves(monkeypatch):
    """Keys are distinct: items that cannot be ordered (dicts) still sort, in runs and merged."""
    monkeypatch.setattr(ordered, "RUN", 4)
    kept = Ordered(lambda item: item["at"])
    for at in (5, 1, 4, 2, 9, 3, 8, 7, 6, 0):
        kept.append({"at": at})
    assert [item["at"] for item in kept] == list(range(10))


def test_appending_after_reading_is_refused():
    kept = Ordered(lambda item: item)
    kept.append(1)
    list(kept)
    with pytest.raises(ValueError, match="before it is read"):
        kept.append(2)


def test_a_scratch_folder_that_cannot_be_written_is_a_clear_output_error(monkeypatch, tmp_path):
    monkeypatch.setattr(ordered, "RUN", 2)
    monkeypatch.setenv("TMPDIR", str(tmp_path / "missing"))
    kept = Ordered(lambda item: item)
    kept.append(1)
    with pytest.raises(OutputError, match="TMPDIR"):
        kept.append(2)


@pytest.mark.parametrize("run, piece", [(1, 1), (3, 2), (7, 3), (0, 0)])
def test_without_a_key_items_sort_themselves_equal_ones_too_in_one_pass_or_many(scratch_files, run, piece):
    rng = random.Random(run)
    items = [f"ALB-{rng.randrange(40):03d}" for _ in range(300)]  # many equal ones
    kept = Ordered(run=run, piece=piece)  # 0: the module's RUN and PIECE
    for item in items:
        kept.append(item)
    assert list(kept.once()) == sorted(items)  # merged as read, nothing written again
    written = len(scratch_files)
    assert list(kept) == sorted(items) and list(kept.once()) == sorted(items)  # then merged into the file once
    assert written == len(scratch_files) == (1 if run else 0)
