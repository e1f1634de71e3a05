"""The waiver template as a text edit: added where the document's `waivers:` list is, nothing else moved."""

from __future__ import annotations

import pytest
import yaml

from policycheck.server.actions import Edit, add_waiver, can_waive


def applied(text: str, edit: Edit) -> str:
    lines = text.splitlines(keepends=True)

    def offset(line: int, column: int) -> int:
        return sum(len(item) for item in lines[:line]) + column

    start, end = offset(edit.start_line, edit.start_column), offset(edit.end_line, edit.end_column)
    return text[:start] + edit.text + text[end:]


TEMPLATE = {"rule": "REL002", "at": "/releasability", "justification": "", "approved_by": "", "expires": ""}


@pytest.mark.parametrize(
    "text, before",
    [
        ("id: X\n", []),
        ("id: X", []),
        ("id: X\nwaivers:\n- rule: A\n  expires: x\nnext: 1\n", [{"rule": "A", "expires": "x"}]),
        ("waivers:\n  - rule: A\n\n# the end\n", [{"rule": "A"}]),
        ("waivers: []  # none yet\nid: X\n", []),
        ("waivers:\n", []),
        ("id: X\r\nwaivers:\r\n  - rule: A\r\n", [{"rule": "A"}]),
    ],
    ids=["none", "no-final-newline", "items-at-key-column", "trailing-comment", "empty-flow", "empty", "crlf"],
)
def test_the_template_joins_the_list_and_leaves_the_rest_as_it_was(text, before):
    edit = add_waiver(text, "REL002", "/releasability")
    result = applied(text, edit)
    document = yaml.safe_load(result)
    assert document["waivers"] == [*before, TEMPLATE]
    assert {key: value for key, value in document.items() if key != "waivers"} == {
        key: value for key, value in (yaml.safe_load(text) or {}).items() if key != "waivers"
    }
    assert ("\r\n" in text) == ("\r\n" in edit.text)


def test_a_pointer_that_yaml_would_misread_is_quoted():
    result = applied("id: X\n", add_waiver("id: X\n", "REL002", "/x-notes/a: b #c"))
    assert yaml.safe_load(result)["waivers"][0]["at"] == "/x-notes/a: b #c"


def test_a_document_wide_finding_gets_a_waiver_without_at():
    result = applied("id: X\n", add_waiver("id: X\n", "THR001", ""))
    assert "at" not in yaml.safe_load(result)["waivers"][0]


def test_a_flow_list_with_items_is_not_rewritten():
    assert add_waiver("waivers: [{rule: A}]\n", "REL002", "/x") is None


def test_only_gating_findings_of_waivable_rules_get_a_waiver():
    assert can_waive("REL002", "fail") and can_waive("REL009", "warn")
    assert not can_waive("REL002", "waived")
    assert not any(can_waive(rule, "fail") for rule in ("LOAD001", "SCH001", "ERR001", "WVR001", "WVR002"))
