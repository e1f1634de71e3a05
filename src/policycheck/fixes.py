"""Fixes: a rule's `Fix` written into a document's text, every byte outside the edited nodes kept.

An edit becomes a text replacement at the span of the node it names, found by
composing the text with PyYAML (`load` keeps lines and columns, not spans): its
nodes' marks carry the character `index` where they start and end. Each edit is
checked as it is made: the new text must read back (`load.parse`) as exactly the
data the edit means, else the fix is refused and the text left as it was. Before a
file is written, every stretch of the original outside the edited spans (`kept_after`
tracks them through every edit) must be in the new text unchanged.
`fix_run` is the `--fix`/`--diff` stage: fixes applied pass after pass, each pass
re-checked, until none is left (at most `MAX_PASSES`, as ruff).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import yaml

from .activity import plain_copy, to_path
from .discover import Source, read_source
from .errors import EXIT_CLEAN, EXIT_FINDINGS
from .files import write_text
from .findings import FAIL, INFO, WARN, Finding, Tally, fixable
from .load import LoadError, Unrepresentable, decode, parse, resolve_plain
from .quoting import shorten
from .records import Record
from .rule import EDIT_OPS, Edit, Fix

if TYPE_CHECKING:
    from .finish import Finished

MAX_PASSES = 100
# libyaml's composer gives the pure-Python one's marks (character indexes, tests/test_fixes.py) 18x faster
_COMPOSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_BOM = "\ufeff"


class FixError(Exception):
    """A fix that cannot be made exactly: the message says why, and the text stays as it was."""


# -- the fix record, checked


def problem(fix: Any, data: Any = None) -> str | None:
    """Why a rule's `fix` is unfit (not a Fix, an unknown op, edits that do not apply to `data`), or None."""
    if not isinstance(fix, Fix):
        return f"Violation(fix={shorten(repr(fix))}): a fix is a policycheck Fix"
    if not isinstance(fix.title, str) or not fix.title.strip():
        return f"Fix(title={shorten(repr(fix.title))}): a title is text saying what the fix does"
    if not isinstance(fix.safe, bool):
        return f"Fix(safe={shorten(repr(fix.safe))}): safe is True or False"
    if not isinstance(fix.edits, (tuple, list)) or not fix.edits:
        return f"Fix(edits={shorten(repr(fix.edits))}): edits are a tuple of one or more Edits"
    for edit in fix.edits:
        if not isinstance(edit, Edit) or edit.op not in EDIT_OPS:
            return f"Fix edit {shorten(repr(edit))}: an edit is Edit.set, insert, remove, reorder or rename"
        if not isinstance(edit.path, (tuple, list, str)):
            return f"Fix edit {shorten(repr(edit))}: a path is a JSON pointer string or a tuple of keys and indexes"
    if data is not None:
        try:
            for edit in fix.edits:
                render(edit.value)  # plain data, which YAML can write
            apply_to_data(data, fix.edits)
        except FixError as error:
            return f"its fix '{shorten(fix.title)}' does not apply to this document: {error}"
    return None


def apply_to_data(data: Any, edits: Iterable[Edit]) -> Any:
    """The data the edits make of `data` (a copy), or FixError naming the edit that does not apply."""
    data = plain_copy(data)
    for edit in edits:
        data = _apply_one(data, edit)
    return data


