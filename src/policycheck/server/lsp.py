"""`policycheck server`: the Language Server Protocol over stdio, through pygls and lsprotocol.

Diagnostics come from `checking` (the command line's own stages, on the unsaved
buffer): when a document opens or is saved at once, while it is edited
`debounce` seconds after the last change. Portfolio rules run over each workspace
folder at start, after every save and when a file new to them opens, as a
background task that yields to requests between files; their findings join each
open document's own.
Hover explains a finding's rule (`policycheck explain`) or describes a key from
the effective schema; completion offers keys, values, codes and threat ids;
code actions offer a rule's fix (preferred when safe) and a waiver for a finding.
"""

from __future__ import annotations

import asyncio
import os
import re
import sys
from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.uris import from_fs_path, to_fs_path

from .. import __version__, catalogue, resources, startup
from ..findings import FAIL, WAIVED, FileResult, Finding
from ..load import LoadError, Loaded, parse
from ..quoting import bounded
from . import actions, suggest
from .checking import Policies, Portfolio, ServerOptions, Setting, check_document, is_activity, merged
from .locate import KEY, context_at, key_at, outline

SOURCE = "policycheck"
_SEVERITY = {FAIL: types.DiagnosticSeverity.Error, WAIVED: types.DiagnosticSeverity.Hint}
_COMPLETION_KINDS = {
    "key": types.CompletionItemKind.Property,
    "value": types.CompletionItemKind.EnumMember,
    "country": types.CompletionItemKind.Value,
    "tetragraph": types.CompletionItemKind.Value,
    "threat": types.CompletionItemKind.Reference,
    "rule": types.CompletionItemKind.Reference,
}
# saving one of these changes the configuration of the documents below it
_CONFIG_FILES = (".policycheck.yaml", "pyproject.toml")


class _Protocol(LanguageServerProtocol):
    """pygls 2.1's protocol, without its leak: a notification handled by a built-in (didOpen,
    didChange, didSave...) leaves its finished Future in `_request_futures` for good, about
    2 KiB per edit (8 MiB over 4,000 edits, benchmarks/server.py); this drops each one once done."""

    def _handle_notification(self, method_name: str, params: Any) -> None:
        before = set(self._request_futures)
        super()._handle_notification(method_name, params)
        for key in set(self._request_futures) - before:
            self._request_futures[key].add_done_callback(lambda done, key=key: self._request_futures.pop(key, None))


