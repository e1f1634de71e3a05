"""Document text as findings and reports quote it: cut short and made inert.

Messages quote document values (SCH001 quotes what it rejects, rules quote ids),
so what a proposal's author wrote must neither flood a report nor drive it.
"""

from __future__ import annotations

from typing import Any

# a 9 MB title must not become a 9 MB line in every report
MAX_MESSAGE = 1000
# escaped where they could drive a terminal (ESC, BEL, C1), forge report lines
# (CR, LF, U+2028/9) or reorder what a reader sees (bidirectional overrides)
_UNSAFE = {code: f"\\x{code:02x}" for code in (*range(0x09), *range(0x0A, 0x20), 0x7F, *range(0x80, 0xA0))}
_UNSAFE.update({code: f"\\u{code:04x}" for code in (0x2028, 0x2029, *range(0x202A, 0x202F), *range(0x2066, 0x206A))})


def shorten(text: str, limit: int = 60) -> str:
    """Document content for a message, cut short: a 5 MB key must not become a 5 MB message."""
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text):,} characters)"


def bounded(text: Any) -> Any:
    """Text for a finding: controls escaped, cut at MAX_MESSAGE; anything else as it is."""
    if not isinstance(text, str):
        return text
    escaped = text.translate(_UNSAFE)
    # the same string when nothing was escaped: a file's activity id is then one
    # string with the id portfolio rules collected, not two held through the run
    return shorten(text if escaped == text else escaped, MAX_MESSAGE)
