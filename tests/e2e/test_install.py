"""A plain, non-editable `pip install .` in a fresh virtualenv works from any directory."""

import json
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_wheel_ships_rules_and_schemas_and_runs_anywhere(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(ROOT)],
        check=True,
        capture_output=True,
    )
    [wheel] = wheels.glob("policycheck-*.whl")
    env_dir = tmp_path / "fresh"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    installed = subprocess.run([str(python), "-m", "pip", "install", "-q", str(wheel)], capture_output=True, text=True)
    assert installed.returncode == 0, installed.stderr

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    location = subprocess.run(
        [
            str(python),
            "-c",
            "import policycheck.resources as r; print(r.resource_dir('rules')); print(r.resource_dir('schemas'));"
            " print(r.resource_dir('docs'))",
        ],
        capture_output=True,
        text=True,
        cwd=elsewhere,
        check=True,
    ).stdout.split()
    assert all("site-packages" in path for path in location), location
    assert (Path(location[2]) / "rules.md").is_file()  # what the language server's diagnostics link to

    command = env_dir / "bin" / "policycheck"
    init = subprocess.run([str(command), "init", "proposal.yaml"], capture_output=True, text=True, cwd=elsewhere)
    assert init.returncode == 0, init.stderr
    done = subprocess.run(
        [str(command), "proposal.yaml", "--format", "json"], capture_output=True, text=True, cwd=elsewhere
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout)["summary"]["files"] == 1
    rules = subprocess.run([str(command), "rules", "--format", "json"], capture_output=True, text=True, cwd=elsewhere)
    assert {"LOAD001", "SCH001", "DAT001"} <= {row["id"] for row in json.loads(rules.stdout)}
    as_module = subprocess.run(
        [str(python), "-m", "policycheck", "--version"], capture_output=True, text=True, cwd=elsewhere
    )
    assert as_module.stdout.startswith("policycheck ")
    # installed without the "server" extra: the language server says what to install
    server = subprocess.run(
        [str(command), "server"], capture_output=True, text=True, cwd=elsewhere, stdin=subprocess.DEVNULL
    )
    assert server.returncode == 2
    assert 'needs the "server" extra' in server.stderr and 'pip install "policycheck[server]"' in server.stderr
