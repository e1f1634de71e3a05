"""quoting.inert's escapes of lone surrogates, found without a regex."""

import re
import sys

from hypothesis import given
from hypothesis import strategies as st

from policycheck.quoting import _escaped, inert

# printable text inert leaves as it is, and the surrogates around it
CHARACTERS = st.one_of(
    st.characters(min_codepoint=0x20, max_codepoint=0x7E),
    st.characters(min_codepoint=0xA0, max_codepoint=0x600),
    st.characters(min_codepoint=0xD700, max_codepoint=0xE100, codec=None, categories=None),
)


def test_a_file_name_byte_is_shown_as_that_byte_and_any_other_surrogate_as_its_code():
    assert inert("caf\udce9 \ud800 \udfff é") == "caf\\xe9 \\ud800 \\udfff é"
    assert inert("caf\udce9", keep_bytes=True) == "caf\udce9"
    assert inert("\udc7f\udc80") == "\\udc7f\\x80"
    assert inert("plain é") == "plain é"


def _as_the_regex_did(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"


@given(st.text(alphabet=CHARACTERS))
def test_surrogates_are_escaped_as_a_regex_of_their_range_did(text):
    assert inert(text) == re.sub("[\ud800-\udfff]", _as_the_regex_did, text)


def test_no_printable_character_is_one_the_escaping_changes():
    """What lets inert answer printable text at once: the translation leaves every printable character alone."""
    printable = "".join(filter(str.isprintable, map(chr, range(sys.maxunicode + 1))))
    assert _escaped(printable, keep_bytes=False) == printable
    assert inert(printable) is printable


@given(st.text(alphabet=st.characters(codec=None, categories=None)), st.booleans())
def test_the_quick_answer_is_the_escaping_s_for_any_text(value, keep_bytes):
    assert inert(value, keep_bytes) == _escaped(value, keep_bytes)


def test_text_that_needs_escaping_is_escaped():
    for value in ("a\x1b[31m", "line\nbreak", "\u202eevil", "caf\udce9", "\u2028", "\x85"):
        assert inert(value) != value and inert(value) == _escaped(value, False)
    assert inert("tab\tkept nbsp\xa0") == "tab\tkept nbsp\xa0"
