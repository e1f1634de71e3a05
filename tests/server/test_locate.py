"""The path under the cursor, read from block YAML's indentation (any text) or the loader's positions."""

from __future__ import annotations

import pytest

from policycheck.load import parse
from policycheck.server.locate import KEY, context_at, key_at, outline

DRAFT = """\
schema: activity/v1
summary: |
  text: not a key
partner:
  country: AL
threats:
  - id: THR-1
    actor: x
  - id: THR-2
objectives:
  - id: OBJ-1
    addresses_threats: [THR-1, T
waivers:
- rule: REL002
  jus
releasability:
  rel_to: [USA, G
  dissemination:
    - RE
  x-flow: {a: 1, b
"""
LINES = DRAFT.splitlines(keepends=True)


def at_end(number: int):
    return context_at(LINES, number, len(LINES[number].rstrip("\n")))


def test_every_key_and_item_gets_its_path_and_block_text_is_no_key():
    paths = [node.path for node in outline(LINES)[0]]
    assert ("summary",) in paths and ("summary", "text") not in paths
    assert ("threats", 1, "id") in paths and ("threats", 0, "actor") in paths
    assert ("waivers", 0, "rule") in paths  # a list at its key's own column
    assert ("releasability", "dissemination", 0) in paths


@pytest.mark.parametrize(
    "line, role, path, typed",
    [
        (4, "value", ("partner", "country"), "AL"),
        (11, "value", ("objectives", 0, "addresses_threats", 1), "T"),
        (14, KEY, ("waivers", 0), "jus"),
        (16, "value", ("releasability", "rel_to", 1), "G"),
        (18, "value", ("releasability", "dissemination", 0), "RE"),
        (19, KEY, ("releasability", "x-flow"), "b"),
        (2, "value", ("summary",), ""),
    ],
)
def test_what_the_cursor_types_at_the_end_of_a_line(line, role, path, typed):
    context = at_end(line)
    assert (context.role, context.path, context.typed) == (role, path, typed)
    assert LINES[line][context.start :].rstrip("\n") == typed


def test_a_blank_line_types_a_key_of_the_mapping_its_indentation_is_in():
    lines = ["threats:\n", "  - id: THR-1\n", "    \n"]
    assert context_at(lines, 2, 4) == (KEY, ("threats", 0), 4, "")
    assert context_at(lines, 2, 0) == (KEY, (), 0, "")


def test_a_key_under_the_cursor_from_positions_and_from_indentation_agree():
    text = "schema: activity/v1\npartner:\n  'country': ALB\n  category: x\n"
    lines = text.splitlines(keepends=True)
    positions = parse(text).positions
    for line, column, path in [(1, 0, ("partner",)), (2, 5, ("partner", "country")), (3, 9, ("partner", "category"))]:
        assert key_at(lines, line, column, positions) == path
        assert key_at(lines, line, column) == path
    assert key_at(lines, 3, 12, positions) is None and key_at(lines, 3, 12) is None  # the value
