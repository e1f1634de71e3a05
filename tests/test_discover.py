"""Stage 1: the order of what a folder expands to."""

import glob
import os

import pytest

from policycheck.discover import UnreadableSource, _glob, discover, read_source


def test_a_folder_is_walked_folder_by_folder_in_sorted_order(tmp_path):
    # by characters "a-b/" would sort before "a/" ('-' < '/'); by folders "a" comes first
    for relative in ("a-b/c.yaml", "a/z.yaml", "a/b/y.yaml", "a.yaml", ".hidden/x.yaml", "a/notes.txt"):
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("id: X\n")
    found = [os.path.relpath(source.path, tmp_path).replace(os.sep, "/") for source in discover([str(tmp_path)])]
    assert found == ["a/b/y.yaml", "a/z.yaml", "a-b/c.yaml", "a.yaml"]


def test_a_walk_passes_over_dotfiles_but_a_named_dotfile_is_checked(tmp_path):
    for relative in (".policycheck.yaml", ".pre-commit-config.yaml", "a.yaml", ".hidden/b.yaml"):
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("id: X\n")
    assert [source.path for source in discover([str(tmp_path)])] == [str(tmp_path / "a.yaml")]
    named = str(tmp_path / ".policycheck.yaml")
    assert [source.path for source in discover([named])] == [named]


def test_double_star_patterns_match_what_glob_matches(tmp_path, monkeypatch):
    for relative in ("s/a/1.yaml", "s/a/b/2.yaml", "s/3.yml", "s/a/b/.4.yaml", "s/.h/5.yaml", "t.yaml"):
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("id: X\n")
    monkeypatch.chdir(tmp_path)
    for pattern in ("s/**/*.yaml", "s/**/b/*.yaml", "s/**/.*.yaml", "s/*/**/2.yaml", "**/*.yml", "**/t.yaml"):
        expected = sorted(set(glob.glob(pattern, recursive=True)))
        assert _glob(pattern) == expected, pattern
    # `s/**` also matches the folders themselves (glob writes the first "s/")
    assert [path.rstrip("/") for path in sorted(glob.glob("s/**", recursive=True))] == _glob("s/**")


def test_a_folder_that_cannot_be_listed_is_a_source_with_its_problem(tmp_path, monkeypatch):

    (tmp_path / "locked").mkdir()
    (tmp_path / "ok.yaml").write_text("id: X\n")
    real_scandir = os.scandir

    def refusing(path="."):
        if os.fspath(path) == str(tmp_path / "locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", refusing)
    locked, ok = discover([str(tmp_path)])
    assert (locked.path, ok.path) == (str(tmp_path / "locked"), str(tmp_path / "ok.yaml"))
    with pytest.raises(UnreadableSource, match=r"cannot be listed \(Permission denied\), so nothing in it was checked"):
        read_source(locked, 1000)


def test_a_file_found_twice_is_checked_once_whatever_came_first(tmp_path):
    for relative in ("a/x.yaml", "a/y.yaml", "b.yaml"):
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("id: X\n")
    folder, inner, single = str(tmp_path / "a"), str(tmp_path / "a" / "y.yaml"), str(tmp_path / "b.yaml")
    x, y = os.path.join(folder, "x.yaml"), os.path.join(folder, "y.yaml")

    def paths(*arguments):
        return [source.path for source in discover(arguments)]

    assert paths(folder, folder + os.sep, inner) == [x, y]
    assert paths(single, folder, folder) == [single, x, y]
    assert paths(folder, single, str(tmp_path)) == [x, y, single]
    assert paths(inner, folder) == [y, x]


def test_sources_are_kept_compact_and_read_back_as_they_were_found():
    from policycheck.discover import Source, Sources
    from policycheck.paths import Paths

    odd = os.fsdecode(b"caf\xe9.yaml")  # not UTF-8: a surrogate, which must come back the same
    found = [Source("a.yaml"), Source("<stdin>", b"id: X\n"), Source(odd), Source("locked", problem="no access")]
    sources = Sources(found)
    assert list(sources) == found and sources == found and len(sources) == 4
    assert sources[-1] is found[-1] and sources[1] is found[1]  # the rare ones kept as they are
    assert sources[2].path == odd and sources[1:3] == found[1:3] and sources[::-1] == found[::-1]
    with pytest.raises(IndexError):
        sources[4]
    assert Paths(["x.yaml", "é/y.yaml", ""]) == ["x.yaml", "é/y.yaml", ""]
    assert Paths(["x.yaml"]) != ["x.yaml", "y.yaml"]
