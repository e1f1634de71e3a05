"""The AUKUS rules through policycheck.testing: a snippet over the clean starter, the findings it raises."""

import pytest

from policycheck.plugins import load_registry
from policycheck.testing import ConfigError, assert_examples, assert_findings, check, check_portfolio, rule_ids

PLUGIN = ["policycheck_aukus"]


def aukus(snippet, expected, **options):
    return assert_findings(snippet, expected, plugins=PLUGIN, select=["AUK"], **options)


@pytest.mark.parametrize("rule_id", ["AUK001", "AUK002", "AUK003"])
def test_explain_examples_hold(rule_id):
    assert_examples(rule_id, plugins=PLUGIN)


# --- AUK001 NOFORN with a most-capable AUKUS partner ----------------------------------

NOFORN = "releasability: {classification: SECRET, dissemination: [NOFORN], rel_to: null}\n"


@pytest.mark.parametrize("country", ["AUS", "GBR"])
def test_noforn_with_a_most_capable_aukus_partner_fails(country):
    [finding] = aukus(f"partner: {{country: {country}, category: most-capable}}\n" + NOFORN, ["AUK001"])
    assert finding.level == "fail"
    assert finding.pointer == "/releasability/dissemination/0"
    assert country in finding.message


@pytest.mark.parametrize(
    "partner",
    [
        "partner: {country: AUS, category: frontline}\n",  # AUKUS partner, but not in the most-capable role
        "partner: {country: ALB, category: most-capable}\n",  # most-capable, but not AUKUS
    ],
)
def test_noforn_elsewhere_is_not_this_plugins_business(partner):
    aukus(partner + NOFORN, [])


def test_the_fix_replaces_noforn_with_rel_to_only_with_unsafe_fixes(tmp_path):
    import subprocess
    import sys

    from policycheck.testing import activity_text

    [finding] = aukus("partner: {country: AUS, category: most-capable}\n" + NOFORN, ["AUK001"])
    assert finding.fix is not None and not finding.fix.safe
    text = activity_text("partner: {country: AUS, category: most-capable}\n" + NOFORN)
    target = tmp_path / "a.yaml"
    target.write_text(text, encoding="utf-8")
    command = [sys.executable, "-m", "policycheck", "--no-config", "-p", "policycheck_aukus", "--select", "AUK"]
    subprocess.run([*command, "--fix", str(target)], capture_output=True, timeout=60)
    assert target.read_text(encoding="utf-8") == text  # a judgment call: not a safe fix
    done = subprocess.run(
        [*command, "--fix", "--unsafe-fixes", str(target)], capture_output=True, text=True, timeout=60
    )
    assert target.read_text(encoding="utf-8") == text.replace("- NOFORN", "- REL TO")
    assert done.returncode == 0 and "1 fixed, 0 remaining" in done.stderr


def test_rel_to_the_partners_passes():
    aukus("partner: {country: GBR, category: most-capable}\nreleasability: {rel_to: [USA, AUS, GBR]}\n", [])


def test_partners_is_a_parameter():
    snippet = "partner: {country: JPN, category: most-capable}\n" + NOFORN
    aukus(snippet, [])
    aukus(snippet, ["AUK001"], config={"rules": {"AUK001": {"partners": ["AUS", "GBR", "JPN"]}}})


# --- AUK002 transactional licence where the AUKUS exemption applies ------------------


def transfer(license, category="XI", country="GBR"):
    return (
        f"partner: {{country: {country}, category: most-capable}}\n"
        "releasability:\n  technology_transfer:\n"
        f"    - {{item: Autonomy software, usml_category: {category}, disclosure_decision: approved,"
        f" license: '{license}'}}\n"
    )


@pytest.mark.parametrize("license", ["DSP-5", "dsp-5 05-123456", "DSP-73"])
def test_transactional_licence_to_an_aukus_partner_warns(license):
    [finding] = aukus(transfer(license), ["AUK002"])
    assert finding.level == "warn"
    assert finding.pointer == "/releasability/technology_transfer/0/license"
    assert "22 CFR 126.7" in finding.message


@pytest.mark.parametrize("license", ["22 CFR 126.7", "DSP-50", ""])
def test_the_exemption_or_another_document_passes(license):
    aukus(transfer(license), [])


def test_excluded_categories_take_only_usml_categories():
    # the parameter declares its choices: a typo is a configuration error, not a rule that never matches
    with pytest.raises(ConfigError, match="'18' is not one of: I, II, "):
        aukus(transfer("DSP-5"), [], config={"rules": {"AUK002": {"excluded_usml_categories": ["18"]}}})


