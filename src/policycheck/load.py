"""Stage 2, load: bytes -> plain data plus the line and column of every node.

We build the data straight from libyaml's event stream instead of PyYAML's
constructors so that one pass gives us positions, YAML 1.2 scalars, duplicate-key
and alias-bomb detection, and a depth limit without Python recursion.
"""

from __future__ import annotations

import re
import sys
from typing import Any, NamedTuple

import yaml
from yaml import events

from .quoting import shorten

try:  # the C parser is ~10x faster; the pure-Python one gives the same events
    from yaml._yaml import CParser as _EventParser
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _EventParser(Reader, Scanner, Parser):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)


Path = tuple  # a JSON-pointer path as a tuple of keys (str) and indexes (int)


class Limits(NamedTuple):
    """Bounds that keep hostile input from exhausting time or memory (SECURITY.md's table)."""

    max_bytes: int = 10 * 1024 * 1024
    max_depth: int = 64
    max_nodes: int = 200_000


# Our own bound on an integer's digits, in any base: Python's (4,300 decimal digits) can be
# changed by PYTHONINTMAXSTRDIGITS and does not apply to hex or octal at all.
MAX_INTEGER_DIGITS = 4300
# libyaml 0.2.6 (bundled from PyYAML 6.0.2) stops nesting past 1,000 levels itself, and its
# scanner reads a flow collection ahead of the events we count: its error is our depth limit.
_LIBYAML_NESTING = "exceeded maximum nesting depth"


class Loaded(NamedTuple):
    """A parsed document: plain dicts/lists/scalars and a position per path."""

    data: Any
    positions: dict[Path, tuple[int, int]]


