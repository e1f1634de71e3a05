"""Code actions through a real client: "add a waiver for this finding" writes a template under
`waivers:` that excuses nothing until it is filled in, then waives exactly that finding."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import yaml
from lsprotocol import types

# a waiver within the default governance (at most 365 days), whenever the suite runs
SOON = (date.today() + timedelta(days=180)).isoformat()

pytestmark = [pytest.mark.asyncio, pytest.mark.filterwarnings("error::pytest_lsp.LspSpecificationWarning")]


async def actions_for(client, uri: str, diagnostic: types.Diagnostic) -> list[types.CodeAction]:
    return await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=diagnostic.range,
            context=types.CodeActionContext(diagnostics=[diagnostic]),
        )
    )


def applied(text: str, edits) -> str:
    """`text` with a WorkspaceEdit's text edits applied, as the editor applies them."""
    lines = text.splitlines(keepends=True)

    def offset(position: types.Position) -> int:
        return sum(len(line) for line in lines[: position.line]) + position.character

    for edit in sorted(edits, key=lambda edit: offset(edit.range.start), reverse=True):
        text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end) :]
    return text


def codes(diagnostics, severity=None) -> set[str]:
    return {d.code for d in diagnostics if severity is None or d.severity == severity}


async def test_a_waiver_template_then_a_filled_waiver_waives_the_finding(client, workspace):
    path = workspace / "coproduction.yaml"
    text = path.read_text(encoding="utf-8")
    uri = client.open(path)
    diagnostics = await client.wait_for(uri, version=1, where=lambda found: "REL002" in codes(found))
    rel002 = next(d for d in diagnostics if d.code == "REL002")
    [action] = await actions_for(client, uri, rel002)
    assert action.title == "Add a waiver for REL002 at /releasability/dissemination/0"
    assert action.kind == types.CodeActionKind.QuickFix and list(action.diagnostics) == [rel002]
    template = applied(text, action.edit.changes[uri])
    assert template.startswith(text)  # only added: nothing else in the document changes
    assert yaml.safe_load(template)["waivers"] == [
        {
            "rule": "REL002",
            "at": "/releasability/dissemination/0",
            "justification": "",
            "approved_by": "",
            "expires": "",
        }
    ]

    # accepted as it is, the template opens no gate: REL002 still fails, the empty fields are flagged
    version = client.replace(uri, template)
    unfilled = await client.wait_for(uri, version=version)
    assert "REL002" in codes(unfilled, types.DiagnosticSeverity.Error)
    flagged = [d for d in unfilled if d.code == "SCH001" and d.data["pointer"].startswith("/waivers/0")]
    flagged_pointers = {"/waivers/0/justification", "/waivers/0/approved_by", "/waivers/0/expires"}
    assert {d.data["pointer"] for d in flagged} == flagged_pointers  # a blank approver is refused too (issue 15)

    filled = template.replace('justification: ""', "justification: the MOU allows it").replace(
        'approved_by: ""', "approved_by: J5"
    )
    filled = filled.replace('expires: ""', f"expires: '{SOON}'")
    version = client.replace(uri, filled)
    waived = await client.wait_for(uri, version=version)
    assert "REL002" in codes(waived, types.DiagnosticSeverity.Hint)
    assert "REL002" not in codes(waived, types.DiagnosticSeverity.Error)
    assert "REL001" in codes(waived, types.DiagnosticSeverity.Error)  # at the same node, not waived


async def test_a_document_without_waivers_gets_the_list_at_its_end(client, workspace):
    text = "schema: activity/v1\nid: ALB-2027-NDS-01\nactivity: {start: '2028-01-01', end: '2027-01-01'}\n"
    uri = client.open(workspace / "dates.yaml", text)
    diagnostics = await client.wait_for(uri, version=1, where=lambda found: "DAT001" in codes(found))
    dat001 = next(d for d in diagnostics if d.code == "DAT001")
    [action] = await actions_for(client, uri, dat001)
    document = yaml.safe_load(applied(text, action.edit.changes[uri]))
    assert document["waivers"][0]["rule"] == "DAT001" and document["activity"]["start"] == "2028-01-01"


async def test_no_waiver_for_what_a_waiver_cannot_hide(client, workspace):
    uri = client.open(workspace / "broken.yaml", "schema: activity/v1\nid: [\n")
    [load001] = await client.wait_for(uri, version=1)
    assert load001.code == "LOAD001"
    assert list(await actions_for(client, uri, load001)) == []
    sch_uri = client.open(workspace / "invalid.yaml", "schema: activity/v1\nsumary: x\n")
    sch001 = next(d for d in await client.wait_for(sch_uri, version=1) if d.code == "SCH001")
    assert list(await actions_for(client, sch_uri, sch001)) == []
