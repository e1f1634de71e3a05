"""Configuration: `.policycheck.yaml` or `[tool.policycheck]`, found from the cwd upward."""

from __future__ import annotations

import difflib
import fnmatch
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable, Mapping

CONFIG_FILE = ".policycheck.yaml"
# A broken file or a crashing rule must never pass silently, whatever is selected.
ALWAYS_ON = frozenset({"LOAD001", "SCH001", "ERR001"})
OFF = "off"


class ConfigError(Exception):
    """Invalid configuration or usage (exit code 2)."""


@dataclass(frozen=True)
class Config:
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
    rules: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    per_file_ignores: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    reference: Mapping[str, Any] = field(default_factory=dict)
    max_file_size: int = 10 * 1024 * 1024

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
            if fnmatch.fnmatch(relative, pattern) or fnmatch.fnmatch(Path(file).name, pattern):
                found.extend(selectors)
        return tuple(found)

    def is_excluded(self, path: str) -> bool:
        relative = _relative(path, self.root)
        parts = Path(relative).parts
        return any(
            fnmatch.fnmatch(relative, pattern) or any(fnmatch.fnmatch(part, pattern) for part in parts)
            for pattern in self.exclude
        )

    def check_rule_ids(self, known: Iterable[str]) -> None:
        """Every id, prefix and parameter in the configuration must exist (exit 2 otherwise)."""
        known = sorted(known)
        for where, selectors in (
            ("select", self.select),
            ("extend_select", self.extend_select),
            ("ignore", self.ignore),
            *((f"per_file_ignores[{pattern!r}]", sel) for pattern, sel in self.per_file_ignores.items()),
        ):
            for selector in selectors:
                if not any(rule_id.startswith(selector) for rule_id in known):
                    raise ConfigError(f"{where}: no rule matches '{selector}'{_did_you_mean(selector, known)}")
        for rule_id in self.rules:
            if rule_id not in known:
                raise ConfigError(f"rules: unknown rule id '{rule_id}'{_did_you_mean(rule_id, known)}")

    def check_params(self, defaults: Mapping[str, Mapping[str, Any]]) -> None:
        for rule_id, settings in self.rules.items():
            allowed = sorted(defaults.get(rule_id, {}))
            for name in settings:
                if name != "level" and name not in allowed:
                    options = ", ".join(allowed) or "none"
                    raise ConfigError(
                        f"rules.{rule_id}: unknown parameter '{name}'{_did_you_mean(name, allowed)} (parameters: {options})"
                    )


def _longest(rule_id: str, selectors: Iterable[str]) -> int:
    return max((len(selector) for selector in selectors if rule_id.startswith(selector)), default=-1)


def _relative(path: str, root: str) -> str:
    try:
        return Path(os.path.relpath(path, root)).as_posix()
    except ValueError:  # another drive on Windows
        return Path(path).as_posix()


def _did_you_mean(word: str, candidates: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(candidates), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


def discover(start: Path) -> Path | None:
    """The nearest `.policycheck.yaml`, or pyproject.toml with [tool.policycheck], upward."""
    for folder in (start, *start.parents):
        candidate = folder / CONFIG_FILE
        if candidate.is_file():
            return candidate
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and _pyproject_section(pyproject) is not None:
            return pyproject
    return None


def _pyproject_section(path: Path) -> dict | None:
    import tomllib

    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle).get("tool", {}).get("policycheck")
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{path}: cannot read TOML: {error}") from None


def read(path: Path) -> Config:
    """Read and validate one configuration file."""
    positions: Mapping = {}
    if path.name == "pyproject.toml":
        raw = _pyproject_section(path) or {}
    else:
        from .load import LoadError, decode, parse

        try:
            loaded = parse(decode(path.read_bytes()))
        except OSError as error:
            raise ConfigError(f"{path}: cannot read: {error.strerror}") from None
        except LoadError as error:
            raise ConfigError(f"{path}:{error.line}:{error.column}: {error.message}") from None
        raw, positions = (loaded.data if loaded.data is not None else {}), loaded.positions
    _validate(raw, path, positions)
    return from_mapping(raw, source=str(path), root=str(path.parent))


def from_mapping(raw: Mapping[str, Any], source: str | None = None, root: str = ".") -> Config:
    def selectors(key: str) -> tuple[str, ...]:
        return tuple(raw.get(key, ()))

    packs = tuple(str(Path(root) / pack) for pack in raw.get("rule_packs", ()))
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
        max_file_size=raw.get("max_file_size", Config.max_file_size),
    )


def _validate(raw: Any, path: Path, positions: Mapping) -> None:
    from jsonschema import Draft202012Validator

    from .resources import load_schema

    schema = load_schema("config.schema.json")
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: the configuration must be a mapping of settings")
    error = next(iter(sorted(Draft202012Validator(schema).iter_errors(raw), key=lambda e: list(map(str, e.path)))), None)
    if error is None:
        return
    where = ".".join(str(part) for part in error.absolute_path) or "(top level)"
    line = positions.get(tuple(error.absolute_path), (None,))[0]
    location = f"{path}:{line}" if line else str(path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        known = list(error.schema.get("properties", {}))
        unknown = sorted(key for key in error.instance if key not in known)
        key = unknown[0] if unknown else "?"
        line = positions.get((*error.absolute_path, key), (None,))[0]
        location = f"{path}:{line}" if line else str(path)
        raise ConfigError(f"{location}: unknown key '{key}' in {where}{_did_you_mean(key, known)}")
    raise ConfigError(f"{location}: {where}: {error.message}")


def with_overrides(config: Config, **overrides: Any) -> Config:
    """Command-line values over the file: select replaces, ignore and extend-select add."""
    changes: dict[str, Any] = {}
    for key in ("select", "fail_on"):
        if overrides.get(key):
            changes[key] = overrides[key]
    for key in ("ignore", "extend_select", "plugins", "exclude"):
        if overrides.get(key):
            changes[key] = tuple(getattr(config, key)) + tuple(overrides[key])
    return replace(config, **changes)
