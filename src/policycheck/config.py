"""Configuration as one record: the settings after merging the file and the command line.

`Config` says which rules run on which file, at which level, with which
parameters (ruff-style selection: the longest matching selector wins). Reading
and validating the files, and pointing at the line of a setting, is
`config_file`'s job.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable, Iterator, Mapping

from .errors import UsageError
from .hints import close_matches, did_you_mean, rule_id_hint, setting
from .records import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# What keeps the gate shut, whatever is selected: a file that cannot be read or validated,
# a duplicate id, a crashed rule, an expired waiver or one the policy does not allow.
ALWAYS_ON = frozenset({"LOAD001", "SCH001", "PRT001", "ERR001", "WVR001", "WVR003"})
_ALWAYS_ON_WHY = (
    "cannot be turned off or lowered: an unreadable, invalid or duplicate document, a crashed rule or an expired or"
    " refused waiver must never pass silently"
)
OFF = "off"
# hyphenated alias -> key, for every multi-word top-level key
ALIASES = {
    "extend-select": "extend_select",
    "fail-on": "fail_on",
    "per-file-ignores": "per_file_ignores",
    "rule-packs": "rule_packs",
    "max-file-size": "max_file_size",
    "require-schema": "require_schema",
}
# where the policy came from, for the effective-policy statement of every report
FROM_CHECKOUT, FROM_DEFAULTS, FROM_REVISION, ISOLATED = "checkout", "defaults", "trusted-ref", "isolated"


class ConfigError(UsageError):
    """Invalid configuration or usage (exit code 2)."""


# the default of the mapping settings: shared, so never written to (a mappingproxy
# would be safer but cannot be pickled to worker processes)
NO_SETTINGS: Mapping[str, Any] = {}
MAX_FILE_SIZE = 10 * 1024 * 1024


class Config(Record):
    """Settings after merging the file and the command line. Picklable."""

    source: str | None = None
    root: str = "."
    select: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    fail_on: str = "fail"
    exclude: tuple[str, ...] = ()
    plugins: tuple[str, ...] = ()
    rule_packs: tuple[str, ...] = ()
    rules: Mapping[str, Mapping[str, Any]] = NO_SETTINGS
    per_file_ignores: Mapping[str, tuple[str, ...]] = NO_SETTINGS
    reference: Mapping[str, Any] = NO_SETTINGS
    max_file_size: int = MAX_FILE_SIZE
    # `waivers:`: who may approve, for how long, what cannot be waived, what needs an authority
    waivers: Mapping[str, Any] = NO_SETTINGS
    # how the policy was found (FROM_*), and the trusted revision "REF (commit)" it was read at
    origin: str = FROM_DEFAULTS
    revision: str | None = None
    # --no-waivers: waivers are listed and judged but hide nothing
    audit_waivers: bool = False
    # the line of each setting in the file (keys as in `config_file.where`), for messages and reports
    lines: Mapping[tuple, int] = NO_SETTINGS
    # the oldest activity format accepted (`activity/v2`): older documents fail SCH001 (issue 18)
    require_schema: str | None = None

    def enabled(self, rule_id: str) -> bool:
        """ruff-style selection: the longest matching selector wins; ties go to ignore."""
        if rule_id in ALWAYS_ON:
            return True
        if self.rules.get(rule_id, {}).get("level") == OFF:
            return False
        selected = _longest(rule_id, self.select) if self.select else 0
        extended = _longest(rule_id, self.extend_select)
        best = max(selected, extended)
        return best >= 0 and best > _longest(rule_id, self.ignore)

    def level(self, rule_id: str) -> str | None:
        level = self.rules.get(rule_id, {}).get("level")
        return None if level in (None, OFF) else level

    def params(self, rule_id: str) -> dict[str, Any]:
        return {key: value for key, value in self.rules.get(rule_id, {}).items() if key != "level"}

    def ignored_for(self, file: str) -> tuple[str, ...]:
        """Selectors that `per_file_ignores` applies to this file."""
        if not self.per_file_ignores:
            return ()
        relative = _relative(file, self.root)
        found: list[str] = []
        for pattern, selectors in self.per_file_ignores.items():
            if fnmatch.fnmatch(relative, pattern) or fnmatch.fnmatch(os.path.basename(file), pattern):
                found.extend(selectors)
        return tuple(found)

    def ignores(self, rule_id: str, ignored: Iterable[str]) -> bool:
        """Whether `per_file_ignores` selectors (from `ignored_for`) skip a rule; never an always-on one."""
        return rule_id not in ALWAYS_ON and any(rule_id.startswith(selector) for selector in ignored)

    def is_excluded(self, path: str) -> bool:
        relative = _relative(path, self.root)
        parts = relative.split("/")
        return any(
            fnmatch.fnmatch(relative, pattern) or any(fnmatch.fnmatch(part, pattern) for part in parts)
            for pattern in self.exclude
        )

    def unknown_rules(self, known: Iterable[str]) -> Iterator[tuple[tuple, str]]:
        """(setting, what is wrong) for each id or prefix that matches no rule, or turns off an always-on one.

        `config_file.check` turns the first into an error naming the file and line;
        command-line selectors are checked by `check_selectors`.
        """
        known = sorted(known)
        lists = [
            ("select",),
            ("extend_select",),
            ("ignore",),
            *(("per_file_ignores", pattern) for pattern in self.per_file_ignores),
        ]
        for path in lists:
            selectors = self.per_file_ignores[path[1]] if len(path) == 2 else getattr(self, path[0])
            for index, selector in enumerate(selectors):
                if not _matches(selector, known):
                    yield (
                        (*path, index),
                        f"{setting(path)}: no rule matches '{selector}'{rule_id_hint(selector, known)}",
                    )
                if path[0] not in ("select", "extend_select") and selector in ALWAYS_ON:
                    yield (*path, index), f"{setting(path)}: {selector} {_ALWAYS_ON_WHY}"
        for rule_id, settings in self.rules.items():
            if rule_id not in known:
                yield ("rules", rule_id), f"rules: unknown rule id '{rule_id}'{rule_id_hint(rule_id, known)}"
            elif rule_id in ALWAYS_ON and settings.get("level") not in (None, "fail"):
                yield ("rules", rule_id, "level"), f"rules.{rule_id}: {rule_id} {_ALWAYS_ON_WHY}"

    def bad_parameters(
        self, defaults: Mapping[str, Mapping[str, Any]], specs: Mapping[str, Mapping[str, Any]] = NO_SETTINGS
    ) -> Iterator[tuple[tuple, str]]:
        """(setting, what is wrong) for each `rules: {ID: {name: value}}` that is neither `level` nor a
        parameter of the rule, has the wrong type, or is outside the `choices` its `Param` in `specs`
        declares: rules may trust their parameters."""
        for rule_id, settings in self.rules.items():
            allowed = sorted(defaults.get(rule_id, {}))
            for name, value in settings.items():
                if name == "level":
                    continue
                if name not in allowed:
                    close = close_matches(name, ["level", *allowed])
                    guess = f"; did you mean '{close[0]}'?" if close else ""
                    options = ", ".join(allowed) or "none"
                    yield (
                        ("rules", rule_id, name),
                        f"rules.{rule_id}: unknown parameter '{name}'{guess} (parameters: {options}; see `policycheck "
                        f"explain {rule_id}`)",
                    )
                    continue
                problem = _parameter_problem(value, defaults[rule_id][name])
                if problem:
                    yield ("rules", rule_id, name), f"rules.{rule_id}.{name} must be {problem}, not {value!r}"
                    continue
                choices = getattr(specs.get(rule_id, {}).get(name), "choices", None)
                for at, item in _outside(value, choices):
                    guess = did_you_mean(item, map(str, choices))
                    yield (
                        ("rules", rule_id, name, *at),
                        f"rules.{rule_id}.{name}: {item!r} is not one of: {', '.join(map(str, choices))}"
                        + (f"; {guess}" if guess else ""),
                    )
                    break


def _parameter_problem(value: Any, default: Any) -> str | None:
    """Why `value` cannot stand in for `default`, or None: rules may trust their parameters' types."""
    if default is None:
        return None
    if isinstance(default, bool):
        return None if isinstance(value, bool) else "true or false"
    if isinstance(default, (int, float)):
        whole = isinstance(default, int)
        if isinstance(value, bool) or not isinstance(value, int if whole else (int, float)):
            return "a whole number" if whole else "a number"
        # defaults that are counts, years or amounts (never negative) take no negative value
        if default >= 0 and value < 0:
            return f"{'a whole number' if whole else 'a number'} of 0 or more"
        return None
    for kind, words in ((str, "text"), ((list, tuple), "a list"), (Mapping, "a mapping")):
        if isinstance(default, kind):
            return None if isinstance(value, kind) else words
    return None


