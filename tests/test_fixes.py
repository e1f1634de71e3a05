"""Fixes: each built-in fix on a failing and a passing example, and the text edits every fix is made of."""

import pytest

from policycheck import Edit, Fix
from policycheck.fixes import FixError, apply_fix, apply_to_data, changed_span, problem
from policycheck.load import parse
from policycheck.testing import activity_text, check


def _fixed(snippet: str, rule_id: str, unsafe: bool = False) -> tuple[str, str, list]:
    """(text, fixed text, the rule's findings on the fixed text): the first finding's fix applied."""
    text = activity_text(snippet)
    found = [finding for finding in check(text, base=False) if finding.rule_id == rule_id]
    assert found and found[0].fix is not None, found
    assert found[0].fix.safe is not unsafe
    after = apply_fix(text, found[0].fix)
    return text, after, [finding for finding in check(after, base=False) if finding.rule_id == rule_id]


@pytest.mark.parametrize(
    "rule_id, snippet, wanted",
    [
        ("REL005", "releasability:\n  rel_to: [ALB, USA]\n", ["USA", "ALB"]),
        ("REL005", "releasability:\n  rel_to: [NATO, ALB]\n", ["USA", "ALB", "NATO"]),
        ("REL006", "releasability:\n  rel_to: [USA, alb]\n", ["USA", "ALB"]),
        ("REL004", "releasability:\n  rel_to: [USA, GBR]\n", ["USA", "ALB", "GBR"]),
    ],
)
def test_a_rel_to_fix_makes_the_list_it_should_and_the_finding_goes(rule_id, snippet, wanted):
    _text, after, left = _fixed(snippet, rule_id)
    assert parse(after).data["releasability"]["rel_to"] == wanted
    assert left == []


def test_rel003_adds_rel_to_to_dissemination():
    _text, after, left = _fixed("releasability:\n  dissemination: []\n  rel_to: [USA, ALB]\n", "REL003")
    assert parse(after).data["releasability"]["dissemination"] == ["REL TO"] and left == []


def test_rel001_drops_noforn_only_as_an_unsafe_fix():
    _text, after, left = _fixed("releasability:\n  dissemination: [NOFORN, REL TO]\n", "REL001", unsafe=True)
    assert parse(after).data["releasability"]["dissemination"] == ["REL TO"] and left == []


def test_sch001_renames_a_misspelt_key_with_one_close_match():
    text = activity_text("").replace("summary:", "sumary:", 1)
    found = [finding for finding in check(text, base=False) if finding.rule_id == "SCH001"]
    assert [finding.fix.title for finding in found] == ["Rename 'sumary' to 'summary'"]
    after = apply_fix(text, found[0].fix)
    assert after == activity_text("") and check(after, base=False) == []


def test_sch001_writes_a_country_code_in_capitals():
    text, after, left = _fixed("partner:\n  country: alb\n", "SCH001")
    assert after == text.replace("country: alb", "country: ALB") and left == []


@pytest.mark.parametrize(
    "snippet",
    [
        "releasability:\n  rel_to: [USA, ALB]\n",  # each rule's passing example: nothing to fix
        "partner:\n  country: XYZ\n",  # no code it could be in another case: a hint, no fix
        "x-notes: 1\nsumry: x\n",
    ],
)
def test_nothing_is_fixed_where_no_fix_is_certain(snippet):
    found = check(activity_text(snippet), base=False)
    assert [finding for finding in found if finding.fix is not None] == []


def test_a_misspelt_key_with_two_close_matches_gets_no_fix():
    found = check(activity_text("objectivs: []\n").replace("objectivs", "partnr"), base=False)
    renames = [finding.fix for finding in found if finding.fix is not None]
    assert all("partnr" not in fix.title for fix in renames)


# -- the edits, on text a person would write


DOC = """\
# a comment that stays
releasability:   # and this one
  dissemination: [NOFORN, 'REL TO']
  rel_to:
    - alb    # lower case
    - USA
summary: "text"
"""