def _apply_one(data: Any, edit: Edit) -> Any:
    path = _path(edit)
    if edit.op == "reorder":
        target = _resolve(data, path, edit)
        order = edit.value
        if not isinstance(target, list):
            raise FixError(f"{_where(edit)} is not a list to reorder")
        if not isinstance(order, (tuple, list)) or sorted(order) != list(range(len(target))):
            raise FixError(f"{_where(edit)}: the order {shorten(repr(order))} is not a permutation of its indexes")
        target[:] = [target[index] for index in order]
        return data
    if not path:
        if edit.op == "set":
            return plain_copy(edit.value)
        raise FixError(f"{edit.op} needs a path inside the document")
    parent, last = _resolve(data, path[:-1], edit), path[-1]
    if isinstance(parent, dict):
        if edit.op == "set":
            parent[last] = plain_copy(edit.value)
        elif last not in parent:
            raise FixError(f"{_where(edit)} names no key")
        elif edit.op == "remove":
            del parent[last]
        elif edit.op == "rename":
            if not isinstance(edit.value, str) or edit.value in parent:
                raise FixError(f"{_where(edit)}: cannot rename it to {shorten(repr(edit.value))}")
            items = [(edit.value if key == last else key, item) for key, item in parent.items()]
            parent.clear()
            parent.update(items)
        else:
            raise FixError(f"{_where(edit)}: {edit.op} applies to a list")
    elif isinstance(parent, list):
        if edit.op == "insert":
            index = len(parent) if last == "-" else last
            if not isinstance(index, int) or not 0 <= index <= len(parent):
                raise FixError(f"{_where(edit)}: no place {last!r} in a list of {len(parent)}")
            parent.insert(index, plain_copy(edit.value))
        elif not isinstance(last, int) or not 0 <= last < len(parent):
            raise FixError(f"{_where(edit)} names no item")
        elif edit.op == "set":
            parent[last] = plain_copy(edit.value)
        elif edit.op == "remove":
            del parent[last]
        else:
            raise FixError(f"{_where(edit)}: {edit.op} applies to a mapping's key")
    else:
        raise FixError(f"{_where(edit)}: its parent is neither a mapping nor a list")
    return data


def _path(edit: Edit) -> tuple:
    return to_path(tuple(edit.path) if isinstance(edit.path, list) else edit.path)


def _where(edit: Edit) -> str:
    path = _path(edit)
    return "/" + "/".join(map(str, path)) if path else "the document"


def _resolve(data: Any, path: tuple, edit: Edit) -> Any:
    for part in path:
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
        else:
            raise FixError(f"{_where(edit)} names nothing in the document")
    return data


# -- the text: nodes, their spans, and the replacement each edit makes


class _Tree:
    """A document's nodes by path, with the nodes reached through more than one path (anchors)."""

    def __init__(self, text: str) -> None:
        try:
            self.root = yaml.compose(text, Loader=_COMPOSER)
        except yaml.YAMLError as error:
            raise FixError(f"the text does not compose: {shorten(str(error))}") from None
        self.text = text
        self.nodes: dict[tuple, Any] = {}
        self.keys: dict[tuple, Any] = {}
        counts: dict[int, int] = {}
        self._walk(self.root, (), counts)
        self.shared = {node_id for node_id, count in counts.items() if count > 1}

    def _walk(self, node: Any, path: tuple, counts: dict[int, int]) -> None:
        counts[id(node)] = counts.get(id(node), 0) + 1
        self.nodes[path] = node
        if counts[id(node)] > 1:
            return
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                child = path + (key.value,)
                self.keys[child] = key
                self._walk(value, child, counts)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self._walk(item, path + (index,), counts)

    def node(self, path: tuple) -> Any:
        """The node at `path`, refusing one an alias shares (an edit there would change every place it appears)."""
        if path not in self.nodes:
            raise FixError(f"/{'/'.join(map(str, path))} names no node in the text")
        for depth in range(len(path) + 1):
            if id(self.nodes[path[:depth]]) in self.shared:
                raise FixError("the node is shared through an anchor and alias: edit it by hand")
        return self.nodes[path]

    def end(self, node: Any) -> int:
        """Where a node's text ends: a block collection at the end of its last leaf, not at the next token."""
        while isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and not node.flow_style and node.value:
            last = node.value[-1]
            node = last[1] if isinstance(node, yaml.MappingNode) else last
        return node.end_mark.index

    def line_start(self, index: int) -> int:
        return self.text.rfind("\n", 0, index) + 1

    def next_line(self, index: int) -> int:
        """The start of the line after the one `index` is on (the text's end if it is the last)."""
        if index > 0 and self.text[index - 1] == "\n":
            return index
        found = self.text.find("\n", index)
        return len(self.text) if found < 0 else found + 1


class Replacement(Record):
    """`text[start:end]` becomes `new`: every change policycheck makes is one of these."""

    start: int
    end: int
    new: str


