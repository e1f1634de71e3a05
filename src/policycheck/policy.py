"""The run's policy: configuration, plugins and rule packs, and the day it is judged on.

`Policy` is picklable, so that a worker process rebuilds exactly the parent's
registry from it (`-p` plugins and configuration work under any start method).

The policy comes from a trusted place, never from what is being judged:
`--isolated` reads no configuration and loads no plugin (built-ins only); `--trusted-ref REF` reads the
configuration and its rule packs at a git revision, and imports the plugins it
names only when they are installed, never from the checkout.
"""

from __future__ import annotations

import os
import sys
from datetime import date

from .config import FROM_REVISION, ISOLATED, Config, ConfigError
from .config_file import discover, discover_at, read, read_at
from .gitref import Revision, find_root
from .plugins import PluginError, Registry, load_registry
from .records import Record


class Policy(Record):
    """What a run judges by: everything needed to rebuild its registry, rules and engine in another process.

    `review_facts`: whether each file's `facts` (what a reviewer reads of it, and the source lines
    around its findings) are taken, which only the formats that show them need (a tenth of a check).
    """

    config: Config
    today: date
    plugin_modules: tuple[str, ...] = ()
    entry_points: bool = True
    strict_plugins: bool = False
    review_facts: bool = True

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


def read_config(
    config_file: str | None, no_config: bool, revision: Revision | None = None, isolated: bool = False
) -> Config:
    """The configuration named with `--config`, else the one found upward from the current folder.

    Under `--isolated` none; with a trusted `revision`, the one that revision has.
    """
    if isolated:
        return Config(origin=ISOLATED)
    if revision is not None:
        label = f"{revision.ref} ({revision.commit[:12]})"
        path = None if no_config else (revision.path_of(config_file) if config_file else discover_at(revision))
        if path is None:
            return Config(origin=FROM_REVISION, revision=label)
        return read_at(revision, path)
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
    if config.origin == FROM_REVISION:
        installed_only(config.plugins)
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


def installed_only(modules: tuple[str, ...]) -> None:
    """Plugins named by a trusted configuration come from the installation, never from the checkout.

    The current folder leaves `sys.path` (where `python -m` put it), and a module
    still found inside the repository is refused before anything of it runs.
    """
    import importlib.util  # only trusted-ref runs with plugins need it

    root = find_root(os.getcwd())
    here = {"", ".", os.getcwd()}
    sys.path[:] = [entry for entry in sys.path if entry not in here]
    for name in modules:
        top = name.partition(".")[0]
        try:
            spec = importlib.util.find_spec(top)
        except (ImportError, ValueError):
            spec = None
        places = [spec.origin] if spec is not None and spec.origin else []
        places += list(spec.submodule_search_locations or ()) if spec is not None else []
        inside = [place for place in places if _inside(place, root)]
        if inside:
            raise PluginError(
                f"plugin '{name}' resolves to {inside[0]}, inside the checkout: under --trusted-ref a configured "
                "plugin is imported only when installed; install it, or drop it from `plugins:`"
            )


def _inside(path: str, root: str) -> bool:
    path, root = os.path.realpath(path), os.path.realpath(root)
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)
