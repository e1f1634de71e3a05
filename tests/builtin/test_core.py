"""Core portfolio rules beyond their own examples (PRT002, PRT003): who gets the finding, and where."""

import random
from datetime import date, timedelta

import pytest

from policycheck import helpers
from policycheck.testing import activity_text, check_portfolio

SECOND = "{id: ALB-2027-NDS-02, title: Second advisory team}"


def test_prt002_the_later_activity_gets_the_finding_at_its_statement(locate):
    files = {"a.yaml": "{id: ALB-2027-NDS-01}", "b.yaml": SECOND}
    [finding] = check_portfolio(files, select=["PRT002"])
    assert (finding.rule_id, finding.file, finding.level) == ("PRT002", "b.yaml", "warn")
    assert (finding.line, finding.column) == locate(activity_text(SECOND), "statement:")
    assert finding.pointer == "/objectives/0/statement"
    assert "same objective as OBJ-1 of ALB-2027-NDS-01 (a.yaml), with the same partner (ALB)" in finding.message
    assert finding.activity_id == "ALB-2027-NDS-02"


def test_prt002_case_spacing_and_a_full_stop_do_not_make_it_another_objective():
    rewritten = """
id: ALB-2027-NDS-02
objectives:
  - id: OBJ-9
    statement: '  the MINISTRY of defense adopts a National Defense Strategy that links NATO capability   targets
      to a costed ten-year plan'
    addresses_threats: [THR-1]
"""
    found = check_portfolio({"a.yaml": "{id: ALB-2027-NDS-01}", "b.yaml": rewritten}, select=["PRT002"])
    assert [finding.rule_id for finding in found] == ["PRT002"]


def test_prt002_another_partner_or_another_objective_is_not_a_repeat():
    other_partner = "{id: MKD-2027-NDS-01, partner: {country: MKD, category: institution-building}}"
    other_objective = """
id: ALB-2027-NDS-02
objectives: [{id: OBJ-1, statement: The General Staff adopts a readiness reporting system., addresses_threats: [THR-1]}]
"""
    files = {"a.yaml": "{id: ALB-2027-NDS-01}", "b.yaml": other_partner, "c.yaml": other_objective}
    assert check_portfolio(files, select=["PRT002"]) == []


def test_prt002_one_activity_repeating_itself_is_not_a_portfolio_finding():
    twice = """
objectives:
  - {id: OBJ-1, statement: Same words, addresses_threats: [THR-1]}
  - {id: OBJ-2, statement: Same words, addresses_threats: [THR-1]}
"""
    assert check_portfolio({"a.yaml": twice}, select=["PRT002"]) == []


def test_prt002_a_placeholder_statement_is_no_shared_objective():
    tbd = "objectives: [{id: OBJ-1, statement: TBD, addresses_threats: [THR-1]}]"
    files = {name: f"id: ALB-2027-NDS-0{n}\n{tbd}\n" for n, name in enumerate(("a.yaml", "b.yaml"), 1)}
    assert check_portfolio(files, select=["PRT002"]) == []


def test_prt002_names_the_first_statement_however_far_back_it_was_collected(monkeypatch):
    from policycheck import results

    monkeypatch.setattr(results, "BLOCK", 2)  # the first activity's collected value is encoded and read back
    two = """
objectives:
  - {{id: OBJ-1, statement: Own words {n}., addresses_threats: [THR-1]}}
  - {{id: OBJ-2, statement: Shared words., addresses_threats: [THR-1]}}
"""
    files = {f"{n:02}.yaml": f"id: ALB-2027-NDS-{n:02}{two.format(n=n)}" for n in range(1, 8)}
    found = check_portfolio(files, select=["PRT002"])
    assert [finding.file for finding in found] == [f"{n:02}.yaml" for n in range(2, 8)]
    assert all("same objective as OBJ-2 of ALB-2027-NDS-01 (01.yaml)" in finding.message for finding in found)


# --- PRT003 -------------------------------------------------------------------