@pytest.mark.parametrize(
    "edit, expected",
    [
        (
            Edit.reorder("/releasability/rel_to", [1, 0]),
            DOC.replace("- alb    #", "- USA    #").replace("- USA\n", "- alb\n"),
        ),
        (Edit.set("/releasability/rel_to/0", "ALB"), DOC.replace("- alb", "- ALB")),
        (Edit.remove("/releasability/dissemination/0"), DOC.replace("[NOFORN, 'REL TO']", "['REL TO']")),
        (Edit.remove("/releasability/dissemination/1"), DOC.replace("[NOFORN, 'REL TO']", "[NOFORN]")),
        (Edit.insert("/releasability/rel_to/-", "GBR"), DOC.replace("    - USA\n", "    - USA\n    - GBR\n")),
        (Edit.insert("/releasability/rel_to/0", "GBR"), DOC.replace("    - alb", "    - GBR\n    - alb")),
        (Edit.insert("/releasability/dissemination/1", "X"), DOC.replace("NOFORN, ", "NOFORN, X, ")),
        (Edit.rename("/summary", "title"), DOC.replace("summary:", "title:")),
        (Edit.set("/summary", "new"), DOC.replace('"text"', '"new"')),
        (
            Edit.set("/releasability/classification", "CUI"),
            DOC.replace("    - USA\n", "    - USA\n  classification: CUI\n"),
        ),
        (Edit.set("/id", "true"), DOC + "id: 'true'\n"),
        (Edit.remove("/releasability/rel_to/1"), DOC.replace("    - USA\n", "")),
    ],
)
def test_each_edit_changes_only_its_node(edit, expected):
    assert apply_fix(DOC, Fix("t", (edit,))) == expected


def test_crlf_line_ends_and_tabs_in_strings_are_kept():
    text = DOC.replace('"text"', '"a\\tb\tc"').replace("\n", "\r\n")
    after = apply_fix(
        text, Fix("t", (Edit.insert("/releasability/rel_to/-", "GBR"), Edit.set("/releasability/rel_to/0", "ALB")))
    )
    assert after == text.replace("- alb", "- ALB").replace("    - USA\r\n", "    - USA\r\n    - GBR\r\n")


def test_a_file_without_a_last_line_end_gets_one_before_the_new_line():
    assert apply_fix("a:\n  b: 1", Fix("t", (Edit.set("/a/c", 2),))) == "a:\n  b: 1\n  c: 2"


@pytest.mark.parametrize(
    "text, edit",
    [
        ("a: &x [1, 2]\nb: *x\n", Edit.insert("/a/-", 3)),  # an alias would change too
        ("a: &x 1\n", Edit.set("/a", 2)),  # the anchor would be lost
        ("a: |\n  text\n", Edit.set("/a", "other")),  # a block scalar
        ("a:\n  - 1\n", Edit.remove("/a/0")),  # the key would be left empty (null, not [])
        ("a: {b: 1}\n", Edit.remove("/c")),  # names nothing
        ("a: [1, 2]\n", Edit.reorder("/a", [0, 0])),  # no permutation
        ("a: 1\n", Edit.insert("/a/0", 1)),  # not a list
    ],
)
def test_an_edit_that_cannot_be_made_exactly_is_refused(text, edit):
    with pytest.raises(FixError):
        apply_fix(text, Fix("t", (edit,)))


def test_flow_mappings_and_odd_quoting_are_edited_in_place():
    text = "a: {\"b\": 'x', c: [ 1 ,2 ]}   # end\n"
    assert apply_fix(text, Fix("t", (Edit.set("/a/b", "y"),))) == text.replace("'x'", "'y'")
    assert apply_fix(text, Fix("t", (Edit.set("/a/d", 3),))) == text.replace("2 ]}", "2 ], d: 3}")
    assert apply_fix(text, Fix("t", (Edit.reorder("/a/c", [1, 0]),))) == text.replace("[ 1 ,2 ]", "[ 2 ,1 ]")


