"""INT002, INT003 and INT005: each system's sustainment and origin (policycheck.builtin.interoperability)."""

import pytest

from policycheck.config import ConfigError
from policycheck.testing import activity_text, assert_examples, assert_findings, check

RULES = ["INT002", "INT003", "INT005"]
FULL = "{training: true, spare_parts: true, maintenance: true, funded_years: 5, funded_by: us}"


def systems(*specs: str) -> str:
    """interoperability.systems, each given as extra keys of a flow mapping after its name."""
    items = "".join(
        f"    - {{name: System {n}, origin: USA, quantity: 2{', ' + spec if spec else ''}}}\n"
        for n, spec in enumerate(specs, 1)
    )
    return "interoperability:\n  systems:\n" + items


@pytest.mark.parametrize("rule_id", RULES)
def test_own_examples(rule_id):
    assert_examples(rule_id)


@pytest.mark.parametrize("rule_id", RULES)
def test_silent_without_systems(rule_id):
    assert_findings("interoperability: {systems: []}\n", [], select=[rule_id])
    assert_findings("interoperability: null\n", [], select=[rule_id])


# --- INT002 -------------------------------------------------------------------


def test_int002_system_without_sustainment_points_at_the_system(only):
    finding = only(systems(f"sustainment: {FULL}", ""), "INT002")
    assert finding.level == "fail"
    assert finding.pointer == "/interoperability/systems/1"
    assert finding.message == (
        "system 'System 2' has no sustainment package: add `sustainment` saying whether training, "
        "spare parts and maintenance are funded, and for how many years"
    )
    assert finding.hint == "e.g. `sustainment: {training: true, spare_parts: true, maintenance: true, funded_years: 5}`"


def test_int002_null_sustainment_is_none():
    assert_findings(systems("sustainment: null"), ["INT002", "SCH001"], select=["INT002"])


def test_int002_silent_with_any_sustainment_package():
    # how complete the package is, is INT003's question
    assert_findings(systems(f"sustainment: {FULL}", "sustainment: {training: false}"), [], select=["INT002"])


def test_int002_skips_a_system_the_partner_already_has():
    # an exercise with the partner's own F-16s depends on them; it delivers nothing to sustain (activity/v2)
    assert_findings(systems("provided: false"), [], select=["INT002"])


def test_int002_judges_a_provided_system_and_every_v1_system():
    assert_findings(systems("provided: true"), ["INT002"], select=["INT002"])
    assert_findings(systems(""), ["INT002"], select=["INT002"], base="activity/v1")


def test_int002_line_of_the_system(locate):
    text = activity_text(systems(f"sustainment: {FULL}", ""))
    [finding] = check(text, select=["INT002"], base=False)
    assert (finding.line, finding.column) == locate(text, "name: System 2")


# --- INT003 -------------------------------------------------------------------


@pytest.mark.parametrize(
    "sustainment, problem",
    [
        ("{training: true, spare_parts: false, maintenance: true, funded_years: 5}", "leaves out spare parts"),
        ("{spare_parts: true, maintenance: true, funded_years: 5}", "leaves out training"),
        (
            "{training: true, spare_parts: false, maintenance: false, funded_years: 3}",
            "leaves out spare parts and maintenance",
        ),
        (
            "{training: true, spare_parts: true, maintenance: true, funded_years: 1}",
            "is funded for 1 year, fewer than 3",
        ),
        (
            "{training: true, spare_parts: true, maintenance: true, funded_years: 0}",
            "is funded for 0 years, fewer than 3",
        ),
        ("{training: true, spare_parts: true, maintenance: true}", "states no `funded_years`"),
        ("{}", "leaves out training, spare parts and maintenance; it states no `funded_years`"),
        (
            "{training: true, spare_parts: true, maintenance: false, funded_years: 2}",
            "leaves out maintenance; it is funded for 2 years, fewer than 3",
        ),
    ],
)
def test_int003_names_what_is_lacking_in_one_finding(only, sustainment, problem):
    finding = only(systems(f"sustainment: {sustainment}"), "INT003", base="activity/v1")
    assert finding.level == "warn"
    assert finding.pointer == "/interoperability/systems/0/sustainment"
    assert (
        finding.message
        == f"the sustainment of system 'System 1' {problem}: fund training, spare parts and maintenance for at least "
        "3 years"
    )
    assert finding.hint == (
        "count the years the partner funds too in `funded_years`; activity/v2 records who pays (`funded_by`)"
    )


