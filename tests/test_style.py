"""The code keeps the project's width: `ruff format` and its line-length check (pyproject.toml)."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHECKED = ["src", "tests", "plugins", "benchmarks"]


def ruff() -> str:
    found = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    assert found, "ruff is a test dependency: pip install '.[test]'"
    return found


def test_the_code_is_formatted():
    result = subprocess.run([ruff(), "format", "--check", *CHECKED], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, f"run `ruff format {' '.join(CHECKED)}`:\n{result.stdout}{result.stderr}"


def test_no_line_runs_past_the_width():
    result = subprocess.run(
        [ruff(), "check", "--output-format", "concise", *CHECKED], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
