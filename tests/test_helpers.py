"""policycheck.helpers: placeholders count as missing wherever a rule, built-in or plugin, asks for a value."""

import os
import random
from collections import Counter
from datetime import date

import pytest

from policycheck import helpers
from policycheck.ordered import Ordered
from policycheck.helpers import format_version, is_blank, is_placeholder, repeated
from policycheck.reference import Reference
from policycheck.rule import RuleContext

CONFIGURED = Reference([{"placeholders": ["to be measured"]}])


@pytest.mark.parametrize(
    "value",
    ["TBD", "tbd", " TBD ", "TBD.", "(TBD)", "[n/a]", "N/A", "NA", "unknown", "Unknown", "-", "—", "?", "...", "none"],
)
def test_placeholders(value):
    assert is_placeholder(value) and is_blank(value)


@pytest.mark.parametrize(
    "value",
    ["TBD by the Ministry in March", "0", "no strategy", "Official Gazette", "x-ray", "N/A.B", "(TBD", 0, 1.5, True],
)
def test_real_values_are_not_placeholders(value):
    assert not is_placeholder(value) and not is_blank(value)


@pytest.mark.parametrize("value", [None, "", "   ", "\n"])
def test_blank_values_are_blank_but_not_placeholders(value):
    assert is_blank(value) and not is_placeholder(value)


def test_the_context_adds_the_placeholders_configuration_and_plugins_give():
    context = RuleContext(params={}, reference=CONFIGURED, today=date(2027, 1, 1))
    assert is_placeholder("To be measured", context)
    assert is_placeholder("To be measured", CONFIGURED)  # a Reference does as well as a context
    assert not is_placeholder("To be measured")  # the shipped list alone does not have it
    assert is_placeholder("TBD", context)  # and the shipped entries still count


@pytest.mark.parametrize(
    "value, version",
    [("activity/v1", 1), ("activity/v2", 2), ("activity/v3", None), (None, None), (2, None), ("v2", None)],
)
def test_format_version(value, version):
    assert format_version(value) == version


def twice_by_counting(values):
    return {value for value, count in Counter(values).items() if count > 1}


@pytest.mark.parametrize("run", [helpers.SORTED_RUN, 7, 1])
def test_repeated_finds_every_value_used_more_than_once_sorted_in_memory_or_in_spilled_runs(monkeypatch, run):
    monkeypatch.setattr(helpers, "SORTED_RUN", run)  # 7 and 1: runs written to a scratch file and merged
    rng = random.Random(run)
    values = [f"ALB-{rng.randrange(300):03d}" for _ in range(2000)]
    assert repeated(values) == twice_by_counting(values)
    assert repeated(iter(["a", "b", "a"])) == {"a"}  # any iterable, read once
    assert repeated([]) == set() and repeated(["only"]) == set()


def test_repeated_spills_into_tmpdir_and_leaves_nothing_behind(monkeypatch, tmp_path):
    monkeypatch.setattr(helpers, "SORTED_RUN", 4)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    runs = []
    real = Ordered._read

    def reading(self, start, end):
        runs.append(os.path.dirname(os.readlink(f"/proc/self/fd/{self._scratch.fileno()}")))
        return real(self, start, end)

    monkeypatch.setattr(Ordered, "_read", reading)
    assert repeated([b"x", b"y", b"x", b"z", b"y", b"w", b"v", b"x", b"u"]) == {b"x", b"y"}
    assert runs == [str(tmp_path)] * 2  # two runs of four spilled (the ninth value stays in memory), in $TMPDIR
    assert list(tmp_path.iterdir()) == []  # unlinked from the start
