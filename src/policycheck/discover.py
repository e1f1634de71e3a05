"""The discover stage: command-line paths -> the ordered list of sources to check."""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Callable, Iterable, Iterator

from .errors import UsageError
from .files import UnreadableSource, read_regular
from .paths import Compact, Paths
from .records import Record

STDIN = "-"
SUFFIXES = (".yaml", ".yml")


class Source(Record):
    """One input: a file path, or `-` for standard input (with its bytes).

    `problem` says why a found path cannot be read at all (a folder that cannot
    be listed, a standard input that cannot be read): it is reported as LOAD001
    like any unreadable file, never skipped.
    """

    path: str
    content: bytes | None = None
    problem: str | None = None

    @property
    def is_stdin(self) -> bool:
        return self.content is not None


class Sources(Compact):
    """The sources of a run in order, their paths kept compact (`Paths`): a Source is made as it is read.

    A list of 100,000 Sources was 18 MiB, in the parent and in every worker forked from it.
    """

    def __init__(self, sources: Iterable[Source] = ()) -> None:
        self._paths = Paths()
        self._others: dict[int, Source] = {}  # standard input and unreadable folders, as they are
        for source in sources:
            self.append(source)

    def append(self, source: Source) -> None:
        if source.content is not None or source.problem is not None:
            self._others[len(self._paths)] = source
        self._paths.append(source.path)

    def extend(self, sources: Iterable[Source]) -> None:
        for source in sources:
            self.append(source)

    def __len__(self) -> int:
        return len(self._paths)

    @property
    def paths(self) -> Paths:
        """Every source's path, in order: what the check stage's store keeps too (once for both)."""
        return self._paths

    def _item(self, index: int) -> Source:
        source = self._others.get(index)
        return Source(self._paths[index]) if source is None else source


class DiscoveryError(UsageError):
    """A path given on the command line does not exist (exit code 2)."""


def discover(
    arguments: Iterable[str],
    is_excluded: Callable[[str], bool] = lambda path: False,
    read_stdin: Callable[[], bytes] | None = None,
) -> Sources:
    """Files in argument order; directories recursed in sorted order; duplicates once.

    Files named explicitly are always checked, whatever their name; `exclude`
    and the skipping of dotfiles and hidden folders apply only to what a
    directory or glob expands to, as in ruff.
    """
    sources = Sources()
    seen: set[str] = set()
    # the first folder's files, not yet in `seen`: a walk repeats no file, and a run of one folder
    # needs no set of every path (12 MiB at 100,000 files)
    unseen = 0

    def add(found: str | Source) -> None:
        nonlocal unseen
        if unseen:
            seen.update(os.path.normpath(source.path) for source in sources[:unseen])
            unseen = 0
        source = found if isinstance(found, Source) else Source(found)
        key = os.path.normpath(source.path)
        if key not in seen:
            seen.add(key)
            sources.append(source)

    for argument in arguments:
        if argument == STDIN:
            sources.append(_stdin(read_stdin))
        elif os.path.isdir(argument) and not argument.endswith(SUFFIXES):
            walked = _walk(argument, is_excluded)
            if sources:
                for found in walked:
                    add(found)
            else:
                sources.extend(found if isinstance(found, Source) else Source(found) for found in walked)
                unseen = len(sources)
        elif os.path.lexists(argument):
            add(argument)  # a file, or a bad thing with a YAML name: the loader reports it
        else:
            import glob  # 1 ms: only a path that does not exist can be a pattern

            if not glob.has_magic(argument):
                raise DiscoveryError(f"{argument}: no such file or directory")
            matches = _glob(argument) if "**" in argument else sorted(glob.glob(argument))
            if not matches:
                raise DiscoveryError(f"{argument}: no file matches this pattern")
            for match in matches:
                if os.path.isdir(match):
                    for found in _walk(match, is_excluded):
                        add(found)
                elif not is_excluded(match):
                    add(match)
    return sources


def _stdin(read_stdin: Callable[[], bytes] | None) -> Source:
    try:
        return Source("<stdin>", read_stdin() if read_stdin else b"")
    except OSError as error:
        return Source("<stdin>", b"", problem=f"standard input cannot be read: {error.strerror or error}")


_UNLISTABLE_HINT = "give policycheck permission to read the folder, or exclude it in the configuration"