def test_the_data_an_edit_means():
    data = {"a": [1, 2, 3], "b": {"c": 1, "d": 2}}
    assert apply_to_data(data, [Edit.rename("/b/c", "e")]) == {"a": [1, 2, 3], "b": {"e": 1, "d": 2}}
    assert list(apply_to_data(data, [Edit.rename("/b/c", "e")])["b"]) == ["e", "d"]
    assert apply_to_data(data, [Edit.reorder("/a", [2, 0, 1])])["a"] == [3, 1, 2]
    assert data == {"a": [1, 2, 3], "b": {"c": 1, "d": 2}}  # a copy is edited


@pytest.mark.parametrize(
    "fix, words",
    [
        ("not a fix", "a fix is a policycheck Fix"),
        (Fix("", (Edit.remove("/a"),)), "a title is text"),
        (Fix("t", ()), "one or more Edits"),
        (Fix("t", (("remove", "/a"),)), "an edit is Edit.set"),
        (Fix("t", (Edit("drop", "/a"),)), "an edit is Edit.set"),
        (Fix("t", (Edit.remove("/nothing"),)), "/nothing names no key"),
        (Fix("t", (Edit.set("/a", object()),)), "is not plain data"),
        (Fix("t", (Edit.set("/a", float("nan")),)), "is not a finite number"),
        (Fix("t", (Edit.set("/a", [float("-inf")]),)), "is not a finite number"),
        (Fix("t", (Edit.remove("/a"),), safe="yes"), "safe is True or False"),
    ],
)
def test_a_broken_fix_is_described(fix, words):
    assert words in problem(fix, {"a": 1})


def test_the_changed_span_of_two_texts():
    assert changed_span("abcXYZdef", "abcQdef") == (3, 6, "Q")
    assert changed_span("same", "same") == (4, 4, "")


BROKEN_FIX_PLUGIN = """
from policycheck import Edit, Fix, Violation, hookimpl, rule


@rule(id="BRK001", title="t", family="f", level="warn", rationale="r", source="s", fix="safe")
def broken(activity, ctx):
    yield Violation("/id", "a finding", fix=Fix("Fix what is not there", (Edit.remove("/no/such/key"),), True))


@rule(id="BRK002", title="t", family="f", level="warn", rationale="r", source="s")
def wrong_type(activity, ctx):
    yield Violation("/id", "a finding", fix="remove it")


@hookimpl
def policycheck_rules():
    return [broken, wrong_type]
"""


