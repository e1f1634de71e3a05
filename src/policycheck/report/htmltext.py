"""Document text made safe for the HTML report and its SVG charts.

Everything a document supplies is escaped (`&<>"'`), and characters that could hide or
reorder what a reviewer reads are shown as escapes instead of acting: C0 and C1 controls
(ESC, CR, LF...), bidirectional overrides and isolates, zero-width characters, line and
paragraph separators, and lone surrogates (which no UTF-8 file can even hold).
"""

from __future__ import annotations

import html
import re

_UNSAFE_CHARACTERS = "\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ud800-\udfff"
_UNSAFE = re.compile(f"[{_UNSAFE_CHARACTERS}]")
# most values (ids, codes, dates) hold nothing to escape: one search says so, the quickest path
_SPECIAL = re.compile(f"[&<>\"'{_UNSAFE_CHARACTERS}]")


def _code(character: str) -> str:
    code = ord(character)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def text(value: object) -> str:
    """HTML element content; unsafe characters become a visible `\\x1b`-style escape, marked as such."""
    value = str(value)
    if not _SPECIAL.search(value):
        return value
    if not _UNSAFE.search(value):
        return html.escape(value, quote=True)
    pieces, start = [], 0
    for match in _UNSAFE.finditer(value):
        pieces.append(html.escape(value[start : match.start()], quote=True))
        pieces.append(f'<span class="ctl">{_code(match.group())}</span>')
        start = match.end()
    pieces.append(html.escape(value[start:], quote=True))
    return "".join(pieces)


def plain(value: object) -> str:
    """Attribute values and SVG text, where no markup may go: unsafe characters as plain escapes."""
    value = str(value)
    if not _SPECIAL.search(value):
        return value
    return html.escape(_UNSAFE.sub(lambda match: _code(match.group()), value), quote=True)
