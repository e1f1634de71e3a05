"""Shared helpers for the output-format tests: run the CLI on the fixtures, compare goldens.

Goldens are the outputs for `fixtures/` with a stable set of rules, so that new
rules elsewhere in the catalogue do not change them. Regenerate them after a
deliberate change to a format with:

    POLICYCHECK_UPDATE_GOLDEN=1 python -m pytest tests/report

and review the diff like any other change.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from policycheck import __version__
from policycheck.cli import main

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "golden"
FIXED = ["--today", "2026-11-23", "--no-plugins", "--no-config"]


@pytest.fixture
def run(monkeypatch):
    """`run(*args)`: the CLI in tests/report, so paths print as `fixtures/NAME.yaml`.

    Every run is on a fixed day, with built-in rules only and no configuration file.
    """
    monkeypatch.chdir(HERE)

    def run(*args: str, input: str | None = None):
        return CliRunner().invoke(main, ["check", *args, *FIXED], input=input, catch_exceptions=False)

    return run


@pytest.fixture
def golden():
    """`golden(name, text)`: `text` equals golden/NAME (version masked); rewritten under POLICYCHECK_UPDATE_GOLDEN=1."""

    def compare(name: str, text: str) -> None:
        text = text.replace(__version__, "VERSION")
        # the catalogue's hashes cover the built-ins' version: masked like it (their stability is tested apart)
        text = re.sub(r'"((?:configuration_)?sha256)": "[0-9a-f]{64}"', r'"\1": "SHA256"', text)
        # SARIF's %SRCROOT%: where this checkout happens to be
        text = text.replace(HERE.parents[1].as_uri() + "/", "file:///REPOSITORY/")
        path = GOLDEN / name
        if os.environ.get("POLICYCHECK_UPDATE_GOLDEN") == "1":
            path.write_text(text, encoding="utf-8", newline="\n")
        assert path.is_file(), (
            f"{path} is missing: create it with POLICYCHECK_UPDATE_GOLDEN=1 python -m pytest tests/report"
        )
        expected = path.read_text(encoding="utf-8")
        assert text == expected, (
            f"{name} differs from its golden; if the change is deliberate, regenerate with POLICYCHECK_UPDATE_GOLDEN=1"
        )

    return compare
