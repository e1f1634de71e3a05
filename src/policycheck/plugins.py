"""The plugin manager and the registry of everything plugins contribute."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterable, Mapping

from .entry_points import find as find_entry_points
from .errors import UsageError
from .config_file import where
from .hints import close_matches
from .hookimpl import IMPL_ATTRIBUTE
from .records import Record
from .reference import Reference
from .report import OutputFormat
from .resources import load_schema
from .rule import Rule
from .rule_packs import load_pack
from .validate import LATEST, SCHEMAS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any
    from pathlib import Path

    import pluggy

    from .config import Config

PROJECT = "policycheck"
HOOK_PREFIX = PROJECT + "_"
ENTRY_POINT_GROUP = "policycheck"

# `-p no:NAME` disables the installed plugin NAME, as in pytest
DISABLE = "no:"

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


class PluginInfo(Record):
    """One loaded (or failed) plugin, for `policycheck plugins` and error reports."""

    name: str
    module: str
    distribution: str | None = None
    version: str | None = None
    error: str | None = None


# hook name -> (plugin name, implementation, whether it is a wrapper) for each, in load order
Implementations = dict[str, list[tuple[str, Callable[[], "Any"], bool]]]


class Registry:
    """Rules, formats, schema fragments and reference data from every plugin."""

    __slots__ = ("plugins", "rules", "rule_plugin", "formats", "format_plugin", "schema_fragments",
                 "schema_plugin", "rule_defaults", "reference_extras", "reference_added", "_references")  # fmt: skip

    def __init__(self, plugins: list[PluginInfo]) -> None:
        self.plugins = plugins
        # filled by _collect, in load order; *_plugin maps each key to the plugin that gave it
        self.rules: dict[str, Rule] = {}
        self.rule_plugin: dict[str, str] = {}
        self.formats: dict[str, "OutputFormat"] = {}
        self.format_plugin: dict[str, str] = {}
        self.schema_fragments: dict[str, Mapping[str, Any]] = {}
        self.schema_plugin: dict[str, str] = {}
        self.rule_defaults: dict[str, dict[str, Any]] = {}
        self.reference_extras: list[Mapping[str, Any]] = []
        self.reference_added: dict[str, dict[str, list[str]]] = {}  # plugin -> kind -> keys or entries it added
        self._references: dict[str, Reference] = {}

    @property
    def failed(self) -> list[PluginInfo]:
        return [plugin for plugin in self.plugins if plugin.error]

    def parameter_defaults(self) -> dict[str, dict[str, Any]]:
        """Each rule's parameters: its own defaults, then plugins' `policycheck_rule_defaults`."""
        return {
            rule_id: {**rule.parameters, **self.rule_defaults.get(rule_id, {})} for rule_id, rule in self.rules.items()
        }

    def parameter_specs(self) -> dict[str, Mapping[str, Any]]:
        """Each rule's `Param`s (description, choices): what configuration's values are checked against."""
        return {rule_id: rule.parameter_specs for rule_id, rule in self.rules.items()}

    def reference(self, config_extra: Mapping[str, Any] | None = None) -> Reference:
        """The reference data: shipped, then plugins' in load order, then configuration's `reference:`."""
        key = repr(config_extra or {})  # the same one for the packs' checks at load and for the engine
        if key not in self._references:
            self._references[key] = Reference([*self.reference_extras, *([config_extra] if config_extra else [])])
        return self._references[key]


def _plugin_manager() -> pluggy.PluginManager:
    import pluggy  # with the inspect module it needs, a fifth of a cold start: only when a plugin is installed

    from . import hookspecs

    class PluginManager(pluggy.PluginManager):
        def parse_hookimpl_opts(self, plugin: Any, name: str) -> Any:
            # As pytest does with `pytest_`: only `policycheck_` names can be hooks, so the
            # rest of a plugin module is not inspected (the built-ins have ~250 names).
            return super().parse_hookimpl_opts(plugin, name) if name.startswith(HOOK_PREFIX) else None

    manager = PluginManager(PROJECT)
    manager.add_hookspecs(hookspecs)
    return manager


def _managed_implementations(manager: pluggy.PluginManager) -> Implementations:
    return {
        name: [(impl.plugin_name, impl.function, impl.wrapper or impl.hookwrapper) for impl in caller.get_hookimpls()]
        for name, caller in vars(manager.hook).items()
        if name.startswith(HOOK_PREFIX)
    }


def _builtin_implementations(modules: Iterable[tuple[str, Any]]) -> Implementations:
    """The built-in plugins' hooks, read from their `@hookimpl` marks as pluggy reads them: with no
    other plugin there is nothing for pluggy to order or check (tests/plugins/test_bare_registry.py)."""
    found: Implementations = {}
    for plugin, module in modules:
        for name in dir(module):
            function = getattr(module, name) if name.startswith(HOOK_PREFIX) else None
            options = getattr(function, IMPL_ATTRIBUTE, None)
            if isinstance(options, dict):
                wrapper = bool(options.get("wrapper") or options.get("hookwrapper"))
                found.setdefault(name, []).append((plugin, function, wrapper))
    return found


def _impl_results(
    implementations: Implementations, hook: str, kind: type | tuple[type, ...] = object, what: str = ""
) -> Iterable[tuple[str, Any]]:
    """(plugin name, result) per implementation of `hook`, in load order.

    Each implementation is called on its own, not through pluggy's hook caller,
    so that every result is known by the plugin that gave it (for clash messages).
    That is also why wrappers are refused: every hook merges all results.
    """
    for name, function, wrapper in implementations.get(hook, ()):
        if wrapper:
            raise PluginError(f"plugin '{name}': {hook} cannot be a wrapper; every implementation's result is merged")
        try:
            result = function()
        except Exception as error:  # the plugin's bug, reported as such rather than as a traceback
            raise PluginError(f"plugin '{name}' failed in {hook}(): {type(error).__name__}: {error}") from None
        if result and not isinstance(result, kind):
            raise PluginError(f"plugin '{name}': {hook}() must return {what}, not {type(result).__name__}")
        if result:
            yield name, result


def _register_module(manager: pluggy.PluginManager, module: Any, name: str) -> bool:
    """Register a plugin; False when it is already registered (e.g. both installed and named with -p)."""
    if manager.is_registered(module) or manager.has_plugin(name):
        return False
    from pluggy import PluginValidationError  # imported already, with the manager

    try:
        manager.register(module, name=name)
    except PluginValidationError as error:  # e.g. a hook implementation with an unknown argument
        # pluggy's message spans lines: "... for hook 'X'", the definition, then the reason
        lines = str(error).splitlines()
        hook = re.search(r"for hook '(\w+)'", lines[0])
        raise PluginError(f"plugin '{name}': {hook.group(1) + ': ' if hook else ''}{lines[-1]}") from None
    return True


def _check_hook_names(manager: pluggy.PluginManager) -> None:
    """A misspelt hook (`policycheck_rule`) would otherwise be silently never called."""
    from . import hookspecs

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
    reference: Mapping[str, Any] | None = None,
) -> Registry:
    """Build the plugin manager and collect what every plugin registers.

    Built-ins first, then entry points sorted by name, then `modules` (from `-p`
    and configuration) in the order given. A broken entry point is recorded and
    skipped unless `strict`; a module named explicitly must import. `no:NAME` among
    `modules` disables the installed plugin NAME (it is not even imported).
    `reference` is configuration's `reference:`, which rule packs may refer to.
    """
    modules = list(modules)
    disabled = {name[len(DISABLE) :] for name in modules if name.startswith(DISABLE)}
    modules = [name for name in modules if not name.startswith(DISABLE)]
    builtin = disabled & {*BUILTIN_PLUGINS, PROJECT}
    if builtin:
        raise PluginError(
            f"-p {DISABLE}{sorted(builtin)[0]}: the built-in plugins cannot be disabled; turn rules off with "
            "`ignore:` or --ignore"
        )
    builtins = [(name, _own_module(name)) for name in BUILTIN_PLUGINS]
    plugins = [PluginInfo(name=name, module=name, distribution=PROJECT) for name in BUILTIN_PLUGINS]
    installed = find_entry_points(ENTRY_POINT_GROUP) if entry_points else []
    if not installed and not modules:
        if entry_points:
            _check_disabled(disabled, installed)
        registry = Registry(plugins)
        _collect(registry, _builtin_implementations(builtins), rule_packs, reference or {})
        return registry
    import importlib  # only for plugin modules, as pluggy (a far larger import) is

    manager = _plugin_manager()
    for name, module in builtins:
        _register_module(manager, module, name)
    if entry_points:
        plugins.extend(_load_entry_points(manager, installed, strict, disabled))
    for name in modules:
        if name in disabled:
            continue
        try:
            module = importlib.import_module(name)
        except Exception as error:  # any import-time failure is the plugin's, not ours
            raise PluginError(f"cannot import plugin module '{name}': {type(error).__name__}: {error}") from None
        if _register_module(manager, module, name):
            plugins.append(PluginInfo(name=name, module=name))
    _check_hook_names(manager)
    registry = Registry(plugins)
    _collect(registry, _managed_implementations(manager), rule_packs, reference or {})
    return registry


def _own_module(name: str) -> Any:
    """A built-in plugin's module: importing importlib (with warnings) for import_module cost each start 1.6 M."""
    __import__(name)
    return sys.modules[name]


