"""Finding the files to check never crashes, never skips silently (issue 16, and issue 17's item 2).

A tree 1,100 folders deep works for a folder and for a `**` glob; a folder that
cannot be listed, and an unreadable file named with any option, are LOAD001 in
the report; dotfiles and hidden folders (the tool's own `.policycheck.yaml` and
`.pre-commit-config.yaml`) are not taken for activities by a walk, while a YAML
named explicitly, or one without `schema:`, is still checked and reported.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from policycheck.testing import starter

from reliability_support import COMMON, assert_clean_failure, cli, subprocess_cli, unprivileged

DEPTH = 1100


@pytest.fixture
def deep_tree(tmp_path):
    """tmp_path/tree, with a file 1,100 folders down; removed here, bottom up (pytest's clean-up recurses)."""
    root = tmp_path / "tree"
    deep = _deep_tree(root)
    try:
        yield deep
    finally:
        chain = [root]
        while (chain[-1] / "d").is_dir():
            chain.append(chain[-1] / "d")
        for folder in reversed(chain):
            for entry in folder.iterdir():
                if not entry.is_dir():
                    entry.unlink()
            folder.rmdir()


def _deep_tree(root: Path) -> Path:
    """root/d/d/.../d/deep.yaml, 1,100 folders down; made through descriptors (os.makedirs itself recurses)."""
    root.mkdir()
    descriptor = os.open(root, os.O_RDONLY)
    try:
        for _ in range(DEPTH):
            os.mkdir("d", dir_fd=descriptor)
            inner = os.open("d", os.O_RDONLY, dir_fd=descriptor)
            os.close(descriptor)
            descriptor = inner
        file = os.open("deep.yaml", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=descriptor)
        os.write(file, starter().encode())
        os.close(file)
    finally:
        os.close(descriptor)
    return root.joinpath(*["d"] * DEPTH, "deep.yaml")


def test_a_tree_1100_folders_deep_is_walked_for_a_folder_and_a_glob(tmp_path, deep_tree, monkeypatch):
    deep = deep_tree
    (tmp_path / "tree" / "top.yaml").write_text(
        starter().replace("ALB-2027-NDS-01", "ALB-2027-NDS-02"), encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    for argument in ("tree", "tree/**/*.yaml", "**/deep.yaml"):
        run = cli(argument, *COMMON, "--format", "json")
        assert_clean_failure(run, 0)
        found = [entry["file"] for entry in json.loads(run.stdout)["files"]]
        assert os.path.relpath(deep) in found, argument


def test_a_subfolder_that_cannot_be_listed_is_a_finding_not_a_silent_skip(shared_tmp):
    (shared_tmp / "proposals" / "secret").mkdir(parents=True)
    (shared_tmp / "proposals" / "ok.yaml").write_text(starter(), encoding="utf-8")
    (shared_tmp / "proposals" / "secret" / "hidden-from-the-gate.yaml").write_text("id: X\n", encoding="utf-8")
    (shared_tmp / "proposals" / "secret").chmod(0o000)
    run = subprocess_cli(str(shared_tmp / "proposals"), *COMMON, "--no-cache", prefix=unprivileged())
    folder = shared_tmp / "proposals" / "secret"
    assert_clean_failure(
        run,
        1,
        f"{folder}:1:1 FAIL LOAD001 cannot read the file: is a folder that cannot be listed (Permission denied), "
        "so nothing in it was checked [give policycheck permission to read the folder, or exclude it",
        "2 files checked: 1 failed",
    )


def test_an_unreadable_folder_named_on_the_command_line_says_so(shared_tmp):
    folder = shared_tmp / "locked"
    folder.mkdir()
    (folder / "a.yaml").write_text(starter(), encoding="utf-8")
    folder.chmod(0o000)
    run = subprocess_cli(str(folder), *COMMON, "--no-cache", prefix=unprivileged())
    assert_clean_failure(run, 1, f"{folder}:1:1 FAIL LOAD001", "is a folder that cannot be listed (Permission denied)")
    assert "no activity files" not in run.output


def test_an_unreadable_file_named_with_any_option_is_load001_in_the_report(shared_tmp):
    path = shared_tmp / "secret.yaml"
    path.write_text(starter(), encoding="utf-8")
    path.chmod(0o000)
    for options in ((), ("--format", "json"), ("--format", "sarif", "--quiet")):
        run = subprocess_cli(str(path), *COMMON, "--no-cache", *options, prefix=unprivileged())
        assert_clean_failure(run, 1, "LOAD001", "Permission denied")
        assert "is not readable" not in run.output  # click's usage error, exit 2, no report


def test_a_walk_passes_over_the_tool_s_own_files_dotfiles_and_hidden_folders(tmp_path):
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "ci.yml").write_text("on: push\n", encoding="utf-8")
    (tmp_path / ".policycheck.yaml").write_text("select: [REL]\n", encoding="utf-8")
    (tmp_path / ".pre-commit-config.yaml").write_text("repos: []\n", encoding="utf-8")
    (tmp_path / ".pre-commit-hooks.yaml").write_text("- id: policycheck\n", encoding="utf-8")
    (tmp_path / "activity.yaml").write_text(starter(), encoding="utf-8")
    run = cli(str(tmp_path), *COMMON, "--format", "json")
    assert_clean_failure(run, 0)
    assert [entry["file"] for entry in json.loads(run.stdout)["files"]] == [str(tmp_path / "activity.yaml")]


def test_a_yaml_without_schema_in_a_walk_and_a_dotfile_named_explicitly_are_still_findings(tmp_path):
    """Skipping them would let a proposal escape the gate by dropping one key or renaming itself."""
    (tmp_path / "docker-compose.yml").write_text("services: {}\n", encoding="utf-8")
    dotfile = tmp_path / ".sneaky.yaml"
    dotfile.write_text("id: X\n", encoding="utf-8")
    run = cli(str(tmp_path), str(dotfile), *COMMON)
    assert_clean_failure(run, 1, f"{tmp_path / 'docker-compose.yml'}:1:1 FAIL SCH001", f"{dotfile}:1:1 FAIL SCH001")