def _newline(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


_PLAIN_TEXT = re.compile(r"^[A-Za-z0-9_(][A-Za-z0-9_ ./()-]*$")


def render(value: Any, style: str | None = None) -> str:
    """A value as YAML flow text; text keeps the quoting `style` of the scalar it replaces where it can."""
    if isinstance(value, str):
        if style == '"':
            return _double(value)
        if style == "'" or not (_PLAIN_TEXT.match(value) and not value.endswith(" ") and _stays_text(value)):
            return "'" + value.replace("'", "''") + "'" if value.isprintable() else _double(value)
        return value
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        if value != value or value in (float("inf"), float("-inf")):  # YAML would read its text back as words
            raise FixError(f"a fix's value {value!r} is not a finite number, which no report or file can carry")
        return repr(value)
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{render(key)}: {render(item)}" for key, item in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(render(item) for item in value) + "]"
    raise FixError(f"a fix's value {shorten(repr(value))} is not plain data")


def _double(value: str) -> str:
    import json  # 3.5 ms: only a double-quoted value needs it

    return json.dumps(value, ensure_ascii=False)  # JSON's escapes are YAML's


def _stays_text(value: str) -> bool:
    try:
        return resolve_plain(value) == value
    except Unrepresentable:
        return False


def replacement(tree: _Tree, edit: Edit) -> Replacement:
    """The text replacement that makes one edit, at the span of the node it names."""
    path = _path(edit)
    if edit.op == "reorder":
        return _reorder(tree, path, edit)
    if not path:
        raise FixError("an edit of the whole document is not made as text")
    parent = tree.node(path[:-1])
    if edit.op == "set" and path in tree.nodes:
        return _replace_value(tree, tree.node(path), edit.value)
    if edit.op == "set" and isinstance(parent, yaml.MappingNode):
        return _add_key(tree, parent, path[-1], edit.value)
    if edit.op == "rename":
        key = tree.keys.get(path)
        if key is None or not isinstance(key, yaml.ScalarNode):
            raise FixError(f"{_where(edit)} names no key")
        return Replacement(key.start_mark.index, key.end_mark.index, render(edit.value, key.style))
    if edit.op == "insert" and isinstance(parent, yaml.SequenceNode):
        index = len(parent.value) if path[-1] == "-" else path[-1]
        return _insert(tree, parent, index, edit.value)
    if edit.op == "remove":
        return _remove(tree, parent, path)
    raise FixError(f"{_where(edit)}: cannot {edit.op} there")


def _replace_value(tree: _Tree, node: Any, value: Any) -> Replacement:
    if tree.text[node.start_mark.index] in "&!":
        raise FixError("the node has an anchor or a tag: edit it by hand")
    if isinstance(node, yaml.ScalarNode):
        if node.style in ("|", ">"):
            raise FixError("a block scalar (| or >) is not replaced by a fix: edit it by hand")
        return Replacement(node.start_mark.index, node.end_mark.index, render(value, node.style))
    if not node.flow_style:
        raise FixError("a block list or mapping is not replaced whole by a fix: edit it by hand")
    return Replacement(node.start_mark.index, node.end_mark.index, render(value))


def _add_key(tree: _Tree, mapping: Any, key: Any, value: Any) -> Replacement:
    entry = f"{render(key)}: {render(value)}"
    if mapping.flow_style:
        close = mapping.end_mark.index - 1  # the `}`
        if not mapping.value:
            return Replacement(close, close, entry)
        after = tree.end(mapping.value[-1][1])
        return Replacement(after, after, ", " + entry)
    if not mapping.value:
        raise FixError("an empty block mapping")
    first_key = mapping.value[0][0]
    return _new_line(tree, tree.end(mapping.value[-1][1]), " " * first_key.start_mark.column + entry)


def _new_line(tree: _Tree, after: int, line: str) -> Replacement:
    """A whole line added after the line `after` is on."""
    at = tree.next_line(after)
    newline = _newline(tree.text)
    if at == len(tree.text) and not tree.text.endswith("\n"):
        return Replacement(at, at, newline + line)
    return Replacement(at, at, line + newline)


