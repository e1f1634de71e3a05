"""Files kept between runs in the user's cache folder, so a start does not redo work.

A cache that cannot hurt (issue 16):
- the folder is created 0700 and used only if it is a real folder (not a symlink)
  owned by this user and writable by no one else; otherwise the run goes
  without a cache, with a warning. `--no-cache` or POLICYCHECK_NO_CACHE=1 turns
  it off;
- each entry carries a blake2b digest of its marshal payload, checked before
  `marshal.loads` ever sees a byte (damaged marshal data can crash Python), and
  records what it was built from: an entry that does not match is rebuilt;
- only regular files are opened (no symlink followed, a FIFO never blocks), and
  none larger than MAX_ENTRY_BYTES is read;
- the clean-up removes only files with this module's own names, in this folder,
  not rewritten for STALE_DAYS, and never a symlink or a folder.
A cache that cannot be read or written is simply not used.
"""

from __future__ import annotations

import marshal
import os
import re
import stat
import sys
import time
import zlib

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

try:  # 0.7 ms, against ~4 ms for hashlib, which would import OpenSSL's bindings first
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - a Python built without it
    from hashlib import blake2b

STALE_DAYS = 30
# the largest entry (the activity schema's compiled validator) is about 200 KB
MAX_ENTRY_BYTES = 16 * 1024 * 1024
# marshal data, and code objects above all, load only into the Python that wrote them
_PYTHON = f"{sys.implementation.cache_tag}-{sys.hexversion:x}"
_HEADER = b"policycheck-cache/2\n"
_DIGEST_SIZE = 32
# the names `entry_name` gives, and the temporary files `write` renames into them
_OURS = r"\.?[a-z]+-[\w.-]+-[0-9a-f]{8}\.marshal(?:\.\d+\.tmp)?"
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_READ_FLAGS = os.O_RDONLY | _NOFOLLOW | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)

_switched_off = False
_verdicts: dict[str, bool] = {}  # folder -> usable, decided (and warned about) once per process


def folder() -> str:
    base = os.environ.get("XDG_CACHE_HOME")
    if not base:
        home = os.path.expanduser("~")
        if home == "~":
            raise OSError("no home folder to keep a cache in")  # not "./~": callers go without a cache
        base = os.path.join(home, ".cache")
    return os.path.join(base, "policycheck")


def disable(off: bool = True) -> None:
    """`--no-cache`: nothing is read from or written to the cache folder by this process."""
    global _switched_off
    _switched_off = off


def enabled() -> bool:
    return not _switched_off and os.environ.get("POLICYCHECK_NO_CACHE", "") in ("", "0")


def _usable_folder() -> str | None:
    if not enabled():
        return None
    try:
        path = folder()
    except OSError:
        return None
    if path not in _verdicts:
        _verdicts[path] = _safe(path)
    return path if _verdicts[path] else None


def _safe(path: str) -> bool:
    """Whether the folder can be trusted with code policycheck will run; a warning when it cannot."""
    try:
        os.makedirs(path, mode=0o700, exist_ok=True)
    except OSError:
        pass  # read-only, or something else is there: lstat says which
    try:
        info = os.lstat(path)
    except OSError:
        return False  # no folder could be made (a read-only home): no cache, as always
    problem = _problem(info)
    if problem:
        print(
            f"policycheck: warning: not using the cache folder {path}: {problem}; "
            "the run goes without a cache (delete the folder, or point XDG_CACHE_HOME elsewhere)",
            file=sys.stderr,
        )
    return problem is None


def _problem(info: os.stat_result) -> str | None:
    if stat.S_ISLNK(info.st_mode):
        return "it is a symlink"
    if not stat.S_ISDIR(info.st_mode):
        return "it is not a folder"
    if os.name == "posix" and info.st_uid != os.getuid():
        return "it belongs to another user"
    if os.name == "posix" and info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return "others can write to it"
    return None


def stamp(path: str) -> tuple[str, int, int]:
    """A source file as a key: a cached value built from it is rebuilt when it changes."""
    info = os.stat(path)
    return path, info.st_size, info.st_mtime_ns


