"""Fixtures shared by the tests of the Python rule families (helpers as fixtures: test
modules are imported with --import-mode=importlib, so they cannot import each other)."""

import pytest

from policycheck.testing import check


def _only(snippet: str, rule_id: str, **options):
    found = check(snippet, select=[rule_id], **options)
    assert [f.rule_id for f in found] == [rule_id], [(f.rule_id, f.message) for f in found]
    return found[0]


def _locate(text: str, needle: str) -> tuple[int, int]:
    offset = text.index(needle)
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


@pytest.fixture
def only():
    """only(snippet, ID, **check_options): the single finding ID raises on the snippet."""
    return _only


@pytest.fixture
def locate():
    """locate(text, needle): 1-based (line, column) of the first `needle` in `text`."""
    return _locate
