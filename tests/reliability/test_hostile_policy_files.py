"""Every bound of SECURITY.md's limits table holds for every file policycheck reads (issue 16).

Baselines, rule packs and configuration files are trusted, but a mistake or a
hostile checkout must still be one clear line and exit 2: deep JSON, a symlink to
/dev/zero, a FIFO, a file past its size bound. Real processes, so a hang is a
timeout and a memory blow-up is a peak RSS.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from policycheck.testing import starter

from reliability_support import COMMON, assert_clean_failure, subprocess_cli

OPTIONS = ("--no-plugins", "--today", "2027-01-01", "--no-cache")
# peak memory a refused policy file may add over checking one small file (KiB): far under
# what reading /dev/zero cost (6.3 GB), with room for jsonschema 4.18's heavier import
# (+16.4 MiB in the minimum-versions pass, where 16 MiB was too tight)
EXTRA_MEMORY_KB = 48 * 1024


@pytest.fixture
def proposal(tmp_path) -> str:
    path = tmp_path / "activity.yaml"
    path.write_text(starter(), encoding="utf-8")
    return str(path)


def _hostile(tmp_path: Path, kind: str, name: str, size: int) -> Path:
    path = tmp_path / name
    if kind == "dev-zero":
        path.symlink_to("/dev/zero")
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "huge":
        with open(path, "wb") as handle:  # sparse: the bytes are never on disk nor in memory
            handle.truncate(size)
    return path


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("dev-zero", "it is not a regular file (a pipe, socket or device); name the baseline file itself"),
        ("fifo", "it is not a regular file (a pipe, socket or device)"),
        ("huge", "it is 67108865 bytes, over the 67108864-byte limit for a baseline"),
        ("deep", "not a policycheck baseline (JSON nested far too deeply)"),
    ],
)
def test_a_hostile_baseline_is_one_line_and_exit_2(tmp_path, proposal, kind, expected, baseline_rss):
    if kind == "deep":
        path = tmp_path / "baseline.json"
        path.write_text("[" * 200_000 + "]" * 200_000, encoding="utf-8")
    else:
        path = _hostile(tmp_path, kind, "baseline.json", 64 * 1024 * 1024 + 1)
    run = subprocess_cli(proposal, *OPTIONS, "--no-config", "--baseline", str(path))
    assert_clean_failure(run, 2, f"policycheck: error: {path}: ", expected)
    assert run.max_rss_kb < baseline_rss + EXTRA_MEMORY_KB, (run.max_rss_kb, baseline_rss)


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("dev-zero", "it is not a regular file (a pipe, socket or device); check the path in `rule_packs:`"),
        ("fifo", "it is not a regular file (a pipe, socket or device)"),
        ("huge", "it is 4194305 bytes, over the 4194304-byte limit for a rule pack"),
    ],
)
def test_a_hostile_rule_pack_is_one_line_and_exit_2(tmp_path, proposal, kind, expected, baseline_rss):
    """`rule_packs: [/dev/zero]` read 6.3 GB in 20 s."""
    pack = _hostile(tmp_path, kind, "pack.yaml", 4 * 1024 * 1024 + 1)
    config = tmp_path / "config.yaml"
    config.write_text(f"rule_packs: [{pack.name}]\n", encoding="utf-8")
    run = subprocess_cli(proposal, *OPTIONS, "--config", str(config))
    assert_clean_failure(run, 2, f"{pack}: cannot read the rule pack: ", expected)
    assert run.max_rss_kb < baseline_rss + EXTRA_MEMORY_KB, (run.max_rss_kb, baseline_rss)


@pytest.mark.parametrize("name", [".policycheck.yaml", "pyproject.toml"])
def test_a_huge_configuration_file_is_refused_before_it_is_read(tmp_path, proposal, name, baseline_rss):
    config = _hostile(tmp_path, "huge", name, 1024 * 1024 + 1)
    run = subprocess_cli(proposal, *OPTIONS, "--config", str(config))
    assert_clean_failure(run, 2, f"{config}: cannot read", "over the 1048576-byte limit for a configuration file")
    assert run.max_rss_kb < baseline_rss + EXTRA_MEMORY_KB, (run.max_rss_kb, baseline_rss)


def test_a_discovered_configuration_that_is_a_fifo_never_blocks(tmp_path, proposal):
    os.mkfifo(tmp_path / ".policycheck.yaml")
    run = subprocess_cli(proposal, *OPTIONS, cwd=tmp_path)  # the timeout turns a hang into a failure
    assert_clean_failure(run, 0, "no findings")  # not a regular file: not a configuration file


def test_the_bounds_hold_for_activities_in_the_same_run(tmp_path, proposal):
    """The same reader as activities: a baseline cannot be what lets an activity past its own limits."""
    baseline = tmp_path / "baseline.json"
    assert subprocess_cli(proposal, *COMMON, "--no-cache", "--write-baseline", str(baseline)).exit_code == 0
    huge = _hostile(tmp_path, "huge", "huge.yaml", 10 * 1024 * 1024 + 1)
    run = subprocess_cli(proposal, str(huge), *COMMON, "--no-cache", "--baseline", str(baseline))
    assert_clean_failure(run, 1, f"{huge}:1:1 FAIL LOAD001", "over the 10485760-byte limit (max_file_size)")