def test_int003_v2_asks_who_funds_the_sustainment(only):
    finding = only(
        systems("sustainment: {training: true, spare_parts: true, maintenance: true, funded_years: 5}"), "INT003"
    )
    assert finding.message.startswith("the sustainment of system 'System 1' does not say who funds it: ")
    assert finding.hint == (
        "say who pays with `funded_by: us`, `partner` or `shared`, and count the partner's years in `funded_years`"
    )


@pytest.mark.parametrize("funded_by", ["partner", "shared", "us"])
def test_int003_years_the_partner_funds_count(funded_by):
    # under the Total Package Approach the purchaser often pays for the sustainment itself
    full = (
        "sustainment: {training: true, spare_parts: true, maintenance: true, funded_years: 3, "
        f"funded_by: {funded_by}}}"
    )
    assert_findings(systems(full), [], select=["INT003"])


def test_int003_skips_a_system_the_partner_already_has():
    weak = "sustainment: {training: false, funded_years: 1}"
    assert_findings(systems(f"provided: false, {weak}"), [], select=["INT003"])
    assert_findings(systems(f"provided: true, {weak}"), ["INT003"], select=["INT003"])


def test_int003_one_finding_per_system():
    weak = "sustainment: {training: false, spare_parts: true, maintenance: true, funded_years: 1}"
    assert_findings(systems(weak, f"sustainment: {FULL}", weak), ["INT003", "INT003"], select=["INT003"])


def test_int003_silent_for_full_package_funded_three_years():
    assert_findings(
        systems("sustainment: {training: true, spare_parts: true, maintenance: true, funded_years: 3, funded_by: us}"),
        [],
        select=["INT003"],
    )


def test_int003_leaves_a_missing_package_to_int002():
    assert_findings(systems(""), [], select=["INT003"])


def test_int003_min_funded_years_parameter(only):
    config = {"rules": {"INT003": {"min_funded_years": 5}}}
    four = systems("sustainment: {training: true, spare_parts: true, maintenance: true, funded_years: 4}")
    assert "fewer than 5" in only(four, "INT003", config=config).message
    assert_findings(systems(f"sustainment: {FULL}"), [], select=["INT003"], config=config)


def test_int003_bad_parameter_is_a_configuration_error():
    with pytest.raises(ConfigError, match=r"rules.INT003.min_funded_years must be a whole number of 0 or more, not -1"):
        check(
            systems(f"sustainment: {FULL}"), select=["INT003"], config={"rules": {"INT003": {"min_funded_years": -1}}}
        )


# --- INT005 -------------------------------------------------------------------


@pytest.mark.parametrize(
    "code, country",
    [
        ("CHN", "China"),
        ("RUS", "Russian Federation"),
        ("IRN", "Iran, Islamic Republic of"),
        ("PRK", "Korea, Democratic People's Republic of"),
    ],
)
def test_int005_adversary_origin_points_at_the_origin(only, code, country):
    finding = only(systems(f"sustainment: {FULL}").replace("origin: USA", f"origin: {code}"), "INT005")
    assert finding.level == "warn"
    assert finding.pointer == "/interoperability/systems/0/origin"
    assert finding.message == (
        f"system 'System 1' comes from {country} ({code}), on the adversary-supplier list: prefer a US or allied "
        "system built to the same standards"
    )


@pytest.mark.parametrize("origin", ["origin: USA, ", "origin: KOR, ", "origin: TUR, ", ""])
def test_int005_silent_for_other_or_no_origin(origin):
    assert_findings(systems(f"sustainment: {FULL}").replace("origin: USA, ", origin), [], select=["INT005"])


def test_int005_supplier_list_is_reference_data_extendable_by_configuration(only):
    snippet = systems(f"sustainment: {FULL}").replace("origin: USA", "origin: BLR")
    assert_findings(snippet, [], select=["INT005"])
    finding = only(snippet, "INT005", config={"reference": {"adversary_suppliers": ["BLR"]}})
    assert "Belarus (BLR)" in finding.message
