"""The server's checking half: the command line's own stages, for an editor's buffer or a workspace folder.

A buffer is checked as `policycheck -` checks standard input: a `Source` holding the
unsaved bytes, through `parallel.check_sources` and `finish.finish`, with the
configuration found upward from the document's folder (not the server's). Portfolio
rules need every activity of a run: `Portfolio` checks the workspace folder as
`policycheck FOLDER` would, open documents by their buffers, and keeps the portfolio
findings of each file for the server to show beside the buffer's own.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

from .. import cache, policy
from ..config import Config
from ..config_file import CONFIG_FILE, check, discover
from ..discover import SUFFIXES, Source
from ..discover import discover as discover_sources
from ..engine import Engine
from ..errors import UsageError
from ..findings import FileResult, Finding
from ..finish import finish
from ..parallel import check_sources
from ..records import Record
from ..results import Results
from ..validate import effective_schema

# Seconds after the last change before an edited buffer is checked: typing does not queue a check per key.
DEBOUNCE_SECONDS = 0.15
# Configurations kept built at once: a workspace has one or a few; each holds its rules and schemas.
KEPT_SETTINGS = 8


class ServerOptions(Record):
    """`policycheck server`'s options: the plugin and configuration options of `policycheck check`."""

    plugin_modules: tuple[str, ...] = ()
    no_plugins: bool = False
    strict_plugins: bool = False
    config_file: str | None = None
    no_config: bool = False
    debounce: float = DEBOUNCE_SECONDS


class Setting:
    """One configuration's registry and engine, built once for every document it governs.

    `problem` is the configuration's error when it could not be used: its documents
    get that one diagnostic, and hover and completion use the built-in configuration.
    """

    __slots__ = ("config", "registry", "engine", "problem", "_schema")

    def __init__(self, engine: Engine, problem: str | None = None) -> None:
        self.engine, self.problem = engine, problem
        self.config, self.registry = engine.config, engine.registry
        self._schema: dict[str, Any] | None = None

    @property
    def schema(self) -> dict[str, Any]:
        """The effective activity schema, with plugins' sections (as `policycheck schema` prints it)."""
        if self._schema is None:
            self._schema = effective_schema(self.engine.reference, self.registry.schema_fragments)
        return self._schema

    @property
    def portfolio_rules(self) -> frozenset[str]:
        return frozenset(rule.id for rule in self.engine.enabled if rule.kind == "portfolio")


class Policies:
    """The setting for each folder, rebuilt when its configuration file changes or the day turns."""

    def __init__(self, options: ServerOptions) -> None:
        self.options = options
        self._settings: dict[tuple, Setting] = {}
        self._fallback_engine: Engine | None = None

    def _build(self, config: Config, no_plugins: bool = False) -> Engine:
        """The engine for `config`, checked as `policycheck check` checks it before a run (a UsageError if not)."""
        options = self.options
        run_policy, registry = policy.load(
            config, options.plugin_modules, no_plugins or options.no_plugins, options.strict_plugins
        )
        check(config, config.unknown_rules(registry.rules))
        check(config, config.bad_parameters(registry.parameter_defaults(), registry.parameter_specs()))
        return Engine(registry, run_policy)

    def setting(self, folder: str | None) -> Setting:
        """The setting for documents in `folder` (None: a document with no folder, such as an unsaved new one).

        A broken configuration is a `Setting` with its `problem`.
        """
        options = self.options
        try:
            path = None if options.no_config else (options.config_file or (discover(folder) if folder else None))
            stamp = cache.stamp(path) if path and os.path.isfile(path) else None
        except UsageError as error:  # a pyproject.toml that is not TOML, on the way up
            return Setting(self._fallback(), str(error))
        key = (path, stamp, date.today())
        if key not in self._settings:
            try:
                setting = Setting(self._build(policy.read_config(path, False) if path else Config()))
            except UsageError as error:
                setting = Setting(self._fallback(), str(error))
            if len(self._settings) >= KEPT_SETTINGS:
                self._settings.pop(next(iter(self._settings)))
            self._settings[key] = setting
        return self._settings[key]

    def _fallback(self) -> Engine:
        """The engine hover and completion use while a configuration is broken: built-in settings."""
        if self._fallback_engine is None:
            try:
                self._fallback_engine = self._build(Config())
            except UsageError:  # a plugin that cannot load under --strict-plugins
                self._fallback_engine = self._build(Config(), no_plugins=True)
        return self._fallback_engine


def is_activity(path: str, folders: list[str], setting: Setting) -> bool:
    """Whether the server checks a document: what `policycheck FOLDER` would check of its workspace folder.

    A YAML file outside hidden folders and `exclude`, and not a configuration file;
    a document outside every workspace folder is checked as a file named on the
    command line is.
    """
    if not path.endswith(SUFFIXES) or os.path.basename(path) == CONFIG_FILE:
        return False
    for folder in folders:
        relative = os.path.relpath(path, folder)
        if relative.startswith(os.pardir):
            continue
        parts = relative.split(os.sep)
        return not any(part.startswith(".") for part in parts[:-1]) and not setting.config.is_excluded(path)
    return True


