"""policycheck.testing itself: how snippets become documents, and what its assertions say."""

from datetime import date

import pytest
import yaml

from policycheck.config import ConfigError
from policycheck.testing import (
    activity_text,
    assert_examples,
    assert_findings,
    check,
    check_portfolio,
    rule_ids,
    starter,
)

STARTER = yaml.safe_load(starter())

# A rule that reports each entry of `x-probe`, with the context it was given.
PROBE = """
import policycheck

@policycheck.rule(id="PRB001", title="Probe", family="test", level="warn", rationale="-", source="tests",
                  parameters={"label": "default"})
def probe(activity, ctx):
    for path, _item in activity.items("/x-probe"):
        yield policycheck.Violation(path, f"{ctx.params['label']} {ctx.today}")

@policycheck.hookimpl
def policycheck_rules():
    return [probe]
"""


def document(snippet, **options):
    return yaml.safe_load(activity_text(snippet, **options))


# --- how a snippet becomes a document ---------------------------------------------


def test_empty_snippet_is_the_starter():
    assert document("") == STARTER


def test_mappings_merge_key_by_key():
    data = document("partner: {country: GBR}\n")
    assert data["partner"] == {**STARTER["partner"], "country": "GBR"}
    assert data["objectives"] == STARTER["objectives"]


def test_lists_replace_rather_than_merge():
    data = document("interoperability: {standards: [Link 16]}\nobjectives: [{id: O1, statement: Train}]\n")
    assert data["interoperability"]["standards"] == ["Link 16"]
    assert data["objectives"] == [{"id": "O1", "statement": "Train"}]


def test_null_removes_a_key_at_any_depth():
    data = document("governance: null\npartner: {organizations: null}\n")
    assert "governance" not in data
    assert "organizations" not in data["partner"] and data["partner"]["country"] == STARTER["partner"]["country"]


def test_a_snippet_that_is_not_a_mapping_is_checked_raw():
    assert activity_text("- just\n- a list\n") == "- just\n- a list\n"
    [finding] = check("- just\n- a list\n")
    assert finding.rule_id == "LOAD001" and "found a list" in finding.message


def test_a_snippet_that_is_not_yaml_is_checked_raw_with_its_position():
    snippet = "partner: {country: GBR\n"
    assert activity_text(snippet) == snippet
    [finding] = check(snippet)
    assert (finding.rule_id, finding.line, finding.column) == ("LOAD001", 2, 1)


def test_base_false_checks_the_snippet_alone():
    assert activity_text("id: X-1\n", base=False) == "id: X-1\n"
    assert set(rule_ids(check("id: X-1\n", base=False, select=["SCH001"]))) == {"SCH001"}


# --- check(): options ---------------------------------------------------------------


def test_plugins_today_and_config_reach_the_rule(plugin_module):
    name = plugin_module(PROBE)
    snippet = "x-probe: [{}]\n"
    [finding] = check(snippet, plugins=[name], select=["PRB"])
    assert finding.message == "default 2027-01-01" and finding.pointer == "/x-probe/0"
    [finding] = check(
        snippet, plugins=[name], select=["PRB"], today=date(2030, 5, 6), config={"rules": {"PRB001": {"label": "set"}}}
    )
    assert finding.message == "set 2030-05-06"


def test_without_plugins_a_plugin_rule_does_not_run(plugin_module):
    plugin_module(PROBE)  # importable, but not named
    with pytest.raises(ConfigError, match="no rule matches 'PRB'"):
        check("x-probe: [{}]\n", select=["PRB"])


@pytest.mark.parametrize(
    "options, message",
    [
        ({"select": ["DAT01"]}, "select: no rule matches 'DAT01'; did you mean 'DAT001'?"),
        ({"config": {"ignore": ["NOPE"]}}, "ignore: no rule matches 'NOPE'"),
        ({"config": {"rules": {"DAT001": {"max_days": 3}}}}, "rules.DAT001: unknown parameter 'max_days'"),
    ],
)
def test_a_selector_or_parameter_matching_no_rule_is_an_error_not_a_vacuous_pass(options, message):
    with pytest.raises(ConfigError) as error:
        check("", **options)
    assert message in str(error.value)


def test_check_portfolio_runs_portfolio_rules_over_all_snippets():
    findings = check_portfolio(
        {"a.yaml": "id: SAME-1\n", "b.yaml": "id: SAME-1\n", "c.yaml": "id: OTHER-1\n"}, select=["PRT001"]
    )
    assert [(f.rule_id, f.file) for f in findings] == [("PRT001", "b.yaml")]
    assert "already used by a.yaml" in findings[0].message


# --- assert_findings --------------------------------------------------------------

TWO_SCHEMA_ERRORS = "partner: {country: Albania, category: friendly}\n"