def _outside(value: Any, choices: Iterable[Any] | None) -> Iterator[tuple[tuple, Any]]:
    """(index path, item) of each value outside `choices` (each item, for a list)."""
    if choices is None:
        return
    allowed = list(choices)
    for index, item in enumerate(value) if isinstance(value, (list, tuple)) else [(None, value)]:
        if item not in allowed:
            yield (() if index is None else (index,)), item


def check_selectors(flags: Mapping[str, Iterable[str]], known: Iterable[str]) -> None:
    """Selectors given on the command line (`{"--select": [...]}`) must match a rule."""
    known = sorted(known)
    for flag, selectors in flags.items():
        for selector in selectors:
            if not _matches(selector, known):
                raise ConfigError(f"{flag}: no rule matches '{selector}'{rule_id_hint(selector, known)}")
            if flag == "--ignore" and selector in ALWAYS_ON:
                raise ConfigError(f"{flag}: {selector} {_ALWAYS_ON_WHY}")


def _matches(selector: str, known: Iterable[str]) -> bool:
    return any(rule_id.startswith(selector) for rule_id in known)


def _longest(rule_id: str, selectors: Iterable[str]) -> int:
    return max((len(selector) for selector in selectors if rule_id.startswith(selector)), default=-1)


def _relative(path: str, root: str) -> str:
    try:
        return os.path.relpath(path, root).replace(os.sep, "/")
    except ValueError:  # another drive on Windows
        return path.replace(os.sep, "/")


