"""Code actions as text edits: a waiver for a finding, and the rules' own fixes.

A rule's `Fix` travels in the diagnostic's `data` (`fix_data`) and comes back with the
code-action request; `rule_fixes` makes it with `fixes.apply_fix`, the code `--fix` uses,
so the editor offers exactly the change the command line would write (or none, where
`--fix` would refuse). An edit is `(start line, start column, end line, end column, new text)`, 0-based in
characters; `lsp` turns it into a WorkspaceEdit. The waiver is a template whose
justification, approver and expiry are left empty: until someone fills them in, the
schema flags them and the waiver excuses nothing (an empty field is no waiver), so
accepting the action alone never opens the gate.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..findings import Finding, fixable
from ..fixes import FixError, apply_fix, changed_span
from ..records import Record
from ..rule import Edit as FixEdit
from ..rule import Fix
from ..waivers import UNWAIVABLE

_WAIVERS = re.compile(r"^waivers\s*:\s*(?P<rest>[^#]*?)\s*(?:#.*)?$")
_PLAIN_POINTER = re.compile(r"^/[A-Za-z0-9_./~-]*$")


class Edit(Record):
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


class RuleFix(Record):
    """A rule's fix as the editor applies it: its title, whether it is safe (a preferred quick fix), its edits."""

    title: str
    safe: bool
    edits: list[Edit]


def fix_data(finding: Finding) -> dict[str, Any] | None:
    """A finding's fix as JSON the client keeps in the diagnostic's `data`, or None (none, or waived)."""
    fix = finding.fix
    if not fixable(finding, unsafe=True):  # what --fix --unsafe-fixes would apply
        return None
    edits = [[edit.op, edit.path if isinstance(edit.path, str) else list(edit.path), edit.value] for edit in fix.edits]
    return {"title": fix.title, "safe": fix.safe, "edits": edits}


def _fix_of(data: Any) -> Fix | None:
    """The Fix `fix_data` wrote, or None for anything a client could have sent instead."""
    try:
        edits = tuple(
            FixEdit(op, path if isinstance(path, str) else tuple(path), tuple(value) if op == "reorder" else value)
            for op, path, value in data["edits"]
        )
        return Fix(str(data["title"]), edits, data["safe"] is True)
    except (KeyError, TypeError, ValueError):
        return None


def rule_fixes(finding: dict[str, Any], text: str) -> list[RuleFix]:
    """The fix a rule attached to a finding (in its diagnostic's `data`), as one edit of the text; none when
    `--fix` would refuse it on this text (it no longer applies, or cannot be made exactly)."""
    fix = _fix_of(finding.get("fix")) if isinstance(finding.get("fix"), dict) else None
    if fix is None:
        return []
    try:
        fixed = apply_fix(text, fix)
    except FixError:
        return []
    start, end, new = changed_span(text, fixed)
    return [RuleFix(fix.title, fix.safe, [Edit(*_position(text, start), *_position(text, end), new)])]


def _position(text: str, offset: int) -> tuple[int, int]:
    """(line, character), 0-based, of an offset in the text ("\r\n" ends a line as "\n" does)."""
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset), offset - line_start
