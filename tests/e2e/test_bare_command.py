"""`policycheck PATH...` with no options runs without click, and must behave exactly as
`policycheck check PATH...` does through click."""

import subprocess
import sys
from pathlib import Path

import pytest

from policycheck import main as entry
from policycheck.cli import main as click_main

ROOT = Path(__file__).resolve().parents[2]
COMMAND = str(Path(sys.executable).parent / "policycheck")
CLEAN = str(ROOT / "examples" / "albania-nds-advisory.yaml")
FLAWED = str(ROOT / "examples" / "frontline-partner-equipment.yaml")
BROKEN = str(ROOT / "examples" / "broken")


def test_the_command_names_are_clicks_commands():
    assert set(entry.COMMANDS) == set(click_main.commands)


@pytest.mark.parametrize(
    "args, plain",
    [
        (["a.yaml"], True),
        (["a.yaml", "folder", "*.yml"], True),
        ([], False),
        (["-"], False),
        (["a.yaml", "--format", "json"], False),
        (["--version"], False),
        (["rules"], False),
        (["check", "a.yaml"], False),
        (["a.yaml", "-q"], False),
    ],
)
def test_only_bare_paths_take_the_plain_path(args, plain):
    assert entry.is_bare(args) is plain


def _both(args: list[str], cwd: Path) -> tuple[subprocess.CompletedProcess, subprocess.CompletedProcess]:
    def invoke(command: list[str]) -> subprocess.CompletedProcess:
        return subprocess.run(command, capture_output=True, text=True, cwd=cwd, timeout=60)

    return invoke([COMMAND, *args]), invoke([COMMAND, "check", *args])


@pytest.mark.parametrize(
    "args",
    [
        [CLEAN],
        [FLAWED],
        [CLEAN, FLAWED, BROKEN],
        [str(ROOT / "examples")],
        ["no/such/file.yaml"],
        [str(ROOT / "src")],  # a folder with no activity files
    ],
    ids=["clean", "flawed", "several", "folder", "missing", "no-activities"],
)
def test_plain_and_click_give_the_same_bytes_and_exit_code(args, tmp_path):
    plain, through_click = _both(args, tmp_path)
    assert (plain.returncode, plain.stdout, plain.stderr) == (
        through_click.returncode,
        through_click.stdout,
        through_click.stderr,
    )
    assert "Traceback" not in plain.stderr


def _reversed_dates(folder: Path) -> str:
    path = folder / "dates.yaml"
    path.write_text('activity: {start: "2028-01-01", end: "2027-01-01"}\n', encoding="utf-8")
    return str(path)


def test_configuration_is_discovered_on_the_plain_path(tmp_path):
    (tmp_path / ".policycheck.yaml").write_text("select: [DAT001]\n", encoding="utf-8")
    plain, through_click = _both([_reversed_dates(tmp_path)], tmp_path)
    assert (plain.returncode, plain.stdout) == (through_click.returncode, through_click.stdout)
    assert "FAIL DAT001" in plain.stdout and " THR0" not in plain.stdout.split("policy:")[0]


def test_a_broken_configuration_is_exit_2_on_the_plain_path(tmp_path):
    (tmp_path / ".policycheck.yaml").write_text("selct: [DAT001]\n", encoding="utf-8")
    plain, through_click = _both([CLEAN], tmp_path)
    assert plain.returncode == through_click.returncode == 2
    assert plain.stderr == through_click.stderr
    assert plain.stderr.startswith("policycheck: error: ") and ".policycheck.yaml:1" in plain.stderr


def _after_main(args: list[str], report: str, before: str = "") -> str:
    """What `report` (an expression) prints after `main(args)` in a fresh interpreter."""
    code = (
        "import gc, sys\n"
        f"{before}"
        "from policycheck.main import main\n"
        "try:\n"
        f"    main({args!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print({report})\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    return result.stdout.splitlines()[-1]


def _modules_after(args: list[str]) -> set[str]:
    return set(_after_main(args, "' '.join(sorted(sys.modules))").split())


def test_the_plain_path_does_not_import_click():
    modules = _modules_after([CLEAN])
    assert "policycheck.engine" in modules and "click" not in modules
    assert "click" in _modules_after([CLEAN, "--no-config"])


def test_a_clean_file_starts_without_what_it_does_not_need():
    # each of these once cost a measurable share of a cold start (issue 8)
    unneeded = {"dataclasses", "pathlib", "json", "pickle", "glob", "jsonschema", "importlib.metadata"}
    # nor the language server's packages (issue 20): a plain check must not start slower for them
    unneeded |= {"pygls", "lsprotocol", "cattrs", "policycheck.server"}
    assert _modules_after([CLEAN]) & unneeded == set()


def test_cycles_are_collected_while_files_are_checked_not_while_the_run_is_built():
    record_when_collecting = (
        "from policycheck import engine\n"
        "seen = []\n"
        "built, checked = engine.Engine.__init__, engine.Engine.check\n"
        "def init(self, *args):\n"
        "    seen.append(('built', gc.isenabled()))\n"
        "    built(self, *args)\n"
        "def check(self, source):\n"
        "    seen.append(('checked', gc.isenabled()))\n"
        "    return checked(self, source)\n"
        "engine.Engine.__init__, engine.Engine.check = init, check\n"
    )
    seen = _after_main(
        [CLEAN, FLAWED], "seen, gc.isenabled(), gc.get_freeze_count() > 0", before=record_when_collecting
    )
    assert seen == "[('built', False), ('checked', True), ('checked', True)] True True"


def test_python_dash_m_takes_the_same_path(tmp_path):
    path = _reversed_dates(tmp_path)
    module = subprocess.run([sys.executable, "-m", "policycheck", path], capture_output=True, text=True, cwd=tmp_path)
    command = subprocess.run([COMMAND, path], capture_output=True, text=True, cwd=tmp_path)
    assert (module.returncode, module.stdout) == (command.returncode, command.stdout) and module.returncode == 1


@pytest.mark.parametrize("args", [["rules"], ["no-such-file.yaml"]])
def test_collection_is_back_on_however_the_command_ends(args):
    assert _after_main(args, "gc.isenabled()") == "True"