class LoadError(Exception):
    """The input cannot be turned into a document; becomes a LOAD001 finding."""

    def __init__(self, message: str, line: int = 1, column: int = 1, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.hint = hint


# YAML 1.2 core schema, with one deliberate departure: integers written with a
# leading zero (0755, 007) stay strings, because in this domain they are codes.
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$")
_LEADING_ZERO = re.compile(r"^[-+]?0[0-9]+(?:\.[0-9]*)?$")
_OCT = re.compile(r"^0o[0-7]+$")
_HEX = re.compile(r"^0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
_INF = re.compile(r"^[-+]?\.(?:inf|Inf|INF)$")
_NAN = re.compile(r"^\.(?:nan|NaN|NAN)$")

_CORE = "tag:yaml.org,2002:"
_DEPTH_HINT = "an activity is a few levels deep; check the indentation"
_ALLOWED_TAGS = {_CORE + t for t in ("str", "int", "float", "bool", "null", "map", "seq")}


class Unrepresentable(ValueError):
    """A plain scalar that reads as a number no report can carry; the loader makes it a LoadError there."""

    def __init__(self, message: str, hint: str):
        super().__init__(message)
        self.hint = hint


_TOO_LONG_HINT = "quote it if it is a code rather than a quantity"
_NOT_FINITE_HINT = (
    "JSON, which the schema and every report speak, has no infinity or NaN: write the number, or quote it if it is text"
)


def resolve_plain(value: str) -> Any:
    """Type of an unquoted scalar under the YAML 1.2 core schema (see module note).

    Numbers are bounded as SECURITY.md says: an integer of more than
    MAX_INTEGER_DIGITS digits, as written or in decimal (`0x` + 4,000 digits is
    ~4,800 decimal ones, which Python could not even print), and any number
    that is not finite (`.inf`, `.nan`, `1e999`) raise Unrepresentable.
    """
    if _NULL.match(value):
        return None
    if len(value) > MAX_INTEGER_DIGITS and (_INT.match(value) or _OCT.match(value) or _HEX.match(value)):
        if _digits(value) > MAX_INTEGER_DIGITS:
            raise Unrepresentable(_too_long(value, f"{_digits(value)} digits"), _TOO_LONG_HINT)
    if value in _BOOL:
        return _BOOL[value]
    if _INT.match(value):
        return int(value)
    if _LEADING_ZERO.match(value):
        return value
    if _OCT.match(value) or _HEX.match(value):
        octal = value.startswith("0o")
        number = int(value[2:], 8 if octal else 16)
        # 2**14284 < 10**4300: only a number past it needs the exact (40 us) comparison
        if number.bit_length() > 14284 and number >= 10**MAX_INTEGER_DIGITS:
            written = f"{_digits(value)} {'octal' if octal else 'hex'} digits"
            raise Unrepresentable(_too_long(value, written, " once written in decimal"), _TOO_LONG_HINT)
        return number
    if _FLOAT.match(value) and any(c.isdigit() for c in value):
        number = float(value)
        if number in (_INF_VALUE, -_INF_VALUE):
            raise Unrepresentable(
                f"the number {shorten(value, 20)} is too large (it would be infinite)", _NOT_FINITE_HINT
            )
        return number
    if _INF.match(value) or _NAN.match(value):
        raise Unrepresentable(f"'{value}' is not a finite number", _NOT_FINITE_HINT)
    return value


_INF_VALUE = float("inf")
_LARGEST_FLOAT = int(sys.float_info.max)


def _too_long(value: str, written: str, base: str = "") -> str:
    return f"the number {value[:20]}... is too long ({written}, over the {MAX_INTEGER_DIGITS:,}-digit limit{base})"


def _digits(integer: str) -> int:
    """The digits of an integer as written, without its sign or base prefix."""
    return len(integer.lstrip("+-").removeprefix("0x").removeprefix("0o"))


def _tagged(value: str, tag: str, mark) -> Any:
    """A scalar with an explicit core tag such as `!!str 0755`."""
    kind = tag[len(_CORE) :]
    if kind == "str":
        return value
    if kind in ("map", "seq"):
        raise LoadError(f"a plain value cannot be tagged !!{kind}", *_pos(mark), hint="remove the tag")
    resolved = resolve_plain(value)
    expected = {"int": int, "float": (int, float), "bool": bool, "null": type(None)}[kind]
    if kind == "float" and isinstance(resolved, int) and not isinstance(resolved, bool):
        if abs(resolved) > _LARGEST_FLOAT:  # `!!float 0xfff...`: OverflowError in float()
            raise Unrepresentable(
                f"the number {shorten(value, 20)} is too large (it would be infinite)", _NOT_FINITE_HINT
            )
        return float(resolved)
    if not isinstance(resolved, expected) or (kind == "int" and isinstance(resolved, bool)):
        raise LoadError(f"'{value}' is not a valid !!{kind}", *_pos(mark))
    return resolved


def _pos(mark) -> tuple[int, int]:
    return (mark.line + 1, mark.column + 1)


def decode(raw: bytes) -> str:
    """Strict UTF-8 (a UTF-8 BOM is allowed); anything else is a LoadError."""
    # with a BOM, or without one: ASCII text in UTF-16 is every other byte NUL
    if raw.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")) or re.match(
        rb"(?:[^\x00]\x00){2}|(?:\x00[^\x00]){2}", raw
    ):
        raise LoadError(
            "the file is UTF-16 or UTF-32 encoded",
            hint="save it as UTF-8",
        )
    if b"\x00" in raw:
        offset = raw.index(b"\x00")
        line = raw.count(b"\n", 0, offset) + 1
        raise LoadError(
            "binary data: the file contains NUL bytes",
            line,
            offset - (raw.rfind(b"\n", 0, offset) + 1) + 1,
            hint="activity files are UTF-8 YAML text",
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        raise LoadError(
            f"not valid UTF-8 (byte 0x{raw[error.start]:02x})",
            line,
            column,
            hint="save the file as UTF-8",
        ) from None
    return text[1:] if text.startswith("\ufeff") else text


def parse(text: str, limits: Limits = Limits()) -> Loaded:
    """Parse one YAML document into plain data and positions, or raise LoadError."""
    parser = None
    try:
        parser = _EventParser(text)  # the pure-Python one checks characters here already
        return _Builder(limits).build(parser)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = _pos(mark) if mark else (1, 1)
        problem = error.problem or str(error)
        if _LIBYAML_NESTING in problem:
            raise LoadError(f"nesting deeper than {limits.max_depth} levels", line, column, _DEPTH_HINT) from None
        hint = None
        lines = text.splitlines()
        if mark and mark.line < len(lines) and "\t" in lines[mark.line][: mark.column + 1]:
            hint = "YAML does not allow tabs for indentation; indent with spaces"
        elif error.context:
            hint = f"{error.context}" + (f" (line {error.context_mark.line + 1})" if error.context_mark else "")
        raise LoadError(f"YAML syntax error: {problem}", line, column, hint) from None
    except yaml.reader.ReaderError as error:
        # C and Python parsers disagree on `position` (bytes vs characters): find the character
        offset = text.find(chr(error.character)) if isinstance(error.character, int) else -1
        offset = offset if offset >= 0 else 0
        line = text.count("\n", 0, offset) + 1
        code = f"U+{error.character:04X}" if isinstance(error.character, int) else "?"
        raise LoadError(
            f"the character {code} is not allowed in YAML (a control or special character)",
            line,
            offset - (text.rfind("\n", 0, offset) + 1) + 1,
            hint="remove it, or write it as an escape such as \\x01 inside double quotes",
        ) from None
    except yaml.YAMLError as error:
        raise LoadError(f"YAML error: {error}") from None
    finally:
        if parser is not None and hasattr(parser, "dispose"):
            parser.dispose()


class _Frame:
    __slots__ = ("container", "path", "key", "key_mark", "start_nodes", "anchor", "height")

    def __init__(self, container, path, anchor, start_nodes):
        self.container = container
        self.path = path
        self.key = None
        self.key_mark = None
        self.anchor = anchor
        self.start_nodes = start_nodes
        self.height = 0  # container levels below this one, aliases included


class _Builder:
    def __init__(self, limits: Limits):
        self.limits = limits
        self.positions: dict[Path, tuple[int, int]] = {}
        self.stack: list[_Frame] = []
        self.anchors: dict[str, tuple[Any, int, int]] = {}  # name -> (value, nodes, height)
        self.nodes = 0
        self.root: Any = None
        self.documents = 0

    def build(self, parser) -> Loaded:
        while True:
            event = parser.get_event()
            kind = type(event)
            if kind is events.ScalarEvent:
                self._scalar(event)
            elif kind is events.MappingStartEvent:
                self._start(event, {})
            elif kind is events.SequenceStartEvent:
                self._start(event, [])
            elif kind is events.MappingEndEvent or kind is events.SequenceEndEvent:
                self._end()
            elif kind is events.AliasEvent:
                self._alias(event)
            elif kind is events.DocumentStartEvent:
                self.documents += 1
                if self.documents > 1:
                    raise LoadError(
                        "more than one YAML document in the file",
                        *_pos(event.start_mark),
                        hint="put each activity in its own file (remove the '---' separator)",
                    )
            elif kind is events.StreamEndEvent:
                break
        if self.documents == 0:
            raise LoadError("the file is empty (no YAML document)", hint="see `policycheck init` for a starter")
        return Loaded(self.root, self.positions)

    def _count(self, mark, amount: int = 1) -> None:
        self.nodes += amount
        if self.nodes > self.limits.max_nodes:
            raise LoadError(
                f"the document expands to more than {self.limits.max_nodes} nodes",
                *_pos(mark),
                # a real activity has a few hundred nodes: blame aliases only where there are some
                hint="remove the aliases that multiply it (an alias bomb?)"
                if self.anchors
                else "split it: one activity per file",
            )

    def _child_path(self, mark) -> tuple[Path, tuple[int, int]]:
        """Path of the node about to be added, and where to point for it."""
        if not self.stack:
            return (), _pos(mark)
        frame = self.stack[-1]
        if isinstance(frame.container, list):
            return frame.path + (len(frame.container),), _pos(mark)
        # a mapping entry points at its key: the line a reader looks for
        return frame.path + (frame.key,), _pos(frame.key_mark)

    def _expecting_key(self) -> bool:
        return bool(self.stack) and isinstance(self.stack[-1].container, dict) and self.stack[-1].key_mark is None

    def _add(self, value: Any) -> None:
        if not self.stack:
            self.root = value
            return
        frame = self.stack[-1]
        if isinstance(frame.container, list):
            frame.container.append(value)
        else:
            frame.container[frame.key] = value
            frame.key = None
            frame.key_mark = None

    def _scalar(self, event) -> None:
        self._count(event.start_mark)
        if event.tag is not None and event.tag != "!" and event.tag not in _ALLOWED_TAGS:
            raise LoadError(
                f"the tag '{shorten(event.tag)}' is not allowed",
                *_pos(event.start_mark),
                hint="activity files are plain data: remove the tag",
            )
        if self._expecting_key():
            self._key(event)
            return
        try:
            if event.tag is not None and event.tag != "!":
                value = _tagged(event.value, event.tag, event.start_mark)
            elif event.implicit[0] and not event.style:
                value = resolve_plain(event.value)
            else:
                value = event.value
        except Unrepresentable as error:
            raise LoadError(str(error), *_pos(event.start_mark), hint=error.hint) from None
        path, position = self._child_path(event.start_mark)
        self.positions[path] = position
        if event.anchor:
            self.anchors[event.anchor] = (value, 1, 0)
        self._add(value)

    def _key(self, event) -> None:
        frame = self.stack[-1]
        key = event.value
        if key in frame.container:
            first = self.positions.get(frame.path + (key,), (0, 0))[0]
            raise LoadError(
                f"duplicate key '{shorten(key)}'" + (f" (first defined on line {first})" if first else ""),
                *_pos(event.start_mark),
                hint="YAML keys must be unique; merge the two entries",
            )
        frame.key = key
        frame.key_mark = event.start_mark

    def _start(self, event, container) -> None:
        if self._expecting_key():
            raise LoadError(
                "a mapping key must be a plain value, not a list or mapping",
                *_pos(event.start_mark),
            )
        if event.tag is not None and event.tag != "!" and event.tag not in _ALLOWED_TAGS:
            raise LoadError(
                f"the tag '{shorten(event.tag)}' is not allowed",
                *_pos(event.start_mark),
                hint="activity files are plain data: remove the tag",
            )
        kind = "map" if isinstance(container, dict) else "seq"
        if event.tag not in (None, "!", _CORE + kind):  # e.g. `!!str {a: 1}`
            raise LoadError(
                f"a {'mapping' if kind == 'map' else 'list'} cannot be tagged !!{event.tag[len(_CORE) :]}",
                *_pos(event.start_mark),
                hint="remove the tag",
            )
        self._count(event.start_mark)
        if len(self.stack) >= self.limits.max_depth:
            raise LoadError(
                f"nesting deeper than {self.limits.max_depth} levels",
                *_pos(event.start_mark),
                hint=_DEPTH_HINT,
            )
        path, position = self._child_path(event.start_mark)
        self.positions[path] = position
        self.stack.append(_Frame(container, path, event.anchor, self.nodes))

    def _end(self) -> None:
        frame = self.stack.pop()
        height = frame.height + 1
        if frame.anchor:
            self.anchors[frame.anchor] = (frame.container, self.nodes - frame.start_nodes + 1, height)
        self._grow(height)
        self._add(frame.container)

    def _grow(self, height: int) -> None:
        """Record a finished child's height in its parent (for the depth of aliases)."""
        if self.stack and height > self.stack[-1].height:
            self.stack[-1].height = height

    def _alias(self, event) -> None:
        if self._expecting_key():
            raise LoadError("an alias cannot be a mapping key", *_pos(event.start_mark))
        if event.anchor not in self.anchors:
            raise LoadError(
                f"alias '*{event.anchor}' refers to an undefined or enclosing anchor",
                *_pos(event.start_mark),
                hint="a recursive alias cannot be represented as data",
            )
        value, size, height = self.anchors[event.anchor]
        self._count(event.start_mark, size)
        # an alias pastes its anchor's whole subtree here: nesting aliases must not get past max_depth
        if len(self.stack) + height > self.limits.max_depth:
            raise LoadError(
                f"nesting deeper than {self.limits.max_depth} levels (through aliases)",
                *_pos(event.start_mark),
                hint="an activity is a few levels deep; remove the aliases that nest it",
            )
        self._grow(height)
        path, position = self._child_path(event.start_mark)
        self.positions[path] = position
        self._add(value)
