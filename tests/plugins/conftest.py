"""Fixtures for plugin tests: plugin modules written on the fly, importable by name."""

import importlib
import sys
import textwrap
import uuid

import pytest


@pytest.fixture
def plugin_module(tmp_path, monkeypatch):
    """`make(source)` writes a plugin module and returns its (unique) name, for `-p` or `plugins=`."""
    folder = tmp_path / "plugin_modules"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    made = []

    def make(source: str) -> str:
        # a fresh name per module: sys.modules and policycheck.testing's engine cache are keyed by name
        name = f"tmp_plugin_{uuid.uuid4().hex[:10]}"
        (folder / f"{name}.py").write_text(textwrap.dedent(source), encoding="utf-8")
        importlib.invalidate_caches()
        made.append(name)
        return name

    yield make
    for name in made:
        sys.modules.pop(name, None)