def test_a_plugins_broken_fix_is_an_err001_of_its_rule_and_the_run_goes_on(tmp_path, monkeypatch):
    (tmp_path / "broken_fix_plugin.py").write_text(BROKEN_FIX_PLUGIN, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    found = check("", plugins=["broken_fix_plugin"], select=["BRK", "REL"])
    crashes = {finding.message for finding in found if finding.rule_id == "ERR001"}
    assert crashes == {
        "rule BRK001 crashed: its fix 'Fix what is not there' does not apply to this document: /no/such/key names "
        "nothing in the document",
        "rule BRK002 crashed: Violation(fix='remove it'): a fix is a policycheck Fix",
    }
    assert [finding for finding in found if finding.rule_id != "ERR001"] == []


def test_a_finding_carries_its_fix_through_pickle_as_from_a_worker():
    import pickle

    [finding] = [f for f in check("releasability:\n  rel_to: [ALB, USA]\n") if f.rule_id == "REL005"]
    assert (
        pickle.loads(pickle.dumps(finding)).fix
        == finding.fix
        == Fix("Put rel_to in marking order", (Edit.reorder(("releasability", "rel_to"), (1, 0)),), True)
    )


def _finished(path: str, findings):
    from policycheck.findings import FileResult, Tally
    from policycheck.finish import Finished
    from policycheck.results import Results

    results = Results()
    results.append(FileResult(path, findings=list(findings)))
    return Finished(results, Tally())


def test_fixes_that_undo_each_other_stop_after_the_bound_of_passes(tmp_path):
    from policycheck.discover import Source
    from policycheck.findings import Finding
    from policycheck.fixes import MAX_PASSES, fix_run

    target = tmp_path / "a.yaml"
    target.write_text("x: 1\n", encoding="utf-8")
    passes = []

    def check(sources):  # a rule that wants 2 where there is 1, and 1 where there is 2
        passes.append(1)
        value = 2 if b"x: 1" in sources[0].content else 1
        return _finished(
            str(target), [Finding("ABC001", "warn", "m", str(target), fix=Fix("t", (Edit.set("/x", value),), True))]
        )

    run = fix_run([Source(str(target))], check([Source(str(target), b"x: 1\n")]), check, False, 1000)
    assert not run.converged and len(passes) == MAX_PASSES + 1
    assert target.read_text(encoding="utf-8") == "x: 1\n"  # nothing written by the run itself


def test_a_file_that_no_longer_loads_is_left_alone(tmp_path):
    from policycheck.discover import Source
    from policycheck.findings import Finding
    from policycheck.fixes import fix_run

    target = tmp_path / "a.yaml"
    target.write_bytes(b"x: [\n")
    finding = Finding("ABC001", "warn", "m", str(target), fix=Fix("t", (Edit.set("/x", 1),), True))
    run = fix_run([Source(str(target))], _finished(str(target), [finding]), lambda sources: None, False, 1000)
    [state] = run.files
    assert not state.changed and "does not load" in state.refused[0]


def test_the_stretches_outside_the_edits_are_tracked_through_every_change():
    import random

    from policycheck.fixes import Replacement, kept_after

    chance = random.Random(20)
    for _ in range(200):
        original = text = "".join(chance.choice("abc\n") for _ in range(40))
        kept = [(0, len(text), 0)]
        where = list(range(len(text)))  # each original character's place now, or None once an edit took it
        for _ in range(chance.randrange(1, 5)):
            start = chance.randrange(len(text) + 1)
            end = chance.randrange(start, len(text) + 1)
            change = Replacement(start, end, "X" * chance.randrange(4))
            text = text[:start] + change.new + text[end:]
            kept = kept_after(kept, change)
            shift = len(change.new) - (end - start)
            where = [None if at is None or start <= at < end else at + shift if at >= end else at for at in where]
        tracked = {start + offset: now + offset for start, end, now in kept for offset in range(end - start)}
        assert tracked == {index: at for index, at in enumerate(where) if at is not None}
        assert all(original[start:end] == text[now : now + end - start] for start, end, now in kept)


def test_a_fixed_text_that_differs_outside_its_edits_is_not_written(tmp_path):
    from policycheck.findings import Finding
    from policycheck.fixes import FileFix, FixRun, write

    target = tmp_path / "a.yaml"
    target.write_text("a: [2, 1]  # keep\n", encoding="utf-8")
    state = FileFix(str(target), target.read_bytes())
    fix = Fix("t", (Edit.reorder("/a", [1, 0]),), True)
    assert state.one_pass([Finding("ABC001", "warn", "m", str(target), fix=fix)], False)
    assert state.text == "a: [1, 2]  # keep\n" and state.untouched_outside_the_edits()
    state.text = state.text.replace("keep", "lost")  # as a bug in an edit would
    write(FixRun([state], None, True))
    assert target.read_text(encoding="utf-8") == "a: [2, 1]  # keep\n"
    assert "outside the edited nodes" in state.refused[0] and state.fixed == []


def test_libyamls_composer_marks_the_nodes_where_the_pure_python_one_does():
    import yaml

    text = DOC.replace('"text"', '"😀\tü"').replace("\n", "\r\n") + "x: [é, {a: ü}]\r\n"

    def marks(loader) -> list:
        found, pending = [], [yaml.compose(text, Loader=loader)]
        while pending:
            node = pending.pop()
            found.append((node.start_mark.index, node.end_mark.index))
            if isinstance(node, yaml.MappingNode):
                pending += [part for pair in node.value for part in pair]
            elif isinstance(node, yaml.SequenceNode):
                pending += node.value
        return found

    assert marks(yaml.CSafeLoader) == marks(yaml.SafeLoader)
    last_key = yaml.compose(text, Loader=yaml.CSafeLoader).value[-1][0]
    assert text[last_key.start_mark.index] == "x"  # character indexes, not bytes (the 😀 is 4 bytes)
