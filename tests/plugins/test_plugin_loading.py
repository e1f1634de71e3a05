"""Loading plugins through the CLI in-process: isolation, clashes, and the errors a plugin author meets."""

import json

import pytest
from click.testing import CliRunner

from policycheck.cli import main
from policycheck.testing import activity_text


def run(*args):
    # entry points off: these tests see exactly the built-ins and the -p modules they name
    return CliRunner().invoke(main, [*args, "--no-plugins", "--no-config", "--today", "2027-01-01"])


def run_meta(*args):
    return CliRunner().invoke(main, [*args, "--no-plugins", "--no-config"])


@pytest.fixture
def write(tmp_path):
    def write(name, snippet):
        path = tmp_path / name
        path.write_text(activity_text(snippet), encoding="utf-8")
        return str(path)

    return write


def rules_plugin(*rule_ids, body="return []", level="warn"):
    """Source of a plugin module registering document rules with the given ids."""
    rules = "".join(
        f'''
@policycheck.rule(id="{rule_id}", title="Rule {rule_id}", family="test", level="{level}", rationale="-", source="tests")
def rule_{rule_id.lower()}(activity, ctx):
    {body}
'''
        for rule_id in rule_ids
    )
    names = ", ".join(f"rule_{rule_id.lower()}" for rule_id in rule_ids)
    return f"import policycheck\n{rules}\n@policycheck.hookimpl\ndef policycheck_rules():\n    return [{names}]\n"


def findings(result):
    return sorted(
        (f["rule"], f["file"].rsplit("/", 1)[-1])
        for report in json.loads(result.output)["files"]
        for f in report["findings"]
    )


# --- crash isolation ---------------------------------------------------------------

CRASHES_ON_GBR = """
import policycheck

@policycheck.rule(id="TST101", title="Crashes on GBR", family="test", level="fail", rationale="-", source="tests")
def crashes_on_gbr(activity, ctx):
    if activity.get("/partner/country") == "GBR":
        raise KeyError("no GBR table")
    return []

@policycheck.rule(id="TST102", title="Always fires", family="test", level="warn", rationale="-", source="tests")
def always_fires(activity, ctx):
    yield policycheck.Violation("/partner/country", "still ran")

@policycheck.portfolio_rule(id="TST103", title="Portfolio crash", family="test", level="warn", rationale="-",
                            source="tests", collect=lambda activity, ctx: 1)
def portfolio_crash(collected, ctx):
    raise ZeroDivisionError("total of nothing")

@policycheck.hookimpl
def policycheck_rules():
    return [crashes_on_gbr, always_fires, portfolio_crash]
"""


def test_a_crashing_rule_is_err001_for_that_file_and_everything_else_still_runs(plugin_module, write):
    name = plugin_module(CRASHES_ON_GBR)
    alb = write("alb.yaml", "id: ALB-1\n")
    gbr = write("gbr.yaml", "id: GBR-1\npartner: {country: GBR}\n")
    result = run(alb, gbr, "-p", name, "--select", "TST", "--format", "json")
    assert result.exit_code == 3, result.output
    assert findings(result) == [
        ("ERR001", "alb.yaml"),  # the portfolio rule's crash, on each file it collected from
        ("ERR001", "gbr.yaml"),
        ("ERR001", "gbr.yaml"),
        ("TST102", "alb.yaml"),
        ("TST102", "gbr.yaml"),
    ]
    messages = [
        (report["file"].rsplit("/", 1)[-1], f["message"])
        for report in json.loads(result.output)["files"]
        for f in report["findings"]
        if f["rule"] == "ERR001"
    ]
    assert sorted(messages) == [
        ("alb.yaml", "rule TST103 crashed: ZeroDivisionError: total of nothing"),
        ("gbr.yaml", "rule TST101 crashed: KeyError: 'no GBR table'"),
        ("gbr.yaml", "rule TST103 crashed: ZeroDivisionError: total of nothing"),
    ]
    outcomes = {report["file"].rsplit("/", 1)[-1]: report["rules"] for report in json.loads(result.output)["files"]}
    assert outcomes["alb.yaml"]["TST103"] == outcomes["gbr.yaml"]["TST103"] == "error"
    assert (outcomes["alb.yaml"]["TST101"], outcomes["gbr.yaml"]["TST101"]) == ("pass", "error")
    hints = [
        f["hint"] for report in json.loads(result.output)["files"] for f in report["findings"] if f["rule"] == "ERR001"
    ]
    assert all(f"plugin '{name}'" in hint for hint in hints)


