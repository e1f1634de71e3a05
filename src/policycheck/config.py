"""Configuration: `.policycheck.yaml` or `[tool.policycheck]`, found from the cwd upward.

Keys are written in snake_case (`extend_select`, `per_file_ignores`); the
hyphenated spellings ruff users type (`extend-select`, `per-file-ignores`) are
accepted as aliases, and giving both spellings of one key is an error. In each
folder `.policycheck.yaml` wins over pyproject.toml; a pyproject.toml without
`[tool.policycheck]` is passed over. Command-line flags override the file:
`--select` and `--fail-on` replace, `--extend-select` and `--ignore` add.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from os import PathLike

CONFIG_FILE = ".policycheck.yaml"
# A broken file or a crashing rule must never pass silently, whatever is selected.
ALWAYS_ON = frozenset({"LOAD001", "SCH001", "ERR001"})
_ALWAYS_ON_WHY = (
    "cannot be turned off: a document that cannot be read or validated, or a crashed rule, must never pass silently"
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


class ConfigError(Exception):
    """Invalid configuration or usage (exit code 2)."""


# the default of the mapping settings: shared, so never written to (a mappingproxy
# would be safer but cannot be pickled to worker processes)
NO_SETTINGS: Mapping[str, Any] = {}
MAX_FILE_SIZE = 10 * 1024 * 1024


class Config(NamedTuple):
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

    def is_excluded(self, path: str) -> bool:
        relative = _relative(path, self.root)
        parts = relative.split("/")
        return any(
            fnmatch.fnmatch(relative, pattern) or any(fnmatch.fnmatch(part, pattern) for part in parts)
            for pattern in self.exclude
        )

    def check_rule_ids(self, known: Iterable[str]) -> None:
        """Every id and prefix in the configuration must match a rule (exit 2 otherwise).

        Errors name the file and line; check command-line selectors with `check_selectors`.
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
                    raise ConfigError(
                        f"{self.where((*path, index))}: {_dotted(path)}: no rule matches "
                        f"'{selector}'{_did_you_mean(selector, known, True)}"
                    )
                if path[0] not in ("select", "extend_select") and selector in ALWAYS_ON:
                    raise ConfigError(f"{self.where((*path, index))}: {_dotted(path)}: {selector} {_ALWAYS_ON_WHY}")
        for rule_id, settings in self.rules.items():
            if rule_id not in known:
                raise ConfigError(
                    f"{self.where(('rules', rule_id))}: rules: unknown rule id "
                    f"'{rule_id}'{_did_you_mean(rule_id, known, True)}"
                )
            if rule_id in ALWAYS_ON and settings.get("level") == OFF:
                raise ConfigError(
                    f"{self.where(('rules', rule_id, 'level'))}: rules.{rule_id}: {rule_id} {_ALWAYS_ON_WHY}"
                )

    def check_params(self, defaults: Mapping[str, Mapping[str, Any]]) -> None:
        """Every `rules: {ID: {name: ...}}` must be `level` or a parameter of the rule (exit 2 otherwise)."""
        for rule_id, settings in self.rules.items():
            allowed = sorted(defaults.get(rule_id, {}))
            for name, value in settings.items():
                if name == "level":
                    continue
                if name not in allowed:
                    options = ", ".join(allowed) or "none"
                    raise ConfigError(
                        f"{self.where(('rules', rule_id, name))}: rules.{rule_id}: unknown parameter '{name}'"
                        f"{_did_you_mean(name, ['level', *allowed])} (parameters: {options}; see `policycheck "
                        f"explain {rule_id}`)"
                    )
                problem = _parameter_problem(value, defaults[rule_id][name])
                if problem:
                    raise ConfigError(
                        f"{self.where(('rules', rule_id, name))}: rules.{rule_id}.{name} must be {problem}, not "
                        f"{value!r}"
                    )

    def where(self, path: tuple) -> str:
        """`file:line` of a setting in the configuration file (found again only when an error is reported)."""
        if self.source is None:
            return "configuration"
        line = locate(self.source, path)
        return f"{self.source}:{line}" if line else self.source


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


def check_selectors(flags: Mapping[str, Iterable[str]], known: Iterable[str]) -> None:
    """Selectors given on the command line (`{"--select": [...]}`) must match a rule."""
    known = sorted(known)
    for flag, selectors in flags.items():
        for selector in selectors:
            if not _matches(selector, known):
                raise ConfigError(f"{flag}: no rule matches '{selector}'{_did_you_mean(selector, known, True)}")
            if flag == "--ignore" and selector in ALWAYS_ON:
                raise ConfigError(f"{flag}: {selector} {_ALWAYS_ON_WHY}")


