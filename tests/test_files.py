"""files: bounded reads of regular files, and writes that replace a file whole or not at all."""

import os

import pytest

from policycheck import files
from policycheck.errors import OutputError


def test_a_write_that_fails_midway_leaves_the_previous_file_and_no_temporary_one(tmp_path):
    target = tmp_path / "report.json"
    target.write_text("previous\n", encoding="utf-8")

    def half(handle):
        handle.write("half a report")
        raise RuntimeError("a format broke")

    with pytest.raises(RuntimeError):
        files.write_atomically(str(target), half)
    assert target.read_text(encoding="utf-8") == "previous\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["report.json"]


def test_an_os_error_is_one_output_error_naming_the_file(tmp_path):
    missing = tmp_path / "no-folder" / "report.json"
    with pytest.raises(OutputError, match=rf"^cannot write {missing}: No such file or directory$"):
        files.write_text(str(missing), "x")


def test_a_new_file_gets_the_umask_s_mode_and_a_replaced_one_keeps_its_own(tmp_path):
    fresh, kept = tmp_path / "fresh.txt", tmp_path / "kept.txt"
    umask = os.umask(0o022)
    try:
        files.write_text(str(fresh), "new\n")
        kept.write_text("old\n", encoding="utf-8")
        kept.chmod(0o600)
        files.write_text(str(kept), "new\n")
    finally:
        os.umask(umask)
    assert fresh.stat().st_mode & 0o777 == 0o644  # not mkstemp's 0600
    assert kept.stat().st_mode & 0o777 == 0o600 and kept.read_text(encoding="utf-8") == "new\n"


def test_a_name_s_undecodable_bytes_are_written_as_escapes(tmp_path):
    target = tmp_path / "out.txt"
    files.write_text(str(target), "caf\udce9.yaml\n")
    assert target.read_bytes() == b"caf\\udce9.yaml\n"


@pytest.mark.parametrize("kind", ["folder", "fifo", "too big"])
def test_only_small_regular_files_are_read(tmp_path, kind):
    path = tmp_path / "thing"
    if kind == "folder":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)
    else:
        path.write_bytes(b"x" * 11)
    with pytest.raises(files.UnreadableSource):
        files.read_regular(str(path), 10)
    if kind == "too big":
        assert files.read_regular(str(path), 11) == b"x" * 11


def test_a_file_is_read_whole_at_its_size_and_refused_past_the_bound(tmp_path):
    from policycheck.files import UnreadableSource, read_regular

    large = tmp_path / "large.yaml"
    large.write_bytes(b"x" * 200_000)  # past the first read's size plus one and the 64 KiB reads after it
    assert read_regular(str(large), 200_000) == b"x" * 200_000
    with pytest.raises(UnreadableSource, match="over the 199999-byte limit"):
        read_regular(str(large), 199_999)
    empty = tmp_path / "empty.yaml"
    empty.write_bytes(b"")
    assert read_regular(str(empty), 10) == b""
