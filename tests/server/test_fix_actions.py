"""Rules' fixes as code actions through a real client: the quick fix `--fix` would make, preferred when safe,
beside the waiver; none where `--fix` would refuse."""

from __future__ import annotations

import pytest
from lsprotocol import types
from test_code_actions import actions_for, applied, codes

from policycheck.testing import activity_text

pytestmark = [pytest.mark.asyncio, pytest.mark.filterwarnings("error::pytest_lsp.LspSpecificationWarning")]

OUT_OF_ORDER = activity_text("releasability:\n  rel_to: [ALB, USA]\n").replace("  - ALB\n", "  - ALB  # the partner\n")


async def test_a_safe_fix_is_the_preferred_quick_fix_and_clears_its_finding(client, workspace):
    uri = client.open(workspace / "order.yaml", OUT_OF_ORDER)
    diagnostics = await client.wait_for(uri, version=1, where=lambda found: "REL005" in codes(found))
    rel005 = next(d for d in diagnostics if d.code == "REL005")
    fix, waiver = await actions_for(client, uri, rel005)
    assert (fix.title, fix.is_preferred, fix.kind) == (
        "Put rel_to in marking order",
        True,
        types.CodeActionKind.QuickFix,
    )
    assert waiver.title.startswith("Add a waiver for REL005") and not waiver.is_preferred
    fixed = applied(OUT_OF_ORDER, fix.edit.changes[uri])
    assert fixed == OUT_OF_ORDER.replace("- ALB  # the partner\n  - USA", "- USA  # the partner\n  - ALB")
    version = client.replace(uri, fixed)
    assert "REL005" not in codes(await client.wait_for(uri, version=version))


async def test_an_unsafe_fix_is_offered_but_not_preferred(client, workspace):
    path = workspace / "coproduction.yaml"
    text = path.read_text(encoding="utf-8")
    uri = client.open(path)
    diagnostics = await client.wait_for(uri, version=1, where=lambda found: "REL001" in codes(found))
    rel001 = next(d for d in diagnostics if d.code == "REL001")
    [fix] = [action for action in await actions_for(client, uri, rel001) if not action.title.startswith("Add a waiver")]
    assert fix.title == "Drop NOFORN, keep REL TO" and not fix.is_preferred
    assert applied(text, fix.edit.changes[uri]) == text.replace("[NOFORN, REL TO]", "[REL TO]")


async def test_a_fix_in_a_crlf_document_keeps_its_line_ends(client, workspace):
    text = activity_text("partner:\n  country: alb\n").replace("\n", "\r\n")
    uri = client.open(workspace / "crlf.yaml", text)
    diagnostics = await client.wait_for(uri, version=1, where=lambda found: "SCH001" in codes(found))
    sch001 = next(d for d in diagnostics if d.code == "SCH001" and d.data["pointer"] == "/partner/country")
    [fix] = await actions_for(client, uri, sch001)  # SCH001 is never waived: only the fix
    assert fix.title == "Write 'ALB'"
    assert applied(text, fix.edit.changes[uri]) == text.replace("country: alb", "country: ALB")


async def test_a_fix_that_no_longer_applies_is_not_offered(client, workspace):
    uri = client.open(workspace / "order.yaml", OUT_OF_ORDER)
    diagnostics = await client.wait_for(uri, version=1, where=lambda found: "REL005" in codes(found))
    rel005 = next(d for d in diagnostics if d.code == "REL005")
    # the list was emptied since: the reorder names items that are gone
    client.replace(uri, OUT_OF_ORDER.replace("  - ALB  # the partner\n  - USA\n", "  - USA\n"))
    actions = await actions_for(client, uri, rel005)
    assert [action.title for action in actions if not action.title.startswith("Add a waiver")] == []
