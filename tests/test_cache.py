"""The cache folder: values come back only for the key they were kept with, and no cache is no error."""

import sys

from policycheck import cache


def test_a_value_comes_back_only_for_its_key(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    cache.keep("schema", "/a/b.json", ("built from", 1), {"value": [1, 2]})
    assert cache.recall("schema", "/a/b.json", ("built from", 1)) == {"value": [1, 2]}
    assert cache.recall("schema", "/a/b.json", ("built from", 2)) is None
    assert cache.recall("schema", "/a/c.json", ("built from", 1)) is None
    assert [path.name for path in (tmp_path / "policycheck").iterdir()] == [cache.entry_name("schema", "/a/b.json")]


def test_each_kind_source_and_python_has_its_own_file():
    names = {cache.entry_name(kind, source) for kind in ("schema", "pack") for source in ("a", b"a", "b")}
    assert len(names) == 4  # a source as text or bytes is the same source
    assert all(name.endswith(".marshal") and sys.implementation.cache_tag in name for name in names)


def test_without_a_home_folder_there_is_no_cache(tmp_path, monkeypatch):
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.delenv("HOME")
    monkeypatch.setattr(cache.os.path, "expanduser", lambda path: path)  # as when no user entry exists either
    monkeypatch.chdir(tmp_path)
    cache.keep("schema", "a", "key", "value")
    assert cache.recall("schema", "a", "key") is None
    assert list(tmp_path.iterdir()) == []  # not a "~" folder in the working directory


def test_writing_removes_what_was_not_rewritten_for_a_month(tmp_path, monkeypatch):
    import os
    import time

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    cache.keep("recent", "a", "key", "value")
    folder = tmp_path / "policycheck"
    old_installation = "schema-cpython-39-30900f0-0123abcd.marshal"  # this module's own names, older Pythons'
    crashed_write = f".{old_installation}.4242.tmp"
    for name, age_days in (
        (old_installation, 31),
        (crashed_write, 40),
        ("pack-cpython-39-30900f0-0000abcd.marshal", 7),
    ):
        (folder / name).write_bytes(b"x")
        then = time.time() - age_days * 24 * 3600
        os.utime(folder / name, (then, then))
    assert cache.recall("recent", "a", "key") == "value"
    assert len(list(folder.iterdir())) == 4  # reading never removes anything
    cache.keep("new", "a", "key", "value")
    kept = sorted(
        ["pack-cpython-39-30900f0-0000abcd.marshal", cache.entry_name("new", "a"), cache.entry_name("recent", "a")]
    )
    assert sorted(path.name for path in folder.iterdir()) == kept