def _dash(tree: _Tree, item: Any) -> int:
    """Where a block list item's `- ` begins, which must open its line (else the item is not edited as a line)."""
    text, index = tree.text, item.start_mark.index
    dash = text.rfind("-", 0, index)
    start = tree.line_start(index)
    if dash < start or text[start:dash].strip(" ") or text[dash + 1 : index].strip(" "):
        raise FixError("a list item that does not open its own line: edit it by hand")
    return dash


def _insert(tree: _Tree, sequence: Any, index: Any, value: Any) -> Replacement:
    items = sequence.value
    if not isinstance(index, int) or not 0 <= index <= len(items):
        raise FixError(f"no place {index!r} in a list of {len(items)}")
    text = render(value)
    if sequence.flow_style:
        if not items:
            close = sequence.end_mark.index - 1
            return Replacement(close, close, text)
        if index < len(items):
            start = items[index].start_mark.index
            return Replacement(start, start, text + ", ")
        after = tree.end(items[-1])
        return Replacement(after, after, ", " + text)
    indent = " " * (_dash(tree, items[0]) - tree.line_start(items[0].start_mark.index))
    if index < len(items):
        start = tree.line_start(_dash(tree, items[index]))
        return Replacement(start, start, f"{indent}- {text}{_newline(tree.text)}")
    return _new_line(tree, tree.end(items[-1]), f"{indent}- {text}")


def _remove(tree: _Tree, parent: Any, path: tuple) -> Replacement:
    node = tree.node(path)
    if isinstance(parent, yaml.SequenceNode):
        entries = [(item, item) for item in parent.value]
    elif isinstance(parent, yaml.MappingNode):
        entries = list(parent.value)
    else:
        raise FixError("its parent is neither a mapping nor a list")
    position = next(index for index, (_first, value) in enumerate(entries) if value is node)
    if len(entries) == 1:
        raise FixError("removing the only entry would leave the key empty: edit it by hand")
    first, value = entries[position]
    if parent.flow_style:
        if position + 1 < len(entries):
            return Replacement(first.start_mark.index, entries[position + 1][0].start_mark.index, "")
        return Replacement(tree.end(entries[position - 1][1]), tree.end(value), "")
    start = _dash(tree, first) if isinstance(parent, yaml.SequenceNode) else first.start_mark.index
    line = tree.line_start(start)
    if tree.text[line:start].strip(" "):
        raise FixError("an entry that does not open its own line: edit it by hand")
    return Replacement(line, tree.next_line(tree.end(value)), "")


def _reorder(tree: _Tree, path: tuple, edit: Edit) -> Replacement:
    sequence = tree.node(path)
    if not isinstance(sequence, yaml.SequenceNode):
        raise FixError(f"{_where(edit)} is not a list")
    items = sequence.value
    order = list(edit.value) if isinstance(edit.value, (tuple, list)) else None
    if order is None or sorted(order) != list(range(len(items))):
        raise FixError(f"{_where(edit)}: the order is not a permutation of its indexes")
    if not items:
        return Replacement(sequence.start_mark.index, sequence.start_mark.index, "")
    spans = [(item.start_mark.index, tree.end(item)) for item in items]
    start, end = spans[0][0], spans[-1][1]
    pieces, cursor = [], start
    for (item_start, item_end), old in zip(spans, order):
        pieces.append(tree.text[cursor:item_start])  # what lies between items (commas, dashes, comments) stays
        pieces.append(tree.text[spans[old][0] : spans[old][1]])
        cursor = item_end
    return Replacement(start, end, "".join(pieces))


def _same(left: Any, right: Any) -> bool:
    """Equal data of equal types (True is not 1, nor 1.0 is 1), in the same key order."""
    if type(left) is not type(right):
        return False
    if isinstance(left, dict):
        return list(left) == list(right) and all(_same(left[key], right[key]) for key in left)
    if isinstance(left, list):
        return len(left) == len(right) and all(map(_same, left, right))
    return left == right


def apply_fix(text: str, fix: Fix, made: list[Replacement] | None = None) -> str:
    """The text with the fix's edits made, each checked to read back as the data it means; else FixError.

    Each replacement made is appended to `made`, in the coordinates of the text it was made in."""
    for edit in fix.edits:
        try:
            before = parse(text).data
        except LoadError as error:
            raise FixError(f"the document does not load: {error.message}") from None
        wanted = apply_to_data(before, [edit])
        change = replacement(_Tree(text), edit)
        fixed = text[: change.start] + change.new + text[change.end :]
        try:
            after = parse(fixed).data
        except LoadError as error:
            raise FixError(f"the edit would make the document unreadable ({error.message})") from None
        if not _same(after, wanted):
            raise FixError("the edited text would not read back as the intended data")
        if made is not None:
            made.append(change)
        text = fixed
    return text


