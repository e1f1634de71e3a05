"""The cache folder: values come back only for the key they were kept with, and no cache is no error."""

from policycheck import cache


def test_a_value_comes_back_only_for_its_key(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    cache.keep("entry.marshal", ("built from", 1), {"value": [1, 2]})
    assert cache.recall("entry.marshal", ("built from", 1)) == {"value": [1, 2]}
    assert cache.recall("entry.marshal", ("built from", 2)) is None
    assert [path.name for path in (tmp_path / "policycheck").iterdir()] == ["entry.marshal"]


def test_without_a_home_folder_there_is_no_cache(tmp_path, monkeypatch):
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.delenv("HOME")
    monkeypatch.setattr(cache.os.path, "expanduser", lambda path: path)  # as when no user entry exists either
    monkeypatch.chdir(tmp_path)
    cache.keep("entry.marshal", "key", "value")
    assert cache.recall("entry.marshal", "key") is None
    assert list(tmp_path.iterdir()) == []  # not a "~" folder in the working directory


def test_writing_removes_what_was_not_rewritten_for_a_month(tmp_path, monkeypatch):
    import os
    import time

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    cache.keep("recent.marshal", "key", "value")
    folder = tmp_path / "policycheck"
    for name, age_days in (("old-installation.marshal", 31), ("crashed-write.tmp", 40), ("last-week.marshal", 7)):
        (folder / name).write_bytes(b"x")
        then = time.time() - age_days * 24 * 3600
        os.utime(folder / name, (then, then))
    assert cache.recall("recent.marshal", "key") == "value"
    assert len(list(folder.iterdir())) == 4  # reading never removes anything
    cache.keep("new.marshal", "key", "value")
    assert sorted(path.name for path in folder.iterdir()) == ["last-week.marshal", "new.marshal", "recent.marshal"]
