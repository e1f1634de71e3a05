"""Makes this folder importable (the client in `lsp_client`, the plugin modules loaded with -p),
and starts a server for each test that asks for `client`."""

import shutil
import sys
from pathlib import Path

import pytest
import pytest_asyncio

sys.path.insert(0, str(Path(__file__).parent))

from lsp_client import EXAMPLES, start, stop  # noqa: E402


@pytest.fixture
def workspace(tmp_path) -> Path:
    """A workspace folder holding one flawed example, with no configuration file above it."""
    folder = tmp_path / "proposals"
    folder.mkdir()
    shutil.copy(EXAMPLES / "most-capable-coproduction.yaml", folder / "coproduction.yaml")
    return folder


@pytest_asyncio.fixture
async def client(workspace):
    """The server as an editor starts it: default options, the workspace folder open."""
    client = await start(workspace)
    yield client
    await stop(client)