def _check_disabled(disabled: set[str], found: list[Any]) -> None:
    """`-p no:NAME` names an installed plugin."""
    unknown = disabled - {entry.name for entry in found}
    if unknown:
        name = sorted(unknown)[0]
        close = close_matches(name, [entry.name for entry in found])
        guess = f"did you mean '{close[0]}'? " if close else ""
        raise PluginError(
            f"-p {DISABLE}{name}: no installed plugin is named '{name}'; {guess}`policycheck plugins` lists them"
        )


def _load_entry_points(
    manager: pluggy.PluginManager, found: list[Any], strict: bool, disabled: set[str]
) -> list[PluginInfo]:
    _check_disabled(disabled, found)
    loaded = []
    for entry in sorted(found, key=lambda ep: (ep.name, ep.value)):
        if entry.name in disabled:
            continue  # not imported: disabling is how to run past a plugin that breaks at import
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


def _collect(
    registry: Registry,
    hooks: Implementations,
    extra_packs: Iterable[str | Path],
    config_reference: Mapping[str, Any],
) -> None:
    # reference data first: rule packs that refer to it are checked against it as they load
    extras = list(_impl_results(hooks, "policycheck_reference_data", Mapping, "a mapping"))
    if extras:  # most runs: no plugin adds any
        from .plugin_data import ReferenceOwners  # 0.5 M instructions of a 294 M start that has no plugin data

        owners = ReferenceOwners(Reference())
        for plugin, result in extras:
            owners.add(plugin, result)
            registry.reference_extras.append(result)
        registry.reference_added = {plugin: added for plugin, added in owners.added.items() if added}
    known_reference = registry.reference(config_reference)
    rules: list[tuple[str, Rule]] = []
    for plugin, result in _impl_results(hooks, "policycheck_rules", (list, tuple), "a list of Rule"):
        rules.extend((plugin, item) for item in result)
    packs = [
        (plugin, path)
        for plugin, result in _impl_results(hooks, "policycheck_rule_packs", (list, tuple), "a list of paths")
        for path in result
    ]
    packs.extend(("config", path) for path in extra_packs)
    for plugin, path in packs:
        rules.extend((f"{plugin}:{os.path.basename(path)}", item) for item in load_pack(path, known_reference))
    for plugin, item in rules:
        if not isinstance(item, Rule):
            raise PluginError(f"plugin '{plugin}' registered {item!r}, which is not a policycheck Rule")
        _claim(registry.rule_plugin, item.id, plugin, "rule id")
        registry.rules[item.id] = item
    registry.rules = dict(sorted(registry.rules.items()))
    for plugin, result in _impl_results(hooks, "policycheck_output_formats", Mapping, "a mapping"):
        for name, output_format in result.items():
            if not isinstance(output_format, OutputFormat):
                raise PluginError(
                    f"plugin '{plugin}': output format '{name}' must be a policycheck.report.OutputFormat"
                )
            _claim(registry.format_plugin, name, plugin, "output format")
            registry.formats[name] = output_format
    fragments = list(_impl_results(hooks, "policycheck_schema_fragments", Mapping, "a mapping"))
    if fragments:  # the built-ins give none
        from .plugin_data import check_fragment  # as above: only a plugin's section needs it

        shipped = load_schema(SCHEMAS[LATEST])  # $refs point into the latest version's definitions
        builtin = _builtin_sections()
    for plugin, result in fragments:
        for key, fragment in result.items():
            if not isinstance(fragment, Mapping):
                raise PluginError(
                    f"plugin '{plugin}': the schema fragment for '{key}' must be a mapping (a JSON Schema)"
                )
            if key in builtin:
                raise PluginError(
                    f"plugin '{plugin}': '{key}' is a built-in section of the activity schema; use an 'x-' key or a "
                    "new name"
                )
            _claim(registry.schema_plugin, key, plugin, "schema section")
            check_fragment(plugin, key, fragment, shipped)
            registry.schema_fragments[key] = fragment
    for plugin, result in _impl_results(hooks, "policycheck_rule_defaults", Mapping, "a mapping"):
        for rule_id, params in result.items():
            _check_defaults(plugin, registry.rules.get(rule_id), params)
            registry.rule_defaults.setdefault(rule_id, {}).update(params)


