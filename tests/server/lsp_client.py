"""A real LSP client (pytest-lsp's) driving `python -m policycheck server` over its stdio.

Every notification the server publishes is recorded as it arrives, so a test waits
for the one it expects (`wait_for`, with a timeout) instead of sleeping: nothing
here depends on how fast the machine is.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable
from pathlib import Path

from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
PLUGIN_MODULES = [ROOT / "tests" / "plugin_modules", Path(__file__).resolve().parent]
# long enough for any machine to answer, short enough that a broken server fails the test, not the run
TIMEOUT = 60


class RecordingClient(LanguageClient):
    """pytest-lsp's client, keeping every publishDiagnostics in order and waking whoever waits for one."""

    def __init__(self) -> None:
        super().__init__(converter_factory=default_converter)
        self.published: list[types.PublishDiagnosticsParams] = []
        self.changed = asyncio.Event()
        self.versions: dict[str, int] = {}

    def latest(self, uri: str) -> types.PublishDiagnosticsParams | None:
        return next((params for params in reversed(self.published) if params.uri == uri), None)

    async def wait_for(
        self, uri: str, version: int | None = None, where: Callable[[list[types.Diagnostic]], bool] = lambda d: True
    ) -> list[types.Diagnostic]:
        """The diagnostics of `uri` once its latest publication is for `version` and satisfies `where`."""

        async def until() -> list[types.Diagnostic]:
            while True:
                latest = self.latest(uri)
                if latest is not None and (version is None or latest.version == version):
                    if where(list(latest.diagnostics)):
                        return list(latest.diagnostics)
                self.changed.clear()
                await self.changed.wait()

        return await asyncio.wait_for(until(), TIMEOUT)

    async def publication_after(self, count: int, uri: str) -> types.PublishDiagnosticsParams:
        """The first publication for `uri` after the first `count` publications of the session."""

        async def until() -> types.PublishDiagnosticsParams:
            while True:
                for params in self.published[count:]:
                    if params.uri == uri:
                        return params
                self.changed.clear()
                await self.changed.wait()

        return await asyncio.wait_for(until(), TIMEOUT)

    def open(self, path: Path, text: str | None = None) -> str:
        uri = path.as_uri()
        self.versions[uri] = 1
        text = path.read_text(encoding="utf-8") if text is None else text
        self.text_document_did_open(
            types.DidOpenTextDocumentParams(types.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=text))
        )
        return uri

    def replace(self, uri: str, text: str) -> int:
        """Send the whole new text as one change; the document's new version."""
        self.versions[uri] += 1
        self.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=self.versions[uri]),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )
        return self.versions[uri]

    def edit(self, uri: str, line: int, start: int, end: int, text: str) -> int:
        """An incremental change of one line's characters `start:end`, as editors send while typing."""
        self.versions[uri] += 1
        where = types.Range(types.Position(line, start), types.Position(line, end))
        self.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=self.versions[uri]),
                content_changes=[types.TextDocumentContentChangePartial(range=where, text=text)],
            )
        )
        return self.versions[uri]

    def save(self, uri: str) -> None:
        self.text_document_did_save(types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(uri=uri)))


def _recording_client() -> RecordingClient:
    client = RecordingClient()

    def publish(client: RecordingClient, params: types.PublishDiagnosticsParams) -> None:
        client.diagnostics[params.uri] = params.diagnostics
        client.published.append(params)
        client.changed.set()

    register_lsp_features(client, {**DEFAULT_CLIENT_FEATURES, types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS: publish})
    return client


async def start(workspace: Path | None, *arguments: str) -> RecordingClient:
    """A server process with these options, initialized as VS Code initializes it, with `workspace` open."""
    client = _recording_client()
    # the environment now, with the test session's own cache folder (tests/conftest.py)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(map(str, PLUGIN_MODULES))}
    await client.start_io(sys.executable, "-m", "policycheck", "server", *arguments, env=env)
    folders = [types.WorkspaceFolder(uri=workspace.as_uri(), name=workspace.name)] if workspace else None
    await client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            root_uri=workspace.as_uri() if workspace else None,
            workspace_folders=folders,
        )
    )
    return client


async def stop(client: RecordingClient) -> None:
    await client.shutdown_session()
    await client.stop()
