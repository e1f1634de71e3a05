"""paths.Paths: every path of a run kept as bytes, past SPILL_BYTES in a scratch file, each read back as it was."""

import pytest

from policycheck import paths as paths_module
from policycheck.errors import OutputError
from policycheck.paths import Paths

HELD = paths_module.SPILL_BYTES  # 200 paths are far fewer bytes: held in memory
NAMES = [f"proposals/{index:03d}/activité-\udcff.yaml" for index in range(200)]  # non-ASCII and an undecodable byte


@pytest.mark.parametrize("window", [paths_module.WINDOW, 100, 1])
@pytest.mark.parametrize("spill_bytes", [HELD, 64, 1])
def test_paths_come_back_as_appended_whether_held_or_spilled(monkeypatch, spill_bytes, window):
    monkeypatch.setattr(paths_module, "SPILL_BYTES", spill_bytes)
    monkeypatch.setattr(paths_module, "WINDOW", window)  # shorter than a path, a few paths, all of them
    paths = Paths()
    for index, name in enumerate(NAMES):
        paths.append(name)
        assert paths[index // 2] == NAMES[index // 2]  # reads between appends, from the file or the buffer
    assert list(paths) == NAMES and paths[-1] == NAMES[-1] and paths[3:5] == NAMES[3:5]
    assert (paths._scratch is None) == (spill_bytes == HELD)
    order = [*range(199, -1, -7), *range(0, 200, 3), 0, 199]  # backwards, forwards, from one end to the other
    assert [paths[index] for index in order] == [NAMES[index] for index in order]


def test_paths_spill_into_tmpdir_or_fail_saying_where(monkeypatch, tmp_path):
    monkeypatch.setattr(paths_module, "SPILL_BYTES", 64)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    paths = Paths(NAMES)
    assert list(paths) == NAMES and list(tmp_path.iterdir()) == []  # the scratch file is unlinked at once
    monkeypatch.setenv("TMPDIR", str(tmp_path / "missing"))
    with pytest.raises(OutputError, match=r"temporary file in .*missing \(\$TMPDIR\): No such file or directory"):
        Paths(NAMES)
