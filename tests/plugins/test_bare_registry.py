"""With no plugin installed, the built-ins are read without pluggy: the same registry, a cheaper start."""

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pluggy
import pytest

from policycheck import hookimpl
from policycheck.plugins import BUILTIN_PLUGINS, ENTRY_POINT_GROUP, PROJECT, PluginError, load_registry

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "albania-nds-advisory.yaml"


def _marked():
    def policycheck_rules():
        return []

    return policycheck_rules


@pytest.mark.parametrize(
    "options",
    [
        {},
        *({name: True} for name in ("hookwrapper", "optionalhook", "tryfirst", "trylast", "wrapper")),
        {"specname": "policycheck_rules"},
    ],
)
def test_our_marker_marks_a_hook_as_pluggys_does(options):
    ours, theirs = _marked(), _marked()
    if options:
        hookimpl(**options)(ours)
    else:
        hookimpl(ours)  # used bare, as `@hookimpl`
    pluggy.HookimplMarker(PROJECT)(theirs, **options)
    assert vars(ours) == vars(theirs)


def _summary(registry):
    return {
        "plugins": registry.plugins,
        "rules": [(rule.id, rule.kind, rule.level, rule.title, rule.family) for rule in registry.rules.values()],
        "rule_plugin": registry.rule_plugin,
        "formats": registry.format_plugin,
        "schema": registry.schema_plugin,
        "defaults": registry.rule_defaults,
        "reference": registry.reference_extras,
    }


def test_the_registry_read_without_pluggy_is_the_one_pluggy_builds(monkeypatch):
    monkeypatch.setattr("policycheck.plugins.find_entry_points", lambda group: [])  # nothing installed
    bare = load_registry()
    # naming a built-in module makes the run take pluggy's way with nothing more registered
    managed = load_registry(modules=[BUILTIN_PLUGINS[0]], entry_points=False)
    assert _summary(bare) == _summary(managed)
    assert len(bare.rules) > 40 and "text" in bare.formats


def test_no_built_in_orders_or_wraps_its_hooks():
    # pluggy would honour these; reading the marks directly could not, so none may be set
    for name in BUILTIN_PLUGINS:
        module = importlib.import_module(name)
        for attribute in dir(module):
            options = getattr(getattr(module, attribute), "policycheck_impl", None)
            if isinstance(options, dict):
                assert not any(options[key] for key in ("wrapper", "hookwrapper", "tryfirst", "trylast")), attribute
                assert options["specname"] is None, attribute


def test_disabling_a_plugin_that_is_not_installed_is_still_an_error(monkeypatch):
    monkeypatch.setattr("policycheck.plugins.find_entry_points", lambda group: [])  # nothing installed
    with pytest.raises(PluginError, match="no installed plugin is named 'nosuch'"):
        load_registry(modules=["no:nosuch"])


def _site_without_plugins(folder: Path) -> Path:
    """A folder with every installed package but no distribution metadata: no entry point is found."""
    folder.mkdir()
    # policycheck's own package, wherever it is installed from (an editable install: the checkout's src/)
    (folder / "policycheck").symlink_to(Path(__import__("policycheck").__file__).resolve().parent)
    for entry in map(Path, sys.path):
        if entry.name == "site-packages" and entry.is_dir():
            for child in entry.iterdir():
                if not child.name.endswith((".dist-info", ".egg-info", ".pth")) and not (folder / child.name).exists():
                    (folder / child.name).symlink_to(child)
    return folder


def _imported_after_checking(site: Path, activity: Path) -> set[str]:
    code = (
        "import sys\n"
        "from policycheck.main import main\n"
        "sys.argv = ['policycheck', sys.argv[1]]\n"  # no option: the bare path, without click
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(' '.join(sorted(sys.modules)))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    # -S: no site-packages, so the folder is all there is
    result = subprocess.run(
        [sys.executable, "-S", "-c", code, activity.name], capture_output=True, text=True, env=env, cwd=activity.parent
    )
    assert result.returncode == 0, result.stderr
    return set(result.stdout.strip().splitlines()[-1].split())


def test_pluggy_is_imported_only_when_a_plugin_is_installed(tmp_path):
    site = _site_without_plugins(tmp_path / "site")
    activity = tmp_path / "work" / EXAMPLE.name  # a folder with no configuration in it or above it
    activity.parent.mkdir()
    activity.write_bytes(EXAMPLE.read_bytes())
    bare = _imported_after_checking(site, activity)
    assert "policycheck.engine" in bare and "pluggy" not in bare and "inspect" not in bare
    info = site / "fake-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: fake\nVersion: 1.0\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(f"[{ENTRY_POINT_GROUP}]\nfake = fake_plugin\n", encoding="utf-8")
    (site / "fake_plugin.py").write_text("", encoding="utf-8")
    assert {"policycheck.engine", "pluggy", "fake_plugin"} <= _imported_after_checking(site, activity)


def test_with_no_plugin_installed_a_check_imports_neither_typing_nor_hashlib(tmp_path):
    # issue 21: typing was ~10 M instructions of a cold start (our modules import it only under
    # TYPE_CHECKING, records.py); hashlib imports OpenSSL's bindings (~11 M) where _blake2 will do
    site = _site_without_plugins(tmp_path / "site")
    for example in (EXAMPLE, ROOT / "examples" / "broken" / "typo-in-keys.yaml"):
        activity = tmp_path / "work" / example.name
        activity.parent.mkdir(exist_ok=True)
        activity.write_bytes(example.read_bytes())
        _imported_after_checking(site, activity)  # the first run fills the cache (fastjsonschema writes the validator)
        imported = _imported_after_checking(site, activity)
        assert "policycheck.finish" in imported
        assert {"typing", "hashlib"} & imported == set(), example.name
        # issue 21: importlib (with warnings) and importlib.util (with contextlib) were 5.6 M instructions
        assert {"importlib", "importlib.util", "contextlib", "warnings"} & imported == set(), example.name
