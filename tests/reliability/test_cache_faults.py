"""A cache that cannot hurt (issue 16), through real processes with a cache folder of their own.

The clean-up removes only policycheck's own files; a damaged or edited entry is
rebuilt, never used or crashed on; a FIFO never blocks; a folder someone else
could have written is not used at all (its planted code never runs); and
`--no-cache` / POLICYCHECK_NO_CACHE=1 leave the folder alone.
"""

from __future__ import annotations

import marshal
import os
import time
from pathlib import Path

import pytest

from policycheck import cache

from reliability_support import COMMON, activity, assert_clean_failure, subprocess_cli

MONTHS_AGO = time.time() - 90 * 24 * 3600
CHINESE_RADAR = activity(
    (
        "  systems: []",
        "  systems:\n    - name: Coastal radar\n      origin: CHN\n      quantity: 4\n"
        "      sustainment: {training: true, spare_parts: true, maintenance: true, funded_years: 5}",
    )
)


@pytest.fixture
def proposal(tmp_path) -> str:
    path = tmp_path / "radar.yaml"
    path.write_text(CHINESE_RADAR, encoding="utf-8")
    return str(path)


def run(proposal: str, cache_home: Path, *extra: str, env: dict | None = None):
    return subprocess_cli(proposal, *COMMON, *extra, env={"XDG_CACHE_HOME": str(cache_home), **(env or {})})


def entries(folder: Path, kind: str = "") -> list[Path]:
    return sorted(folder.glob(f"{kind}*.marshal"))


def test_the_clean_up_removes_only_policycheck_s_own_files(tmp_path, proposal):
    """A mistaken XDG_CACHE_HOME, a symlink planted in the folder: the user's files survive."""
    documents = tmp_path / "documents"
    folder = documents / "policycheck"
    folder.mkdir(parents=True)
    outside = tmp_path / "thesis.docx"
    outside.write_text("years of work", encoding="utf-8")
    theirs = {
        "report.docx": "a file",
        "notes.marshal": "not one of its names",
        "schema-mine.marshal.bak": "close, but not its name",
    }
    for name, text in theirs.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "old-folder-cpython-311-0123abcd.marshal").mkdir()  # its name, but a folder
    (folder / "schema-cpython-311-30b07f0-0123abcd.marshal").symlink_to(outside)  # its name, but a symlink
    stale = folder / "pack-cpython-39-30900f0-89abcdef.marshal"  # its own, from an older Python
    stale.write_bytes(b"stale")
    for path in [*folder.iterdir(), outside]:
        os.utime(path, (MONTHS_AGO, MONTHS_AGO), follow_symlinks=False)
    result = run(proposal, documents)
    assert_clean_failure(result, 0, "WARN INT005")
    assert entries(folder, "validator"), "the run wrote entries (and so cleaned up)"
    assert not stale.exists()
    for name, text in theirs.items():
        assert (folder / name).read_text(encoding="utf-8") == text
    assert (folder / "old-folder-cpython-311-0123abcd.marshal").is_dir()
    assert (folder / "schema-cpython-311-30b07f0-0123abcd.marshal").is_symlink()
    assert outside.read_text(encoding="utf-8") == "years of work"


def test_a_symlinked_cache_folder_is_not_used(tmp_path, proposal):
    documents = tmp_path / "documents"
    documents.mkdir()
    (documents / "old.txt").write_text("keep me", encoding="utf-8")
    os.utime(documents / "old.txt", (MONTHS_AGO, MONTHS_AGO))
    home = tmp_path / "cache"
    home.mkdir()
    (home / "policycheck").symlink_to(documents)
    result = run(proposal, home)
    assert_clean_failure(
        result, 0, "WARN INT005", f"not using the cache folder {home / 'policycheck'}: it is a symlink"
    )
    assert sorted(path.name for path in documents.iterdir()) == ["old.txt"]


def test_a_new_cache_folder_and_its_entries_are_private(tmp_path, proposal):
    run(proposal, tmp_path / "cache")
    folder = tmp_path / "cache" / "policycheck"
    assert folder.stat().st_mode & 0o777 == 0o700
    assert {path.stat().st_mode & 0o777 for path in folder.iterdir()} == {0o600}