def activity(activity_id: str, start: str, end: str, kind: str = "training", extra: str = "") -> str:
    return f'id: {activity_id}\nactivity: {{type: {kind}, start: "{start}", end: "{end}"}}\n{extra}'


def test_prt003_every_activity_running_on_an_overloaded_day_gets_a_finding(locate):
    files = {
        "a.yaml": activity("ALB-A", "2027-01-01", "2027-12-31"),
        "b.yaml": activity("ALB-B", "2027-03-01", "2027-06-30", "equipment"),
        "c.yaml": activity("ALB-C", "2027-05-01", "2027-09-30", "fms-case"),
        "d.yaml": activity("ALB-D", "2027-06-01", "2027-08-31", "co-production"),
        "e.yaml": activity("ALB-E", "2027-07-01", "2027-12-31"),  # runs with A, C and D in July and August
    }
    found = check_portfolio(files, select=["PRT003"])
    assert [finding.file for finding in found] == ["a.yaml", "b.yaml", "c.yaml", "d.yaml", "e.yaml"]
    first = found[0]
    assert (first.rule_id, first.level, first.pointer) == ("PRT003", "warn", "/activity/start")
    assert first.message == (
        "4 capability-delivering activities with ALB run at once on 2027-06-01, more than 3: this one and ALB-B "
        "(b.yaml), ALB-C (c.yaml), ALB-D (d.yaml); decide them together, or stagger their dates"
    )
    assert (first.line, first.column) == locate(activity_text(files["a.yaml"]), "start:")


def test_prt003_activities_that_follow_each_other_are_not_concurrent():
    files = {
        name: activity(f"ALB-{name[0].upper()}", start, end)
        for name, start, end in [
            ("a.yaml", "2027-01-01", "2027-03-31"),
            ("b.yaml", "2027-04-01", "2027-06-30"),  # starts the day after a ends
            ("c.yaml", "2027-01-01", "2027-12-31"),
            ("d.yaml", "2027-01-01", "2027-12-31"),
        ]
    }
    assert check_portfolio(files, select=["PRT003"]) == []


def test_prt003_other_types_other_partners_and_repeated_ids_do_not_count():
    files = {
        "a.yaml": activity("ALB-A", "2027-01-01", "2027-12-31"),
        "b.yaml": activity("ALB-B", "2027-01-01", "2027-12-31"),
        "c.yaml": activity("ALB-B", "2027-01-01", "2027-12-31"),  # the same id again: PRT001's
        "d.yaml": activity("ALB-D", "2027-01-01", "2027-12-31", "advisory"),
        "e.yaml": activity("MKD-E", "2027-01-01", "2027-12-31", extra="partner: {country: MKD}\n"),
        "f.yaml": activity("ALB-F", "2027-12-31", "2027-01-01"),  # ends before it starts: DAT001's
    }
    # PRT001 runs whatever is selected (issue 15): only PRT003 is judged here
    assert [f for f in check_portfolio(files, select=["PRT003"]) if f.rule_id == "PRT003"] == []


def test_prt003_counts_v2_additional_partners_and_its_limit_is_a_parameter():
    regional = "partner: {country: PLW}\npartners: [{country: FSM, category: institution-building}]\n"
    files = {
        "a.yaml": activity("PLW-A", "2027-01-01", "2027-12-31", extra=regional),
        "b.yaml": activity("FSM-B", "2027-01-01", "2027-12-31", extra="partner: {country: FSM}\n"),
    }
    config = {"rules": {"PRT003": {"max_concurrent": 1}}}
    found = check_portfolio(files, select=["PRT003"], config=config)
    assert [(finding.file, "with FSM" in finding.message) for finding in found] == [("a.yaml", True), ("b.yaml", True)]
    assert check_portfolio(files, select=["PRT003"]) == []


def test_prt003_names_five_others_then_counts_the_rest():
    files = {f"{n:02d}.yaml": activity(f"ALB-{n:02d}", "2027-01-01", "2027-12-31") for n in range(9)}
    found = check_portfolio(files, select=["PRT003"])
    assert len(found) == 9
    assert found[0].message.startswith("9 capability-delivering activities with ALB run at once on 2027-01-01")
    assert " and 3 more; decide them together" in found[0].message