class PolicyServer(LanguageServer):
    """The server's state: the settings per folder, what each open document shows, the portfolio runs."""

    def __init__(self, options: ServerOptions) -> None:
        super().__init__(
            "policycheck",
            __version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            protocol_cls=_Protocol,
        )
        self.options = options
        self.policies = Policies(options)
        self.portfolios: dict[str, Portfolio] = {}
        self.open: set[str] = set()
        self._own: dict[str, tuple[FileResult, Setting]] = {}  # uri -> the buffer's last result
        self._shown: dict[str, list[tuple[types.Range, Finding]]] = {}  # uri -> findings at their ranges (code points)
        self._parsed: dict[str, tuple[int | None, Loaded | None]] = {}  # uri -> (version, the buffer parsed)
        self._pending: dict[str, asyncio.TimerHandle] = {}
        self._portfolio_runs: dict[str, asyncio.Task] = {}
        self._rules_page: tuple[str, frozenset[str]] | None = None

    # -- documents and their settings

    def folders(self) -> list[str]:
        """The workspace folders, or the root the client named when it has no folders."""
        paths = [to_fs_path(folder.uri) for folder in self.workspace.folders.values()]
        if not paths and self.workspace.root_path:
            paths = [self.workspace.root_path]
        return [os.path.normpath(path) for path in paths if path]

    def path_of(self, uri: str) -> tuple[str, str | None]:
        """A document's file name for findings, and the folder its configuration is found from."""
        path = to_fs_path(uri)
        if path is None:  # not a file (an unsaved new document): no folder, no configuration file
            return unquote(uri), None
        path = os.path.normpath(path)
        return path, os.path.dirname(path)

    def setting_of(self, uri: str) -> Setting:
        return self.policies.setting(self.path_of(uri)[1])

    def parsed(self, uri: str) -> Loaded | None:
        """The buffer as the loader reads it, or None when it does not parse (kept per version)."""
        document = self.workspace.get_text_document(uri)
        known = self._parsed.get(uri)
        if known is not None and known[0] == document.version:
            return known[1]
        try:
            loaded = parse(document.source, self.setting_of(uri).engine.limits)
        except LoadError:
            loaded = None
        self._parsed[uri] = (document.version, loaded)
        return loaded

    # -- diagnostics

    def schedule(self, uri: str, delay: float) -> None:
        """Check a document after `delay` seconds, replacing a check already waiting (the debounce)."""
        waiting = self._pending.pop(uri, None)
        if waiting is not None:
            waiting.cancel()
        self._pending[uri] = asyncio.get_running_loop().call_later(delay, self.check, uri)

    def close(self, uri: str) -> None:
        """Forget a closed document, and clear what it showed."""
        self.open.discard(uri)
        waiting = self._pending.pop(uri, None)
        if waiting is not None:
            waiting.cancel()
        for state in (self._own, self._shown, self._parsed):
            state.pop(uri, None)
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    def check(self, uri: str) -> None:
        self._pending.pop(uri, None)
        if uri not in self.open:
            return
        document = self.workspace.get_text_document(uri)
        path, folder = self.path_of(uri)
        setting = self.policies.setting(folder)
        if not is_activity(path, self.folders(), setting):
            self._own.pop(uri, None)
        elif setting.problem:
            self._own[uri] = (_problem(path, setting.problem), setting)
        else:
            try:
                result = check_document(setting, path, document.source)
            except Exception as error:  # a bug past the engine's own guards: one diagnostic, and the server goes on
                result = _problem(path, f"internal error while checking this document: {type(error).__name__}: {error}")
            self._own[uri] = (result, setting)
        self.publish(uri)

    def publish(self, uri: str) -> None:
        """Send a document's findings: its buffer's own, and its portfolio findings from the last workspace run."""
        document = self.workspace.get_text_document(uri)
        own = self._own.get(uri)
        shown: list[tuple[types.Range, Finding]] = []
        diagnostics = []
        if own is not None:
            result, setting = own
            path = self.path_of(uri)[0]
            portfolio = None
            if not setting.problem:  # a document with a broken configuration shows that alone
                portfolio = next((run.findings[path] for run in self.portfolios.values() if path in run.findings), None)
            lines = document.lines
            codec = self.workspace.position_codec
            for finding in merged(result, portfolio, setting):
                where = _range(finding, lines)
                shown.append((where, finding))
                diagnostics.append(self.diagnostic(finding, codec.range_to_client_units(lines, where), setting))
        self._shown[uri] = shown
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=document.version)
        )

    def diagnostic(self, finding: Finding, where: types.Range, setting: Setting) -> types.Diagnostic:
        message = finding.message + (f" [{finding.hint}]" if finding.hint else "")
        if finding.waiver is not None:
            waiver = finding.waiver
            message += f"\nwaived until {waiver.expires} by {waiver.approved_by}: {waiver.justification}"
        rule = setting.registry.rules.get(finding.rule_id)
        href = self.rule_docs(rule) if rule is not None else None
        return types.Diagnostic(
            range=where,
            message=message,
            severity=_SEVERITY.get(finding.level, types.DiagnosticSeverity.Warning),
            code=finding.rule_id or None,
            code_description=types.CodeDescription(href=href) if href else None,
            source=SOURCE,
            data=_data(finding) if rule else None,
        )

    def rule_docs(self, rule) -> str | None:
        """A rule's documentation: its own `help_uri`, else its section of the rule catalogue (docs/rules.md)."""
        if rule.help_uri:
            return rule.help_uri
        if self._rules_page is None:
            try:
                page = os.path.join(resources.resource_dir("docs"), "rules.md")
                with open(page, encoding="utf-8") as handle:
                    documented = frozenset(re.findall(r"^### ([A-Z]{2,5}[0-9]{3})$", handle.read(), re.MULTILINE))
                self._rules_page = (from_fs_path(page) or "", documented)
            except OSError:  # installed without its documentation: the code alone says which rule
                self._rules_page = ("", frozenset())
        page, documented = self._rules_page
        return f"{page}#{rule.id.lower()}" if page and rule.id in documented else None

    # -- portfolio rules

    def in_portfolio(self, folder: str, path: str) -> bool:
        """Whether the folder's portfolio run going on, or its last one, covers this file."""
        known = self.portfolios.get(folder)
        return known is not None and path in known.covering

    def run_portfolio(self, folder: str) -> None:
        """Check the folder's portfolio in the background, replacing a run still going."""
        running = self._portfolio_runs.get(folder)
        if running is not None and not running.done():
            running.cancel()
        self._portfolio_runs[folder] = asyncio.ensure_future(self._portfolio(folder))

    async def _portfolio(self, folder: str) -> None:
        setting = self.policies.setting(folder)
        if setting.problem:
            return
        portfolio = self.portfolios.setdefault(folder, Portfolio(folder))
        buffers = {}
        for uri in self.open:
            path, _ = self.path_of(uri)
            buffers[path] = self.workspace.get_text_document(uri).source
        loop = asyncio.get_running_loop()
        started = loop.time()
        files = 0
        try:
            for _ in portfolio.run(setting, buffers):
                files += 1
                await asyncio.sleep(0)  # let requests and edits in between files
        except Exception as error:  # never a dead server: the documents keep their own findings
            self.log(f"portfolio run over {folder} failed: {type(error).__name__}: {error}")
            return
        self.log(f"portfolio rules: {files} activities in {folder} checked in {loop.time() - started:.2f} s")
        for uri in sorted(self.open):
            if uri in self._own and self.path_of(uri)[0].startswith(folder + os.sep):
                self.publish(uri)

    def log(self, message: str) -> None:
        self.window_log_message(types.LogMessageParams(type=types.MessageType.Log, message=message))

    # -- hover, completion, code actions

    def hover(self, uri: str, position: types.Position) -> types.Hover | None:
        document = self.workspace.get_text_document(uri)
        lines = document.lines
        at = self.workspace.position_codec.position_from_client_units(lines, position)
        setting = self.setting_of(uri)
        parts: list[str] = []
        explained = set()
        for where, finding in self._shown.get(uri, ()):
            rule = setting.registry.rules.get(finding.rule_id)
            if rule is None or rule.id in explained or not _contains(where, at.line, at.character):
                continue
            explained.add(rule.id)
            parts.append(explain(setting, rule))
        loaded = self.parsed(uri)
        path = key_at(list(lines), at.line, at.character, loaded.positions if loaded is not None else None)
        if path is not None:
            description = suggest.describe(setting.schema, path)
            if description:
                parts.append(description)
        if not parts:
            return None
        return types.Hover(
            contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value="\n\n---\n\n".join(parts))
        )

    def complete(self, uri: str, position: types.Position) -> types.CompletionList:
        document = self.workspace.get_text_document(uri)
        lines = list(document.lines)
        codec = self.workspace.position_codec
        at = codec.position_from_client_units(lines, position)
        context = context_at(lines, at.line, at.character)
        setting = self.setting_of(uri)
        schema = setting.schema
        loaded = self.parsed(uri)
        if context.role == KEY or suggest.is_mapping(schema, context.path):
            found = suggest.keys(schema, context.path, _present_keys(lines, loaded, context.path))
        else:
            threats = _threat_ids(lines, loaded)
            found = suggest.values(schema, context.path, setting.engine.reference, threats, setting.registry.rules)
        replaced = codec.range_to_client_units(
            lines,
            types.Range(
                start=types.Position(line=at.line, character=context.start),
                end=types.Position(line=at.line, character=at.character),
            ),
        )
        items = [
            types.CompletionItem(
                label=item.label,
                kind=_COMPLETION_KINDS[item.kind],
                detail=item.detail or None,
                documentation=item.documentation or None,
                filter_text=item.label,
                text_edit=types.TextEdit(range=replaced, new_text=item.insert or item.label),
            )
            for item in found
        ]
        return types.CompletionList(is_incomplete=False, items=items)

    def code_actions(self, uri: str, diagnostics: Iterable[types.Diagnostic]) -> list[types.CodeAction]:
        document = self.workspace.get_text_document(uri)
        text = document.source
        found: list[types.CodeAction] = []
        offered = set()
        for diagnostic in diagnostics:
            data = diagnostic.data
            if diagnostic.source != SOURCE or not isinstance(data, dict) or not data.get("rule"):
                continue
            rule_id, pointer, level = data["rule"], str(data.get("pointer", "")), str(data.get("level", ""))
            for fix in actions.rule_fixes(data, text):
                found.append(self._action(fix.title, uri, fix.edits, diagnostic, document, preferred=fix.safe))
            if (rule_id, pointer) in offered or not actions.can_waive(rule_id, level):
                continue
            edit = actions.add_waiver(text, rule_id, pointer)
            if edit is not None:
                offered.add((rule_id, pointer))
                where = f" at {pointer}" if pointer else " in this document"
                found.append(self._action(f"Add a waiver for {rule_id}{where}", uri, [edit], diagnostic, document))
        return found

    def _action(self, title, uri, edits, diagnostic, document, preferred: bool = False) -> types.CodeAction:
        lines = document.lines
        codec = self.workspace.position_codec
        text_edits = [
            types.TextEdit(
                range=codec.range_to_client_units(
                    lines,
                    types.Range(
                        start=types.Position(line=edit.start_line, character=edit.start_column),
                        end=types.Position(line=edit.end_line, character=edit.end_column),
                    ),
                ),
                new_text=edit.text,
            )
            for edit in edits
        ]
        return types.CodeAction(
            title=title,
            kind=types.CodeActionKind.QuickFix,
            diagnostics=[diagnostic],
            edit=types.WorkspaceEdit(changes={uri: text_edits}),
            is_preferred=True if preferred else None,
        )


