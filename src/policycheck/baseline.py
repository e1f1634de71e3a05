"""The baseline, between waivers and rendering: gate only on new findings.

To adopt policycheck on an existing portfolio, `--write-baseline FILE` records
today's findings; `--baseline FILE` then drops the findings it recorded, so only
new ones are reported and gate. Findings are matched by a stable fingerprint,
never by line number, so that moving content around a file does not turn old
findings into new ones.

The fingerprint of a finding hashes:
- the rule id;
- the file path relative to the current directory, in posix form;
- the activity id;
- the JSON pointer with list indexes replaced by `*`, so that inserting an
  objective before another does not renumber the findings of the later one
  (the messages name the item: "objective OBJ-2 ...");
- the message with stand-alone numbers replaced by `#`, so that a count or an
  amount that changes ("funded for 1 year, fewer than 3") is still the same
  finding; digits inside identifiers and dates (`OBJ-2`, `2027-01-15`) are kept.

Findings with the same fingerprint are counted: a baseline with two such
entries absorbs two findings, and a third is new. An entry only ever absorbs a
finding in the file it records, so a baseline cannot hide anything in a file it
did not know; with `--trusted-ref REF` it is read as that revision has it, so a
pull request that rewrites it changes nothing. A baseline is a bulk waiver
without an approver, so it covers no more than a waiver can: findings that say
the document could not be judged (LOAD001, SCH001, ERR001) and findings about
waivers (WVR001, WVR002) are never recorded and always reported.
"""

from __future__ import annotations

import os
import re
from collections import Counter

from . import files
from .errors import OutputError, UsageError
from .findings import FAIL, WARN, Finding
from .records import Record
from .waivers import UNWAIVABLE

BASELINE_SCHEMA = "policycheck-baseline/v1"
# 64 bits of sha256: far more than enough to tell a portfolio's findings apart.
FINGERPRINT_LENGTH = 16
_STANDALONE_NUMBER = re.compile(r"(?<![\w.-])\d+(?:\.\d+)?(?![\w-])")
_INDEX = re.compile(r"(?<=/)\d+(?=/|$)")


class BaselineError(UsageError):
    """An unreadable or malformed baseline file (exit code 2)."""


def relative_path(file: str) -> str:
    """A finding's file relative to the current directory, with forward slashes.

    A file outside the current directory keeps the path it was given (`../x`
    would depend on where you stand); so does `<stdin>`.
    """
    if file.startswith("<"):
        return file
    try:
        relative = os.path.relpath(file)
    except ValueError:  # another drive on Windows
        relative = file
    if relative == os.pardir or relative.startswith(os.pardir + os.sep):
        relative = os.path.normpath(file)
    return relative.replace(os.sep, "/")


def fingerprint(finding: Finding) -> str:
    """The stable fingerprint of a finding (see the module docstring for what it hashes)."""
    import hashlib  # 4 ms: only runs that fingerprint (baselines, json, sarif) need it

    parts = (
        finding.rule_id,
        relative_path(finding.file),
        finding.activity_id or "",
        _INDEX.sub("*", finding.pointer),
        _STANDALONE_NUMBER.sub("#", finding.message),
    )
    # surrogatepass: a file name's undecodable bytes (kept as surrogates) are hashed, never an error
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:FINGERPRINT_LENGTH]


def baselinable(finding: Finding) -> bool:
    """Whether a baseline may record this finding: a gating level, and not one a waiver cannot hide."""
    return finding.level in (FAIL, WARN) and finding.rule_id not in UNWAIVABLE


class BaselineResult(Record):
    """What applying a baseline did: shown in the text report and the JSON report."""

    file: str
    entries: int
    matched: int
    unmatched: int
    written: bool = False
    # (file, findings the baseline hid there), in file order; and the hidden findings, for SARIF's suppressions
    by_file: tuple[tuple[str, int], ...] = ()
    hidden: tuple[Finding, ...] = ()

    def note(self) -> str:
        if self.written:
            return f"baseline: wrote {self.entries} {'finding' if self.entries == 1 else 'findings'} to {self.file}"
        findings = "finding" if self.matched == 1 else "findings"
        entries = "entry no longer matches" if self.unmatched == 1 else "entries no longer match"
        fixed = " (fixed? rewrite it with --write-baseline)" if self.unmatched else ""
        return f"baseline: {self.matched} {findings} matched, {self.unmatched} {entries}{fixed}"

    def as_dict(self) -> dict:
        return {
            "file": self.file,
            "entries": self.entries,
            "matched": self.matched,
            "unmatched": self.unmatched,
            "written": self.written,
            "hidden_by_file": [{"file": file, "findings": count} for file, count in self.by_file],
        }


def entry(finding: Finding) -> dict:
    """A finding as a baseline records it: no line numbers, so the file diffs cleanly."""
    return {
        "fingerprint": fingerprint(finding),
        "rule": finding.rule_id,
        "file": relative_path(finding.file),
        "activity_id": finding.activity_id,
        "pointer": finding.pointer,
        "message": finding.message,
    }