def prt003_by_counting_days(calendar: list[tuple[str, str, date, date]], limit: int) -> list[tuple[str, str]]:
    """PRT003 as its description reads, day by day: (file, message) for each activity of one partner (ALB)."""
    found = []
    for file, _activity_id, start, end in calendar:

        def running(day):
            return [other for other in calendar if other[2] <= day <= other[3]]

        days = (start + timedelta(days=offset) for offset in range((end - start).days + 1))
        day = next((day for day in days if len(running(day)) > limit), None)
        if day is None:
            continue
        count = len(running(day))
        others = [other for other in sorted(running(day), key=lambda other: other[2]) if other[0] != file][-5:]
        names = ", ".join(f"{other_id} ({other_file})" for other_file, other_id, _, _ in others)
        more = f" and {count - 1 - len(others)} more" if count - 1 > len(others) else ""
        found.append(
            (
                file,
                f"{count} capability-delivering activities with ALB run at once on {day}, more than {limit}: "
                f"this one and {names}{more}; decide them together, or stagger their dates",
            )
        )
    return found


@pytest.mark.parametrize("seed", range(12))
def test_prt003_agrees_with_counting_every_day(seed):
    rng = random.Random(seed)
    calendar = []
    for n in range(rng.randrange(4, 16)):
        start = date(2027, 1, 1) + timedelta(days=rng.randrange(0, 60))
        calendar.append((f"{n:02d}.yaml", f"ALB-{n:02d}", start, start + timedelta(days=rng.randrange(0, 40))))
    limit = rng.randrange(1, 5)
    files = {file: activity(activity_id, str(start), str(end)) for file, activity_id, start, end in calendar}
    found = check_portfolio(files, select=["PRT003"], config={"rules": {"PRT003": {"max_concurrent": limit}}})
    assert [(finding.file, finding.message) for finding in found] == prt003_by_counting_days(calendar, limit)


@pytest.mark.parametrize("run", [1, 3])
def test_portfolio_rules_find_the_same_when_their_values_are_sorted_in_spilled_runs(monkeypatch, run):
    files = {
        "a.yaml": activity("ALB-A", "2027-01-01", "2027-12-31"),
        "b.yaml": activity("ALB-B", "2027-01-01", "2027-12-31"),
        "c.yaml": activity("ALB-B", "2027-01-01", "2027-12-31"),  # PRT001; counted once by PRT003
        "d.yaml": activity("ALB-D", "2027-01-01", "2027-12-31"),
        "e.yaml": activity("ALB-E", "2027-01-01", "2027-12-31"),
    }  # and every one states the starter's objective: PRT002 on all but the first
    in_memory = check_portfolio(files, select=["PRT002", "PRT003"])
    assert sorted({finding.rule_id for finding in in_memory}) == ["PRT001", "PRT002", "PRT003"]
    assert [finding.file for finding in in_memory if finding.rule_id == "PRT003"] == [
        "a.yaml",
        "b.yaml",
        "d.yaml",
        "e.yaml",
    ]
    monkeypatch.setattr(helpers, "SORTED_RUN", run)
    assert check_portfolio(files, select=["PRT002", "PRT003"]) == in_memory


def test_prt003_counts_an_empty_id_used_twice_once_as_any_other():
    files = {f"{name}.yaml": activity('""', "2027-01-01", "2027-12-31") for name in "abcd"}
    assert [f for f in check_portfolio(files, select=["PRT003"]) if f.rule_id == "PRT003"] == []
    files["d.yaml"] = activity("ALB-D", "2027-01-01", "2027-12-31")
    files["e.yaml"], files["f.yaml"] = (
        activity("ALB-E", "2027-01-01", "2027-12-31"),
        activity("ALB-F", "2027-01-01", "2027-12-31"),
    )
    assert [f.file for f in check_portfolio(files, select=["PRT003"]) if f.rule_id == "PRT003"] == [
        "a.yaml",
        "d.yaml",
        "e.yaml",
        "f.yaml",
    ]