def _matches(selector: str, known: Iterable[str]) -> bool:
    return any(rule_id.startswith(selector) for rule_id in known)


def _dotted(path: tuple) -> str:
    """`rules.REL002.level`, `select[0]`, `per_file_ignores['legacy/*']`: a setting as the user wrote it."""
    text = str(path[0])
    for part in path[1:]:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if re.fullmatch(r"[\w-]+", part) else f"[{part!r}]"
    return text


def _longest(rule_id: str, selectors: Iterable[str]) -> int:
    return max((len(selector) for selector in selectors if rule_id.startswith(selector)), default=-1)


def _relative(path: str, root: str) -> str:
    try:
        return os.path.relpath(path, root).replace(os.sep, "/")
    except ValueError:  # another drive on Windows
        return path.replace(os.sep, "/")


def _did_you_mean(word: str, candidates: Iterable[str], rule_ids: bool = False) -> str:
    candidates = list(candidates)
    if rule_ids:  # a family prefix is a fine answer too ("RLE" -> "REL")
        candidates += sorted({rule_id.rstrip("0123456789") for rule_id in candidates})
    import difflib  # lazily: only error hints need it

    close = difflib.get_close_matches(word, candidates, n=1)
    if close:
        return f"; did you mean '{close[0]}'?"
    return "; see `policycheck rules` for every rule id" if rule_ids else ""


def discover(start: str) -> str | None:
    """The nearest `.policycheck.yaml`, or pyproject.toml with [tool.policycheck], upward from a folder."""
    folder = os.path.abspath(start)
    while True:
        candidate = os.path.join(folder, CONFIG_FILE)
        if os.path.isfile(candidate):
            return candidate
        pyproject = os.path.join(folder, "pyproject.toml")
        if os.path.isfile(pyproject) and _pyproject_section(pyproject) is not None:
            return pyproject
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def _toml():
    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib
    return tomllib


def _pyproject_section(path: str) -> dict | None:
    tomllib = _toml()
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle).get("tool", {}).get("policycheck")
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{path}: cannot read TOML: {error}") from None


def read(path: str | PathLike[str]) -> Config:
    """Read and validate one configuration file."""
    path = os.fspath(path)
    positions: Mapping = {}
    if os.path.basename(path) == "pyproject.toml":
        raw = _pyproject_section(path) or {}
    else:
        from .load import LoadError, decode, parse

        try:
            with open(path, "rb") as handle:
                loaded = parse(decode(handle.read()))
        except OSError as error:
            raise ConfigError(f"{path}: cannot read: {error.strerror}") from None
        except LoadError as error:
            raise ConfigError(f"{path}:{error.line}:{error.column}: {error.message}") from None
        raw, positions = (loaded.data if loaded.data is not None else {}), loaded.positions
    _validate(raw, path, positions)
    return from_mapping(raw, source=path, root=os.path.dirname(path) or ".")


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
        require_schema=raw.get("require_schema"),
    )


def _is_valid(schema: Mapping, raw: Any) -> bool:
    """The yes/no question from a compiled validator, so a valid file costs no jsonschema import."""
    from .compiled import compiled

    validator = compiled(schema)
    return validator is not None and validator.is_valid(raw)


def _validate(raw: Any, path: str, positions: Mapping) -> None:
    from .resources import load_schema

    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: the configuration must be a mapping of settings")
    both = sorted(alias for alias, key in ALIASES.items() if alias in raw and key in raw)
    if both:
        line = _line_of(path, positions, (both[0],))
        raise ConfigError(f"{line}: '{both[0]}' and '{ALIASES[both[0]]}' are the same setting; keep one")
    schema = load_schema("config.schema.json")
    if _is_valid(schema, raw):
        return
    from jsonschema import Draft202012Validator

    error = next(
        iter(sorted(Draft202012Validator(schema).iter_errors(raw), key=lambda e: list(map(str, e.path)))), None
    )
    if error is None:
        return
    error_path = tuple(error.absolute_path)
    where = _dotted(error_path) if error_path else "the configuration"
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        known = [key for key in error.schema.get("properties", {}) if key not in ALIASES]
        unknown = sorted(key for key in error.instance if key not in error.schema.get("properties", {}))
        key = unknown[0] if unknown else "?"
        hint = _did_you_mean(key, known) or f" (keys: {', '.join(known)})"
        raise ConfigError(f"{_line_of(path, positions, (*error_path, key))}: unknown key '{key}' in {where}{hint}")
    if error.validator == "pattern" and "rule id" in error.schema.get("description", ""):
        if "propertyNames" in error.schema_path:  # a key of `rules:`
            at, expected = (*error_path, error.instance), "a rule id (capitals then digits, like REL002)"
        else:
            at, expected = error_path, "a rule id or prefix (capitals then digits, like REL002, REL00 or REL)"
        raise ConfigError(f"{_line_of(path, positions, at)}: {where}: '{error.instance}' is not {expected}")
    if (
        error.validator == "type"
        and error.validator_value in ("array", "object")
        and isinstance(error.instance, (str, int, float))
    ):
        # the usual slip: a single value where a list or a mapping belongs
        if error.validator_value == "array":
            expected = f"a list, e.g. [{error.instance}]"
        elif error_path[:1] == ("rules",):
            expected = f"a mapping, e.g. {{level: {error.instance}}}"
        else:
            expected = "a mapping of settings"
        raise ConfigError(f"{_line_of(path, positions, error_path)}: {where}: expected {expected}")
    raise ConfigError(f"{_line_of(path, positions, error_path)}: {where}: {error.message}")