# --- clashes -----------------------------------------------------------------------


def test_two_plugins_registering_one_rule_id_is_an_error_naming_both(plugin_module, write):
    first, second = plugin_module(rules_plugin("TST201")), plugin_module(rules_plugin("TST202", "TST201"))
    result = run(write("a.yaml", ""), "-p", first, "-p", second)
    assert result.exit_code == 2
    assert f"rule id 'TST201' is registered by both '{first}' and '{second}'" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "source, message",
    [
        (
            "import policycheck\nfrom policycheck.report import OutputFormat\n"
            "@policycheck.hookimpl\ndef policycheck_output_formats():\n    return "
            "{'json': OutputFormat('json', str)}\n",
            "output format 'json' is registered by both 'policycheck.report.builtin' and '{name}'",
        ),
        (
            "import policycheck\n@policycheck.hookimpl\ndef policycheck_schema_fragments():\n    return "
            "{'partner': {'type': 'object'}}\n",
            "plugin '{name}': 'partner' is a built-in section of the activity schema",
        ),
    ],
)
def test_a_plugin_cannot_replace_a_builtin_format_or_section(plugin_module, write, source, message):
    name = plugin_module(source)
    result = run(write("a.yaml", ""), "-p", name)
    assert result.exit_code == 2
    assert message.format(name=name) in result.output


def test_two_plugins_claiming_one_schema_section_is_an_error_naming_both(plugin_module):
    source = (
        "import policycheck\n@policycheck.hookimpl\ndef policycheck_schema_fragments():\n    return "
        "{'x-shared': {'type': 'object'}}\n"
    )
    first, second = plugin_module(source), plugin_module(source)
    result = run_meta("schema", "-p", first, "-p", second)
    assert result.exit_code == 2
    assert f"schema section 'x-shared' is registered by both '{first}' and '{second}'" in result.output


def test_only_policycheck_names_are_hooks(plugin_module):
    # as in pytest: the rest of a plugin module is not inspected, even if decorated
    name = plugin_module(
        "import policycheck\n"
        "@policycheck.hookimpl\n"
        "def helper_formats():\n"
        "    raise AssertionError('not a hook: never called')\n"
        "@policycheck.hookimpl\n"
        "def policycheck_reference_data():\n"
        "    return {'vague_verbs': ['hew']}\n"
    )
    result = run_meta("plugins", "--format", "json", "-p", name)
    assert result.exit_code == 0, result.output
    [listed] = [plugin for plugin in json.loads(result.output) if plugin["name"] == name]
    assert "helper_formats" not in result.output
    assert listed["error"] is None


# --- a plugin author's mistakes are messages, not tracebacks -------------------------


@pytest.mark.parametrize(
    "source, message",
    [
        (
            "import policycheck\n@policycheck.hookimpl\ndef policycheck_rule():\n    return []\n",
            "plugin '{name}' implements unknown hook 'policycheck_rule'; did you mean 'policycheck_rules'?",
        ),
        (
            "import policycheck\n@policycheck.hookimpl\ndef policycheck_rules():\n    raise "
            "RuntimeError('half-written')\n",
            "plugin '{name}' failed in policycheck_rules(): RuntimeError: half-written",
        ),
        (
            "import policycheck\n@policycheck.hookimpl\ndef policycheck_output_formats():\n    return ['csv']\n",
            "plugin '{name}': policycheck_output_formats() must return a mapping, not list",
        ),
        (
            "import policycheck\n@policycheck.hookimpl\ndef policycheck_rules():\n    return ['AUK001']\n",
            "plugin '{name}' registered 'AUK001', which is not a policycheck Rule",
        ),
        (
            "import policycheck\n@policycheck.hookimpl(wrapper=True)\ndef policycheck_rules():\n    return (yield)\n",
            "plugin '{name}': policycheck_rules cannot be a wrapper",
        ),
        (
            "import policycheck\n@policycheck.hookimpl\ndef policycheck_rules(config):\n    return []\n",
            "plugin '{name}': policycheck_rules: Argument(s) {{'config'}}",
        ),
        ("raise ImportError('needs numpy')\n", "cannot import plugin module '{name}': ImportError: needs numpy"),
    ],
)
def test_plugin_mistakes_are_exit_2_naming_the_plugin(plugin_module, source, message):
    name = plugin_module(source)
    result = run_meta("rules", "-p", name)
    assert result.exit_code == 2, result.output
    assert message.format(name=name) in result.output
    assert "Traceback" not in result.output


