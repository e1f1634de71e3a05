"""Hover through a real client: a finding's rule explained as `policycheck explain` explains it, a key
described by the effective schema (plugins' sections included), in a parsed or a half-typed document."""

from __future__ import annotations

import subprocess
import sys

import pytest
from lsp_client import start, stop
from lsprotocol import types

pytestmark = [pytest.mark.asyncio, pytest.mark.filterwarnings("error::pytest_lsp.LspSpecificationWarning")]

PARTS = "\n\n---\n\n"


async def hover(client, uri: str, line: int, character: int) -> str | None:
    answer = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri=uri), types.Position(line=line, character=character))
    )
    if answer is None:
        return None
    assert answer.contents.kind == types.MarkupKind.Markdown
    return answer.contents.value


def explain(rule_id: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "policycheck", "explain", rule_id], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


async def test_hover_on_a_finding_is_its_rules_explain_text(client, workspace):
    uri = client.open(workspace / "coproduction.yaml")
    diagnostics = await client.wait_for(uri, version=1, where=lambda found: any(d.code == "REL002" for d in found))
    rel002 = next(d for d in diagnostics if d.code == "REL002")
    text = await hover(client, uri, rel002.range.start.line, rel002.range.start.character + 2)
    shown = text.split(PARTS)
    assert explain("REL002") in shown
    # every finding on that node is explained, once each
    on_node = {d.code for d in diagnostics if d.range.start == rel002.range.start}
    assert len(shown) == len(on_node) and all(explain(code) in shown for code in on_node)


async def test_hover_on_a_key_is_its_schema_description(client, workspace):
    path = workspace / "coproduction.yaml"
    uri = client.open(path)
    await client.wait_for(uri, version=1)
    lines = path.read_text(encoding="utf-8").splitlines()
    number = next(index for index, line in enumerate(lines) if line.strip().startswith("classification:"))
    text = await hover(client, uri, number, lines[number].index("classification") + 3)
    assert text.startswith("**Classification**\n\nHighest classification of the activity's information")
    assert "One of: `UNCLASSIFIED`, `CUI`, `CONFIDENTIAL`, `SECRET`, `TOP SECRET`" in text
    # the value beside it is no key, and carries no finding
    assert await hover(client, uri, number, len(lines[number]) - 1) is None


async def test_hover_describes_a_plugins_section(workspace):
    client = await start(workspace, "-p", "house_plugin")
    try:
        text = "schema: activity/v1\nx-house:\n  desk: EUR\n"
        uri = client.open(workspace / "house.yaml", text)
        await client.wait_for(uri, version=1)
        assert (await hover(client, uri, 1, 3)).startswith("**House section**\n\nThe fields our desk adds")
        # the plugin's rule flags the value, so its explanation comes first, then the key's description
        finding, key = (await hover(client, uri, 2, 3)).split(PARTS)
        assert finding.startswith("HSE001: Says hello on standard output")
        assert key == "**Desk**\n\nThe desk that owns the proposal.\n\nOne of: `EUR`, `INDOPACOM`"
    finally:
        await stop(client)


async def test_hover_on_a_key_of_a_half_typed_document(client, workspace):
    text = "schema: activity/v1\nreleasability:\n  rel_to: [USA\n  classification: SECRET\n  dissem\n"
    uri = client.open(workspace / "draft.yaml", text)
    [load001] = await client.wait_for(uri, version=1)
    assert load001.code == "LOAD001"
    described = await hover(client, uri, 3, 4)
    assert described is not None and described.startswith("**Classification**")
