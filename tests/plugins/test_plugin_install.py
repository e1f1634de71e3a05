"""The plugins as a user gets them: pip-installed into a throwaway virtualenv, run as real processes.

One virtualenv for the whole module (building three wheels is the slow part). It
reuses this interpreter's installed dependencies through a .pth file rather
than downloading them, and builds with --no-build-isolation (hatchling is in
the test extra), so it needs no network.
"""

import json
import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PLUGINS = ["policycheck-aukus", "policycheck-fms"]


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    try:
        import hatchling  # noqa: F401
    except ImportError:
        pytest.fail("building the plugins offline needs hatchling: pip install '.[test]'")
    home = tmp_path_factory.mktemp("plugin-venv")
    venv.create(home / "venv", with_pip=False)
    [site] = (home / "venv" / "lib").glob("python*/site-packages")
    # plain paths, not site dirs: the dev tree's editable .pth files are not processed
    shared = dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
    (site / "zz_reuse_dependencies.pth").write_text("\n".join(shared) + "\n", encoding="utf-8")
    python = home / "venv" / "bin" / "python"
    install = [
        sys.executable,
        "-m",
        "pip",
        "--python",
        str(python),
        "install",
        "--no-deps",
        "--no-build-isolation",
        "--no-index",
        "-q",
    ]
    done = subprocess.run(
        [*install, str(ROOT), *(str(ROOT / "plugins" / name) for name in PLUGINS)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    work = home / "work"
    work.mkdir()
    return {"bin": home / "venv" / "bin", "work": work, "site": site}


def policycheck(env, *args, pythonpath=None):
    environ = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    environ["NO_COLOR"] = "1"
    if pythonpath:
        environ["PYTHONPATH"] = os.pathsep.join(map(str, pythonpath))
    return subprocess.run(
        [str(env["bin"] / "policycheck"), *map(str, args)], capture_output=True, text=True, cwd=env["work"], env=environ
    )


def write_activity(env, name, snippet):
    from policycheck.testing import activity_text

    path = env["work"] / name
    path.write_text(activity_text(snippet), encoding="utf-8")
    return path


def test_the_venv_runs_its_own_installed_copies(env):
    code = (
        "import policycheck, policycheck_aukus, policycheck_fms; print(policycheck.__file__, "
        "policycheck_aukus.__file__, policycheck_fms.__file__)"
    )
    done = subprocess.run([str(env["bin"] / "python"), "-c", code], capture_output=True, text=True, cwd=env["work"])
    assert done.returncode == 0, done.stderr
    assert all(path.startswith(str(env["site"])) for path in done.stdout.split())


def test_the_installed_package_is_typed(env):
    # PEP 561: a plugin author's type checker reads policycheck's annotations
    assert (env["site"] / "policycheck" / "py.typed").is_file()


def test_installed_plugins_are_listed_with_distribution_version_and_contributions(env):
    done = policycheck(env, "plugins", "--format", "json")
    assert done.returncode == 0, done.stderr
    rows = {row["name"]: row for row in json.loads(done.stdout)}
    assert rows["aukus"] == {
        "name": "aukus",
        "module": "policycheck_aukus",
        "distribution": "policycheck-aukus",
        "version": "0.1.0",
        "rules": ["AUK001", "AUK002", "AUK003"],
        "formats": [],
        "schema": [],
        "reference": {"tetragraphs": ["AUKS"]},
        "error": None,
    }
    assert (rows["fms"]["distribution"], rows["fms"]["rules"], rows["fms"]["formats"], rows["fms"]["schema"]) == (
        "policycheck-fms",
        ["FMS001", "FMS002"],
        ["csv"],
        ["x-fms"],
    )
    text = policycheck(env, "plugins").stdout
    assert any(line.split()[:4] == ["aukus", "policycheck-aukus", "0.1.0", "rules:"] for line in text.splitlines())


def test_rules_lists_plugin_rules_and_no_plugins_hides_them(env):
    rows = {row["id"]: row for row in json.loads(policycheck(env, "rules", "--format", "json").stdout)}
    assert rows["AUK001"]["plugin"] == "aukus" and rows["AUK003"]["family"] == "aukus"
    assert rows["FMS002"]["plugin"] == "fms"
    builtin_only = {
        row["id"] for row in json.loads(policycheck(env, "rules", "--format", "json", "--no-plugins").stdout)
    }
    assert "DAT001" in builtin_only and not {"AUK001", "FMS001"} & builtin_only


def test_checking_a_file_triggers_the_plugin_rule(env):
    path = write_activity(
        env,
        "aus.yaml",
        "partner: {country: AUS, category: most-capable}\nreleasability: {dissemination: [NOFORN], rel_to: null}\n",
    )
    done = policycheck(env, path, "--select", "AUK", "--today", "2027-01-01")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "AUK001" in done.stdout and "NOFORN withholds this activity from AUS" in done.stdout
    hidden = policycheck(env, path, "--select", "DAT", "--no-plugins", "--today", "2027-01-01")
    assert hidden.returncode == 0 and "AUK001" not in hidden.stdout
    unknown = policycheck(env, path, "--select", "AUK", "--no-plugins")
    assert unknown.returncode == 2 and "AUK" in unknown.stderr  # without the plugin, AUK is an unknown selector


def test_installed_format_schema_and_explain(env):
    path = write_activity(env, "case.yaml", "activity: {type: fms-case}\n")
    done = policycheck(env, path, "--select", "FMS", "--format", "csv")
    assert done.returncode == 0, done.stderr  # FMS001 is a warning
    assert done.stdout.splitlines()[0] == "file,line,column,level,rule,message,hint,activity_id,pointer"
    assert ",warn,FMS001," in done.stdout
    schema = json.loads(policycheck(env, "schema").stdout)
    assert "x-fms" in schema["properties"]
    explained = policycheck(env, "explain", "AUK003").stdout
    assert "`max_total_per_partner` (default: 50000000)" in explained and "Plugin: aukus" in explained


def test_a_module_both_installed_and_named_with_p_loads_once(env):
    rows = json.loads(policycheck(env, "plugins", "--format", "json", "-p", "policycheck_aukus").stdout)
    assert [row["module"] for row in rows].count("policycheck_aukus") == 1


def test_p_lists_the_distribution_of_an_installed_module(env):
    rows = json.loads(
        policycheck(env, "plugins", "--format", "json", "--no-plugins", "-p", "policycheck_aukus.strict").stdout
    )
    assert (rows[-1]["name"], rows[-1]["distribution"], rows[-1]["version"]) == (
        "policycheck_aukus.strict",
        "policycheck-aukus",
        "0.1.0",
    )


# --- entry points that are not pip-installed here: a dist-info folder on PYTHONPATH is an installed distribution too


def fake_distribution(folder, dist, entry_name, module, source):
    info = folder / f"{dist}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(f"[policycheck]\n{entry_name} = {module}\n", encoding="utf-8")
    (folder / f"{module}.py").write_text(source, encoding="utf-8")
    return folder


def test_a_broken_entry_point_is_reported_and_skipped_unless_strict(env, tmp_path):
    broken = fake_distribution(
        tmp_path / "broken", "broken-plugin", "broken", "broken_plugin_mod", "import numpy_that_is_not_here\n"
    )
    path = write_activity(env, "clean.yaml", "")

    done = policycheck(env, path, "--select", "AUK001", pythonpath=[broken])
    assert done.returncode == 0, done.stdout + done.stderr
    assert (
        "policycheck: warning: plugin 'broken' (broken_plugin_mod) failed to load and is skipped: "
        "ModuleNotFoundError: No module named 'numpy_that_is_not_here'" in done.stderr
    )
    assert "1 file checked" in done.stdout

    listed = {
        row["name"]: row
        for row in json.loads(policycheck(env, "plugins", "--format", "json", pythonpath=[broken]).stdout)
    }
    assert (
        listed["broken"]["error"].startswith("ModuleNotFoundError")
        and listed["broken"]["distribution"] == "broken-plugin"
    )
    assert listed["aukus"]["error"] is None and listed["aukus"]["rules"]

    strict = policycheck(env, path, "--strict-plugins", pythonpath=[broken])
    assert strict.returncode == 2
    assert "plugin 'broken' (broken_plugin_mod) failed to load: ModuleNotFoundError" in strict.stderr
    assert "Traceback" not in strict.stderr


def test_entry_points_load_in_name_order_whatever_the_path_order(env, tmp_path):
    rule = (
        "import policycheck\n@policycheck.hookimpl\ndef policycheck_reference_data():\n    return {{'order': ['{}']}}\n"
    )
    zeta = fake_distribution(tmp_path / "z", "zeta-plugin", "zeta", "zeta_mod", rule.format("zeta"))
    alpha = fake_distribution(tmp_path / "a", "alpha-plugin", "alpha", "alpha_mod", rule.format("alpha"))
    orders = []
    for path in ([zeta, alpha], [alpha, zeta]):
        rows = json.loads(policycheck(env, "plugins", "--format", "json", pythonpath=path).stdout)
        orders.append([row["name"] for row in rows if not row["name"].startswith("policycheck.")])
    assert orders[0] == orders[1] == ["alpha", "aukus", "fms", "zeta"]
