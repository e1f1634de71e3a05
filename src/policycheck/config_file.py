"""Configuration files: found from a folder upward, read, validated, and pointed at by line.

`.policycheck.yaml`, or `[tool.policycheck]` in pyproject.toml; in one folder
`.policycheck.yaml` wins, and a pyproject.toml without the section is passed
over. Keys are snake_case; the hyphenated spellings ruff users type
(`extend-select`) are aliases, and giving both spellings of one key is an
error. Every error names the file and the line of the setting.

With `--trusted-ref REF` the same files are found and read at that git
revision (`discover_at`, `read_at`), and so are the rule packs they name:
nothing of the policy comes from the working tree a pull request controls.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping

from .config import ALIASES, FROM_REVISION, Config, ConfigError, from_mapping
from .files import UnreadableSource, read_regular
from .gitref import Revision, TrustedFile
from .hints import close_matches, setting
from .load import LoadError, decode, parse
from .resources import load_schema
from .validate import Validator

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any
    from os import PathLike

CONFIG_FILE = ".policycheck.yaml"
# a configuration is a few dozen lines; the bound is SECURITY.md's, fixed (the file cannot raise its own)
MAX_CONFIG_BYTES = 1024 * 1024


def _read(path: str) -> bytes:
    """A configuration file's bytes: a regular file only, at most MAX_CONFIG_BYTES (files.read_regular)."""
    try:
        return read_regular(path, MAX_CONFIG_BYTES, " for a configuration file", "", "name the configuration file")
    except UnreadableSource as error:
        raise ConfigError(f"{path}: cannot read: it {error}") from None


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
        import tomllib  # 6.7 ms: only a pyproject.toml needs it
    except ImportError:  # Python 3.10
        import tomli as tomllib
    return tomllib


def _pyproject_section(path: str, content: bytes | None = None) -> dict | None:
    tomllib = _toml()
    try:
        if content is None:
            content = _read(path)
        return tomllib.loads(content.decode("utf-8")).get("tool", {}).get("policycheck")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{path}: cannot read TOML: {error}") from None


def read(path: str | PathLike[str]) -> Config:
    """Read and validate one configuration file."""
    path = os.fspath(path)
    try:
        content = _read(path)
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror}") from None
    return _parse(path, content, os.path.dirname(path) or ".")


def _parse(path: str, content: bytes, root: str) -> Config:
    """A configuration from its bytes; `path` names it in errors (a file, or `REF:path`)."""
    positions: Mapping = {}
    if os.path.basename(path) == "pyproject.toml":
        raw = _pyproject_section(path, content) or {}
    else:
        try:
            loaded = parse(decode(content))
        except LoadError as error:
            raise ConfigError(f"{path}:{error.line}:{error.column}: {error.message}") from None
        raw, positions = (loaded.data if loaded.data is not None else {}), loaded.positions
    _validate(raw, path, positions, content)
    config = from_mapping(raw, source=path, root=root)
    return config._replace(lines=_setting_lines(raw, path, positions, content))


def discover_at(revision: Revision) -> str | None:
    """`discover` at a trusted revision: the nearest configuration upward from the current folder, as it has it."""
    folder = revision.prefix.rstrip("/")
    while True:
        candidate = f"{folder}/{CONFIG_FILE}" if folder else CONFIG_FILE
        if revision.exists(candidate):
            return candidate
        pyproject = f"{folder}/pyproject.toml" if folder else "pyproject.toml"
        if revision.exists(pyproject):
            content = revision.read(pyproject, "configuration file")
            if _pyproject_section(revision.label(pyproject), content) is not None:
                return pyproject
        if not folder:
            return None
        folder = folder.rpartition("/")[0]


def read_at(revision: Revision, path: str) -> Config:
    """The configuration `path` (relative to the repository root) as the trusted revision has it.

    Its rule packs are read at the revision too; paths and globs in it still
    apply to the working tree, from the folder the file is in.
    """
    label = revision.label(path)
    content = revision.read(path, "configuration file")
    folder = os.path.dirname(path)
    config = _parse(label, content, os.path.join(revision.root, folder) if folder else revision.root)
    packs = []
    for index, pack in enumerate(config.rule_packs):
        relative = os.path.normpath(os.path.join(folder, os.path.relpath(pack, config.root))).replace(os.sep, "/")
        if relative.startswith("../"):
            raise ConfigError(f"{where(config, ('rule_packs', index))}: the rule pack {pack} is outside the repository")
        packs.append(TrustedFile(revision.label(relative), revision.read(relative, "rule pack")))
    return config._replace(
        rule_packs=tuple(packs), origin=FROM_REVISION, revision=f"{revision.ref} ({revision.commit[:12]})"
    )