def _data(finding: Finding) -> dict[str, Any]:
    """What a diagnostic keeps for its code actions: the finding's rule, node and level, and its fix."""
    data: dict[str, Any] = {"rule": finding.rule_id, "pointer": finding.pointer, "level": finding.level}
    fix = actions.fix_data(finding)
    if fix is not None:
        data["fix"] = fix
    return data


def explain(setting: Setting, rule) -> str:
    """A rule's hover: the text `policycheck explain ID` prints."""
    plugin = setting.registry.rule_plugin.get(rule.id, "?")
    head = f"{rule.id}: {rule.title}\n\n{catalogue.header(rule, plugin)}"
    return head + "\n" + catalogue.explain(rule, plugin, setting.registry.parameter_defaults()[rule.id])


def _problem(path: str, message: str) -> FileResult:
    """A document that cannot be checked (its configuration is broken): one finding that says why."""
    hint = "fix it, save it, and the documents it governs are checked again"
    return FileResult(file=path, findings=[Finding("", FAIL, bounded(message), path, hint=hint)])


def _range(finding: Finding, lines) -> types.Range:
    """A finding's range in code points: from its node to the end of that line's text."""
    line = min(max(finding.line - 1, 0), max(len(lines) - 1, 0))
    text = lines[line].rstrip("\r\n") if lines else ""
    column = min(max(finding.column - 1, 0), len(text))
    end = max(len(text.rstrip()), column + 1 if column < len(text) else column)
    return types.Range(start=types.Position(line=line, character=column), end=types.Position(line=line, character=end))


