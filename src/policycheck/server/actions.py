"""Code actions as text edits: a waiver for a finding, and the hook for rules' own fixes.

An edit is `(start line, start column, end line, end column, new text)`, 0-based in
characters; `lsp` turns it into a WorkspaceEdit. The waiver is a template whose
justification, approver and expiry are left empty: until someone fills them in, the
schema flags them and the waiver excuses nothing (an empty field is no waiver), so
accepting the action alone never opens the gate.
"""

from __future__ import annotations

import json
import re
from typing import Any, NamedTuple

from ..waivers import UNWAIVABLE

_WAIVERS = re.compile(r"^waivers\s*:\s*(?P<rest>[^#]*?)\s*(?:#.*)?$")
_PLAIN_POINTER = re.compile(r"^/[A-Za-z0-9_./~-]*$")


class Edit(NamedTuple):
    start_line: int
    start_column: int
    end_line: int
    end_column: int
    text: str


def can_waive(rule_id: str, level: str) -> bool:
    """A waiver may excuse a finding that gates (fail or warn), of a rule a waiver can name."""
    return rule_id not in UNWAIVABLE and level in ("fail", "warn")


def waiver_template(rule_id: str, pointer: str, indent: str, newline: str) -> str:
    at = pointer if _PLAIN_POINTER.match(pointer) else json.dumps(pointer)
    lines = [f"{indent}- rule: {rule_id}"]
    if pointer:
        lines.append(f"{indent}  at: {at}")
    lines += [
        f'{indent}  justification: ""  # why this exception is accepted',
        f'{indent}  approved_by: ""  # who approved it',
        f'{indent}  expires: ""  # the last day it applies, YYYY-MM-DD',
    ]
    return newline.join(lines) + newline


def add_waiver(text: str, rule_id: str, pointer: str) -> Edit | None:
    """The edit that adds a waiver of `rule_id` at `pointer` to the document's `waivers:` list.

    After the last waiver of a block list (keeping its indentation), in place of an
    empty `waivers:` or `waivers: []`, or as a new `waivers:` at the end. None for a
    flow list with items (`waivers: [{...}]`), which cannot be extended line by line.
    """
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines()
    for number, line in enumerate(lines):
        match = _WAIVERS.match(line)
        if not match:
            continue
        rest = match["rest"]
        if rest in ("[]", "~", "null"):  # an empty list on the key's line: the template replaces it
            colon = line.index(":") + 1
            template = waiver_template(rule_id, pointer, "  ", newline).rstrip("\r\n")
            return Edit(number, colon, number, match.start("rest") + len(rest), newline + template)
        if rest:
            return None
        block_end, indent = _block(lines, number)
        if block_end + 1 < len(lines):
            return Edit(block_end + 1, 0, block_end + 1, 0, waiver_template(rule_id, pointer, indent, newline))
        return _append(text, lines, waiver_template(rule_id, pointer, indent, newline), newline)
    return _append(text, lines, f"waivers:{newline}{waiver_template(rule_id, pointer, '  ', newline)}", newline)


def _append(text: str, lines: list[str], addition: str, newline: str) -> Edit:
    """An edit adding lines at the end of the document, after a line break if it has none."""
    if not text.endswith(("\n", "\r")) and lines:
        return Edit(len(lines) - 1, len(lines[-1]), len(lines) - 1, len(lines[-1]), newline + addition)
    return Edit(len(lines), 0, len(lines), 0, addition)


def _block(lines: list[str], key_line: int) -> tuple[int, str]:
    """The last line of the block under a top-level key, and the indentation of its list items."""
    last, indent = key_line, None
    for number in range(key_line + 1, len(lines)):
        line = lines[number]
        stripped = line.strip()
        if not stripped or (stripped.startswith("#") and line.startswith((" ", "#"))):
            continue
        if not line.startswith((" ", "-")):
            break
        if indent is None and stripped.startswith("-"):
            indent = line[: len(line) - len(line.lstrip(" "))]
        last = number
    return last, "  " if indent is None else indent


def rule_fixes(finding: dict[str, Any], text: str) -> list[tuple[str, list[Edit]]]:
    """The fixes a rule attached to a finding, as (title, edits): the hook for the fix API.

    Rules cannot attach fixes yet (issue 20's fix API adds them to `Violation`); when
    they can, this turns a finding's fixes into edits and the server offers each as a
    code action beside the waiver. Until then every finding has none.
    """
    return []