def check_document(setting: Setting, path: str, text: str) -> FileResult:
    """A buffer's finished result, as `policycheck -` gives it for the same bytes under the name `path`."""
    # surrogatepass: a lone surrogate an editor sent becomes bytes the loader reports, not a crash here
    source = Source(path, text.encode("utf-8", "surrogatepass"))
    checked = check_sources(setting.engine, [source], jobs=1)
    return finish(setting.engine, checked).results[0]


def _is_portfolio_finding(finding: Finding, portfolio_rules: frozenset[str], waived: Mapping[str, str]) -> bool:
    """A finding only a whole portfolio decides: a portfolio rule's, its crash, or an unused waiver of one."""
    if finding.rule_id in portfolio_rules:
        return True
    if finding.rule_id == "WVR002":
        return waived.get(finding.pointer) in portfolio_rules
    if finding.rule_id == "ERR001":
        return any(finding.message.startswith(f"rule {rule_id} crashed") for rule_id in portfolio_rules)
    return False


def _waived_rules(result: FileResult) -> dict[str, str]:
    return {f"/waivers/{waiver.index}": waiver.rule for waiver in result.waivers}


def portfolio_part(result: FileResult, portfolio_rules: frozenset[str]) -> list[Finding]:
    """The findings of a finished result that the portfolio decides."""
    waived = _waived_rules(result)
    return [finding for finding in result.findings if _is_portfolio_finding(finding, portfolio_rules, waived)]


def merged(own: FileResult, portfolio: list[Finding] | None, setting: Setting) -> list[Finding]:
    """A buffer's findings, its portfolio ones taken from the last workspace run when there is one.

    The workspace run judges by the workspace folder's configuration; a rule the
    document's own configuration turns off stays off.
    """
    if portfolio is None:
        return list(own.findings)
    waived = _waived_rules(own)
    kept = [finding for finding in own.findings if not _is_portfolio_finding(finding, setting.portfolio_rules, waived)]
    enabled = setting.engine.enabled_ids
    return sorted([*kept, *(finding for finding in portfolio if finding.rule_id in enabled)], key=Finding.sort_key)


def _checked(engine: Engine, source: Source) -> FileResult:
    """One source's checked result with what portfolio rules collected from it (`Results` keeps that apart)."""
    checked = check_sources(engine, [source], jobs=1)
    result = checked[0]
    result.collected = {rule_id: items[0].value for rule_id, items in checked.collected.items()}
    return result


def _copy(result: FileResult) -> FileResult:
    """A checked result to keep: finishing changes the one it finishes."""
    findings, outcomes = list(result.findings), dict(result.outcomes)
    return FileResult(
        result.file, result.activity_id, result.banner, findings, outcomes, result.collected, result.waivers
    )


class Portfolio:
    """One workspace folder checked as `policycheck FOLDER` checks it, for its portfolio findings.

    Files on disk are checked again only when they change (their stamp); open
    documents are checked from their buffers every run.
    """

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self.findings: dict[str, list[Finding]] = {}  # normalised path -> its portfolio findings
        self.covering: frozenset[str] = frozenset()  # the files of the run going on, or of the last one
        self._checked: dict[str, tuple[tuple, FileResult]] = {}
        self._engine: Engine | None = None

    def run(self, setting: Setting, buffers: Mapping[str, str]) -> Iterator[None]:
        """Check every activity (yielding after each, so the server can answer in between), then finish them."""
        engine = setting.engine
        if engine is not self._engine:  # another configuration: nothing checked before still holds
            self._checked, self._engine = {}, engine
        try:
            sources = discover_sources([self.folder], setting.config.is_excluded)
        except UsageError:  # the folder is gone
            sources = []
        self.covering = frozenset(os.path.normpath(source.path) for source in sources)
        checked = Results()
        for source in sources:
            path = os.path.normpath(source.path)
            text = buffers.get(path)
            if text is not None:
                result = _checked(engine, Source(source.path, text.encode("utf-8", "surrogatepass")))
            else:
                result = self._from_disk(engine, source.path, path)
            checked.append(_copy(result))
            yield
        portfolio_rules = setting.portfolio_rules
        finished = finish(engine, checked)
        self.findings = {
            os.path.normpath(result.file): portfolio_part(result, portfolio_rules) for result in finished.results
        }

    def _from_disk(self, engine: Engine, file: str, path: str) -> FileResult:
        try:
            stamp = cache.stamp(file)
        except OSError:
            stamp = None
        known = self._checked.get(path)
        if known is not None and stamp is not None and known[0] == stamp:
            return known[1]
        result = _checked(engine, Source(file))
        if stamp is not None:
            self._checked[path] = (stamp, _copy(result))
        return result
