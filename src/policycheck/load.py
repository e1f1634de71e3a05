"""Stage 2, load: bytes -> plain data plus the line and column of every node.

We build the data straight from libyaml's event stream instead of PyYAML's
constructors so that one pass gives us positions, YAML 1.2 scalars, duplicate-key
and alias-bomb detection, and a depth limit without Python recursion.
"""

from __future__ import annotations

import sys
from types import MappingProxyType

import yaml
from yaml import events

from .quoting import shorten
from .records import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

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


class Limits(Record):
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


class Loaded(Record):
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
# The forms are string tests, not the spec's regexes: compiling those cost each start 3.3 M
# instructions (issue 21). Each test is of `_core(value)`, as the regexes' `$` also matched
# before a final line break (`!!int "5\n"` is 5).
_NULLS = ("~", "null", "Null", "NULL", "")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_DIGITS = "0123456789"
_INFINITIES = (".inf", ".Inf", ".INF")
_NANS = (".nan", ".NaN", ".NAN")


def _core(value: str) -> str:
    return value[:-1] if value[-1:] == "\n" else value


def _all_in(text: str, characters: str) -> bool:
    return bool(text) and not text.strip(characters)


def _unsigned(text: str) -> str:
    return text[1:] if text[:1] in ("-", "+") else text


def _is_int(core: str) -> bool:
    """[-+]?(?:0|[1-9][0-9]*)"""
    body = _unsigned(core)
    return body == "0" or (_all_in(body, _DIGITS) and body[0] != "0")


def _has_leading_zero(core: str) -> bool:
    r"""[-+]?0[0-9]+(?:\.[0-9]*)?"""
    whole, _, fraction = _unsigned(core).partition(".")
    return (
        len(whole) > 1 and whole[0] == "0" and _all_in(whole, _DIGITS) and (not fraction or _all_in(fraction, _DIGITS))
    )


def _is_oct_or_hex(core: str) -> bool:
    """0o[0-7]+ or 0x[0-9a-fA-F]+"""
    prefix = core[:2]
    if prefix == "0o":
        return _all_in(core[2:], "01234567")
    return prefix == "0x" and _all_in(core[2:], "0123456789abcdefABCDEF")


def _is_float(core: str) -> bool:
    r"""[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"""
    mantissa, e, exponent = _unsigned(core).replace("E", "e").partition("e")
    if e and not _all_in(_unsigned(exponent), _DIGITS):
        return False
    whole, dot, fraction = mantissa.partition(".")
    if not whole:
        return bool(dot) and _all_in(fraction, _DIGITS)
    return _all_in(whole, _DIGITS) and (not fraction or _all_in(fraction, _DIGITS))


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
    core = _core(value)
    if core in _NULLS:
        return None
    if len(value) > MAX_INTEGER_DIGITS and (_is_int(core) or _is_oct_or_hex(core)):
        if _digits(value) > MAX_INTEGER_DIGITS:
            raise Unrepresentable(_too_long(value, f"{_digits(value)} digits"), _TOO_LONG_HINT)
    if value in _BOOL:
        return _BOOL[value]
    if _is_int(core):
        return int(value)
    if _has_leading_zero(core):
        return value
    if _is_oct_or_hex(core):
        octal = value.startswith("0o")
        number = int(value[2:], 8 if octal else 16)
        # 2**14284 < 10**4300: only a number past it needs the exact (40 us) comparison
        if number.bit_length() > 14284 and number >= 10**MAX_INTEGER_DIGITS:
            written = f"{_digits(value)} {'octal' if octal else 'hex'} digits"
            raise Unrepresentable(_too_long(value, written, " once written in decimal"), _TOO_LONG_HINT)
        return number
    if _is_float(core) and any(c.isdigit() for c in value):
        number = float(value)
        if number in (_INF_VALUE, -_INF_VALUE):
            raise Unrepresentable(
                f"the number {shorten(value, 20)} is too large (it would be infinite)", _NOT_FINITE_HINT
            )
        return number
    if _unsigned(core) in _INFINITIES or core in _NANS:
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


def _every_other_byte_nul(head: bytes) -> bool:
    """The first four bytes as the regex (?:[^\\x00]\\x00){2}|(?:\\x00[^\\x00]){2} matched them."""
    if len(head) < 4:
        return False
    nul = [byte == 0 for byte in head]
    return nul == [False, True, False, True] or nul == [True, False, True, False]


def _pos(mark) -> tuple[int, int]:
    return (mark.line + 1, mark.column + 1)


