"""The project stands on its own: nothing reads outside the repository, and the declared
dependency bounds are the ones CI tests (`.ci/run` runs the suite in a copy of the
repository with nothing beside it, and the core tests on `.ci/minimum-versions.txt`)."""

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# the folders beside this checkout (a user's clone may have none; a workspace, its own)
SIBLINGS = sorted(re.escape(path.name) for path in ROOT.parent.iterdir() if path.is_dir() and path != ROOT)
# a path that climbs out of the repository to a sibling folder, by `../NAME` or `.parent / "NAME"`
OUTSIDE = re.compile(
    r"ROOT\.parent\b"
    + "".join(rf"|\.\./{name}\b|(?:parents\[\d\]|\.parent)\s*/\s*[\"']{name}[\"']" for name in SIBLINGS)
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def sources():
    for folder in ("src", "tests", "benchmarks", ".ci"):
        for path in sorted((ROOT / folder).rglob("*")):
            if (
                path.is_file()
                and path != Path(__file__).resolve()
                and path.suffix in (".py", ".sh", ".txt", "")
                and "__pycache__" not in path.parts
            ):
                yield path


@pytest.mark.parametrize("path", list(sources()), ids=lambda path: path.relative_to(ROOT).as_posix())
def test_no_file_reads_outside_the_repository(path):
    text = path.read_text(encoding="utf-8", errors="replace")
    assert not OUTSIDE.search(text), (
        f"{path.relative_to(ROOT)} refers outside the repository: copy what it needs into the project"
    )


def lower_bounds() -> dict[str, str]:
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    found = {}
    for requirement in dependencies:
        if ";" in requirement:  # a backport for older Pythons (tomli): CI runs one Python
            continue
        name, bound = re.fullmatch(r"([A-Za-z0-9_.-]+)>=([0-9.]+)", requirement.strip()).groups()
        found[name.lower()] = bound
    return found


def test_the_minimum_versions_ci_installs_are_the_declared_lower_bounds():
    lines = (ROOT / ".ci" / "minimum-versions.txt").read_text(encoding="utf-8").splitlines()
    pinned = dict(line.lower().split("==") for line in lines if line and not line.startswith("#"))
    # "6.0" and "6.0.0" are the same release
    assert {name: version.removesuffix(".0") for name, version in pinned.items()} == {
        name: bound.removesuffix(".0") for name, bound in lower_bounds().items()
    }


def test_ci_runs_the_readme_test_command_and_the_minimum_versions_pass():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    [command] = [line for line in readme.splitlines() if line.startswith("python3 -m venv") and "pytest" in line]
    assert command in script.splitlines()
    assert "-c .ci/minimum-versions.txt" in script
