"""What keeps `policycheck FILE` fast to start: no entry-point machinery or
jsonschema import unless they are needed, reference data read from a cache."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from policycheck import reference
from policycheck import entry_points
from policycheck.plugins import ENTRY_POINT_GROUP, load_registry
from policycheck.reference import Reference

ROOT = Path(__file__).resolve().parents[2]


def _distribution(folder: Path, name: str, entry_points: str) -> None:
    info = folder / f"{name}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(entry_points, encoding="utf-8")


def _as_tuples(entries) -> list[tuple]:
    return sorted((entry.name, entry.value, entry.dist.name, entry.dist.version) for entry in entries)


def test_entry_points_are_read_as_importlib_metadata_reads_them(tmp_path, monkeypatch):
    from importlib.metadata import entry_points as metadata_entry_points

    (tmp_path / "fake_entry_plugin.py").write_text("class Rules:\n    RULES = ()\n", encoding="utf-8")
    _distribution(
        tmp_path,
        "fake_plugin",
        f"# comment\n[console_scripts]\nfake = x:y\n\n[{ENTRY_POINT_GROUP}]\nfake = fake_entry_plugin:Rules [extra]\n",
    )
    _distribution(
        tmp_path / "later", "Fake.Plugin", f"[{ENTRY_POINT_GROUP}]\nshadowed = fake_entry_plugin\n"
    )  # same name, later on sys.path
    _distribution(tmp_path, "unrelated", "[console_scripts]\npolicycheck = policycheck.cli:main\n")
    monkeypatch.syspath_prepend(str(tmp_path / "later"))
    monkeypatch.syspath_prepend(str(tmp_path))
    ours = entry_points.find(ENTRY_POINT_GROUP)
    assert ("fake", "fake_entry_plugin:Rules [extra]", "fake_plugin", "1.0") in _as_tuples(ours)
    assert _as_tuples(ours) == _as_tuples(metadata_entry_points(group=ENTRY_POINT_GROUP))
    [fake] = [entry for entry in ours if entry.name == "fake"]
    assert fake.load().RULES == ()


def test_a_zip_on_sys_path_defers_to_importlib_metadata(tmp_path, monkeypatch):
    archive = tmp_path / "plugins.zip"
    archive.write_bytes(b"PK\x05\x06" + b"\x00" * 18)
    monkeypatch.setattr(sys, "path", [str(archive)])
    from importlib.metadata import entry_points as metadata_entry_points

    found = entry_points.find(ENTRY_POINT_GROUP)
    assert _as_tuples(found) == _as_tuples(metadata_entry_points(group=ENTRY_POINT_GROUP))
    assert all(type(entry).__module__ == "importlib.metadata" for entry in found)


def test_an_installed_entry_point_plugin_is_registered(tmp_path, monkeypatch):
    (tmp_path / "fake_entry_plugin.py").write_text("RULES = ()\n", encoding="utf-8")
    _distribution(tmp_path, "fakeplugin", f"[{ENTRY_POINT_GROUP}]\nfake = fake_entry_plugin\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    found = [plugin for plugin in load_registry().plugins if plugin.name == "fake"]
    assert [(plugin.module, plugin.distribution, plugin.version, plugin.error) for plugin in found] == [
        ("fake_entry_plugin", "fakeplugin", "1.0", None)
    ]


def _modules_after_checking(path: Path) -> list[str]:
    """The modules a real `policycheck FILE` process imported (it runs in a fresh interpreter)."""
    code = (
        "import sys\n"
        "from policycheck.cli import main\n"
        "try:\n"
        f"    main([{str(path)!r}, '--no-config', '--today', '2027-01-01'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(' '.join(sorted(sys.modules)))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    return result.stdout.strip().splitlines()[-1].split()


def test_a_valid_document_does_not_need_importlib_metadata():
    modules = _modules_after_checking(ROOT / "examples" / "albania-nds-advisory.yaml")
    assert "policycheck.engine" in modules  # it did run the check
    assert "importlib.metadata" not in modules


def test_a_check_through_click_never_imports_the_language_server():
    # pygls and lsprotocol cost about a second to import: only `policycheck server` may pay it
    modules = _modules_after_checking(ROOT / "examples" / "frontline-partner-equipment.yaml")
    assert "policycheck.engine" in modules
    assert [name for name in modules if name.split(".")[0] in ("pygls", "lsprotocol", "cattrs")] == []
    assert [name for name in modules if name.startswith("policycheck.server")] == []


def _modules_after_validating(path: Path) -> list[str]:
    code = (
        "import sys\n"
        "from policycheck.builtin.packs import policycheck_rule_packs\n"
        "from policycheck.load import decode, parse\n"
        "from policycheck.reference import Reference\n"
        "from policycheck.validate import SchemaValidator, effective_schema\n"
        "policycheck_rule_packs()\n"
        "reference = Reference()\n"
        "validator = SchemaValidator(effective_schema(reference, {}), reference)\n"
        f"found = validator.violations(parse(decode(open({str(path)!r}, 'rb').read())).data)\n"
        "print(len(found), ' '.join(sorted(sys.modules)))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    count, modules = result.stdout.strip().splitlines()[-1].split(" ", 1)
    return int(count), modules.split()


def test_a_valid_activity_is_validated_without_importing_jsonschema():
    count, modules = _modules_after_validating(ROOT / "examples" / "albania-nds-advisory.yaml")
    assert count == 0
    assert [name for name in modules if name.split(".")[0] in ("jsonschema", "referencing")] == []


def test_a_warm_start_finds_packs_reference_data_and_schema_without_json_or_pathlib():
    example = ROOT / "examples" / "albania-nds-advisory.yaml"
    _modules_after_validating(example)  # the first start fills the cache folder
    count, modules = _modules_after_validating(example)
    assert count == 0
    assert [name for name in modules if name.split(".")[0] in ("json", "pathlib")] == []


def test_a_warm_start_imports_no_json():
    example = ROOT / "examples" / "albania-nds-advisory.yaml"
    _modules_after_checking(example)  # the first start fills the cache folder
    assert [name for name in _modules_after_checking(example) if name.split(".")[0] == "json"] == []


def test_an_invalid_activity_gets_the_jsonschema_report():
    count, modules = _modules_after_validating(ROOT / "examples" / "broken" / "typo-in-keys.yaml")
    assert count > 0
    assert "jsonschema" in modules


@pytest.fixture
def data_folder(tmp_path, monkeypatch):
    """A copy of rules/ that the test may edit, and an empty cache folder."""
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules" / "data", rules / "data")
    monkeypatch.setattr(reference, "resource_dir", lambda name: rules)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return rules / "data"


def test_reference_data_is_parsed_once_then_read_from_the_cache(data_folder, tmp_path, monkeypatch):
    parsed = reference._shipped()
    assert len(list((tmp_path / "cache" / "policycheck").glob("reference-*.marshal"))) == 1
    monkeypatch.setattr(reference.yaml, "load", lambda *args, **kwargs: pytest.fail("parsed the YAML again"))
    assert reference._shipped() == parsed
    assert Reference().countries["ALB"] == "Albania"


def test_an_edited_data_file_is_parsed_again(data_folder):
    reference._shipped()
    countries = data_folder / "countries.yaml"
    countries.write_text(
        countries.read_text(encoding="utf-8").replace("ALB: Albania", "ALB: Shqipëria"), encoding="utf-8"
    )
    assert reference._shipped()["countries"]["ALB"] == "Shqipëria"


def test_two_installations_keep_their_own_copies(data_folder, tmp_path, monkeypatch):
    reference._shipped()
    other = tmp_path / "other-install" / "rules"
    shutil.copytree(data_folder, other / "data")
    (other / "data" / "countries.yaml").write_text(
        (data_folder / "countries.yaml").read_text(encoding="utf-8").replace("ALB: Albania", "ALB: Shqipëria"),
        encoding="utf-8",
    )
    monkeypatch.setattr(reference, "resource_dir", lambda name: other)
    assert reference._shipped()["countries"]["ALB"] == "Shqipëria"
    assert len(list((tmp_path / "cache" / "policycheck").glob("reference-*.marshal"))) == 2
    monkeypatch.setattr(reference, "resource_dir", lambda name: data_folder.parent)
    monkeypatch.setattr(
        reference.yaml, "load", lambda *args, **kwargs: pytest.fail("the other installation overwrote this one's copy")
    )
    assert reference._shipped()["countries"]["ALB"] == "Albania"


def test_no_cache_where_none_can_be_written(data_folder, tmp_path, monkeypatch):
    (tmp_path / "not-a-folder").write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "not-a-folder"))
    assert reference._shipped()["countries"]["ALB"] == "Albania"
    assert reference._shipped()["countries"]["ALB"] == "Albania"


def test_data_the_cache_cannot_hold_is_parsed_every_time(data_folder, tmp_path):
    from datetime import date

    (data_folder / "deadlines.yaml").write_text("data:\n  treaty: 2027-01-01\n", encoding="utf-8")
    for _ in range(2):
        assert reference._shipped()["deadlines"]["treaty"] == date(2027, 1, 1)
    assert not list((tmp_path / "cache" / "policycheck").glob("reference-*"))
