"""Files as policycheck reads and writes them: only small regular files read, every file written whole.

Reading: a path is refused from `stat` if it is not a regular file (a device is
never even opened), then from `fstat` of what was opened non-blocking (a FIFO
swapped in between never blocks), and no more than its bound is ever read.

Writing: the text goes to a temporary file in the target's folder, is flushed
and fsynced, then renamed over the target (and the folder fsynced), so a full
disk, Ctrl-C, SIGTERM or a crash leaves the previous file as it was. A device or
pipe (`/dev/stdout`, `/dev/full`, a FIFO) has no previous content to keep and is
written directly.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Callable

from .errors import OutputError, Terminated

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import IO

_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)


class UnreadableSource(ValueError):
    """A path that exists but is no file we will read; `hint` says what to do."""

    def __init__(self, message: str, hint: str):
        super().__init__(message)
        self.hint = hint


def read_regular(path: str, max_bytes: int, limit: str = "", too_big: str = "", not_a_file: str = "") -> bytes:
    """At most `max_bytes` of a regular file, or OSError / UnreadableSource saying why not.

    `limit` names the bound in messages (" (max_file_size)"); `too_big` is the
    hint for a file over it, `not_a_file` for a folder, pipe or device (by
    default, an activity's).
    """

    def refuse_unless_small_regular_file(info: os.stat_result) -> int:
        if stat.S_ISDIR(info.st_mode):
            raise UnreadableSource(
                "is a directory, not a file",
                not_a_file or "rename the directory, or give its path without the .yaml name",
            )
        if not stat.S_ISREG(info.st_mode):
            raise UnreadableSource(
                "is not a regular file (a pipe, socket or device)",
                not_a_file or "policycheck reads regular files; use - to read standard input",
            )
        if info.st_size > max_bytes:
            raise UnreadableSource(f"is {info.st_size} bytes, over the {max_bytes}-byte limit{limit}", too_big)
        return info.st_size

    refuse_unless_small_regular_file(os.stat(path))
    descriptor = os.open(path, _READ_FLAGS)
    try:
        size = refuse_unless_small_regular_file(os.fstat(descriptor))
        data = _read_at_most(descriptor, size, max_bytes + 1)
    finally:
        os.close(descriptor)
    if len(data) > max_bytes:
        raise UnreadableSource(f"grew past the {max_bytes}-byte limit{limit} while being read", too_big)
    return data


def _read_at_most(descriptor: int, size: int, bound: int) -> bytes:
    """Up to `bound` bytes, asked for at the file's size: a read of `bound` would allocate the whole
    bound (10 MiB) for every 5 KB file (-94 us a file, issue 21). A file that grows is read on, to the bound."""
    chunks = []
    want = min(size + 1, bound)  # one more byte than fstat says finds the end in the same read
    while bound > 0:
        chunk = os.read(descriptor, min(want, bound))
        if not chunk:
            break
        chunks.append(chunk)
        bound -= len(chunk)
        want = 65536
    return b"".join(chunks)


def write_text(path: str, text: str) -> None:
    """`text` as the whole new content of `path` (see `write_atomically`)."""
    write_atomically(path, lambda handle: handle.write(text))


def write_atomically(path: str, write: Callable[[IO[str]], object]) -> None:
    """Call `write(handle)` and make what it wrote the content of `path`, all of it or none.

    UTF-8 with "\\n" line ends; a character UTF-8 cannot carry (a file name's
    undecodable byte, kept as a surrogate) is written as its `\\udcXX` escape,
    which JSON reads back as the same name. Any OSError is an OutputError
    `cannot write PATH: REASON`; whatever goes wrong, no temporary file is left.
    """
    try:
        existing = os.stat(path)
    except OSError:
        existing = None
    try:
        if existing is not None and not stat.S_ISREG(existing.st_mode):
            with _open_text(path, "w") as handle:
                write(handle)
            return
        # through a symlink: replace the file it points to, and keep the link
        _replace(os.path.realpath(path), write, stat.S_IMODE(existing.st_mode) if existing is not None else None)
    except OSError as error:
        raise OutputError(f"cannot write {path}: {error.strerror or error}") from None


def _open_text(file, mode: str) -> IO[str]:
    return open(file, mode, encoding="utf-8", errors="backslashreplace", newline="\n")


def _replace(target: str, write: Callable[[IO[str]], object], mode: int | None) -> None:
    import tempfile  # 1.3 ms, and only a run that writes a file needs it

    folder = os.path.dirname(target)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{os.path.basename(target)}.", suffix=".tmp", dir=folder)
    restore = _raise_on_sigterm()
    try:
        if mode is None:  # a new file gets the mode any other new file would, not mkstemp's 0600
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        if hasattr(os, "fchmod"):
            os.fchmod(descriptor, mode)
        with _open_text(descriptor, "w") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
    finally:
        restore()
    _sync_folder(folder)


def _sync_folder(folder: str) -> None:
    """Make the rename itself durable, where the platform lets a folder be fsynced."""
    try:
        descriptor = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass  # not supported here (some file systems, Windows)
    finally:
        os.close(descriptor)


def _raise_on_sigterm() -> Callable[[], None]:
    """While a temporary file exists, SIGTERM unwinds (removing it) instead of killing the process outright."""
    import signal  # only a run that writes a file needs it

    def terminate(number, frame):
        raise Terminated()

    try:
        previous = signal.signal(signal.SIGTERM, terminate)
    except (ValueError, AttributeError):  # not the main thread, or no SIGTERM on this platform
        return lambda: None
    return lambda: signal.signal(signal.SIGTERM, previous)


def scratch_file() -> IO[bytes]:
    """An anonymous temporary file in `$TMPDIR` (else the platform's temporary folder), never silently anywhere
    else; unlinked at once (POSIX), so a crash leaves nothing behind. OSError if it cannot be made."""
    import tempfile

    # tempfile.gettempdir() would quietly pass over a full or unwritable $TMPDIR for /tmp
    return tempfile.TemporaryFile(dir=os.environ.get("TMPDIR") or tempfile.gettempdir())


def scratch_error(error: OSError) -> OutputError:
    """A scratch file that cannot be made or written: the run cannot go on (exit 4), and says where to make room."""
    folder = os.environ.get("TMPDIR") or "the temporary folder"
    return OutputError(
        f"cannot write the results of this run to a temporary file in {folder} ($TMPDIR): "
        f"{error.strerror or error}; point TMPDIR at a folder with room (about 1 KB per file checked)"
    )


def reconfigure_for_names(stream) -> None:
    """Let a text stream write any file name: an undecodable byte as its escape, never a traceback.

    Not "strict" (a UnicodeEncodeError), nor the "surrogateescape" of a C or UTF-8
    mode locale, which writes the raw byte: the output must stay valid UTF-8.
    """
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None and getattr(stream, "errors", "strict") != "backslashreplace":
        try:
            reconfigure(errors="backslashreplace")
        except (ValueError, OSError):
            pass


def silence_stdout() -> None:
    """Standard output cannot take more (its reader left, or its disk is full): send the rest to nowhere.

    Without this, Python's own flush at exit fails again and prints a traceback.
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass  # not a real descriptor (a test runner's stream): nothing will flush it at exit
