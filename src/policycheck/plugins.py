"""The plugin manager and the registry of everything plugins contribute."""

from __future__ import annotations

import importlib
import os
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

import pluggy

from . import entry_points, hookspecs
from .errors import UsageError
from .hints import close_matches
from .reference import Reference
from .report import OutputFormat
from .resources import load_schema
from .rule import Rule
from .rule_packs import load_pack
from .validate import SCHEMAS

if TYPE_CHECKING:
    from pathlib import Path

PROJECT = "policycheck"
HOOK_PREFIX = PROJECT + "_"
ENTRY_POINT_GROUP = "policycheck"

# Built-in plugins, registered in this order before any third-party plugin.
BUILTIN_PLUGINS = (
    "policycheck.builtin.core",
    "policycheck.builtin.threat",
    "policycheck.builtin.measurable",
    "policycheck.builtin.releasability",
    "policycheck.builtin.interoperability",
    "policycheck.builtin.governance",  # the Leahy and notification checks that need dates (issue 18)
    "policycheck.builtin.packs",
    "policycheck.report.builtin",
)


class PluginError(UsageError):
    """A plugin cannot be loaded or contradicts another one (exit code 2)."""


class PluginInfo(NamedTuple):
    """One loaded (or failed) plugin, for `policycheck plugins` and error reports."""

    name: str
    module: str
    distribution: str | None = None
    version: str | None = None
    error: str | None = None


class Registry:
    """Rules, formats, schema fragments and reference data from every plugin."""

    __slots__ = ("manager", "plugins", "rules", "rule_plugin", "formats", "format_plugin",
                 "schema_fragments", "schema_plugin", "rule_defaults", "reference_extras")  # fmt: skip

    def __init__(self, manager: pluggy.PluginManager, plugins: list[PluginInfo]) -> None:
        self.manager, self.plugins = manager, plugins
        # filled by _collect, in load order; *_plugin maps each key to the plugin that gave it
        self.rules: dict[str, Rule] = {}
        self.rule_plugin: dict[str, str] = {}
        self.formats: dict[str, "OutputFormat"] = {}
        self.format_plugin: dict[str, str] = {}
        self.schema_fragments: dict[str, Mapping[str, Any]] = {}
        self.schema_plugin: dict[str, str] = {}
        self.rule_defaults: dict[str, dict[str, Any]] = {}
        self.reference_extras: list[Mapping[str, Any]] = []

    @property
    def failed(self) -> list[PluginInfo]:
        return [plugin for plugin in self.plugins if plugin.error]

    def parameter_defaults(self) -> dict[str, dict[str, Any]]:
        """Each rule's parameters: its own defaults, then plugins' `policycheck_rule_defaults`."""
        return {
            rule_id: {**rule.parameters, **self.rule_defaults.get(rule_id, {})} for rule_id, rule in self.rules.items()
        }

    def reference(self, config_extra: Mapping[str, Any] | None = None) -> Reference:
        return Reference([*self.reference_extras, *([config_extra] if config_extra else [])])


class _PluginManager(pluggy.PluginManager):
    def parse_hookimpl_opts(self, plugin: Any, name: str) -> Any:
        # As pytest does with `pytest_`: only `policycheck_` names can be hooks, so the
        # rest of a plugin module is not inspected (the built-ins have ~250 names).
        return super().parse_hookimpl_opts(plugin, name) if name.startswith(HOOK_PREFIX) else None


def _impl_results(hook, kind: type | tuple[type, ...] = object, what: str = "") -> Iterable[tuple[str, Any]]:
    """(plugin name, result) per implementation, in load order.

    Each implementation is called on its own, not through `hook()`, so that
    every result is known by the plugin that gave it (for clash messages).
    That is also why wrappers are refused: every hook merges all results.
    """
    for impl in hook.get_hookimpls():
        name = impl.plugin_name
        if impl.wrapper or impl.hookwrapper:
            raise PluginError(
                f"plugin '{name}': {hook.name} cannot be a wrapper; every implementation's result is merged"
            )
        try:
            result = impl.function()
        except Exception as error:  # the plugin's bug, reported as such rather than as a traceback
            raise PluginError(f"plugin '{name}' failed in {hook.name}(): {type(error).__name__}: {error}") from None
        if result and not isinstance(result, kind):
            raise PluginError(f"plugin '{name}': {hook.name}() must return {what}, not {type(result).__name__}")
        if result:
            yield name, result


def _register_module(manager: pluggy.PluginManager, module: Any, name: str) -> bool:
    """Register a plugin; False when it is already registered (e.g. both installed and named with -p)."""
    if manager.is_registered(module) or manager.has_plugin(name):
        return False
    try:
        manager.register(module, name=name)
    except pluggy.PluginValidationError as error:  # e.g. a hook implementation with an unknown argument
        # pluggy's message spans lines: "... for hook 'X'", the definition, then the reason
        lines = str(error).splitlines()
        hook = re.search(r"for hook '(\w+)'", lines[0])
        raise PluginError(f"plugin '{name}': {hook.group(1) + ': ' if hook else ''}{lines[-1]}") from None
    return True


def _check_hook_names(manager: pluggy.PluginManager) -> None:
    """A misspelt hook (`policycheck_rule`) would otherwise be silently never called."""
    known = [name for name in dir(hookspecs) if name.startswith(HOOK_PREFIX)]
    for name, caller in sorted(vars(manager.hook).items()):
        if name.startswith("_") or caller.has_spec():
            continue
        for impl in caller.get_hookimpls():
            close = close_matches(name, known)
            hint = f"; did you mean '{close[0]}'?" if close else f" (hooks: {', '.join(known)})"
            raise PluginError(f"plugin '{impl.plugin_name}' implements unknown hook '{name}'{hint}")


