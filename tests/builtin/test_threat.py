"""THR002-THR004: objectives and threats refer to each other (policycheck.builtin.threat)."""

import pytest

from policycheck.testing import activity_text, assert_examples, assert_findings, check

RULES = ["THR002", "THR003", "THR004"]

THREATS = (
    "threats:\n"
    "  - {id: THR-1, description: Hybrid operations, source: NATO 2022 Strategic Concept}\n"
    "  - {id: THR-2, description: Cyber attacks on government networks, source: CISA AA22-264A}\n"
)


def objectives(*addresses: str | None) -> str:
    """One objective per argument: its `addresses_threats` flow list, or None to leave the key out."""
    lines = ["objectives:"]
    for number, named in enumerate(addresses, 1):
        lines.append(f"  - id: OBJ-{number}\n    statement: The Ministry adopts plan {number}.")
        if named is not None:
            lines.append(f"    addresses_threats: {named}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("rule_id", RULES)
def test_own_examples(rule_id):
    assert_examples(rule_id)


# --- THR002 -------------------------------------------------------------------


def test_thr002_objective_without_addresses_threats_points_at_the_objective(only):
    finding = only(THREATS + objectives("[THR-1, THR-2]", None), "THR002")
    assert finding.level == "fail"
    assert finding.pointer == "/objectives/1"
    assert (
        finding.message
        == "objective OBJ-2 addresses no threat: add `addresses_threats` naming the threat ids this objective counters"
    )
    assert finding.hint == "the threats of this activity: THR-1, THR-2"


def test_thr002_empty_addresses_threats_points_at_the_list(only):
    assert only(THREATS + objectives("[]", "[THR-1, THR-2]"), "THR002").pointer == "/objectives/0/addresses_threats"


def test_thr002_silent_when_every_objective_names_a_threat():
    assert_findings(THREATS + objectives("[THR-1]", "[THR-2]"), [], select=["THR002"])


def test_thr002_fires_once_per_objective():
    assert_findings(THREATS + objectives(None, "[]", "[THR-1]"), ["THR002", "THR002"], select=["THR002"])


# --- THR003 -------------------------------------------------------------------


def test_thr003_unknown_id_points_at_the_entry_and_hints_the_closest(only):
    finding = only(THREATS + objectives("[THR-1, THR-3]"), "THR003")
    assert finding.level == "fail"
    assert finding.pointer == "/objectives/0/addresses_threats/1"
    assert (
        finding.message
        == "objective OBJ-1 names threat 'THR-3', which is not in `threats`: correct the id, or add the threat"
    )
    assert finding.hint in ("did you mean 'THR-1'?", "did you mean 'THR-2'?")


def test_thr003_hint_ignores_case(only):
    assert only(THREATS + objectives("[thr-2]"), "THR003").hint == "did you mean 'THR-2'?"


def test_thr003_without_a_close_id_lists_the_known_ones(only):
    finding = only(THREATS + objectives("[CYBERCOM]"), "THR003")
    assert finding.hint == "name one of THR-1, THR-2, or add a threat with id 'CYBERCOM' to `threats`"


def test_thr003_with_no_threats_at_all_says_to_add_it(only):
    finding = only("threats: []\n" + objectives("[THR-1]"), "THR003")
    assert finding.hint == "add a threat with id 'THR-1' to `threats`"


def test_thr003_one_finding_per_unknown_id():
    assert_findings(THREATS + objectives("[THR-7, THR-1, THR-8]", "[THR-9]"), ["THR003"] * 3, select=["THR003"])


def test_thr003_silent_for_known_ids_and_for_objectives_naming_none():
    assert_findings(THREATS + objectives("[THR-1, THR-2]", None, "[]"), [], select=["THR003"])


def test_thr003_line_and_column_of_the_unknown_id(locate):
    text = activity_text(THREATS + objectives("[THR-1, THR-5]"))
    [finding] = check(text, select=["THR003"], base=False)
    assert (finding.line, finding.column) == locate(text, "THR-5")


# --- THR004 -------------------------------------------------------------------


def test_thr004_threat_no_objective_addresses(only):
    finding = only(THREATS + objectives("[THR-1]", "[THR-1]"), "THR004")
    assert finding.level == "warn"
    assert finding.pointer == "/threats/1"
    assert (
        finding.message
        == "threat THR-2 is addressed by no objective: name it in the `addresses_threats` of the objective that "
        "counters it"
    )
    assert finding.hint == "or remove the threat if the activity does not act on it"


def test_thr004_silent_when_objectives_share_the_threats_between_them():
    assert_findings(THREATS + objectives("[THR-2]", "[THR-1]"), [], select=["THR004"])


def test_thr004_every_unaddressed_threat_once():
    assert_findings(THREATS + objectives(None), ["THR004", "THR004"], select=["THR004"])


def test_thr004_silent_without_threats():
    # THR001 (declarative) reports the missing threats
    assert_findings("threats: []\n" + objectives("[THR-1]"), [], select=["THR004"])
