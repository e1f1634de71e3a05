"""The run's policy: configuration, plugins and rule packs, and the day it is judged on.

`Policy` is picklable, so that a worker process rebuilds exactly the parent's
registry from it (`-p` plugins and configuration work under any start method).
"""

from __future__ import annotations

import os
import sys
from datetime import date
from typing import NamedTuple

from .config import Config, ConfigError
from .config_file import discover, read
from .plugins import Registry, load_registry


class Policy(NamedTuple):
    """What a run judges by: everything needed to rebuild its registry and rules in another process."""

    config: Config
    today: date
    plugin_modules: tuple[str, ...] = ()
    entry_points: bool = True
    strict_plugins: bool = False

    def registry(self) -> Registry:
        return load_registry(
            modules=(*self.config.plugins, *self.plugin_modules),
            entry_points=self.entry_points,
            strict=self.strict_plugins,
            rule_packs=self.config.rule_packs,
            reference=self.config.reference,
        )


def warn(message: str) -> None:
    print(f"policycheck: warning: {message}", file=sys.stderr)


def read_config(config_file: str | None, no_config: bool) -> Config:
    """The configuration named with `--config`, else the one found upward from the current folder."""
    if no_config:
        return Config()
    if config_file and not os.path.isfile(config_file):
        raise ConfigError(f"{config_file}: no such configuration file")
    path = config_file or discover(os.getcwd())
    return read(path) if path else Config()


def load(
    config: Config,
    plugin_modules: tuple[str, ...] = (),
    no_plugins: bool = False,
    strict_plugins: bool = False,
    today: date | None = None,
) -> tuple[Policy, Registry]:
    """The policy and its registry; a plugin that failed to load is a warning (an error with `strict_plugins`)."""
    policy = Policy(
        config=config,
        today=today or date.today(),
        plugin_modules=tuple(plugin_modules),
        entry_points=not no_plugins,
        strict_plugins=strict_plugins,
    )
    registry = policy.registry()
    for failed in registry.failed:
        warn(f"plugin '{failed.name}' ({failed.module}) failed to load and is skipped: {failed.error}")
    return policy, registry
