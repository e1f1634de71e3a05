"""Forms once judged by regexes compiled at every start, now string tests (issue 21): the same answers."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policycheck.compiled import is_date
from policycheck.markings import _is_code
from policycheck.rule import Rule, _is_rule_id

TEXT = st.text(alphabet="ABCTXZaz0159-\n\u0663\uff21", max_size=11)


@given(TEXT)
def test_a_rule_id_is_what_the_regex_took(text):
    assert _is_rule_id(text) == bool(re.match(r"^[A-Z]{2,5}[0-9]{3}$", text))


@given(TEXT)
def test_a_release_code_is_what_the_regex_took(text):
    assert _is_code(text) == bool(re.match(r"^[A-Z]{3,4}$", text))


@given(st.text(alphabet="0123-\n\u0663", min_size=8, max_size=11))
def test_a_date_is_what_the_regex_and_fromisoformat_took(text):
    import datetime

    try:
        valid = bool(re.fullmatch(r"^\d{4}-\d{2}-\d{2}$", text, re.ASCII)) and bool(datetime.date.fromisoformat(text))
    except ValueError:
        valid = False
    assert is_date(text) == valid


@pytest.mark.parametrize("rule_id", ["THR1", "THR0001", "ABCDEF001", "thr001", "THR00a", "TH-001", "ＴHR001"])
def test_a_rule_with_a_malformed_id_is_refused(rule_id):
    with pytest.raises(ValueError, match="must be 2-5 capitals and 3 digits"):
        Rule(rule_id, "title", "family", "fail", "why", "where")


@given(st.text(alphabet="ab./*{}~1\n ", max_size=8))
def test_a_placeholder_path_is_what_the_regex_took(text):
    from policycheck.rule_packs import _is_path_text

    name = text.strip()  # as the template passes it
    assert _is_path_text(name) == bool(re.match(r"^(\.|/?[^/*{}]+(/[^/*{}]+)*)$", name))


@given(st.text(alphabet="aeiouwxybcdpqé1", min_size=1, max_size=6))
def test_a_verb_doubles_its_last_consonant_where_the_regex_said(verb):
    from policycheck.builtin.measurable import _inflections

    doubled = {verb + verb[-1] + "ed", verb + verb[-1] + "ing"} <= _inflections(verb)
    regular = not verb.endswith(("e", "y"))
    if regular:
        assert doubled == bool(re.search(r"[^aeiou][aeiou][^aeiouwxy]$", verb))