def decode(raw: bytes) -> str:
    """Strict UTF-8 (a UTF-8 BOM is allowed); anything else is a LoadError."""
    # with a BOM, or without one: ASCII text in UTF-16 is every other byte NUL (a byte test: a regex
    # compiled for this cost each start 0.4 M instructions)
    if raw.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")) or _every_other_byte_nul(raw[:4]):
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


def parse(text: str, limits: Limits = Limits(), frozen: bool = False) -> Loaded:
    """Parse one YAML document into plain data and positions, or raise LoadError.

    With `frozen`, mappings come as MappingProxyType and lists as tuples, built as each
    closes: the read-only document rules see, without a second walk to freeze it.
    """
    parser = None
    try:
        parser = _EventParser(text)  # the pure-Python one checks characters here already
        return _build(parser, limits, frozen)
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


# where a frame (one open mapping or list) keeps what it needs; a list, not an object, for the event loop's speed
_CONTAINER, _PATH, _KEY, _KEY_MARK, _ANCHOR, _START_NODES, _HEIGHT, _IS_MAP = range(8)
_ScalarEvent, _AliasEvent = events.ScalarEvent, events.AliasEvent
_MappingStart, _SequenceStart = events.MappingStartEvent, events.SequenceStartEvent
_MappingEnd, _SequenceEnd = events.MappingEndEvent, events.SequenceEndEvent
_DocumentStart, _StreamEnd = events.DocumentStartEvent, events.StreamEndEvent
# the first character of every plain scalar the core schema reads as other than text (or empty: null)
_TYPED_START = frozenset("~nNtTfF0123456789+-.")