def _setting_lines(raw: Mapping, path: str, positions: Mapping, content: bytes) -> dict[tuple, int]:
    """The line of each setting the effective-policy statement names, keys spelt snake_case."""
    lines = {}
    for key, value in raw.items():
        paths = [(key,)]
        if isinstance(value, list):
            paths += [(key, index) for index in range(len(value))]
        elif isinstance(value, dict):
            paths += [(key, name) for name in value]
            paths += [(key, name, "level") for name, inner in value.items() if isinstance(inner, dict)]
        for keys in paths:
            line = _line(path, positions, keys, content)
            if line:
                lines[(ALIASES.get(key, key), *keys[1:])] = line
    return lines


def check(config: Config, problems: Iterator[tuple[tuple, str]]) -> None:
    """Raise the first of `config`'s problems (`Config.unknown_rules`, `.bad_parameters`) at its file and line."""
    for path, problem in problems:
        raise ConfigError(f"{where(config, path)}: {problem}")


def where(config: Config, path: tuple) -> str:
    """`file:line` of a setting in the configuration file (found again only when an error is reported)."""
    if config.source is None:
        return "configuration"
    line = config.lines.get(path)
    if line is None and config.origin != FROM_REVISION:
        line = locate(config.source, path)
    if line is None:  # the nearest enclosing setting
        line = config.lines.get(path[:2]) or config.lines.get(path[:1])
    return f"{config.source}:{line}" if line else config.source


def _validate(raw: Any, path: str, positions: Mapping, content: bytes | None = None) -> None:
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: the configuration must be a mapping of settings")
    both = sorted(alias for alias, key in ALIASES.items() if alias in raw and key in raw)
    if both:
        line = _line_of(path, positions, (both[0],), content)
        raise ConfigError(f"{line}: '{both[0]}' and '{ALIASES[both[0]]}' are the same setting; keep one")
    errors = Validator(load_schema("config.schema.json")).iter_errors(raw)
    error = next(iter(sorted(errors, key=lambda e: list(map(str, e.path)))), None)
    if error is None:
        return
    error_path = tuple(error.absolute_path)
    where = setting(error_path) if error_path else "the configuration"
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        known = [key for key in error.schema.get("properties", {}) if key not in ALIASES]
        unknown = sorted(key for key in error.instance if key not in error.schema.get("properties", {}))
        key = unknown[0] if unknown else "?"
        close = close_matches(key, known)
        hint = f"; did you mean '{close[0]}'?" if close else f" (keys: {', '.join(known)})"
        raise ConfigError(
            f"{_line_of(path, positions, (*error_path, key), content)}: unknown key '{key}' in {where}{hint}"
        )
    if error.validator == "pattern" and "rule id" in error.schema.get("description", ""):
        if "propertyNames" in error.schema_path:  # a key of `rules:`
            at, expected = (*error_path, error.instance), "a rule id (capitals then digits, like REL002)"
        else:
            at, expected = error_path, "a rule id or prefix (capitals then digits, like REL002, REL00 or REL)"
        raise ConfigError(f"{_line_of(path, positions, at, content)}: {where}: '{error.instance}' is not {expected}")
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
        raise ConfigError(f"{_line_of(path, positions, error_path, content)}: {where}: expected {expected}")
    raise ConfigError(f"{_line_of(path, positions, error_path, content)}: {where}: {error.message}")


def _line_of(path: str, positions: Mapping, keys: tuple, content: bytes | None) -> str:
    line = _line(path, positions, keys, content)
    return f"{path}:{line}" if line else str(path)


def _line(path: str, positions: Mapping, keys: tuple, content: bytes | None) -> int | None:
    return positions[keys][0] if keys in positions else locate(path, keys, content)


def locate(path: str, keys: tuple, content: bytes | None = None) -> int | None:
    """The line of a setting in a configuration file (or in its `content`), or None if it cannot be found.

    Only used to point an error message at its line, so any failure is None.
    """
    spellings = [keys]
    if keys and keys[0] in ALIASES.values():
        spellings += [(alias, *keys[1:]) for alias, key in ALIASES.items() if key == keys[0]]
    try:
        if content is None:
            content = _read(path)
        if os.path.basename(path) == "pyproject.toml":
            text = content.decode("utf-8")
            return next(filter(None, (_toml_line(text, spelling) for spelling in spellings)), None)
        positions = parse(decode(content)).positions
    except (OSError, UnicodeDecodeError, LoadError, ConfigError):
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
