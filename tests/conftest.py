"""Every test, and every process a test starts, uses one cache folder of its own,
never the user's: so no test depends on what an earlier run left behind."""

import sys
from pathlib import Path

import pytest

# support modules beside the tests (run_support) import by name under --import-mode=importlib
sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(autouse=True, scope="session")
def _own_cache_folder(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
        yield