def from_mapping(raw: Mapping[str, Any], source: str | None = None, root: str = ".") -> Config:
    raw = {ALIASES.get(key, key): value for key, value in raw.items()}

    def selectors(key: str) -> tuple[str, ...]:
        return tuple(raw.get(key, ()))

    packs = tuple(os.path.join(root, pack) for pack in raw.get("rule_packs", ()))
    return Config(
        source=source,
        root=root,
        select=selectors("select"),
        extend_select=selectors("extend_select"),
        ignore=selectors("ignore"),
        fail_on=raw.get("fail_on", "fail"),
        exclude=tuple(raw.get("exclude", ())),
        plugins=tuple(raw.get("plugins", ())),
        rule_packs=packs,
        rules={rule_id: dict(settings) for rule_id, settings in raw.get("rules", {}).items()},
        per_file_ignores={glob: tuple(ids) for glob, ids in raw.get("per_file_ignores", {}).items()},
        reference=dict(raw.get("reference", {})),
        max_file_size=raw.get("max_file_size", MAX_FILE_SIZE),
        waivers=dict(raw.get("waivers", {})),
        origin=FROM_CHECKOUT if source else FROM_DEFAULTS,
        require_schema=raw.get("require_schema"),
    )


def with_overrides(config: Config, **overrides: Any) -> Config:
    """Command-line values over the file: select replaces, ignore and extend-select add."""
    changes: dict[str, Any] = {}
    for key in ("select", "fail_on"):
        if overrides.get(key):
            changes[key] = overrides[key]
    for key in ("ignore", "extend_select", "plugins", "exclude"):
        if overrides.get(key):
            changes[key] = tuple(getattr(config, key)) + tuple(overrides[key])
    if overrides.get("audit_waivers"):
        changes["audit_waivers"] = True
    return config._replace(**changes)
