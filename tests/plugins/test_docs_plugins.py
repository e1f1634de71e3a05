"""docs/plugins.md and docs/plugin-api.md are executed: every fenced block is a file to write, commands to run,
or output to expect. Each guide is followed in a folder and a virtualenv of its own, outside this repository,
so the plugin package it builds is written from the page alone.

Info strings: ```LANG file=PATH (written under a fresh folder), ```sh [exit=N] (run
with bash -e in that folder, in order; the last command's exit code must be N,
default 0), ```text output (each line must appear in what the previous sh block
printed). Commands run in a throwaway virtualenv with policycheck installed; its
`pip` installs offline, reusing this environment's packages.
"""

import inspect
import os
import re
import subprocess
import sys
import sysconfig
import venv
from dataclasses import dataclass
from pathlib import Path

import pytest

from policycheck import hookspecs

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "plugins.md"
REFERENCE = ROOT / "docs" / "plugin-api.md"
FENCE = re.compile(r"^```([^\n]*)\n(.*?)^```[ \t]*$", re.M | re.S)


@dataclass
class Block:
    line: int
    lang: str
    attrs: dict
    flags: set
    body: str

    @property
    def kind(self) -> str:
        if "file" in self.attrs:
            return "file"
        if self.lang == "sh":
            return "command"
        if "output" in self.flags:
            return "output"
        return "unexecuted"


def blocks(text: str) -> list[Block]:
    found = []
    for match in FENCE.finditer(text):
        lang, *words = match.group(1).split()
        attrs = dict(word.split("=", 1) for word in words if "=" in word)
        flags = {word for word in words if "=" not in word}
        found.append(Block(text.count("\n", 0, match.start()) + 1, lang, attrs, flags, match.group(2)))
    return found


GUIDE_BLOCKS = blocks(GUIDE.read_text(encoding="utf-8"))
GUIDES = {"plugins.md": GUIDE_BLOCKS, "plugin-api.md": blocks(REFERENCE.read_text(encoding="utf-8"))}


@pytest.mark.parametrize("guide", GUIDES)
def test_every_block_is_run_written_or_checked(guide):
    found = GUIDES[guide]
    assert found, f"no code blocks found in docs/{guide}"
    unexecuted = [f"line {block.line}: ```{block.lang}" for block in found if block.kind == "unexecuted"]
    assert not unexecuted, f"blocks the test would not execute (give them file=, sh or output): {unexecuted}"
    previous = None
    for block in found:
        if block.kind == "output":
            assert previous == "command", f"line {block.line}: an output block must follow a sh block"
        previous = block.kind


def test_the_guide_covers_python_entry_point_testing_and_a_yaml_pack():
    files = {block.attrs["file"] for block in GUIDE_BLOCKS if block.kind == "file"}
    assert {
        "my-office-plugin/pyproject.toml",
        "my-office-plugin/src/my_office/rules.py",
        "yaml-version/my-office.yaml",
    } <= files
    assert any(name.startswith("my-office-plugin/tests/test_") for name in files)
    commands = "\n".join(block.body for block in GUIDE_BLOCKS if block.kind == "command")
    assert "pip install ./my-office-plugin" in commands and "python -m pytest" in commands


def test_every_hook_is_documented_with_its_summary():
    text = GUIDE.read_text(encoding="utf-8")
    reference = text.split("\n## Hooks reference\n", 1)[1]
    sections = dict(re.findall(r"^### `(\w+)`\n(.*?)(?=^### |\Z)", reference, re.M | re.S))
    specs = {
        name: inspect.getdoc(function).splitlines()[0]
        for name, function in vars(hookspecs).items()
        if name.startswith("policycheck_") and callable(function)
    }
    assert set(sections) == set(specs), "the hooks reference must list exactly the hooks in hookspecs.py"
    for name, summary in specs.items():
        assert summary in " ".join(sections[name].split()), (
            f"{name}: the reference should carry the spec's summary '{summary}'"
        )


def test_the_reference_builds_a_package_with_every_hook_and_its_tests():
    files = {block.attrs["file"]: block.body for block in GUIDES["plugin-api.md"] if block.kind == "file"}
    package = "\n".join(body for name, body in files.items() if name.startswith("maritime-plugin/src/"))
    hooks = [
        name for name, function in vars(hookspecs).items() if name.startswith("policycheck_") and callable(function)
    ]
    assert all(f"def {hook}(" in package for hook in hooks), "one complete example per hook"
    assert "@portfolio_rule(" in package and '"$ref": "#/$defs/date"' in package
    assert any(name.startswith("maritime-plugin/tests/test_") for name in files)
    commands = "\n".join(block.body for block in GUIDES["plugin-api.md"] if block.kind == "command")
    assert "pip install ./maritime-plugin" in commands and "python -m pytest -q maritime-plugin/tests" in commands


@pytest.fixture(scope="module", params=list(GUIDES))
def sandbox(request, tmp_path_factory):
    """A folder to follow a guide in, and a virtualenv with policycheck installed from this checkout."""
    home = tmp_path_factory.mktemp("guide")
    env_dir = home / "venv"
    venv.create(env_dir, with_pip=False)
    [site] = (env_dir / "lib").glob("python*/site-packages")
    shared = dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
    (site / "zz_reuse_dependencies.pth").write_text("\n".join(shared) + "\n", encoding="utf-8")
    python = env_dir / "bin" / "python"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            str(ROOT),
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    # the guide says `pip install`; here that must stay offline and inside the venv
    pip = env_dir / "bin" / "pip"
    pip.write_text(
        "#!/bin/sh\n"
        f'if [ "$1" = install ]; then shift; exec "{sys.executable}" -m pip --python "{python}" install -q '
        '--no-build-isolation --no-index "$@"; fi\n'
        f'exec "{sys.executable}" -m pip --python "{python}" "$@"\n',
        encoding="utf-8",
    )
    pip.chmod(0o755)
    work = home / "work"
    work.mkdir()
    environ = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "PYTEST_ADDOPTS")}
    environ.update(
        PATH=f"{env_dir / 'bin'}{os.pathsep}{environ.get('PATH', '')}", VIRTUAL_ENV=str(env_dir), NO_COLOR="1"
    )
    return request.param, work, environ


def test_the_guide_runs_end_to_end(sandbox):
    guide, work, environ = sandbox
    output = None
    for block in GUIDES[guide]:
        where = f"docs/{guide} line {block.line}"
        if block.kind == "file":
            target = work / block.attrs["file"]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(block.body, encoding="utf-8")
        elif block.kind == "command":
            done = subprocess.run(
                ["bash", "-e", "-c", block.body], capture_output=True, text=True, cwd=work, env=environ, timeout=300
            )
            output = done.stdout + done.stderr
            expected = int(block.attrs.get("exit", 0))
            assert done.returncode == expected, (
                f"{where}: exit {done.returncode}, expected {expected}:\n{block.body}\n{output}"
            )
        elif block.kind == "output":
            for line in filter(None, (line.strip() for line in block.body.splitlines())):
                assert line in output, f"{where}: expected output line not printed: {line!r}\nprinted:\n{output}"