def _contains(where: types.Range, line: int, column: int) -> bool:
    return where.start.line <= line <= where.end.line and where.start.character <= column <= where.end.character


def _present_keys(lines: list[str], loaded: Loaded | None, path: tuple) -> set[str]:
    """The keys the mapping at `path` already has (offered no more)."""
    nodes, _ = outline(lines)
    present = {node.path[-1] for node in nodes if node.kind == KEY and node.path[:-1] == path}
    if loaded is not None:
        present |= {p[-1] for p in loaded.positions if len(p) == len(path) + 1 and p[:-1] == path}
    return {key for key in present if isinstance(key, str)}


def _threat_ids(lines: list[str], loaded: Loaded | None) -> list[str]:
    """The ids of the document's own threats, from the data or, in a half-typed document, from the text."""
    if loaded is not None and isinstance(loaded.data, dict) and isinstance(loaded.data.get("threats"), list):
        found = [item.get("id") for item in loaded.data["threats"] if isinstance(item, dict)]
        return [threat for threat in found if isinstance(threat, str)]
    nodes, _ = outline(lines)
    found = []
    for node in nodes:
        if len(node.path) == 3 and node.path[0] == "threats" and node.path[2] == "id" and node.value:
            value = node.value.split(" #")[0].strip().strip("\"'")
            if value:
                found.append(value)
    return found