def _walk(root: str, is_excluded: Callable[[str], bool]) -> Iterator[str | Source]:
    """The YAML files under `root`, folder by folder in sorted order, without recursion (any depth works).

    Dotfiles and hidden folders are passed over (the tool's own `.policycheck.yaml`,
    `.pre-commit-config.yaml`, editors' and version control's files), and so are
    symlinked folders; a folder that cannot be listed is a Source with its problem.
    Each folder's names are sorted and its subfolders walked where their names fall,
    so the files come out in order ("a/z" before "a-b/c") with no sort of every path
    (a key per path was 50 MiB at 100,000 files), and one at a time.
    """
    levels = [_listing(root, is_excluded)]  # each folder being walked: what is still to come in it
    while levels:
        item = next(levels[-1], None)
        if item is None:
            levels.pop()
        elif item[1]:
            levels.append(_listing(item[0], is_excluded))
        else:
            yield item[0]


def _listing(folder: str, is_excluded: Callable[[str], bool]) -> Iterator[tuple[str | Source, bool]]:
    """One folder's YAML files and subfolders in name order, each (path, whether a folder to walk);
    a folder that cannot be listed is one Source with its problem."""
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
    except OSError as error:
        reason = error.strerror or str(error)
        problem = f"is a folder that cannot be listed ({reason}), so nothing in it was checked"
        yield Source(folder, problem=problem), False
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = os.path.join(folder, entry.name)
        if _is_folder(entry):
            if not _is_symlink(entry) and not is_excluded(path):
                yield path, True
        elif entry.name.endswith(SUFFIXES) and not is_excluded(path):
            yield path, False


def _is_folder(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()
    except OSError:  # a symlink loop, say: a file to the loader, which reports it
        return False


def _is_symlink(entry: os.DirEntry) -> bool:
    try:
        return entry.is_symlink()
    except OSError:  # gone since it was listed: nothing to descend into
        return True


def _glob(pattern: str) -> list[str]:
    """What a `**` pattern matches, as `glob.glob(recursive=True)` finds it, without recursion.

    `**` matches any number of folders (none included), other parts one name
    each; names starting with "." only where the pattern's part does too.
    Symlinked folders are not descended into, as in a directory walk.
    """
    import glob

    parts = pattern.replace(os.altsep or os.sep, os.sep).split(os.sep)
    literal = 0
    while literal < len(parts) - 1 and not glob.has_magic(parts[literal]):
        literal += 1
    root = os.sep.join(parts[:literal]) or (os.sep if pattern.startswith(os.sep) else "")
    rest = [part for part in parts[literal:] if part]
    into_hidden = any(part.startswith(".") for part in rest)
    matches = []
    pending = [(root, _advance({0}, rest))]
    while pending:
        folder, states = pending.pop()
        if len(rest) in states:
            matches.append(folder or os.curdir)
        try:
            with os.scandir(folder or os.curdir) as listing:
                entries = list(listing)
        except OSError:
            continue  # as glob: a folder it cannot list matches nothing
        for entry in entries:
            after = _step(states, rest, entry.name)
            if not after:
                continue
            path = os.path.join(folder, entry.name) if folder else entry.name
            if _is_folder(entry) and not _is_symlink(entry) and (into_hidden or not entry.name.startswith(".")):
                pending.append((path, after))
            elif len(rest) in after:
                matches.append(path)
    return sorted(matches)


def _step(states: set[int], parts: list[str], name: str) -> set[int]:
    """The pattern positions reachable after matching one more name."""
    after = set()
    for index in states:
        if index == len(parts):
            continue
        part = parts[index]
        if part == "**":
            if not name.startswith("."):
                after.add(index)
        elif name.startswith(".") and not part.startswith("."):
            continue
        elif fnmatch.fnmatch(name, part):
            after.add(index + 1)
    return _advance(after, parts)


def _advance(states: set[int], parts: list[str]) -> set[int]:
    """`**` also matches no folder at all: add the position past each one reached."""
    result = set(states)
    for index in sorted(states):
        while index < len(parts) and parts[index] == "**":
            index += 1
            result.add(index)
    return result


def read_source(source: Source, max_bytes: int) -> bytes:
    """The bytes of a source, refusing anything that is not a small regular file.

    Raises OSError subclasses with a readable `strerror`, or UnreadableSource for
    non-regular files, size overruns and sources found unreadable; the engine
    turns both into LOAD001.
    """
    too_big = "raise max_file_size in the configuration if the file is really this large"
    if source.problem is not None:
        raise UnreadableSource(source.problem, _UNLISTABLE_HINT if source.content is None else "check standard input")
    if source.content is not None:
        if len(source.content) > max_bytes:
            raise UnreadableSource(f"standard input is larger than the {max_bytes}-byte limit (max_file_size)", too_big)
        return source.content
    return read_regular(source.path, max_bytes, " (max_file_size)", too_big)