def _line_of(path: str, positions: Mapping, keys: tuple) -> str:
    line = positions[keys][0] if keys in positions else locate(path, keys)
    return f"{path}:{line}" if line else str(path)


def locate(path: str, keys: tuple) -> int | None:
    """The line of a setting in a configuration file, or None if it cannot be found.

    Only used to point an error message at its line, so any failure is None.
    """
    from .load import LoadError, decode, parse

    spellings = [keys]
    if keys and keys[0] in ALIASES.values():
        spellings += [(alias, *keys[1:]) for alias, key in ALIASES.items() if key == keys[0]]
    try:
        with open(path, "rb") as handle:
            content = handle.read()
        if os.path.basename(path) == "pyproject.toml":
            text = content.decode("utf-8")
            return next(filter(None, (_toml_line(text, spelling) for spelling in spellings)), None)
        positions = parse(decode(content)).positions
    except (OSError, UnicodeDecodeError, LoadError):
        return None
    return next((positions[spelling][0] for spelling in spellings if spelling in positions), None)


# patterns, not compiled: only an error message in pyproject.toml needs them (re caches them then)
_TOML_TABLE = r"^\s*\[\[?([^\]]*)\]\]?"
_TOML_STRING = r"\"((?:[^\"\\]|\\.)*)\"|'([^']*)'"


def _toml_key(text: str) -> tuple[str, ...]:
    return tuple(part.strip().strip("\"'") for part in re.findall(r'"[^"]*"|\'[^\']*\'|[^.]+', text))


def _toml_line(text: str, keys: tuple) -> int | None:
    """Where `[tool.policycheck]` sets `keys`: tomllib keeps no positions, so find the line by its text.

    Follows keys from table headers, `key =` and dotted `key.sub =` lines; a list
    index is the Nth string after its key.
    """
    lines = text.splitlines()
    tables, table = [], ()
    for line in lines:
        match = re.match(_TOML_TABLE, line)
        if match:
            table = _toml_key(match.group(1))
        tables.append(table)
    target = ("tool", "policycheck")
    starts = [index for index, table in enumerate(tables) if table[:2] == target]
    if not starts:
        return None
    at = starts[0]
    for depth, key in enumerate(keys):
        if isinstance(key, int):
            strings = [
                number
                for number in range(at, len(lines))
                for _ in re.finditer(_TOML_STRING, lines[number] if number > at else lines[number].partition("=")[2])
            ]
            return strings[key] + 1 if key < len(strings) else at + 1
        header = (*target, *keys[: depth + 1])
        pattern = re.compile(rf'(?<![\w"\'-])["\']?{re.escape(key)}["\']?\s*[=.]')
        for number in range(at, len(lines)):
            if tables[number][:2] != target:
                continue
            if re.match(_TOML_TABLE, lines[number]):
                if tables[number][: len(header)] == header:
                    break
            elif pattern.search(lines[number]):
                break
        else:
            return at + 1 if depth else None
        at = number
    return at + 1


def with_overrides(config: Config, **overrides: Any) -> Config:
    """Command-line values over the file: select replaces, ignore and extend-select add."""
    changes: dict[str, Any] = {}
    for key in ("select", "fail_on"):
        if overrides.get(key):
            changes[key] = overrides[key]
    for key in ("ignore", "extend_select", "plugins", "exclude"):
        if overrides.get(key):
            changes[key] = tuple(getattr(config, key)) + tuple(overrides[key])
    return config._replace(**changes)