def test_flipped_bits_in_a_cached_validator_are_rebuilt_not_crashed_on(tmp_path, proposal):
    """marshal.loads of damaged code can segfault (exit 139): the digest is checked first."""
    home = tmp_path / "cache"
    first = run(proposal, home, "--format", "json")
    folder = home / "policycheck"
    validators = entries(folder, "validator")
    assert validators
    for path in validators:
        data = bytearray(path.read_bytes())
        for offset in (len(data) // 3, len(data) // 2, 2 * len(data) // 3):  # three bits in the payload
            data[offset] ^= 0x10
        path.write_bytes(bytes(data))
    again = run(proposal, home, "--format", "json")
    assert again.exit_code == 0, again.output  # not -11 (a segfault)
    assert again.stdout == first.stdout
    # the one this run used (the activity schema's) was rebuilt, sealed and sound again
    assert any(cache.unseal(path.read_bytes()) is not None for path in validators)


def test_an_edited_value_with_its_key_intact_is_not_used(tmp_path, proposal):
    """Emptying the cached adversary-supplier list made INT005 vanish; the digest no longer matches."""
    home = tmp_path / "cache"
    assert "WARN INT005" in run(proposal, home).stdout
    [reference] = entries(home / "policycheck", "reference")
    content = reference.read_bytes()
    built_from, data = marshal.loads(cache.unseal(content))
    data["adversary_suppliers"] = []
    header = content[: len(content) - len(cache.unseal(content))]  # the old header and digest
    reference.write_bytes(header + marshal.dumps((built_from, data)))
    assert_clean_failure(run(proposal, home), 0, "WARN INT005")


@pytest.mark.parametrize("kind", ["reference", "validator", "schema", "pack"])
def test_a_fifo_at_an_entry_s_name_never_blocks(tmp_path, proposal, kind):
    home = tmp_path / "cache"
    run(proposal, home)
    [path, *_] = entries(home / "policycheck", kind)
    path.unlink()
    os.mkfifo(path)
    result = run(proposal, home)  # the subprocess timeout turns a hang into a failure
    assert_clean_failure(result, 0, "WARN INT005")


def _plant(folder: Path, marker: Path) -> None:
    """Replace each cached validator's code with code that leaves a marker file, sealed as policycheck seals it."""
    planted = compile(
        f"open({str(marker)!r}, 'w').close()\ndef validate(data, formats):\n    return data\n", "<planted>", "exec"
    )
    for path in entries(folder, "validator"):
        built_from, _ = marshal.loads(cache.unseal(path.read_bytes()))
        path.write_bytes(cache.seal(marshal.dumps((built_from, ("validate", planted)))))


@pytest.mark.parametrize("how", ["writable by others", "another user's"])
def test_a_folder_someone_else_could_write_is_refused_and_its_code_never_runs(tmp_path, proposal, how):
    home = tmp_path / "cache"
    run(proposal, home)
    folder = home / "policycheck"
    marker = tmp_path / "planted-code-ran"
    _plant(folder, marker)
    assert run(proposal, home).exit_code == 0 and marker.exists(), "the test's planted code runs from a trusted folder"
    marker.unlink()
    if how == "writable by others":
        folder.chmod(0o777)
        problem = "others can write to it"
    else:
        if os.geteuid() != 0:
            pytest.skip("only root can give a folder to another user; 'writable by others' covers the check")
        os.chown(folder, 65534, 65534)
        problem = "it belongs to another user"
    result = run(proposal, home, "--no-config", "--no-plugins")
    assert_clean_failure(
        result, 0, "WARN INT005", f"policycheck: warning: not using the cache folder {folder}: {problem}"
    )
    assert not marker.exists()


@pytest.mark.parametrize("switch", ["--no-cache", "POLICYCHECK_NO_CACHE=1"])
def test_the_cache_can_be_turned_off(tmp_path, proposal, switch):
    home = tmp_path / "cache"
    run(proposal, home)
    marker = tmp_path / "planted-code-ran"
    _plant(home / "policycheck", marker)
    before = {path.name: path.read_bytes() for path in (home / "policycheck").iterdir()}
    extra, env = ((switch,), {}) if switch.startswith("--") else ((), {"POLICYCHECK_NO_CACHE": "1"})
    assert_clean_failure(run(proposal, home, *extra, env=env), 0, "WARN INT005")
    assert not marker.exists(), "nothing is read from the folder"
    assert {path.name: path.read_bytes() for path in (home / "policycheck").iterdir()} == before, "nor written to it"
    fresh = tmp_path / "fresh"
    assert_clean_failure(run(proposal, fresh, *extra, env=env), 0, "WARN INT005")
    assert not (fresh / "policycheck").exists()
