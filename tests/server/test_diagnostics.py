"""Diagnostics through a real client: the command line's findings for the buffer, as the author types."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from lsp_client import start, stop
from lsprotocol import types

# a waiver within the default governance (at most 365 days), whenever the suite runs
SOON = (date.today() + timedelta(days=180)).isoformat()

pytestmark = [pytest.mark.asyncio, pytest.mark.filterwarnings("error::pytest_lsp.LspSpecificationWarning")]

SEVERITY = {
    "fail": types.DiagnosticSeverity.Error,
    "warn": types.DiagnosticSeverity.Warning,
    "waived": types.DiagnosticSeverity.Hint,
}


def cli_findings(path, folder=None) -> list[dict]:
    """What `policycheck --format json` reports for `path`: checked alone, or in a run over `folder`."""
    result = subprocess.run(
        [sys.executable, "-m", "policycheck", str(folder or path), "--format", "json"],
        capture_output=True,
        text=True,
        cwd=folder or path.parent,
        timeout=120,
    )
    assert result.returncode in (0, 1, 3), result.stderr
    [checked] = [entry for entry in json.loads(result.stdout)["files"] if Path(entry["file"]).name == path.name]
    return checked["findings"]


def as_cli_would(diagnostic: types.Diagnostic) -> tuple:
    return (
        diagnostic.code,
        diagnostic.range.start.line + 1,
        diagnostic.range.start.character + 1,
        diagnostic.severity,
        diagnostic.message.split("\n")[0],
    )


def expected(finding: dict) -> tuple:
    message = finding["message"] + (f" [{finding['hint']}]" if finding["hint"] else "")
    return (finding["rule"], finding["line"], finding["column"], SEVERITY[finding["level"]], message)


async def shows(client, uri: str, findings: list[dict], version: int = 1) -> list[types.Diagnostic]:
    """The document's diagnostics once they are the command line's `findings` (the portfolio run may
    still be going when the document's own are first published); the difference if they never are."""
    wanted = [expected(finding) for finding in findings]
    try:
        return await client.wait_for(uri, version, where=lambda found: [as_cli_would(d) for d in found] == wanted)
    except TimeoutError:
        assert [as_cli_would(d) for d in client.latest(uri).diagnostics] == wanted
        raise


async def test_an_opened_document_gets_the_findings_the_command_line_gives(client, workspace):
    path = workspace / "coproduction.yaml"
    cli = cli_findings(path)
    assert {"REL001", "REL002", "REL009"} <= {finding["rule"] for finding in cli}
    diagnostics = await shows(client, client.open(path), cli)
    rel002 = next(diagnostic for diagnostic in diagnostics if diagnostic.code == "REL002")
    assert rel002.source == "policycheck"
    assert rel002.code_description.href.endswith("rules.md#rel002")
    assert rel002.data == {"rule": "REL002", "pointer": "/releasability/dissemination/0", "level": "fail"}
    # the range starts at the node and covers the rest of its line
    line = path.read_text(encoding="utf-8").splitlines()[rel002.range.start.line]
    assert line[rel002.range.start.character : rel002.range.end.character] == "NOFORN, REL TO]"


async def test_the_unsaved_text_is_checked_after_an_edit(client, workspace):
    path = workspace / "coproduction.yaml"
    on_disk = path.read_bytes()
    uri = client.open(path)
    await client.wait_for(uri, version=1, where=lambda found: any(d.code == "REL001" for d in found))
    lines = on_disk.decode("utf-8").splitlines()
    number = next(index for index, line in enumerate(lines) if "[NOFORN, REL TO]" in line)
    # the author deletes NOFORN, as REL001 says, as an editor sends it: the buffer no longer contradicts itself
    start = lines[number].index("NOFORN")
    version = client.edit(uri, number, start, start + len("NOFORN, "), "")
    lines[number] = lines[number].replace("NOFORN, ", "")
    edited = workspace / "edited" / "coproduction.yaml"
    edited.parent.mkdir()
    edited.write_text("\n".join(lines) + "\n", encoding="utf-8")
    diagnostics = await shows(client, uri, cli_findings(edited), version)
    assert not {"REL001", "REL002"} & {diagnostic.code for diagnostic in diagnostics}
    assert path.read_bytes() == on_disk  # the server never writes the document


async def test_rapid_edits_are_checked_once_after_the_debounce(workspace):
    # a debounce far longer than the client takes to send four edits: only the last is checked
    client = await start(workspace, "--debounce", "3000")
    try:
        path = workspace / "coproduction.yaml"
        uri = client.open(path)
        await client.wait_for(uri, version=1)
        before = len(client.published)
        for letter in "abcd":
            version = client.edit(uri, 0, 0, 0, f"# {letter}\n")
        await client.wait_for(uri, version=version)
        assert [params.version for params in client.published[before:] if params.uri == uri] == [version]
    finally:
        await stop(client)


async def test_a_save_checks_the_document_again(client, workspace):
    uri = client.open(workspace / "coproduction.yaml")
    await client.wait_for(uri, version=1)
    before = len(client.published)
    client.save(uri)
    again = await client.publication_after(before, uri)
    assert {d.code for d in again.diagnostics} >= {"REL001", "REL002"}


async def test_the_configuration_is_found_from_the_documents_folder(client, workspace):
    """Not from the server's working folder: each document by the configuration above it."""
    strict = workspace / "strict"
    strict.mkdir()
    (strict / ".policycheck.yaml").write_text("select: [REL001]\n", encoding="utf-8")
    # its own id: PRT001 runs whatever is selected (issue 15), and the folder holds both copies
    copy = (
        (workspace / "coproduction.yaml").read_text(encoding="utf-8").replace("AUS-2026-GWEO-GMLRS", "AUS-2026-STRICT")
    )
    (strict / "coproduction.yaml").write_text(copy, encoding="utf-8")
    governed = await client.wait_for(client.open(strict / "coproduction.yaml"), version=1)
    everything = await client.wait_for(client.open(workspace / "coproduction.yaml"), version=1)
    assert {d.code for d in governed} == {"REL001"}
    assert {"REL001", "REL002", "REL009"} <= {d.code for d in everything}
    assert [as_cli_would(d) for d in governed] == [expected(f) for f in cli_findings(strict / "coproduction.yaml")]


async def test_an_edited_configuration_applies_once_saved(client, workspace):
    config = workspace / ".policycheck.yaml"
    uri = client.open(workspace / "coproduction.yaml")
    assert "REL002" in {d.code for d in await client.wait_for(uri, version=1)}
    config.write_text("ignore: [REL002]\n", encoding="utf-8")
    client.open(config)
    client.save(config.as_uri())
    diagnostics = await client.wait_for(uri, where=lambda found: "REL002" not in {d.code for d in found})
    assert "REL001" in {d.code for d in diagnostics}
    assert list(client.latest(config.as_uri()).diagnostics) == []  # the configuration is no activity


async def test_a_broken_configuration_is_one_diagnostic_naming_its_line(client, workspace):
    (workspace / ".policycheck.yaml").write_text("select: [REL001]\nselct: [DAT001]\n", encoding="utf-8")
    [diagnostic] = await client.wait_for(client.open(workspace / "coproduction.yaml"), version=1)
    assert diagnostic.severity == types.DiagnosticSeverity.Error
    assert ".policycheck.yaml:2" in diagnostic.message and "unknown key 'selct'" in diagnostic.message
    assert diagnostic.code is None and diagnostic.data is None


async def test_waived_findings_are_hints_with_their_justification(client, workspace):
    text = (workspace / "coproduction.yaml").read_text(encoding="utf-8")
    waiver = (
        "waivers:\n"
        "  - rule: REL009\n"
        "    justification: the licence is being issued under the co-production MOU\n"
        "    approved_by: J5 foreign disclosure office\n"
        f"    expires: '{SOON}'\n"
    )
    path = workspace / "waived.yaml"
    path.write_text(text.replace("id: AUS-2026-GWEO-GMLRS", "id: AUS-2026-GWEO-WAIVED") + waiver, encoding="utf-8")
    # checked with its neighbour, as `policycheck FOLDER` checks it: the two pursue the same objective (PRT002)
    cli = cli_findings(path, workspace)
    assert "PRT002" in {finding["rule"] for finding in cli}
    diagnostics = await shows(client, client.open(path), cli)
    [rel009] = [d for d in diagnostics if d.code == "REL009"]
    assert rel009.severity == types.DiagnosticSeverity.Hint
    assert rel009.message.endswith(
        f"waived until {SOON} by J5 foreign disclosure office: the licence is being issued under the co-production MOU"
    )
    assert rel009.data["level"] == "waived"


async def test_a_crashing_rule_is_one_diagnostic_and_the_server_goes_on(workspace):
    client = await start(workspace, "-p", "crashing_plugin")
    try:
        path = workspace / "coproduction.yaml"
        uri = client.open(path)
        diagnostics = await client.wait_for(uri, version=1)
        [crash] = [d for d in diagnostics if d.code == "ERR001"]
        assert "rule TST901 crashed: RuntimeError: boom" in crash.message
        assert crash.severity == types.DiagnosticSeverity.Error
        assert "TST902" in {d.code for d in diagnostics}  # every other rule still ran
        version = client.edit(uri, 0, 0, 0, "# edited\n")
        again = await client.wait_for(uri, version=version)
        assert [d.code for d in again].count("ERR001") == 1
    finally:
        await stop(client)


async def test_a_half_typed_document_gets_load001_at_its_line(client, workspace):
    uri = client.open(
        workspace / "draft.yaml",
        "schema: activity/v1\nid: ALB-2027-NDS-01\npartner:\n  country: ALB\n  sumary\n  category: x\n",
    )
    [diagnostic] = await client.wait_for(uri, version=1)
    assert diagnostic.code == "LOAD001" and diagnostic.severity == types.DiagnosticSeverity.Error
    assert diagnostic.range.start.line in (4, 5)  # where libyaml notices the missing colon
    assert diagnostic.message.startswith("YAML syntax error")


@pytest.mark.parametrize(
    "name, text, code, line",
    [
        ("huge-value.yaml", "schema: activity/v1\nsummary: " + "x" * (5 * 1024 * 1024) + "\n", "SCH001", None),
        ("control-characters.yaml", "schema: activity/v1\ntitle: a\x07b\x1b[31m\n", "LOAD001", 1),
        (
            "alias-bomb.yaml",
            "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
            + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(8)),
            "LOAD001",
            None,
        ),
    ],
    ids=["5-MB-value", "control-characters", "alias-bomb"],
)
async def test_a_hostile_document_gets_a_bounded_diagnostic_and_the_server_answers_on(
    client, workspace, name, text, code, line
):
    uri = client.open(workspace / name, text)
    diagnostics = await client.wait_for(uri, version=1)
    assert code in {d.code for d in diagnostics}
    assert all(len(d.message) < 2000 for d in diagnostics)  # nothing of the 5 MB comes back
    if line is not None:
        assert next(d for d in diagnostics if d.code == code).range.start.line == line
    # still answering: the next document is checked as usual
    other = client.open(workspace / "coproduction.yaml")
    assert "REL002" in {d.code for d in await client.wait_for(other, version=1)}


async def test_documents_the_command_line_would_not_check_get_no_diagnostics(client, workspace):
    hidden = workspace / ".github" / "workflows"
    hidden.mkdir(parents=True)
    (hidden / "ci.yml").write_text("on: push\njobs: {}\n", encoding="utf-8")
    (workspace / ".policycheck.yaml").write_text("exclude: [drafts]\n", encoding="utf-8")
    (workspace / "drafts").mkdir()
    (workspace / "drafts" / "idea.yaml").write_text("title: later\n", encoding="utf-8")
    for path in (hidden / "ci.yml", workspace / "drafts" / "idea.yaml", workspace / ".policycheck.yaml"):
        assert await client.wait_for(client.open(path), version=1) == []
    assert await client.wait_for(client.open(workspace / "coproduction.yaml"), version=1) != []


async def test_closing_a_document_clears_its_diagnostics(client, workspace):
    uri = client.open(workspace / "coproduction.yaml")
    await client.wait_for(uri, version=1, where=bool)
    client.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri=uri)))
    assert await client.wait_for(uri, where=lambda found: not found) == []