def test_assert_findings_counts_repeats_and_returns_the_findings():
    findings = assert_findings(TWO_SCHEMA_ERRORS, ["SCH001", "SCH001"], select=["DAT001"])
    assert len(findings) == 2
    with pytest.raises(AssertionError):
        assert_findings(TWO_SCHEMA_ERRORS, ["SCH001"], select=["DAT001"])


def test_assert_findings_failure_lists_every_finding_with_its_place():
    with pytest.raises(AssertionError) as error:
        assert_findings(TWO_SCHEMA_ERRORS, ["DAT001"], select=["DAT001"])
    text = str(error.value)
    assert text.startswith("expected findings ['DAT001'], got ['SCH001', 'SCH001']:\n")
    lines = text.splitlines()[1:]
    assert len(lines) == 2 and all(" fail SCH001 " in line for line in lines)
    assert any("partner.country" in line or "Albania" in line for line in lines)
    assert all(line.strip().split()[0].count(":") == 1 for line in lines)  # line:column first


def test_assert_findings_failure_says_none_when_nothing_was_found():
    with pytest.raises(AssertionError, match=r"got \[\]:\n  \(none\)"):
        assert_findings("", ["DAT001"], select=["DAT001"])


# --- assert_examples ----------------------------------------------------------------


def test_assert_examples_passes_for_true_examples():
    assert_examples("DAT001")


@pytest.mark.parametrize(
    "fails, passes, message",
    [
        ("", "", "needs both a `fails` and a `passes` example"),
        ("x-probe: []\n", "", "needs both"),
        ("x-probe: []\n", "x-probe: []\n", "`fails` example must raise EXA001"),
        ("x-probe: [{}]\npartner: {country: Albania}\n", "x-probe: []\n", "and be a valid activity"),
        ("x-probe: [{}]\n", "x-probe: [{}]\n", "`passes` example must raise nothing"),
    ],
)
def test_assert_examples_catches_examples_that_lie(plugin_module, fails, passes, message):
    name = plugin_module(f"""
        import policycheck

        @policycheck.rule(id="EXA001", title="Example", family="test", level="warn", rationale="-", source="tests",
                          fails={fails!r}, passes={passes!r})
        def example(activity, ctx):
            for path, _item in activity.items("/x-probe"):
                yield policycheck.Violation(path, "probe")

        @policycheck.hookimpl
        def policycheck_rules():
            return [example]
    """)
    with pytest.raises(AssertionError, match=message):
        assert_examples("EXA001", plugins=[name])


# --- a plugin's tests fail the way the run would -------------------------------------------

MISTAKEN = """
import policycheck

@policycheck.rule(id="MIS001", title="Mistaken", family="test", level="warn", rationale="-", source="tests")
def mistaken(activity, ctx):
    yield policycheck.Violation("/id", "found", level="error")

@policycheck.rule(id="MIS002", title="Crashes", family="test", level="warn", rationale="-", source="tests")
def crashes(activity, ctx):
    return [activity.get("/nothing").upper()]

@policycheck.hookimpl
def policycheck_rules():
    return [mistaken, crashes]
"""


def test_the_helpers_reject_what_the_engine_rejects(plugin_module):
    name = plugin_module(MISTAKEN)
    with pytest.raises(AssertionError) as error:
        assert_findings("", ["MIS001"], plugins=[name], select=["MIS001"])
    assert "got ['ERR001']" in str(error.value)
    assert "rule MIS001 crashed: Violation(level='error'): a level is one of fail, warn, info" in str(error.value)


def test_a_crash_in_a_test_shows_its_traceback(plugin_module):
    name = plugin_module(MISTAKEN)
    with pytest.raises(AssertionError) as error:
        assert_findings("", [], plugins=[name], select=["MIS002"])
    lines = str(error.value).splitlines()
    assert "      Traceback (most recent call last):" in lines
    assert '          return [activity.get("/nothing").upper()]' in lines
    assert lines[-1] == "      AttributeError: 'NoneType' object has no attribute 'upper'"


def test_tracebacks_are_kept_on_request(plugin_module):
    name = plugin_module(MISTAKEN)
    [plain] = check("", plugins=[name], select=["MIS002"])
    assert plain.rule_id == "ERR001" and plain.traceback is None
    [kept] = check("", plugins=[name], select=["MIS002"], tracebacks=True)
    assert kept.traceback.startswith("Traceback (most recent call last):\n") and "in crashes\n" in kept.traceback
    [returned] = assert_findings("", ["ERR001"], plugins=[name], select=["MIS002"])
    assert returned == plain  # assert_findings returns what check would
    assert f"plugin '{name}' at {name}.py:10," in plain.hint
