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
entries absorbs two findings, and a third is new. A baseline is a bulk waiver
without an approver, so it covers no more than a waiver can: findings that say
the document could not be judged (LOAD001, SCH001, ERR001) and findings about
waivers (WVR001, WVR002) are never recorded and always reported.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from .findings import FAIL, WARN, FileResult, Finding, outcome
from .waivers import UNWAIVABLE

if TYPE_CHECKING:
    from .results import Results

BASELINE_SCHEMA = "policycheck-baseline/v1"
# 64 bits of sha256: far more than enough to tell a portfolio's findings apart.
FINGERPRINT_LENGTH = 16
_STANDALONE_NUMBER = re.compile(r"(?<![\w.-])\d+(?:\.\d+)?(?![\w-])")
_INDEX = re.compile(r"(?<=/)\d+(?=/|$)")


class BaselineError(Exception):
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
        relative = file
    return Path(relative).as_posix()


def fingerprint(finding: Finding) -> str:
    """The stable fingerprint of a finding (see the module docstring for what it hashes)."""
    import hashlib

    parts = (
        finding.rule_id,
        relative_path(finding.file),
        finding.activity_id or "",
        _INDEX.sub("*", finding.pointer),
        _STANDALONE_NUMBER.sub("#", finding.message),
    )
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()[:FINGERPRINT_LENGTH]


def baselinable(finding: Finding) -> bool:
    """Whether a baseline may record this finding: a gating level, and not one a waiver cannot hide."""
    return finding.level in (FAIL, WARN) and finding.rule_id not in UNWAIVABLE


class BaselineResult(NamedTuple):
    """What applying a baseline did: shown in the text report and the JSON report."""

    file: str
    entries: int
    matched: int
    unmatched: int
    written: bool = False

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
        }


def entries_of(results: Iterable[FileResult]) -> list[dict]:
    """The baseline entries of a run: one per baselinable finding, sorted."""
    entries = [
        {
            "fingerprint": fingerprint(finding),
            "rule": finding.rule_id,
            "file": relative_path(finding.file),
            "activity_id": finding.activity_id,
            "pointer": finding.pointer,
            "message": finding.message,
        }
        for result in results
        for finding in result.findings
        if baselinable(finding)
    ]
    return sorted(
        entries,
        key=lambda entry: (entry["file"], entry["rule"], entry["pointer"], entry["fingerprint"], entry["message"]),
    )


def record(path: str, results: "list[FileResult] | Results") -> BaselineResult:
    """`--write-baseline`: write the file, then apply it, leaving what it cannot record."""
    entries = write(path, results)
    applied = apply(results, Counter(entry["fingerprint"] for entry in entries), path)
    return applied._replace(written=True)


def write(path: str, results: Iterable[FileResult]) -> list[dict]:
    """Write the baseline file: JSON, sorted, no line numbers, so it diffs cleanly."""
    import json

    entries = entries_of(results)
    document = {"schema": BASELINE_SCHEMA, "findings": entries}
    try:
        with open(path, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    except OSError as error:
        raise BaselineError(f"{path}: cannot write the baseline: {error.strerror}") from None
    return entries


def read(path: str) -> Counter:
    """The fingerprints a baseline file records, with how often each occurs."""
    import json

    try:
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
    except FileNotFoundError:
        raise BaselineError(f"{path}: no such baseline file; create it with --write-baseline {path}") from None
    except OSError as error:
        raise BaselineError(f"{path}: cannot read the baseline: {error.strerror}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise BaselineError(f"{path}: not a policycheck baseline (invalid JSON: {error})") from None
    if not isinstance(document, dict) or document.get("schema") != BASELINE_SCHEMA:
        found = document.get("schema") if isinstance(document, dict) else None
        raise BaselineError(
            f'{path}: not a policycheck baseline (expected "schema": "{BASELINE_SCHEMA}", found {found!r}); '
            "rewrite it with --write-baseline"
        )
    entries = document.get("findings")
    if not isinstance(entries, list) or not all(
        isinstance(entry, dict) and isinstance(entry.get("fingerprint"), str) for entry in entries
    ):
        raise BaselineError(
            f'{path}: "findings" must be a list of entries, each with a "fingerprint"; rewrite it with --write-baseline'
        )
    return Counter(entry["fingerprint"] for entry in entries)


def apply(results: "list[FileResult] | Results", recorded: Counter, file: str) -> BaselineResult:
    """Drop the findings the baseline records, and recompute each rule's outcome.

    Each recorded fingerprint absorbs as many findings as it occurs in the file.
    """
    remaining = Counter(recorded)
    matched = 0
    for index, result in enumerate(results):
        kept: list[Finding] = []
        for finding in result.findings:
            key = fingerprint(finding) if baselinable(finding) else None
            if key is not None and remaining[key] > 0:
                remaining[key] -= 1
                matched += 1
            else:
                kept.append(finding)
        if len(kept) != len(result.findings):
            result.findings = kept
            # a new map: Engine.finish shares one outcome map between files that have the same
            result.outcomes = {
                rule_id: outcome(f for f in kept if f.rule_id == rule_id) if status in (FAIL, WARN) else status
                for rule_id, status in result.outcomes.items()
            }
            results[index] = result  # a `Results` store keeps its results encoded: store the change
    return BaselineResult(file=file, entries=sum(recorded.values()), matched=matched, unmatched=sum(remaining.values()))
