"""Stage 1: the order of what a folder expands to."""

import os

from policycheck.discover import discover


def test_a_folder_is_walked_folder_by_folder_in_sorted_order(tmp_path):
    # by characters "a-b/" would sort before "a/" ('-' < '/'); by folders "a" comes first
    for relative in ("a-b/c.yaml", "a/z.yaml", "a/b/y.yaml", "a.yaml", ".hidden/x.yaml", "a/notes.txt"):
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("id: X\n")
    found = [os.path.relpath(source.path, tmp_path).replace(os.sep, "/") for source in discover([str(tmp_path)])]
    assert found == ["a/b/y.yaml", "a/z.yaml", "a-b/c.yaml", "a.yaml"]
