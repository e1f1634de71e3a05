"""MSR002-MSR004 and MSR007-MSR010: indicators measure a change, by a date, on a numeric target, from a
measured baseline, and the activity starts from an initial assessment (policycheck.builtin.measurable)."""

import pytest

from policycheck.config import ConfigError
from policycheck.testing import activity_text, assert_examples, assert_findings, check

RULES = ["MSR002", "MSR003", "MSR004", "MSR007", "MSR008", "MSR009", "MSR010"]


def indicator(**fields) -> str:
    """An objective whose one indicator has exactly `fields` (besides its name), as YAML."""
    lines = "".join(f"        {key}: {value}\n" for key, value in fields.items())
    return (
        "objectives:\n"
        "  - id: OBJ-1\n"
        "    statement: The Ministry of Defense adopts a costed strategy.\n"
        "    addresses_threats: [THR-1]\n"
        "    indicators:\n"
        "      - name: Strategy adopted\n" + lines
    )


def objective(statement: str, *targets: str) -> str:
    """An objective with this statement and one indicator per target (YAML scalars)."""
    lines = [
        "objectives:",
        "  - id: OBJ-1",
        f"    statement: {statement}",
        "    addresses_threats: [THR-1]",
        "    indicators:" if targets else "    indicators: []",
    ]
    lines += [f"      - {{name: Indicator {n}, baseline: 0, target: {target}}}" for n, target in enumerate(targets, 1)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("rule_id", RULES)
def test_own_examples(rule_id):
    assert_examples(rule_id)


# --- MSR002 -------------------------------------------------------------------


BASELINE = "`baseline` (the value today)"
TARGET = "`target` (the value that means the objective is met)"


@pytest.mark.parametrize(
    "fields, missing",
    [
        ({"target": 1}, f"baseline: add {BASELINE}"),
        ({"baseline": 0}, f"target: add {TARGET}"),
        ({}, f"baseline or target: add {BASELINE} and {TARGET}"),
        ({"baseline": 0, "target": '"  "'}, f"target: add {TARGET}"),
    ],
)
def test_msr002_names_what_is_missing(only, fields, missing):
    finding = only(indicator(**fields), "MSR002")
    assert finding.level == "fail"
    assert finding.pointer == "/objectives/0/indicators/0"
    assert finding.message == f"indicator 'Strategy adopted' of objective OBJ-1 has no {missing}"


@pytest.mark.parametrize("fields", [{"baseline": 0, "target": 0.5}, {"baseline": "no strategy", "target": "signed"}])
def test_msr002_silent_with_both_even_zero(fields):
    assert_findings(indicator(**fields), [], select=["MSR002"])


@pytest.mark.parametrize(
    "fields, missing, hint",
    [
        ({"baseline": "TBD", "target": 1}, "baseline", "baseline: 'TBD' only stands in for a value"),
        ({"baseline": 0, "target": '"N/A"'}, "target", "target: 'N/A' only stands in for a value"),
        ({"baseline": "unknown", "target": '"-"'}, "baseline or target", "baseline: 'unknown' and target: '-' only"),
        ({"baseline": "none", "target": 1}, "baseline", "baseline: 'none' only stands in for a value"),
    ],
)
def test_msr002_a_placeholder_is_no_value(only, fields, missing, hint):
    finding = only(indicator(**fields), "MSR002")
    assert finding.message.startswith(f"indicator 'Strategy adopted' of objective OBJ-1 has no {missing}: add")
    assert finding.hint.startswith(hint)


def test_msr002_placeholders_from_configuration_count(only):
    config = {"reference": {"placeholders": ["to be measured"]}}
    assert only(indicator(baseline='"To be measured"', target=1), "MSR002", config=config).pointer
    assert_findings(indicator(baseline='"To be measured"', target=1), [], select=["MSR002"])


# --- MSR003 -------------------------------------------------------------------


@pytest.mark.parametrize(
    "baseline, target",
    [(10, 10), (1, 1.0), ('"10"', 10), ("ad hoc", "Ad hoc"), ('" 12.5"', 12.5)],
)
def test_msr003_target_equal_to_baseline(only, baseline, target):
    finding = only(indicator(baseline=baseline, target=target), "MSR003")
    assert finding.level == "warn"
    assert finding.pointer == "/objectives/0/indicators/0/target"
    assert "success would mean no change" in finding.message


@pytest.mark.parametrize(
    "fields",
    [
        {"baseline": 10, "target": 80},
        {"baseline": "ad hoc", "target": "standing committee"},
        {"target": 5},
        {"baseline": 0, "target": "0 incidents"},
    ],
)
def test_msr003_silent_when_target_differs_or_is_missing(fields):
    assert_findings(indicator(**fields), [], select=["MSR003"])


# --- MSR004 (the starter runs from 2027-01-15 to 2028-06-30) ------------------


def test_msr004_missing_due_points_at_the_indicator(only):
    finding = only(indicator(baseline=0, target=1), "MSR004")
    assert finding.level == "warn"
    assert finding.pointer == "/objectives/0/indicators/0"
    assert (
        finding.message
        == "indicator 'Strategy adopted' of objective OBJ-1 has no due date: add `due: YYYY-MM-DD`, when the target "
        "should be reached"
    )
    assert finding.hint == "between 2027-01-15 and 2030-06-30"


def test_msr004_due_before_start(only):
    finding = only(indicator(baseline=0, target=1, due='"2027-01-14"'), "MSR004")
    assert finding.pointer == "/objectives/0/indicators/0/due"
    assert finding.message == (
        "indicator 'Strategy adopted' of objective OBJ-1 is due 2027-01-14, before the activity starts (2027-01-15): "
        "move `due` after the start, when the activity can have had an effect"
    )


def test_msr004_due_more_than_two_years_after_end(only):
    finding = only(indicator(baseline=0, target=1, due='"2030-07-01"'), "MSR004")
    assert finding.pointer == "/objectives/0/indicators/0/due"
    assert finding.message == (
        "indicator 'Strategy adopted' of objective OBJ-1 is due 2030-07-01, more than 2 years after the activity "
        "ends (2028-06-30): "
        "measure by 2030-06-30, while the result can still be attributed to the activity"
    )
    assert finding.hint == "or raise `max_years_after_end` for MSR004 in configuration"


@pytest.mark.parametrize("due", ["2027-01-15", "2028-06-30", "2030-06-30"])
def test_msr004_silent_from_start_to_exactly_two_years_after_end(due):
    assert_findings(indicator(baseline=0, target=1, due=f'"{due}"'), [], select=["MSR004"])


def test_msr004_parameter_widens_the_window():
    config = {"rules": {"MSR004": {"max_years_after_end": 5}}}
    assert_findings(indicator(baseline=0, target=1, due='"2031-06-30"'), [], select=["MSR004"], config=config)
    [finding] = assert_findings(
        indicator(baseline=0, target=1, due='"2033-07-01"'), ["MSR004"], select=["MSR004"], config=config
    )
    assert "more than 5 years after" in finding.message


def test_msr004_parameter_zero_means_by_the_end():
    config = {"rules": {"MSR004": {"max_years_after_end": 0}}}
    assert_findings(indicator(baseline=0, target=1, due='"2028-07-01"'), ["MSR004"], select=["MSR004"], config=config)


def test_msr004_leap_day_end():
    snippet = 'activity: {start: "2027-01-15", end: "2028-02-29"}\n' + indicator(
        baseline=0, target=1, due='"2030-03-01"'
    )
    [finding] = assert_findings(snippet, ["MSR004"], select=["MSR004"])
    assert "measure by 2030-02-28" in finding.message


def test_msr004_judges_no_window_when_the_activity_ends_before_it_starts():
    dates = 'activity: {start: "2029-01-01", end: "2027-01-01"}\n'
    # DAT001 reports the dates; a missing due date is still a finding of its own
    assert_findings(
        dates + indicator(baseline=0, target=1, due='"2031-01-01"'), ["DAT001"], select=["MSR004", "DAT001"]
    )
    assert_findings(dates + indicator(baseline=0, target=1), ["DAT001", "MSR004"], select=["MSR004", "DAT001"])


def test_msr004_bad_parameter_is_a_configuration_error():
    with pytest.raises(ConfigError, match=r"rules.MSR004.max_years_after_end must be a whole number, not 'two'"):
        check(
            indicator(baseline=0, target=1),
            select=["MSR004"],
            config={"rules": {"MSR004": {"max_years_after_end": "two"}}},
        )


def test_msr004_late_due_date_is_located_at_its_key(locate):
    text = activity_text(indicator(baseline=0, target=1, due='"2031-01-01"'))
    [finding] = check(text, select=["MSR004"], base=False)
    assert (finding.line, finding.column) == locate(text, "due: '2031-01-01'")


# --- MSR007 -------------------------------------------------------------------


def test_msr007_vague_verb_and_text_target(only):
    finding = only(objective("Strengthen interagency coordination.", "standing committee"), "MSR007")
    assert finding.level == "warn"
    assert finding.pointer == "/objectives/0/statement"
    assert finding.message == (
        "objective OBJ-1 rests on the vague verb 'strengthen' and none of its indicators has a numeric target: "
        "give an indicator a numeric `target` (a count, a percentage, a time)"
    )
    assert finding.hint == "or restate the objective as the result the partner will achieve"


@pytest.mark.parametrize(
    "statement, verb",
    [
        ("The Navy strengthens maritime patrols.", "'strengthen' (\"strengthens\")"),
        ("Strengthening interagency coordination.", "'strengthen' (\"Strengthening\")"),
        ("An enhanced planning process.", "'enhance' (\"enhanced\")"),
        ("The course improves staff skills.", "'improve' (\"improves\")"),
        ("Training supporting NATO integration.", "'support' (\"supporting\")"),
        ("The advisor builds relationships with the staff.", "'build relationships' (\"builds relationships\")"),
        ("Advisors built trust with planners.", "'build trust' (\"built trust\")"),
        ("|\n      Advisors BUILD\n      relationships.", "'build relationships'"),
        ("Facilitating dialogue.", "'facilitate' (\"Facilitating\")"),
    ],
)
def test_msr007_inflected_forms_name_their_base_verb(only, statement, verb):
    finding = only(objective(statement, "a plan"), "MSR007")
    assert f"rests on the vague verb {verb} and" in finding.message


@pytest.mark.parametrize(
    "statement",
    [
        "Supportive leadership adopts the plan.",
        "An enhancement to the plan.",
        "Reinforcement units deploy.",
        "Build, then capacity reviews.",  # the words of a phrase are separated by spaces only
    ],
)
def test_msr007_matches_whole_words_only(statement):
    assert_findings(objective(statement, "a plan"), [], select=["MSR007"])


@pytest.mark.parametrize("target", ["80", "12.5", '"80"', '" 12.5 "', '"1e3"', "0"])
def test_msr007_numeric_target_makes_it_measurable(target):
    assert_findings(objective("Improve staff planning.", "a plan", target), [], select=["MSR007"])


@pytest.mark.parametrize("target", ['"80%"', "eighty", '"NaN"', '"inf"'])
def test_msr007_targets_that_are_not_numbers(target):
    assert_findings(objective("Improve staff planning.", target), ["MSR007"], select=["MSR007"])


def test_msr007_boolean_target_is_not_a_number():
    assert_findings(objective("Improve staff planning.", "true"), ["MSR007", "SCH001"], select=["MSR007"])


def test_msr007_objective_without_indicators_has_no_numeric_target():
    assert_findings(objective("Improve staff planning."), ["MSR007"], select=["MSR007"])


def test_msr007_silent_without_a_vague_verb():
    assert_findings(objective("The Minister signs the strategy.", "signed"), [], select=["MSR007"])


def test_msr007_verbs_are_reference_data_extendable_by_configuration(only):
    config = {"reference": {"vague_verbs": ["assist"]}}
    finding = only(objective("Advisors assisted the staff.", "a plan"), "MSR007", config=config)
    assert "'assist' (\"assisted\")" in finding.message


@pytest.mark.parametrize(
    "statement",
    [
        "The logistics support command keeps two patrol boats at sea.",
        "The Navy receives support from the regional maintenance centre.",
        "Spare parts reach the fleet in advance of each patrol.",
    ],
)
def test_msr007_the_noun_support_or_advance_is_not_a_vague_verb(statement):
    assert_findings(objective(statement, "a plan"), [], select=["MSR007"])


@pytest.mark.parametrize(
    "statement",
    [
        "Support the Navy's maintenance planning.",
        "The advisors will support the Navy's maintenance planning.",
        "Train and support the Navy's maintenance planners.",
        "The advisor supports the Navy's maintenance planning.",
    ],
)
def test_msr007_support_as_a_verb_still_counts(statement):
    assert_findings(objective(statement, "a plan"), ["MSR007"], select=["MSR007"])


def test_msr007_a_noun_earlier_does_not_hide_a_verb_later(only):
    finding = only(objective("The support command will strengthen its planning.", "a plan"), "MSR007")
    assert "'strengthen'" in finding.message


def test_msr007_v2_an_output_count_does_not_measure_the_change():
    outputs = (
        "objectives:\n  - id: OBJ-1\n    statement: Strengthen maritime law enforcement.\n"
        "    addresses_threats: [THR-1]\n    indicators:\n"
        "      - {name: Meetings held, kind: output, baseline: 0, target: 4}\n"
    )
    assert_findings(outputs, ["MSR007"], select=["MSR007"])
    assert_findings(outputs.replace("kind: output", "kind: outcome"), [], select=["MSR007"])
    # activity/v1 cannot say what kind an indicator is: any numeric target counts
    assert_findings(outputs.replace("kind: output, ", ""), [], select=["MSR007"], base="activity/v1")


# --- MSR008 -------------------------------------------------------------------


def budget(amount: int, currency: str = "USD") -> str:
    return f"activity:\n  budget: {{amount: {amount}, currency: {currency}}}\n"


def test_msr008_a_large_activity_without_an_initial_assessment(only):
    finding = only(budget(4500000) + "assessment: null\n", "MSR008")
    assert finding.level == "warn" and finding.pointer == ""
    assert finding.message.startswith(
        "the activity costs $4,500,000, above the $1,000,000 at which an initial assessment is expected, but names none"
    )
    assert only(budget(1000000) + "assessment: {initial_assessment: null}\n", "MSR008").pointer == "/assessment"


def test_msr008_an_assessment_dated_after_the_start(only):
    late = 'assessment: {initial_assessment: {reference: Baseline study, date: "2027-03-01"}}\n'
    finding = only(budget(4500000) + late, "MSR008")
    assert finding.pointer == "/assessment/initial_assessment/date"
    assert "dated 2027-03-01, after the activity starts (2027-01-15)" in finding.message


@pytest.mark.parametrize(
    "snippet",
    [
        budget(999999) + "assessment: null\n",
        budget(4500000, "EUR") + "assessment: null\n",
        budget(4500000),  # the starter's assessment
    ],
)
def test_msr008_silent_or_skipped(snippet):
    assert_findings(snippet, [], select=["MSR008"])


def test_msr008_min_budget_is_a_parameter_and_v1_is_not_judged(only):
    config = {"rules": {"MSR008": {"min_budget": 500000}}}
    assert only("assessment: null\n", "MSR008", config=config).level == "warn"  # the starter's $850,000
    assert_findings(budget(90000000), [], select=["MSR008"], base="activity/v1")


# --- MSR009, MSR010 -----------------------------------------------------------


def kinds(*kinds: str) -> str:
    items = "".join(
        f"      - {{name: Indicator {n}, kind: {kind}, baseline: 0, target: 5}}\n" for n, kind in enumerate(kinds, 1)
    )
    return (
        "objectives:\n  - id: OBJ-1\n    statement: The Navy patrols its EEZ every week.\n"
        "    addresses_threats: [THR-1]\n    indicators:\n" + items
    )


def test_msr009_only_outputs_points_at_the_indicators(only):
    finding = only(kinds("output", "output"), "MSR009")
    assert finding.pointer == "/objectives/0/indicators"
    assert finding.message.startswith("objective OBJ-1 is measured only by outputs (what the activity delivers)")


def test_msr009_silent_with_an_outcome_or_an_unstated_kind():
    assert_findings(kinds("output", "outcome"), [], select=["MSR009"])
    assert_findings(kinds("output").replace("kind: output, ", ""), [], select=["MSR009"])
    assert_findings(objective("The Navy patrols its EEZ.", "5"), [], select=["MSR009"])


def test_msr010_an_estimated_baseline_points_at_its_source(only):
    finding = only(indicator(baseline=30, baseline_source="estimated", target=60), "MSR010")
    assert finding.pointer == "/objectives/0/indicators/0/baseline_source"
    assert_findings(indicator(baseline=30, baseline_source="measured", target=60), [], select=["MSR010"])