def _check_defaults(plugin: str, rule: Rule | None, params: Mapping[str, Any]) -> None:
    """A plugin's defaults keep to a parameter's declared choices, as configuration must."""
    for name, value in params.items() if rule is not None else ():
        spec = rule.parameter_specs.get(name)
        problem = spec.problem(value) if spec is not None else None
        if problem:
            raise PluginError(f"plugin '{plugin}': policycheck_rule_defaults() for {rule.id}.{name}: {problem}")


def check_failed_plugins(registry: Registry, config: "Config", flags: Mapping[str, Iterable[str]]) -> None:
    """A rule id or selector that matches no rule while an installed plugin failed to load: that plugin is the
    likely cause, so the error names it rather than guessing at another id ("did you mean 'PRT001'?")."""
    failed = registry.failed
    if not failed:
        return
    known = list(registry.rules)
    named = [(flag, selector) for flag, selectors in flags.items() for selector in selectors]
    for path, _problem in config.unknown_rules(known):
        if path[0] == "rules":
            if len(path) == 2:
                named.append((where(config, path), path[1]))
        else:
            selectors = config.per_file_ignores[path[1]] if path[0] == "per_file_ignores" else getattr(config, path[0])
            named.append((where(config, path), selectors[path[-1]]))
    for place, selector in named:
        if any(rule_id.startswith(selector) for rule_id in known):
            continue
        plugin, more = failed[0], f" (and {len(failed) - 1} more)" if len(failed) > 1 else ""
        raise PluginError(
            f"{place}: '{selector}' matches no rule, and plugin '{plugin.name}' ({plugin.module}){more} failed to "
            f"load: {plugin.error}. Fix or reinstall that plugin if it defines these rules, or disable it with "
            f"-p {DISABLE}{plugin.name}"
        )