def build(options: ServerOptions) -> PolicyServer:
    """The server with every feature registered."""
    server = PolicyServer(options)

    @server.feature(types.INITIALIZED)
    def initialized(ls: PolicyServer, params: types.InitializedParams) -> None:
        for folder in ls.folders():
            ls.run_portfolio(folder)

    @server.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
    def folders_changed(ls: PolicyServer, params: types.DidChangeWorkspaceFoldersParams) -> None:
        for folder in params.event.added:
            path = to_fs_path(folder.uri)
            if path:
                ls.run_portfolio(os.path.normpath(path))

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: PolicyServer, params: types.DidOpenTextDocumentParams) -> None:
        uri = params.text_document.uri
        ls.open.add(uri)
        ls.schedule(uri, 0)
        path, _ = ls.path_of(uri)
        folders = ls.folders()
        if not is_activity(path, folders, ls.setting_of(uri)):
            return
        for folder in folders:
            if path.startswith(folder + os.sep) and not ls.in_portfolio(folder, path):
                ls.run_portfolio(folder)  # a file the last run did not see (new since): the portfolio changed

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: PolicyServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, ls.options.debounce)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: PolicyServer, params: types.DidSaveTextDocumentParams) -> None:
        uri = params.text_document.uri
        path, _ = ls.path_of(uri)
        configuration = os.path.basename(path) in _CONFIG_FILES
        for other in sorted(ls.open) if configuration else [uri]:
            ls.schedule(other, 0)
        for folder in ls.folders():
            if path.startswith(folder + os.sep):
                ls.run_portfolio(folder)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: PolicyServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.close(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: PolicyServer, params: types.HoverParams) -> types.Hover | None:
        return ls.hover(params.text_document.uri, params.position)

    @server.feature(types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(trigger_characters=[" ", "[", ",", "-"]))
    def completion(ls: PolicyServer, params: types.CompletionParams) -> types.CompletionList:
        return ls.complete(params.text_document.uri, params.position)

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix])
    )
    def code_action(ls: PolicyServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        return ls.code_actions(params.text_document.uri, params.context.diagnostics)

    return server


def serve(options: ServerOptions) -> None:
    """Run the server on standard input and output until the client says exit."""
    # The protocol owns the real standard output; anything else that prints (a
    # plugin, a subprocess it starts) goes to standard error, the client's log.
    protocol_out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    server = build(options)
    startup.resume_collection()  # the server is built: what follows is per-document work
    server.start_io(sys.stdin.buffer, protocol_out)
