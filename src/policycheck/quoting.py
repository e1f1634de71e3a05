"""Document text and file names as findings and reports quote them: cut short and made inert.

Messages quote document values (SCH001 quotes what it rejects, rules quote ids),
and file names come from whoever named the file, so what a proposal's author
wrote must neither flood a report nor drive it. `inert` is the one escaping
every format applies to such text; each format adds its own syntax on top
(markdown's HTML and tables, XML's forbidden characters, workflow commands).
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# a 9 MB title must not become a 9 MB line in every report
MAX_MESSAGE = 1000
# escaped where they could drive a terminal (ESC, BEL, C1), forge report lines
# (CR, LF, NEL, U+2028/9) or reorder what a reader sees (bidirectional controls and marks)
_UNSAFE = {code: f"\\x{code:02x}" for code in (*range(0x09), *range(0x0A, 0x20), 0x7F, *range(0x80, 0xA0))}
_BIDI = (0x061C, 0x200E, 0x200F, 0x2028, 0x2029, *range(0x202A, 0x202F), *range(0x2066, 0x206A))
_UNSAFE.update({code: f"\\u{code:04x}" for code in _BIDI})


# a lone surrogate cannot be written as UTF-8; U+DC80-U+DCFF is a byte of a non-UTF-8
# file name (surrogateescape), shown as that byte. Found by encoding, not by a regex of the
# range, which cost a cold start 2 M instructions to compile.
def _has_surrogate(text: str) -> bool:
    if text.isascii():
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _surrogate(char: str) -> str:
    code = ord(char)
    if not 0xD800 <= code <= 0xDFFF:
        return char
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"


def inert(text: str, keep_bytes: bool = False) -> str:
    """`text` with every control, line break, bidirectional control and lone surrogate written as an escape.

    `keep_bytes` leaves a non-UTF-8 file name's bytes as surrogates, for JSON,
    which writes them as its own `\\udcNN` escape and so reads back the very name.
    Idempotent, and the same string when nothing needed escaping.
    """
    # every character escaped here is one `isprintable` rejects (tests/test_quoting.py holds it): the usual
    # text answered ~10x cheaper than by its translation (a third of writing a 10,000-file text report)
    return text if text.isprintable() else _escaped(text, keep_bytes)


def _escaped(text: str, keep_bytes: bool) -> str:
    escaped = text.translate(_UNSAFE)
    if not keep_bytes and _has_surrogate(escaped):
        escaped = "".join(map(_surrogate, escaped))
    return text if escaped == text else escaped


def shorten(text: str, limit: int = 60) -> str:
    """Document content for a message, cut short: a 5 MB key must not become a 5 MB message."""
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text):,} characters)"


def bounded(text: Any) -> Any:
    """Text for a finding: made inert, cut at MAX_MESSAGE; anything else as it is."""
    if not isinstance(text, str):
        return text
    # the same string when nothing was escaped: a file's activity id is then one
    # string with the id portfolio rules collected, not two held through the run
    return shorten(inert(text), MAX_MESSAGE)
