"""Where the cursor is in an activity: the JSON-pointer path of the key or value under it.

Hover on a key of a parsed document answers from the loader's positions
(`load.parse(...).positions`, the line and column of every key and list item).
Completion is asked for while a document is half-typed and does not parse, so it
reads the text itself, and so does hover then: block YAML's indentation says which
mapping or list each line belongs to (`outline`), and a flow collection on the
cursor's line (`rel_to: [USA, GB`) is followed bracket by bracket.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ..records import Record

Path = tuple

KEY, ITEM = "key", "item"
# `key:` at a line's start or after `- `: plain (no YAML indicator first) or quoted, then a colon and a space or the end
_KEY = re.compile(
    r"""(?P<key>"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s#'"?:,\[\]{}|>&*!%@`-][^#]*?|-[^\s#][^#]*?)\s*:(?=\s|$)"""
)
_DASH = re.compile(r"-(?=\s|$)")
# what may follow `key:` to start a block scalar: `|`, `>`, with chomping and indentation indicators
_BLOCK_SCALAR = re.compile(r"^[|>][-+0-9]*\s*(?:#.*)?$")


class Node(Record):
    """A key or a list item (`- `) as written: 0-based line and column, its path, the text after `key:`."""

    line: int
    column: int
    kind: str
    path: Path
    width: int = 1  # characters of the key as written, quotes included
    after: int = 0  # the column just past a key's colon
    value: str = ""


class Context(Record):
    """What is being typed at the cursor: a key of the mapping at `path`, or the value at `path`.

    `start` is the column where the typed word begins, so a completion replaces it whole.
    """

    role: str  # KEY or "value"
    path: Path
    start: int
    typed: str


def _unquote(key: str) -> str:
    if len(key) >= 2 and key[0] == key[-1] == "'":
        return key[1:-1].replace("''", "'")
    if len(key) >= 2 and key[0] == key[-1] == '"':
        return key[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return key


def _entries(text: str, end: int | None = None) -> list[tuple[int, str, str | None, int, int, str]]:
    """The `- ` markers and the `key:` of one line (up to column `end`): (column, kind, key, width, after, rest)."""
    line = text if end is None else text[:end]
    found = []
    at = len(line) - len(line.lstrip(" "))
    while at < len(line) and line[at] != "#":
        if _DASH.match(line, at):
            found.append((at, ITEM, None, 1, at + 1, ""))
            at += 1
            while at < len(line) and line[at] == " ":
                at += 1
            continue
        match = _KEY.match(line, at)
        if match:
            key = match["key"].rstrip()
            found.append((at, KEY, _unquote(key), len(key), match.end(), line[match.end() :].strip()))
        break
    return found


class _Frame(Record):
    column: int
    kind: str
    path: Path


class _Outliner:
    """Block YAML read by indentation, one entry at a time: the containers open at each point."""

    def __init__(self) -> None:
        self.stack: list[_Frame] = [_Frame(-1, KEY, ())]
        self.items: dict[Path, int] = {}  # a list's path -> items seen so far
        self.in_text: Path | None = None  # the block scalar the stop line is text of, if any

    def parent_for(self, column: int, kind: str) -> Path:
        """Close what an entry at `column` ends, and give the path of the container it belongs to."""
        stack = self.stack
        if kind == KEY:
            while stack[-1].column >= column:
                stack.pop()
        else:  # a list may sit at its key's own column: `waivers:` then `- rule: ...`
            while stack[-1].column > column or (stack[-1].column == column and stack[-1].kind != KEY):
                stack.pop()
        return stack[-1].path

    def add(self, line: int, column: int, kind: str, key: str | None, width: int, after: int, rest: str) -> Node:
        parent = self.parent_for(column, kind)
        if kind == KEY:
            path = (*parent, key)
        else:
            index = self.items.get(parent, 0)
            self.items[parent] = index + 1
            path = (*parent, index)
        self.stack.append(_Frame(column, kind, path))
        return Node(line, column, kind, path, width, after, rest)


def _is_content(text: str) -> bool:
    stripped = text.strip()
    return bool(stripped) and not stripped.startswith("#")


def outline(lines: list[str], stop: tuple[int, int] | None = None) -> tuple[list[Node], _Outliner]:
    """Every key and list item of block YAML up to `stop` (line, column), with its path.

    Lines inside a block scalar (`summary: |`) are text, not keys. Flow collections
    spanning lines are not followed; what a half-typed document cannot say is guessed
    from indentation alone.
    """
    outliner = _Outliner()
    nodes: list[Node] = []
    scalar_above, scalar_path = None, ()  # a block scalar's text lines are indented past its key
    last = len(lines) if stop is None else stop[0] + 1
    for number in range(min(last, len(lines))):
        text = lines[number].rstrip("\r\n")
        indent = len(text) - len(text.lstrip(" "))
        if scalar_above is not None:
            if not text.strip() or indent > scalar_above:
                if stop is not None and number == stop[0]:
                    outliner.in_text = scalar_path
                continue
            scalar_above = None
        if not _is_content(text):
            continue
        end = stop[1] if stop is not None and number == stop[0] else None
        for column, kind, key, width, after, rest in _entries(text, end):
            nodes.append(outliner.add(number, column, kind, key, width, after, rest))
            if kind == KEY and _BLOCK_SCALAR.match(rest):
                scalar_above, scalar_path = column, nodes[-1].path
    return nodes, outliner


def _flow(text: str, path: Path) -> tuple[str, Path, int]:
    """Follow `[`, `{`, `,` and `key:` through the flow text before the cursor: (role, path, word start)."""
    stack: list[list] = []  # [kind, path, index or key]
    start = 0
    at = 0
    while at < len(text):
        char = text[at]
        if char in "\"'":
            close = text.find(char, at + 1)
            if close < 0:
                break  # an open quote: the word being typed starts there
            at = close + 1
            continue
        if char == "[":
            stack.append(["seq", path, 0])
            path, start = (*path, 0), at + 1
        elif char == "{":
            stack.append(["map", path, None])
            start = at + 1
        elif char in "]}" and stack:
            _, path, _ = stack.pop()
            start = at + 1
        elif char == "," and stack:
            frame = stack[-1]
            if frame[0] == "seq":
                frame[2] += 1
                path = (*frame[1], frame[2])
            else:
                frame[2], path = None, frame[1]
            start = at + 1
        elif char == ":" and stack and stack[-1][0] == "map" and (at + 1 == len(text) or text[at + 1] == " "):
            key = _unquote(text[start:at].strip())
            stack[-1][2] = key
            path, start = (*stack[-1][1], key), at + 1
        at += 1
    while start < len(text) and text[start] == " ":
        start += 1
    if stack and stack[-1][0] == "map" and stack[-1][2] is None:
        return KEY, stack[-1][1], start
    return "value", path, start


def context_at(lines: list[str], line: int, column: int) -> Context:
    """What the cursor at (line, column), 0-based in characters, is typing: works on any text."""
    text = lines[line].rstrip("\r\n") if line < len(lines) else ""
    before = text[:column]
    nodes, outliner = outline(lines, (line, column))
    if outliner.in_text is not None:
        return Context("value", outliner.in_text, column, "")
    on_line = [node for node in nodes if node.line == line]
    last = on_line[-1] if on_line else None
    if last is not None and last.kind == KEY:
        value_start = min(last.after, len(before))
        role, path, start = _flow(before[value_start:], last.path)
        start += value_start
        return Context(role, path, start, before[start:])
    start = len(before) - len(before.lstrip(" ")) if last is None else last.column + 1
    while start < len(before) and before[start] == " ":
        start += 1
    if last is not None:  # after `- `: an item, a scalar or the first key of a mapping
        return Context("value", last.path, start, before[start:])
    return Context(KEY, outliner.parent_for(start, KEY), start, before[start:])


def key_at(
    lines: list[str], line: int, column: int, positions: Mapping[Path, tuple[int, int]] | None = None
) -> Path | None:
    """The path of the key under the cursor, from the loader's positions when the document parsed."""
    if positions is not None:
        text = lines[line] if line < len(lines) else ""
        for path, (key_line, key_column) in positions.items():
            if not path or not isinstance(path[-1], str) or key_line != line + 1:
                continue
            start = key_column - 1
            quotes = 2 if text[start : start + 1] in ("'", '"') else 0
            if start <= column < start + len(path[-1]) + quotes:
                return path
        return None
    nodes, _ = outline(lines, (line, len(lines[line]) if line < len(lines) else 0))
    for node in nodes:
        if node.line == line and node.kind == KEY and node.column <= column < node.column + node.width:
            return node.path
    return None
