"""Files at a git revision: the trusted policy of `--trusted-ref REF`, never the working tree.

A pull request controls its working tree, not the branch it targets, so
`--trusted-ref origin/main` reads configuration, rule packs and the baseline as
that revision has them: `git show REF:path`, run without a shell, with the path
relative to the repository root and a bounded size. Every failure (no git, no
repository, an unknown revision, a file the revision lacks) is a usage error
naming what is missing.
"""

from __future__ import annotations

import os

from .errors import UsageError
from .records import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    import subprocess

# a configuration, a rule pack or a baseline; a bigger one at a trusted ref is a mistake
MAX_BYTES = 64 * 1024 * 1024
_TIMEOUT = 60  # seconds: a local read of one object


class GitRefError(UsageError):
    """The trusted revision, its repository or a file in it cannot be read (exit code 2)."""


class TrustedFile(str):
    """A file read from a trusted revision: its name (`REF:path`) as a string, with its bytes.

    A string, so that whatever names a rule pack by path (messages, owners such as
    `config:pack.yaml`) names this one alike; picklable, so workers get the same bytes.
    """

    content: bytes

    def __new__(cls, label: str, content: bytes) -> "TrustedFile":
        self = super().__new__(cls, label)
        self.content = content
        return self

    def __reduce__(self):
        return TrustedFile, (str(self), self.content)


class Revision(Record):
    """A trusted revision of the repository that holds the current folder."""

    ref: str  # as given: origin/main
    commit: str  # what it resolved to when the run started, so every read sees one tree
    root: str  # the repository root (`git rev-parse --show-toplevel`)
    prefix: str  # the current folder relative to the root, posix, "" or ending in "/"

    def label(self, path: str) -> str:
        """`REF:path`, how reports and error messages name a file read from the revision."""
        return f"{self.ref}:{path}"

    def path_of(self, local: str) -> str:
        """A working-tree path (relative to the current folder, or absolute) as a path in the revision."""
        absolute = os.path.normpath(os.path.join(os.getcwd(), local))
        relative = os.path.relpath(absolute, self.root).replace(os.sep, "/")
        if relative == ".." or relative.startswith("../"):
            raise GitRefError(f"{local}: outside the repository at {self.root}, so it cannot be read from {self.ref}")
        return relative

    def exists(self, path: str) -> bool:
        return _git(self.root, "cat-file", "-e", f"{self.commit}:{path}", check=False).returncode == 0

    def read(self, path: str, what: str) -> bytes:
        """The bytes of `path` (relative to the root) at the revision; `what` names it in errors."""
        size = _git(self.root, "cat-file", "-s", f"{self.commit}:{path}", check=False)
        if size.returncode != 0:
            raise GitRefError(f"{self.label(path)}: no such {what} at {self.ref} ({self.commit[:12]})")
        if int(size.stdout.strip() or 0) > MAX_BYTES:
            raise GitRefError(f"{self.label(path)}: the {what} is over {MAX_BYTES} bytes")
        # --no-textconv: the blob as committed, whatever a .gitattributes in the checkout says
        return _git(self.root, "show", "--no-textconv", f"{self.commit}:{path}").stdout


def _git(cwd: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    import shutil  # with subprocess, ~10 ms: only --trusted-ref runs git
    import subprocess

    git = shutil.which("git")
    if git is None:
        raise GitRefError("--trusted-ref needs git on PATH")
    try:
        result = subprocess.run(
            [git, *args], cwd=cwd, capture_output=True, timeout=_TIMEOUT, stdin=subprocess.DEVNULL, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise GitRefError(f"cannot run git {args[0]}: {error}") from None
    if check and result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitRefError(f"git {args[0]} failed: {message[-1] if message else f'exit code {result.returncode}'}")
    return result


def open_revision(ref: str, start: str | None = None) -> Revision:
    """The revision `ref` of the repository holding `start` (default: the current folder)."""
    if not ref or ref.startswith("-"):  # never an option to git
        raise GitRefError(f"--trusted-ref {ref!r}: not a git revision")
    folder = start or os.getcwd()
    top = _git(folder, "rev-parse", "--show-toplevel", "--show-prefix", check=False)
    if top.returncode != 0:
        raise GitRefError(f"--trusted-ref {ref}: {folder} is not inside a git repository")
    root, _, prefix = top.stdout.decode("utf-8", "surrogateescape").partition("\n")
    resolved = _git(folder, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False)
    if resolved.returncode != 0:
        raise GitRefError(
            f"--trusted-ref {ref}: no such revision in {root}; fetch it first (e.g. git fetch origin main)"
        )
    return Revision(ref, resolved.stdout.decode().strip(), root, prefix.strip())


def find_root(start: str) -> str:
    """The nearest folder upward holding `.git` (the repository root), else `start` itself; no subprocess."""
    folder = os.path.abspath(start)
    while True:
        if os.path.exists(os.path.join(folder, ".git")):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return os.path.abspath(start)
        folder = parent
