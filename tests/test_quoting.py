"""quoting.inert's escapes of lone surrogates, found without a regex."""

import re

from hypothesis import given
from hypothesis import strategies as st

from policycheck.quoting import inert

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
