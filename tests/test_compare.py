"""compare.py: what a previous report is checked for, and how this run's records are marked against it."""

from __future__ import annotations

import json

import pytest

from policycheck import compare
from policycheck.errors import UsageError


def finding(fingerprint: str, rule: str = "GOV004", level: str = "warn", line: int = 3) -> dict:
    return {"fingerprint": fingerprint, "rule": rule, "level": level, "message": f"{rule} says so", "line": line}


def record(file: str, *findings: dict, status: str = "warn", **facts) -> dict:
    return {"file": file, "status": status, "findings": [dict(f) for f in findings], **facts}


def previous(*records: dict, schema: str = "policycheck-report/v2") -> compare.Comparison:
    return compare.Comparison(compare.previous_of({"schema": schema, "files": list(records)}, "before.json"))


A, B = "a" * 16, "b" * 16


def test_findings_are_new_or_persisting_by_fingerprint_whatever_their_line():
    marking = previous(record("p.yaml", finding(A, line=3), finding(B))).start()
    marked = marking.mark(record("p.yaml", finding(A, line=40), finding("c" * 16)))
    assert [f["change"] for f in marked["findings"]] == ["persisting", "new"]
    assert [f["fingerprint"] for f in marked["resolved"]] == [B]
    assert marked["change"] == "changed"
    assert marking.summary()["findings"] == {"new": 1, "persisting": 1, "resolved": 1}


def test_a_proposal_is_changed_by_its_facts_and_unchanged_when_only_lines_moved():
    before = previous(record("p.yaml", finding(A, line=3), title="Old"), record("q.yaml", finding(B), title="Q"))
    marking = before.start()
    assert marking.mark(record("p.yaml", finding(A), title="New"))["change"] == "changed"
    assert marking.mark(record("q.yaml", finding(B, line=99), title="Q"))["change"] == "unchanged"
    assert marking.mark(record("r.yaml"))["change"] == "new"
    assert marking.summary()["proposals"] == {"new": 1, "changed": 1, "unchanged": 1, "removed": 0}


def test_a_v1_report_is_compared_by_status_and_findings_only():
    marking = previous(record("p.yaml", finding(A)), schema="policycheck-report/v1").start()
    assert marking.mark(record("p.yaml", finding(A), title="facts v1 never had"))["change"] == "unchanged"


def test_removed_proposals_are_named_and_their_findings_counted_resolved():
    marking = previous(record("gone.yaml", finding(A), activity_id="GONE-1"), record("kept.yaml")).start()
    marking.mark(record("kept.yaml"))
    summary = marking.summary()
    assert summary["removed"] == [{"file": "gone.yaml", "activity_id": "GONE-1", "findings": 1}]
    assert summary["proposals"]["removed"] == 1 and summary["findings"]["resolved"] == 1


def test_a_record_read_twice_is_counted_once():
    marking = previous(record("p.yaml", finding(A))).start()
    for _ in range(3):
        marked = marking.mark(record("p.yaml"))
    assert marked["resolved"] and marking.summary()["findings"]["resolved"] == 1
    assert marking.summary()["proposals"]["changed"] == 1


def test_every_rendering_starts_its_own_count():
    comparison = previous(record("p.yaml"))
    first, second = comparison.start(), comparison.start()
    first.mark(record("p.yaml"))
    assert second.summary()["proposals"]["removed"] == 1 and first.summary()["proposals"]["removed"] == 0


def test_the_previous_reports_text_is_made_inert():
    hostile = finding(A) | {"message": "line\nforged \x1b[31m", "rule": "X\u202e"}
    marked = previous(record("p.yaml", hostile)).start().mark(record("p.yaml"))
    [resolved] = marked["resolved"]
    assert "\n" not in resolved["message"] and "\x1b" not in resolved["message"] and "\u202e" not in resolved["rule"]


@pytest.mark.parametrize(
    ("content", "why"),
    [
        ({"files": []}, "its `schema` is none of"),
        ({"schema": "policycheck-report/v2"}, "`files` is not a list"),
        ({"schema": "policycheck-report/v2", "files": ["x"]}, "files[0] is not a file record"),
        ({"schema": "policycheck-report/v2", "files": [{"file": "a"}]}, "files[0] has no `findings` list"),
        (
            {"schema": "policycheck-report/v2", "files": [{"file": "a", "findings": [{"fingerprint": "z"}]}]},
            "files[0] findings[0] has no fingerprint",
        ),
        (
            {"schema": "policycheck-report/v2", "files": [{"file": "a", "findings": [{"fingerprint": A}]}]},
            "files[0] findings[0] has no `rule` text",
        ),
        (
            {"schema": "policycheck-report/v2", "files": [{"file": "a", "findings": [finding(A) | {"line": "3"}]}]},
            "a `line` that is not a number",
        ),
    ],
)
def test_what_is_not_a_report_is_refused_saying_where(tmp_path, content, why):
    path = tmp_path / "previous.json"
    path.write_text(json.dumps(content), encoding="utf-8")
    with pytest.raises(UsageError, match=r"^--compare .*previous\.json: not a policycheck JSON report") as raised:
        compare.read(str(path))
    assert why in str(raised.value)


def test_a_report_over_the_bound_is_refused_before_it_is_read(tmp_path, monkeypatch):
    path = tmp_path / "big.json"
    path.write_text(json.dumps({"schema": "policycheck-report/v2", "files": []}), encoding="utf-8")
    monkeypatch.setattr(compare, "MAX_REPORT_BYTES", 10)
    with pytest.raises(UsageError, match="over the 10-byte limit"):
        compare.read(str(path))