def _build(parser, limits: Limits, frozen: bool) -> Loaded:
    """The document from the parser's events: one loop, its state in locals (-134 us a file against
    a method per event, issue 21). A frame is [container, path, key, key mark, anchor, nodes at its
    start, levels below it, is a mapping]; `frame` is the innermost open one, or None at the top."""
    positions: dict[Path, tuple[int, int]] = {}
    anchors: dict[str, tuple[Any, int, int]] = {}  # name -> (value, nodes, height)
    stack: list[list] = []
    frame: list | None = None
    nodes = documents = 0
    root: Any = None
    max_nodes, max_depth = limits.max_nodes, limits.max_depth
    get_event = parser.get_event
    while True:
        event = get_event()
        kind = type(event)
        if kind is _ScalarEvent:
            nodes += 1
            mark = event.start_mark
            if nodes > max_nodes:
                raise _too_many_nodes(max_nodes, mark, anchors)
            tag = event.tag
            if tag is not None and tag != "!" and tag not in _ALLOWED_TAGS:
                raise _tag_not_allowed(tag, mark)
            if frame is not None and frame[_IS_MAP] and frame[_KEY_MARK] is None:
                key = event.value
                if key in frame[_CONTAINER]:
                    first = positions.get(frame[_PATH] + (key,), (0, 0))[0]
                    raise LoadError(
                        f"duplicate key '{shorten(key)}'" + (f" (first defined on line {first})" if first else ""),
                        *_pos(mark),
                        hint="YAML keys must be unique; merge the two entries",
                    )
                frame[_KEY] = key
                frame[_KEY_MARK] = mark
                continue
            value = event.value
            try:
                if tag is not None and tag != "!":
                    value = _tagged(value, tag, mark)
                elif event.implicit[0] and not event.style and (not value or value[0] in _TYPED_START):
                    value = resolve_plain(value)
            except Unrepresentable as error:
                raise LoadError(str(error), *_pos(mark), hint=error.hint) from None
            if event.anchor:
                anchors[event.anchor] = (value, 1, 0)
        elif kind is _MappingEnd or kind is _SequenceEnd:
            done = stack.pop()
            height = done[_HEIGHT] + 1
            value = done[_CONTAINER]
            if frozen:
                value = MappingProxyType(value) if done[_IS_MAP] else tuple(value)
            if done[_ANCHOR]:
                anchors[done[_ANCHOR]] = (value, nodes - done[_START_NODES] + 1, height)
            frame = stack[-1] if stack else None
            if frame is None:
                root = value
                continue
            if height > frame[_HEIGHT]:
                frame[_HEIGHT] = height
            if frame[_IS_MAP]:
                frame[_CONTAINER][frame[_KEY]] = value
                frame[_KEY] = frame[_KEY_MARK] = None
            else:
                frame[_CONTAINER].append(value)
            continue
        elif kind is _MappingStart or kind is _SequenceStart:
            mark = event.start_mark
            if frame is not None and frame[_IS_MAP] and frame[_KEY_MARK] is None:
                raise LoadError("a mapping key must be a plain value, not a list or mapping", *_pos(mark))
            is_map = kind is _MappingStart
            tag = event.tag
            if tag is not None and tag != "!":
                if tag not in _ALLOWED_TAGS:
                    raise _tag_not_allowed(tag, mark)
                if tag != _CORE + ("map" if is_map else "seq"):  # e.g. `!!str {a: 1}`
                    raise LoadError(
                        f"a {'mapping' if is_map else 'list'} cannot be tagged !!{tag[len(_CORE) :]}",
                        *_pos(mark),
                        hint="remove the tag",
                    )
            nodes += 1
            if nodes > max_nodes:
                raise _too_many_nodes(max_nodes, mark, anchors)
            if len(stack) >= max_depth:
                raise LoadError(f"nesting deeper than {max_depth} levels", *_pos(mark), hint=_DEPTH_HINT)
            if frame is None:
                path, position = (), (mark.line + 1, mark.column + 1)
            elif frame[_IS_MAP]:  # a mapping entry points at its key: the line a reader looks for
                key_mark = frame[_KEY_MARK]
                path, position = frame[_PATH] + (frame[_KEY],), (key_mark.line + 1, key_mark.column + 1)
            else:
                path, position = frame[_PATH] + (len(frame[_CONTAINER]),), (mark.line + 1, mark.column + 1)
            positions[path] = position
            frame = [{} if is_map else [], path, None, None, event.anchor, nodes, 0, is_map]
            stack.append(frame)
            continue
        elif kind is _AliasEvent:
            mark = event.start_mark
            if frame is not None and frame[_IS_MAP] and frame[_KEY_MARK] is None:
                raise LoadError("an alias cannot be a mapping key", *_pos(mark))
            if event.anchor not in anchors:
                raise LoadError(
                    f"alias '*{event.anchor}' refers to an undefined or enclosing anchor",
                    *_pos(mark),
                    hint="a recursive alias cannot be represented as data",
                )
            value, size, height = anchors[event.anchor]
            nodes += size
            if nodes > max_nodes:
                raise _too_many_nodes(max_nodes, mark, anchors)
            # an alias pastes its anchor's whole subtree here: nesting aliases must not get past max_depth
            if len(stack) + height > max_depth:
                raise LoadError(
                    f"nesting deeper than {max_depth} levels (through aliases)",
                    *_pos(mark),
                    hint="an activity is a few levels deep; remove the aliases that nest it",
                )
            if frame is not None and height > frame[_HEIGHT]:
                frame[_HEIGHT] = height
        elif kind is _DocumentStart:
            documents += 1
            if documents > 1:
                raise LoadError(
                    "more than one YAML document in the file",
                    *_pos(event.start_mark),
                    hint="put each activity in its own file (remove the '---' separator)",
                )
            continue
        elif kind is _StreamEnd:
            break
        else:
            continue
        # a scalar or an alias: its place, then into its container
        if frame is None:
            positions[()] = (mark.line + 1, mark.column + 1)
            root = value
        elif frame[_IS_MAP]:
            key_mark = frame[_KEY_MARK]
            positions[frame[_PATH] + (frame[_KEY],)] = (key_mark.line + 1, key_mark.column + 1)
            frame[_CONTAINER][frame[_KEY]] = value
            frame[_KEY] = frame[_KEY_MARK] = None
        else:
            container = frame[_CONTAINER]
            positions[frame[_PATH] + (len(container),)] = (mark.line + 1, mark.column + 1)
            container.append(value)
    if documents == 0:
        raise LoadError("the file is empty (no YAML document)", hint="see `policycheck init` for a starter")
    return Loaded(root, positions)


def _too_many_nodes(max_nodes: int, mark, anchors: dict) -> LoadError:
    return LoadError(
        f"the document expands to more than {max_nodes} nodes",
        *_pos(mark),
        # a real activity has a few hundred nodes: blame aliases only where there are some
        hint="remove the aliases that multiply it (an alias bomb?)" if anchors else "split it: one activity per file",
    )


def _tag_not_allowed(tag: str, mark) -> LoadError:
    return LoadError(
        f"the tag '{shorten(tag)}' is not allowed", *_pos(mark), hint="activity files are plain data: remove the tag"
    )