def test_only_aukus_partners_and_only_categories_not_excluded():
    aukus(transfer("DSP-5", country="POL"), [])
    aukus(transfer("DSP-5", category="XVIII"), ["AUK002"])
    aukus(
        transfer("DSP-5", category="XVIII"), [], config={"rules": {"AUK002": {"excluded_usml_categories": ["XVIII"]}}}
    )


# --- AUK003 budget per partner across the whole run (portfolio rule) -----------------


def proposal(activity_id, country, amount, currency="USD"):
    return (
        f"id: {activity_id}\npartner: {{country: {country}, category: most-capable}}\n"
        f"activity:\n  budget: {{amount: {amount}, currency: {currency}}}\n"
    )


def portfolio(files, **options):
    return check_portfolio(files, plugins=PLUGIN, select=["AUK003"], **options)


def test_budget_is_summed_per_partner_across_files():
    findings = portfolio(
        {
            "a.yaml": proposal("AUS-1", "AUS", 30_000_000),
            "b.yaml": proposal("AUS-2", "AUS", 25_000_000),
            "c.yaml": proposal("GBR-1", "GBR", 40_000_000),
        }
    )
    assert [(f.rule_id, f.file) for f in findings] == [("AUK003", "a.yaml"), ("AUK003", "b.yaml")]
    assert "AUS total 55,000,000 USD in this run (2 files; this one 30,000,000)" in findings[0].message
    assert findings[0].pointer == "/activity/budget/amount" and findings[0].line > 1


def test_each_file_alone_is_under_the_ceiling():
    for name, snippet in {
        "a.yaml": proposal("AUS-1", "AUS", 30_000_000),
        "b.yaml": proposal("AUS-2", "AUS", 25_000_000),
    }.items():
        assert rule_ids(portfolio({name: snippet})) == []


def test_other_currencies_and_partners_do_not_count():
    assert (
        portfolio(
            {
                "a.yaml": proposal("AUS-1", "AUS", 30_000_000),
                "b.yaml": proposal("AUS-2", "AUS", 30_000_000, currency="EUR"),
                "c.yaml": proposal("ALB-1", "ALB", 90_000_000),
            }
        )
        == []
    )


def test_a_file_exempted_from_auk003_still_counts_toward_the_total():
    files = {"a.yaml": proposal("AUS-1", "AUS", 30_000_000), "b.yaml": proposal("AUS-2", "AUS", 25_000_000)}
    findings = portfolio(files, config={"per_file_ignores": {"a.yaml": ["AUK003"]}})
    assert [(f.rule_id, f.file) for f in findings] == [("AUK003", "b.yaml")]
    assert "AUS total 55,000,000 USD" in findings[0].message


def test_ceiling_from_config_house_plugin_and_defaults():
    one = {"a.yaml": proposal("AUS-1", "AUS", 30_000_000)}
    assert portfolio(one) == []
    # the opt-in house policy lowers the ceiling to 25 million ...
    assert rule_ids(check_portfolio(one, plugins=[*PLUGIN, "policycheck_aukus.strict"], select=["AUK003"])) == [
        "AUK003"
    ]
    # ... and the user's configuration still has the last word
    config = {"rules": {"AUK003": {"max_total_per_partner": 40_000_000}}}
    assert check_portfolio(one, plugins=[*PLUGIN, "policycheck_aukus.strict"], select=["AUK003"], config=config) == []


# --- reference data ---------------------------------------------------------------


def test_auks_code_is_added_to_the_tetragraphs():
    reference = load_registry(modules=PLUGIN, entry_points=False).reference()
    assert reference.tetragraphs["AUKS"] == ("AUS", "GBR", "USA")
    assert reference.covers("AUKS", "GBR") and not reference.covers("AUKS", "CAN")
    assert "AUKS" not in load_registry(entry_points=False).reference().tetragraphs


def test_auks_in_rel_to_covers_the_partner_for_the_builtin_rel_rules():
    snippet = "partner: {country: AUS, category: most-capable}\nreleasability: {rel_to: [USA, AUKS]}\n"
    assert rule_ids(check(snippet, select=["REL004", "REL006"])) == ["REL004", "REL006"]
    assert rule_ids(check(snippet, select=["REL004", "REL006"], plugins=PLUGIN)) == []