def kept_after(kept: list[tuple[int, int, int]], change: Replacement) -> list[tuple[int, int, int]]:
    """The unedited stretches of the original text, `(start, end, where it now starts)`, after one more change."""
    shift = len(change.new) - (change.end - change.start)
    out = []
    for start, end, now in kept:
        now_end = now + end - start
        if now_end <= change.start:  # before the change
            out.append((start, end, now))
        elif now >= change.end:  # after it: moved by what it added or took away
            out.append((start, end, now + shift))
        else:  # cut by it: what lies either side is kept
            if now < change.start:
                out.append((start, start + change.start - now, now))
            if now_end > change.end:
                out.append((start + change.end - now, end, change.end + shift))
    return out


def changed_span(old: str, new: str) -> Replacement:
    """The one replacement that turns `old` into `new`: the part between their common start and end."""
    start = 0
    limit = min(len(old), len(new))
    while start < limit and old[start] == new[start]:
        start += 1
    end = 0
    while end < limit - start and old[len(old) - 1 - end] == new[len(new) - 1 - end]:
        end += 1
    return Replacement(start, len(old) - end, new[start : len(new) - end])


# -- the --fix / --diff stage


def _scopes(fix: Fix) -> list[tuple]:
    """The paths a fix's edits change: inserting or removing an item changes the indexes of the whole list."""
    return [_path(edit)[:-1] if edit.op in ("insert", "remove") else _path(edit) for edit in fix.edits]


def _overlaps(scope: tuple, taken: Sequence[tuple]) -> bool:
    return any(scope[: len(other)] == other or other[: len(scope)] == scope for other in taken)


class FileFix:
    """One file's fixing: its text as read, as fixed so far, the fixes made and the ones refused."""

    __slots__ = ("path", "bom", "original", "text", "fixed", "refused", "kept")

    def __init__(self, path: str, raw: bytes) -> None:
        self.path = path
        self.bom = raw.startswith(b"\xef\xbb\xbf")
        self.original = self.text = decode(raw)
        self.kept = [(0, len(self.text), 0)]  # the stretches of the original no fix has touched
        self.fixed: list[str] = []  # the rule id of each fix made
        self.refused: list[str] = []  # what could not be fixed, and why

    @property
    def changed(self) -> bool:
        return self.text != self.original

    def content(self) -> str:
        return (_BOM if self.bom else "") + self.text

    def untouched_outside_the_edits(self) -> bool:
        """Whether every stretch of the original outside the edited spans is, byte for byte, in the fixed text."""
        return all(self.original[start:end] == self.text[now : now + end - start] for start, end, now in self.kept)

    def one_pass(self, findings: Iterable[Finding], unsafe: bool) -> bool:
        """Make every applicable fix that touches nothing another made this pass; whether any was made."""
        taken: list[tuple] = []
        made = False
        for finding in findings:
            if not fixable(finding, unsafe):
                continue
            scopes = _scopes(finding.fix)
            if any(_overlaps(scope, taken) for scope in scopes):
                continue  # the next pass, against the text this one leaves
            made: list[Replacement] = []
            try:
                self.text = apply_fix(self.text, finding.fix, made)
            except FixError as error:
                self.refused.append(
                    f"{finding.rule_id} at line {finding.line}: '{finding.fix.title}' not made: {error}"
                )
                continue
            for change in made:
                self.kept = kept_after(self.kept, change)
            taken.extend(scopes)
            self.fixed.append(finding.rule_id)
            made = True
        return made


class FixRun(Record):
    """What `--fix`/`--diff` did: each file it fixed or tried to, and the results of the last check."""

    files: list[FileFix]
    finished: "Finished"
    converged: bool