def read(name: str) -> bytes | None:
    """An entry's bytes, if it is a regular file of a sensible size in a usable folder."""
    cache_folder = _usable_folder()
    if cache_folder is None:
        return None
    try:
        descriptor = os.open(os.path.join(cache_folder, name), _READ_FLAGS)
    except OSError:
        return None
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_ENTRY_BYTES:
            return None
        with open(descriptor, "rb", closefd=False) as handle:
            return handle.read(MAX_ENTRY_BYTES + 1)
    except OSError:
        return None
    finally:
        os.close(descriptor)


def write(name: str, content: bytes) -> None:
    """Best effort and atomic: a concurrent reader sees the old file or the new one."""
    cache_folder = _usable_folder()
    if cache_folder is None:
        return
    target = os.path.join(cache_folder, name)
    partial = os.path.join(cache_folder, f".{name}.{os.getpid()}.tmp")
    try:
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | getattr(os, "O_BINARY", 0)
        descriptor = os.open(partial, flags, 0o600)
        try:
            with open(descriptor, "wb") as handle:
                handle.write(content)
            os.replace(partial, target)
        except OSError:
            os.unlink(partial)
            raise
    except OSError:
        return  # a full disk, a read-only home: rebuild every time
    _remove_stale(cache_folder)


def _remove_stale(cache_folder: str) -> None:
    """Writes are rare (a new installation, an edited pack): that is when to tidy up.

    Only this module's own files: by name, regular (a symlink is never followed,
    and removing one would remove only the link), directly in the folder. Where
    the platform allows, through a descriptor of the folder, so it cannot be
    swapped for a symlink in the meantime. A file still in use but older than
    STALE_DAYS is simply rebuilt by its next run.
    """
    ours = re.compile(_OURS)  # 0.9 M instructions to compile: only a write tidies up
    cutoff = time.time() - STALE_DAYS * 24 * 3600
    by_descriptor = os.scandir in os.supports_fd and os.unlink in os.supports_dir_fd
    try:
        where: int | str = (
            os.open(cache_folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _NOFOLLOW)
            if by_descriptor
            else cache_folder
        )
    except OSError:
        return
    try:
        if isinstance(where, int) and _problem(os.fstat(where)) is not None:
            return
        with os.scandir(where) as listing:
            entries = list(listing)
        for entry in entries:
            try:
                if (
                    ours.fullmatch(entry.name)
                    and entry.is_file(follow_symlinks=False)
                    and entry.stat(follow_symlinks=False).st_mtime < cutoff
                ):
                    if isinstance(where, int):
                        os.unlink(entry.name, dir_fd=where)
                    else:
                        os.unlink(os.path.join(where, entry.name))
            except OSError:
                continue  # gone already, or not ours to remove
    except OSError:
        return
    finally:
        if isinstance(where, int):
            os.close(where)


def entry_name(kind: str, source: str | bytes) -> str:
    """The file of one cached thing: its kind, this Python, and what it is of (a path, a pack's bytes)."""
    data = source.encode("utf-8", "surrogateescape") if isinstance(source, str) else source
    return f"{kind}-{_PYTHON}-{zlib.crc32(data):08x}.marshal"


def _digest(payload: bytes) -> bytes:
    return blake2b(payload, digest_size=_DIGEST_SIZE).digest()


def seal(payload: bytes) -> bytes:
    """An entry's bytes: the header, the payload's digest, the payload."""
    return _HEADER + _digest(payload) + payload


def unseal(content: bytes) -> bytes | None:
    """The payload of an entry whose digest matches it, else None (damaged, edited, or another format)."""
    if not content.startswith(_HEADER):
        return None
    start = len(_HEADER) + _DIGEST_SIZE
    payload = content[start:]
    return payload if content[len(_HEADER) : start] == _digest(payload) else None


def recall(kind: str, source: str | bytes, built_from: Any) -> Any:
    """The value `keep` stored for `source` when it was built from exactly `built_from`, else None."""
    payload = unseal(read(entry_name(kind, source)) or b"")
    if payload is None:
        return None  # none yet, or damaged: the caller rebuilds it and keeps it again
    try:
        stored_from, value = marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        return None  # written by a policycheck whose payload had another shape
    return value if stored_from == built_from else None


def keep(kind: str, source: str | bytes, built_from: Any, value: Any) -> None:
    """Store a value (plain data or code objects: marshal) with what it was built from."""
    try:
        content = marshal.dumps((built_from, value))
    except ValueError:
        return  # a value marshal cannot store: rebuild it every time
    write(entry_name(kind, source), seal(content))
