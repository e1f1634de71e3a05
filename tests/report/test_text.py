"""The text report's own quick `inert`: the same text as `quoting.inert`, for any text."""

import sys

from hypothesis import given
from hypothesis import strategies as st

from policycheck import quoting
from policycheck.report import text


def test_no_printable_character_is_one_inert_escapes():
    printable = "".join(filter(str.isprintable, map(chr, range(sys.maxunicode + 1))))
    assert quoting.inert(printable) == printable
    assert text.inert(printable) is printable


@given(st.text(alphabet=st.characters(codec=None, categories=None)))
def test_it_is_quoting_inert(value):
    assert text.inert(value) == quoting.inert(value)


def test_it_escapes_what_quoting_inert_escapes():
    for value in ("a\x1b[31m", "line\nbreak", "tab\tkept", "\u202eevil", "caf\udce9", "nbsp\xa0", "\u2028"):
        assert text.inert(value) == quoting.inert(value)