# --- rule defaults, reference data ------------------------------------------------------

PARAMETRIZED = """
import policycheck

@policycheck.rule(id="TST301", title="Reports its parameter", family="test", level="warn", rationale="-",
                  source="tests", parameters={"limit": 1})
def reports_limit(activity, ctx):
    yield policycheck.Violation("/id", f"limit={ctx.params['limit']} codes={ctx.reference['test_codes']}")

@policycheck.hookimpl
def policycheck_rules():
    return [reports_limit]

@policycheck.hookimpl
def policycheck_reference_data():
    return {"test_codes": ["A"]}
"""


def defaults(limit):
    return (
        "import policycheck\n@policycheck.hookimpl\ndef policycheck_rule_defaults():\n"
        f"    return {{'TST301': {{'limit': {limit}}}}}\n@policycheck.hookimpl\n"
        "def policycheck_reference_data():\n    return {'test_codes': ['B']}\n"
    )


def test_rule_defaults_later_plugin_wins_and_configuration_wins_over_all(plugin_module, write, tmp_path):
    rule, five, seven = plugin_module(PARAMETRIZED), plugin_module(defaults(5)), plugin_module(defaults(7))
    path = write("a.yaml", "")

    def message(*extra):
        result = run(path, "-p", rule, *extra, "--select", "TST301", "--format", "json")
        [finding] = json.loads(result.output)["files"][0]["findings"]
        return finding["message"]

    assert message() == "limit=1 codes=('A',)"
    assert message("-p", five) == "limit=5 codes=('A', 'B')"
    assert message("-p", seven, "-p", five) == "limit=5 codes=('A', 'B')"
    assert message("-p", five, "-p", seven) == "limit=7 codes=('A', 'B')"
    config = tmp_path / "config.yaml"
    config.write_text("rules:\n  TST301: {limit: 9}\n", encoding="utf-8")
    result = CliRunner().invoke(
        main,
        [
            path,
            "-p",
            rule,
            "-p",
            five,
            "--config",
            str(config),
            "--no-plugins",
            "--select",
            "TST301",
            "--format",
            "json",
        ],
    )
    assert json.loads(result.output)["files"][0]["findings"][0]["message"].startswith("limit=9 ")
    explained = run_meta("explain", "TST301", "-p", rule, "-p", five).output
    assert "`limit` (default: 5)" in explained


# --- the plugins command ------------------------------------------------------------


def test_plugins_command_lists_what_each_plugin_adds_in_load_order(plugin_module):
    name = plugin_module(PARAMETRIZED)
    result = run_meta("plugins", "-p", name, "--format", "json")
    rows = json.loads(result.output)
    assert [row["name"] for row in rows][-1] == name
    assert rows[0]["name"] == "policycheck.builtin.core" and rows[0]["distribution"] == "policycheck"
    assert rows[-1]["rules"] == ["TST301"] and rows[-1]["distribution"] is None and rows[-1]["error"] is None
    builtin_formats = next(row for row in rows if row["name"] == "policycheck.report.builtin")
    assert {"text", "json"} <= set(builtin_formats["formats"])
    text = run_meta("plugins", "-p", name).output.splitlines()
    assert text[-1].split() == [name, "-", "rules:", "TST301;", "reference", "data:", "test_codes", "A"]