class Recording:
    """`--write-baseline FILE`: each file's baselinable findings are recorded and leave the report.

    The finishing stage passes every file's findings through `keep`, then calls
    `done`, which writes the file: what a run leaves is what the written baseline
    would not match.
    """

    def __init__(self, file: str) -> None:
        self.file = file
        self.entries: list[dict] = []
        self.error: OutputError | None = None

    def keep(self, findings: list[Finding]) -> list[Finding]:
        self.entries.extend(entry(finding) for finding in findings if baselinable(finding))
        return [finding for finding in findings if not baselinable(finding)]

    def done(self) -> BaselineResult | None:
        """Write the baseline, whole or not at all (the previous file stays as it was).

        A baseline that cannot be written is kept in `error` rather than raised,
        and there is no note to show (None): the command says so in one line and
        exits 4 once the reports are written.
        """
        import json  # 3.8 ms: only baseline runs need it

        self.entries.sort(key=lambda e: (e["file"], e["rule"], e["pointer"], e["fingerprint"], e["message"]))
        document = {"schema": BASELINE_SCHEMA, "findings": self.entries}
        try:
            files.write_text(self.file, json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
        except OutputError as error:
            self.error = error
            return None
        count = len(self.entries)
        return BaselineResult(file=self.file, entries=count, matched=count, unmatched=0, written=True)


class Applying:
    """`--baseline FILE`: each recorded (file, fingerprint) absorbs as many findings of that file as it occurs."""

    def __init__(self, recorded: Counter, file: str) -> None:
        self.file = file
        self.entries = sum(recorded.values())
        self.remaining = Counter(recorded)
        self.matched = 0
        self.by_file: Counter = Counter()
        self.hidden: list[Finding] = []

    def keep(self, findings: list[Finding]) -> list[Finding]:
        kept = []
        for finding in findings:
            key = (relative_path(finding.file), fingerprint(finding)) if baselinable(finding) else None
            if key is not None and self.remaining[key] > 0:
                self.remaining[key] -= 1
                self.matched += 1
                self.by_file[finding.file] += 1
                self.hidden.append(finding)
            else:
                kept.append(finding)
        return kept

    def done(self) -> BaselineResult:
        unmatched = sum(self.remaining.values())
        return BaselineResult(
            file=self.file,
            entries=self.entries,
            matched=self.matched,
            unmatched=unmatched,
            by_file=tuple(self.by_file.items()),
            hidden=tuple(self.hidden),
        )


# A baseline records one entry per finding, a few hundred bytes each: 64 MiB is about 200,000 findings.
MAX_BASELINE_BYTES = 64 * 1024 * 1024


def read(path: str, content: bytes | None = None) -> Counter:
    """The (file, fingerprint) pairs a baseline file records, with how often each occurs.

    Read as any file policycheck reads (files.read_regular): a regular file only,
    never more than MAX_BASELINE_BYTES, and JSON nested deeper than Python
    can parse is an error like any other malformed baseline. `content`: the
    file's bytes when read elsewhere (at a trusted git revision; `path` then names it).
    """
    import json  # 3.8 ms: only baseline runs need it

    rewrite = f"rewrite it with --write-baseline {path}"
    try:
        if content is None:
            content = files.read_regular(
                path, MAX_BASELINE_BYTES, " for a baseline", rewrite, "name the baseline file itself"
            )
        document = json.loads(content.decode("utf-8"))
    except FileNotFoundError:
        raise BaselineError(f"{path}: no such baseline file; create it with --write-baseline {path}") from None
    except OSError as error:
        raise BaselineError(f"{path}: cannot read the baseline: {error.strerror}") from None
    except files.UnreadableSource as error:
        raise BaselineError(f"{path}: cannot read the baseline: it {error}; {error.hint}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise BaselineError(f"{path}: not a policycheck baseline (invalid JSON: {error})") from None
    except RecursionError:
        raise BaselineError(f"{path}: not a policycheck baseline (JSON nested far too deeply); {rewrite}") from None
    if not isinstance(document, dict) or document.get("schema") != BASELINE_SCHEMA:
        found = document.get("schema") if isinstance(document, dict) else None
        raise BaselineError(
            f'{path}: not a policycheck baseline (expected "schema": "{BASELINE_SCHEMA}", found {found!r}); '
            "rewrite it with --write-baseline"
        )
    entries = document.get("findings")
    if not isinstance(entries, list) or not all(
        isinstance(entry, dict) and isinstance(entry.get("fingerprint"), str) and isinstance(entry.get("file"), str)
        for entry in entries
    ):
        raise BaselineError(
            f'{path}: "findings" must be a list of entries, each with a "file" and a "fingerprint"; rewrite it with '
            "--write-baseline"
        )
    return Counter((entry["file"], entry["fingerprint"]) for entry in entries)
