"""Files kept between runs in the user's cache folder, so a start does not redo work.

Every cached file records what it was built from and is rebuilt when that
changes; a cache that cannot be read or written is simply not used.
"""

from __future__ import annotations

import os
from pathlib import Path


def folder() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "policycheck"


def read(name: str) -> bytes | None:
    try:
        with open(folder() / name, "rb") as handle:
            return handle.read()
    except OSError:
        return None


def write(name: str, content: bytes) -> None:
    """Best effort and atomic: a concurrent reader sees the old file or the new one."""
    target = folder() / name
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f"{target.name}.{os.getpid()}.tmp")
        partial.write_bytes(content)
        os.replace(partial, target)
    except OSError:
        pass  # a read-only home: rebuild every time
