"""Portfolio rules through a real client: the workspace folder is checked as `policycheck FOLDER`
checks it, in the background, at start and after each save; open documents show its findings."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from lsp_client import EXAMPLES

# a waiver within the default governance (at most 365 days), whenever the suite runs
SOON = (date.today() + timedelta(days=180)).isoformat()

pytestmark = [pytest.mark.asyncio, pytest.mark.filterwarnings("error::pytest_lsp.LspSpecificationWarning")]


def codes(diagnostics) -> set[str]:
    return {d.code for d in diagnostics}


@pytest.fixture
def workspace(tmp_path):
    """Two activities with the same id, written before the server starts."""
    folder = tmp_path / "proposals"
    folder.mkdir()
    text = (EXAMPLES / "albania-nds-advisory.yaml").read_text(encoding="utf-8")
    (folder / "a.yaml").write_text(text, encoding="utf-8")
    (folder / "b.yaml").write_text(text.replace("Albania", "Albanian"), encoding="utf-8")
    return folder


async def test_a_duplicate_id_across_the_workspace_is_shown_and_gone_once_fixed_and_saved(client, workspace):
    uri = client.open(workspace / "b.yaml")
    diagnostics = await client.wait_for(uri, where=lambda found: "PRT001" in codes(found))
    prt001 = next(d for d in diagnostics if d.code == "PRT001")
    assert "is already used by" in prt001.message and "a.yaml" in prt001.message
    assert prt001.data["pointer"] == "/id"

    # the author renames a.yaml's id in the editor and saves it: b.yaml's finding goes
    first = workspace / "a.yaml"
    a_uri = client.open(first)
    await client.wait_for(a_uri, version=1)
    text = first.read_text(encoding="utf-8")
    renamed = text.replace("\nid: ALB-2026-GDRP-NDS-IMPL\n", "\nid: ALB-2026-GDRP-NDS-NEXT\n", 1)
    assert renamed != text
    client.replace(a_uri, renamed)
    first.write_text(renamed, encoding="utf-8")
    client.save(a_uri)
    assert "PRT001" not in codes(await client.wait_for(uri, where=lambda found: "PRT001" not in codes(found)))


async def test_a_waiver_of_a_portfolio_finding_is_judged_against_the_portfolio(client, workspace):
    # PRT001 is unwaivable by default (issue 15); this workspace's policy allows it
    (workspace / ".policycheck.yaml").write_text("waivers: {unwaivable: []}\n", encoding="utf-8")
    second = workspace / "b.yaml"
    second.write_text(
        second.read_text(encoding="utf-8")
        + "waivers:\n"
        + "  - rule: PRT001\n"
        + "    justification: b.yaml replaces a.yaml, which is being withdrawn\n"
        + "    approved_by: desk officer\n"
        + f"    expires: '{SOON}'\n",
        encoding="utf-8",
    )
    client.save(second.as_uri())  # a save anywhere in the folder runs the portfolio again
    uri = client.open(second)
    diagnostics = await client.wait_for(uri, where=lambda found: "PRT001" in codes(found))
    [prt001] = [d for d in diagnostics if d.code == "PRT001"]
    assert prt001.data["level"] == "waived" and "b.yaml replaces a.yaml" in prt001.message
    assert "WVR002" not in codes(diagnostics)  # the waiver excuses a finding the whole portfolio has
