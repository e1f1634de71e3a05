"""Every registered rule documents itself, its own examples hold, and docs/rules.md is current.

The rule ids come from the registry, never from a list kept here: a new rule is covered
by these tests the moment it is registered (docs/adding-a-rule.md).
"""

from pathlib import Path

import pytest
from click.testing import CliRunner

from policycheck.catalogue import REGENERATE
from policycheck.cli import main
from policycheck.plugins import load_registry
from policycheck.testing import assert_examples, check_portfolio, example_files, rule_ids

ROOT = Path(__file__).resolve().parents[1]
REGISTRY = load_registry(entry_points=False)
RULES = sorted(REGISTRY.rules)
# rules a document or a portfolio raises; the engine's own (LOAD001, ERR001, ...) are stage rules
CHECKED = [rule_id for rule_id in RULES if REGISTRY.rules[rule_id].kind != "stage"]
STAGE_WITH_EXAMPLES = [
    rule_id for rule_id in RULES if REGISTRY.rules[rule_id].kind == "stage" and REGISTRY.rules[rule_id].fails
]


def cli(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_docs_rules_md_is_generated_from_the_rules_and_current():
    generated = cli("rules", "--format", "markdown", "--no-plugins", "--no-config")
    committed = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == generated, f"docs/rules.md is stale: regenerate it with `{REGENERATE}`"


def test_docs_rules_md_lists_every_rule_policycheck_rules_lists():
    listed = [line.split()[0] for line in cli("rules", "--no-plugins", "--no-config").splitlines()]
    committed = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert listed == RULES and all(f"\n### {rule_id}\n" in committed for rule_id in listed)


@pytest.mark.parametrize("rule_id", RULES)
def test_rule_says_what_it_checks_why_and_on_what_authority(rule_id):
    rule = REGISTRY.rules[rule_id]
    assert rule.title and rule.description and rule.rationale and rule.source and rule.family


@pytest.mark.parametrize("rule_id", CHECKED)
def test_rule_fails_and_passes_its_own_examples(rule_id):
    assert_examples(rule_id)


@pytest.mark.parametrize("rule_id", STAGE_WITH_EXAMPLES)
def test_stage_rule_examples_show_what_they_say(rule_id):
    # with every rule on: a waiver is judged against the findings of the rule it names
    rule = REGISTRY.rules[rule_id]
    assert rule_id in rule_ids(check_portfolio(example_files(rule, rule.fails)))
    assert rule_id not in rule_ids(check_portfolio(example_files(rule, rule.passes)))
