"""`policycheck server` as a command: what it needs installed, and a protocol nothing else can write into."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from lsp_client import ROOT, start, stop


def _server_without(module: str) -> subprocess.CompletedProcess:
    """`policycheck server` in a Python where `module` cannot be imported, as without the extra."""
    code = f"import sys\nsys.modules[{module!r}] = None\nfrom policycheck.main import main\nmain(['server'])\n"
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120, cwd=ROOT
    )


@pytest.mark.parametrize("module", ["pygls", "lsprotocol"])
def test_without_the_server_extra_it_is_a_usage_error_naming_it(module):
    result = _server_without(module)
    assert result.returncode == 2
    assert result.stderr == (
        f'policycheck: error: policycheck server needs the "server" extra ({module} is not installed): '
        'pip install "policycheck[server]"\n'
    )
    assert result.stdout == ""


def test_the_help_names_its_options():
    result = subprocess.run(
        [sys.executable, "-m", "policycheck", "server", "--help"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0
    assert "--debounce MS" in result.stdout and "--no-plugins" in result.stdout and "docs/editors.md" in result.stdout


@pytest.mark.asyncio
async def test_a_plugin_printing_on_standard_output_does_not_break_the_protocol(workspace):
    client = await start(workspace, "-p", "house_plugin")  # prints when loaded and in its rule
    try:
        uri = client.open(workspace / "house.yaml", "schema: activity/v1\nx-house:\n  desk: EUR\n")
        assert "HSE001" in {d.code for d in await client.wait_for(uri, version=1)}
        assert client.error is None  # no malformed message from the server
    finally:
        await stop(client)


def test_the_options_docs_editors_md_names_are_the_commands():
    page = (ROOT / "docs" / "editors.md").read_text(encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "policycheck", "server", "--help"], capture_output=True, text=True, timeout=120
    )
    named = set(re.findall(r"`(--?[a-z][a-z-]*)", page))
    assert {"--debounce", "--no-config", "--no-plugins", "-p"} <= named
    assert all(option in result.stdout for option in named), named
    # every editor's snippet starts the same command
    assert page.count('"server"') >= 4 and "policycheck server" in page
