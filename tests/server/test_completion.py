"""Completion through a real client: keys from the schema at the cursor, enum values, country codes
and tetragraphs with their names, the document's own threat ids; in parsed and half-typed documents."""

from __future__ import annotations

import pytest
from lsp_client import start, stop
from lsprotocol import types

pytestmark = [pytest.mark.asyncio, pytest.mark.filterwarnings("error::pytest_lsp.LspSpecificationWarning")]


async def complete(client, workspace, text: str, name: str = "draft.yaml") -> dict[str, types.CompletionItem]:
    """Completion at the end of `text` (the cursor after its last character), by label."""
    uri = client.open(workspace / name, text)
    lines = text.split("\n")
    answer = await client.text_document_completion_async(
        types.CompletionParams(
            types.TextDocumentIdentifier(uri=uri), types.Position(line=len(lines) - 1, character=len(lines[-1]))
        )
    )
    items = answer.items if isinstance(answer, types.CompletionList) else answer
    return {item.label: item for item in items}


def replaced(item: types.CompletionItem, text: str) -> str:
    """The last line of `text` once the item is accepted."""
    line = text.split("\n")[-1]
    edit = item.text_edit
    return line[: edit.range.start.character] + edit.new_text + line[edit.range.end.character :]


async def test_top_level_keys_in_a_half_typed_document(client, workspace):
    text = "schema: activity/v1\nid: ALB-2027-NDS-01\nsu"
    items = await complete(client, workspace, text)
    assert "summary" in items and "partner" in items
    assert "schema" not in items and "id" not in items  # already there
    assert items["summary"].detail == "Summary" and items["summary"].kind == types.CompletionItemKind.Property
    assert items["partner"].detail == "Partner (required)"
    assert replaced(items["summary"], text) == "summary: "


async def test_keys_of_a_nested_mapping_in_a_list(client, workspace):
    text = "threats:\n  - id: THR-1\n    "
    items = await complete(client, workspace, text)
    assert set(items) == {"description", "actor", "source"}  # a threat's keys, but for its id


async def test_country_codes_with_their_names(client, workspace):
    text = "partner:\n  country: Al"
    items = await complete(client, workspace, text)
    assert items["ALB"].detail == "Albania" and items["DZA"].detail == "Algeria"
    assert len(items) > 240  # every ISO 3166-1 code; the editor filters as the author types
    assert replaced(items["ALB"], text) == "  country: ALB"


async def test_rel_to_offers_trigraphs_and_tetragraphs_with_their_members(client, workspace):
    text = "releasability:\n  classification: SECRET\n  rel_to: [USA, FV"
    items = await complete(client, workspace, text)
    assert items["GBR"].detail == "United Kingdom"
    fvey = items["FVEY"]
    assert fvey.detail == "tetragraph: 5 countries"
    assert "Australia" in fvey.documentation and "New Zealand" in fvey.documentation
    assert replaced(fvey, text) == "  rel_to: [USA, FVEY"


async def test_enum_values_in_a_block_list(client, workspace):
    text = "releasability:\n  classification: SECRET\n  dissemination:\n    - REL"
    items = await complete(client, workspace, text)
    assert set(items) == {"NOFORN", "REL TO", "ORCON", "PROPIN"}
    assert replaced(items["REL TO"], text) == "    - REL TO"


async def test_an_enum_after_its_key(client, workspace):
    items = await complete(client, workspace, "releasability:\n  classification: ")
    assert set(items) == {"UNCLASSIFIED", "CUI", "CONFIDENTIAL", "SECRET", "TOP SECRET"}


async def test_threat_ids_come_from_the_documents_own_threats(client, workspace):
    text = (
        "threats:\n"
        "  - id: THR-CYBER\n"
        "    description: s\n"
        "  - id: 'THR-MARITIME'  # quoted\n"
        "objectives:\n"
        "  - id: OBJ-1\n"
        "    addresses_threats: [THR-CYBER, "
    )
    items = await complete(client, workspace, text)
    assert set(items) == {"THR-CYBER", "THR-MARITIME"}
    assert items["THR-MARITIME"].kind == types.CompletionItemKind.Reference
    block = text.rsplit("\n", 1)[0] + "\n    addresses_threats:\n      - THR"
    assert set(await complete(client, workspace, block, "block.yaml")) == {"THR-CYBER", "THR-MARITIME"}


async def test_a_waivers_rule_is_a_rule_id(client, workspace):
    items = await complete(client, workspace, "waivers:\n  - rule: REL00")
    assert items["REL002"].detail == "NOFORN on an activity carried out with the partner"
    assert "THR001" in items and items["REL002"].kind == types.CompletionItemKind.Reference


async def test_a_plugins_section_is_completed(workspace):
    client = await start(workspace, "-p", "house_plugin")
    try:
        assert "x-house" in await complete(client, workspace, "schema: activity/v1\nx-h")
        assert set(await complete(client, workspace, "x-house:\n  desk: ", "desk.yaml")) == {"EUR", "INDOPACOM"}
    finally:
        await stop(client)


async def test_no_completion_inside_text(client, workspace):
    assert await complete(client, workspace, "summary: |\n  We advise the ministry on ") == {}