def fix_run(
    sources: Sequence[Source],
    finished: "Finished",
    check: Callable[[list[Source]], "Finished"],
    unsafe: bool,
    max_bytes: int,
) -> FixRun:
    """Fix the checked sources in memory, pass after pass, each pass re-checked as a whole run (portfolio
    rules and waivers included) with the fixed texts in place of the files, until no fix is left."""
    by_path = {source.path: source for source in sources}
    files: dict[str, FileFix] = {}
    refused_before: set[tuple[str, str]] = set()
    for _ in range(MAX_PASSES):
        made = False
        for result in finished.results:
            if not any(fixable(finding, unsafe) for finding in result.findings) or result.file not in by_path:
                continue
            state = files.get(result.file)
            if state is None:
                try:
                    state = files[result.file] = FileFix(result.file, read_source(by_path[result.file], max_bytes))
                except (OSError, ValueError, LoadError):
                    continue  # the check reported it (LOAD001) and nothing is written to it
            refused = len(state.refused)
            made = state.one_pass(result.findings, unsafe) or made
            # a fix refused in one pass is refused in the next: say so once
            fresh = [reason for reason in state.refused[refused:] if (state.path, reason) not in refused_before]
            refused_before.update((state.path, reason) for reason in fresh)
            state.refused[refused:] = fresh
        if not made:
            return FixRun(list(files.values()), finished, True)
        changed = [
            Source(source.path, files[source.path].text.encode()) if source.path in files else source
            for source in sources
        ]
        finished = check(changed)
    return FixRun(list(files.values()), finished, False)


def unified_diff(state: FileFix) -> str:
    """The file's change as a unified diff (`--- path` / `+++ path`), line ends as they are in the file."""
    import difflib  # 4 ms: only --diff needs it

    lines = difflib.unified_diff(
        state.original.splitlines(keepends=True), state.text.splitlines(keepends=True), state.path, state.path
    )
    out = []
    for line in lines:
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def _say(message: str) -> None:
    print(f"policycheck: {message}", file=sys.stderr)


def _refusals(run: FixRun) -> int:
    for state in run.files:
        for reason in state.refused:
            _say(f"{state.path}: {reason}")
    if not run.converged:
        _say(f"the fixes did not settle after {MAX_PASSES} passes (rules undo each other's fixes): report it")
    return sum(len(state.refused) for state in run.files) + (not run.converged)


def write(run: FixRun) -> None:
    """Write each changed file whole (atomically, its mode kept); a file no fix changed is not touched, nor a
    symlink, nor one whose text outside the edited spans is not the original's (a bug kept from the file)."""
    for state in run.files:
        if not state.changed:
            continue
        if os.path.islink(state.path):  # a link in a checkout may point anywhere: only a file named as itself
            state.refused.append("not written: it is a symlink; run --fix on the file it points to, by its own path")
            state.fixed.clear()
            continue
        if not state.untouched_outside_the_edits():
            state.refused.append("not written: the fixed text differs from the file outside the edited nodes")
            state.fixed.clear()
            continue
        write_text(state.path, state.content())


def show_diff(run: FixRun) -> int:
    """`--diff`: every change as a unified diff on stdout, nothing written; 1 when there is something to fix."""
    changed = [state for state in run.files if state.changed]
    sys.stdout.write("".join(unified_diff(state) for state in changed))
    refused = _refusals(run)
    fixed = sum(len(state.fixed) for state in changed)
    if fixed:
        _say(f"would fix {fixed} finding{'s' * (fixed != 1)} in {len(changed)} file{'s' * (len(changed) != 1)}")
    return EXIT_FINDINGS if changed or refused else EXIT_CLEAN


def summarize(run: FixRun, tally: Tally, code: int) -> int:
    """After `--fix` and its re-check: what was fixed and what remains (as ruff: "Found 3 (2 fixed, 1 remaining)").

    The exit code is the re-check's, and at least 1 when a fix had to be refused."""
    refused = _refusals(run)
    fixed = sum(len(state.fixed) for state in run.files)
    remaining = tally.levels[FAIL] + tally.levels[WARN] + tally.levels[INFO]
    _say(f"found {fixed + remaining} findings ({fixed} fixed, {remaining} remaining)")
    return max(code, EXIT_FINDINGS) if refused else code
