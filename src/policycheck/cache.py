"""Files kept between runs in the user's cache folder, so a start does not redo work.

Every cached file records what it was built from and is rebuilt when that
changes; a cache that cannot be read or written is simply not used. Files
not rewritten for STALE_DAYS are removed whenever another is written, so what
older installations and edited packs left behind does not pile up.
"""

from __future__ import annotations

import marshal
import os
import sys
import time
import zlib
from typing import Any

STALE_DAYS = 30
# marshal data, and code objects above all, load only into the Python that wrote them
_PYTHON = f"{sys.implementation.cache_tag}-{sys.hexversion:x}"


def folder() -> str:
    base = os.environ.get("XDG_CACHE_HOME")
    if not base:
        home = os.path.expanduser("~")
        if home == "~":
            raise OSError("no home folder to keep a cache in")  # not "./~": callers go without a cache
        base = os.path.join(home, ".cache")
    return os.path.join(base, "policycheck")


def stamp(path: str) -> tuple[str, int, int]:
    """A source file as a key: a cached value built from it is rebuilt when it changes."""
    info = os.stat(path)
    return path, info.st_size, info.st_mtime_ns


def read(name: str) -> bytes | None:
    try:
        with open(os.path.join(folder(), name), "rb") as handle:
            return handle.read()
    except OSError:
        return None


def write(name: str, content: bytes) -> None:
    """Best effort and atomic: a concurrent reader sees the old file or the new one."""
    try:
        cache_folder = folder()
        os.makedirs(cache_folder, exist_ok=True)
        target = os.path.join(cache_folder, name)
        partial = f"{target}.{os.getpid()}.tmp"
        with open(partial, "wb") as handle:
            handle.write(content)
        os.replace(partial, target)
    except OSError:
        return  # a read-only home: rebuild every time
    _remove_stale(cache_folder)


def _remove_stale(cache_folder: str) -> None:
    """Writes are rare (a new installation, an edited pack): that is when to tidy up.

    A file still in use but older than STALE_DAYS is simply rebuilt by its next run.
    """
    cutoff = time.time() - STALE_DAYS * 24 * 3600
    try:
        entries = list(os.scandir(cache_folder))
    except OSError:
        return
    for entry in entries:
        try:
            if entry.is_file(follow_symlinks=False) and entry.stat(follow_symlinks=False).st_mtime < cutoff:
                os.remove(entry.path)
        except OSError:
            continue  # gone already, or not ours to remove


def entry_name(kind: str, source: str | bytes) -> str:
    """The file of one cached thing: its kind, this Python, and what it is of (a path, a pack's bytes)."""
    data = source.encode("utf-8", "surrogateescape") if isinstance(source, str) else source
    return f"{kind}-{_PYTHON}-{zlib.crc32(data):08x}.marshal"


def recall(kind: str, source: str | bytes, built_from: Any) -> Any:
    """The value `keep` stored for `source` when it was built from exactly `built_from`, else None."""
    try:
        stored_from, value = marshal.loads(read(entry_name(kind, source)) or b"")
    except (EOFError, ValueError, TypeError):
        return None  # none yet, or damaged
    return value if stored_from == built_from else None


def keep(kind: str, source: str | bytes, built_from: Any, value: Any) -> None:
    """Store a value (plain data or code objects: marshal) with what it was built from."""
    try:
        content = marshal.dumps((built_from, value))
    except ValueError:
        return  # a value marshal cannot store: rebuild it every time
    write(entry_name(kind, source), content)