def load_registry(
    modules: Iterable[str] = (),
    entry_points: bool = True,
    strict: bool = False,
    rule_packs: Iterable[str | Path] = (),
) -> Registry:
    """Build the plugin manager and collect what every plugin registers.

    Built-ins first, then entry points sorted by name, then `modules` (from `-p`
    and configuration) in the order given. A broken entry point is recorded and
    skipped unless `strict`; a module named explicitly must import.
    """
    manager = _PluginManager(PROJECT)
    manager.add_hookspecs(hookspecs)
    plugins: list[PluginInfo] = []
    for name in BUILTIN_PLUGINS:
        _register_module(manager, importlib.import_module(name), name)
        plugins.append(PluginInfo(name=name, module=name, distribution=PROJECT))
    if entry_points:
        plugins.extend(_load_entry_points(manager, strict))
    for name in modules:
        try:
            module = importlib.import_module(name)
        except Exception as error:  # any import-time failure is the plugin's, not ours
            raise PluginError(f"cannot import plugin module '{name}': {type(error).__name__}: {error}") from None
        if _register_module(manager, module, name):
            plugins.append(PluginInfo(name=name, module=name))
    _check_hook_names(manager)
    registry = Registry(manager=manager, plugins=plugins)
    _collect(registry, rule_packs)
    return registry


def _load_entry_points(manager: pluggy.PluginManager, strict: bool) -> list[PluginInfo]:
    found = entry_points.find(ENTRY_POINT_GROUP)
    loaded = []
    for entry in sorted(found, key=lambda ep: (ep.name, ep.value)):
        dist = getattr(entry, "dist", None)
        info = dict(
            name=entry.name,
            module=entry.value,
            distribution=dist.name if dist else None,
            version=dist.version if dist else None,
        )
        try:
            plugin = entry.load()
        except Exception as error:
            message = f"{type(error).__name__}: {error}"
            if strict:
                raise PluginError(f"plugin '{entry.name}' ({entry.value}) failed to load: {message}") from None
            loaded.append(PluginInfo(**info, error=message))
            continue
        registered = manager.get_plugin(entry.name)
        if registered is not None and registered is not plugin:
            first = next((p for p in loaded if p.name == entry.name), None)
            where = f"{first.distribution} ({first.module})" if first else "a built-in plugin"
            raise PluginError(
                f"plugin name '{entry.name}' is used by both {where} and {info['distribution']} ({entry.value})"
            )
        if _register_module(manager, plugin, entry.name):
            loaded.append(PluginInfo(**info))
    return loaded


def _claim(owners: dict[str, str], key: str, plugin: str, what: str) -> None:
    if key in owners and owners[key] != plugin:
        raise PluginError(f"{what} '{key}' is registered by both '{owners[key]}' and '{plugin}'")
    owners[key] = plugin


def _builtin_sections() -> set[str]:
    # the sections of every format version are built in (issue 18)
    return {key for name in SCHEMAS.values() for key in load_schema(name).get("properties", {})}


def _collect(registry: Registry, extra_packs: Iterable[str | Path]) -> None:
    hook = registry.manager.hook
    rules: list[tuple[str, Rule]] = []
    for plugin, result in _impl_results(hook.policycheck_rules, (list, tuple), "a list of Rule"):
        rules.extend((plugin, item) for item in result)
    packs = [
        (plugin, path)
        for plugin, result in _impl_results(hook.policycheck_rule_packs, (list, tuple), "a list of paths")
        for path in result
    ]
    packs.extend(("config", path) for path in extra_packs)
    for plugin, path in packs:
        rules.extend((f"{plugin}:{os.path.basename(path)}", item) for item in load_pack(path))
    for plugin, item in rules:
        if not isinstance(item, Rule):
            raise PluginError(f"plugin '{plugin}' registered {item!r}, which is not a policycheck Rule")
        _claim(registry.rule_plugin, item.id, plugin, "rule id")
        registry.rules[item.id] = item
    registry.rules = dict(sorted(registry.rules.items()))
    for plugin, result in _impl_results(hook.policycheck_output_formats, Mapping, "a mapping"):
        for name, output_format in result.items():
            if not isinstance(output_format, OutputFormat):
                raise PluginError(
                    f"plugin '{plugin}': output format '{name}' must be a policycheck.report.OutputFormat"
                )
            _claim(registry.format_plugin, name, plugin, "output format")
            registry.formats[name] = output_format
    for plugin, result in _impl_results(hook.policycheck_schema_fragments, Mapping, "a mapping"):
        for key, fragment in result.items():
            if not isinstance(fragment, Mapping):
                raise PluginError(
                    f"plugin '{plugin}': the schema fragment for '{key}' must be a mapping (a JSON Schema)"
                )
            if key in _builtin_sections():
                raise PluginError(
                    f"plugin '{plugin}': '{key}' is a built-in section of the activity schema; use an 'x-' key or a "
                    "new name"
                )
            _claim(registry.schema_plugin, key, plugin, "schema section")
            registry.schema_fragments[key] = fragment
    for _plugin, result in _impl_results(hook.policycheck_rule_defaults, Mapping, "a mapping"):
        for rule_id, params in result.items():
            registry.rule_defaults.setdefault(rule_id, {}).update(params)
    registry.reference_extras = [
        result for _plugin, result in _impl_results(hook.policycheck_reference_data, Mapping, "a mapping")
    ]
