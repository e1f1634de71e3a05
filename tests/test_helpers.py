"""policycheck.helpers: placeholders count as missing wherever a rule, built-in or plugin, asks for a value."""

from datetime import date

import pytest

from policycheck.helpers import format_version, is_blank, is_placeholder
from policycheck.reference import Reference
from policycheck.rule import RuleContext

CONFIGURED = Reference([{"placeholders": ["to be measured"]}])


@pytest.mark.parametrize(
    "value",
    ["TBD", "tbd", " TBD ", "TBD.", "(TBD)", "[n/a]", "N/A", "NA", "unknown", "Unknown", "-", "—", "?", "...", "none"],
)
def test_placeholders(value):
    assert is_placeholder(value) and is_blank(value)


@pytest.mark.parametrize(
    "value",
    ["TBD by the Ministry in March", "0", "no strategy", "Official Gazette", "x-ray", "N/A.B", "(TBD", 0, 1.5, True],
)
def test_real_values_are_not_placeholders(value):
    assert not is_placeholder(value) and not is_blank(value)


@pytest.mark.parametrize("value", [None, "", "   ", "\n"])
def test_blank_values_are_blank_but_not_placeholders(value):
    assert is_blank(value) and not is_placeholder(value)


def test_the_context_adds_the_placeholders_configuration_and_plugins_give():
    context = RuleContext(params={}, reference=CONFIGURED, today=date(2027, 1, 1))
    assert is_placeholder("To be measured", context)
    assert is_placeholder("To be measured", CONFIGURED)  # a Reference does as well as a context
    assert not is_placeholder("To be measured")  # the shipped list alone does not have it
    assert is_placeholder("TBD", context)  # and the shipped entries still count


@pytest.mark.parametrize(
    "value, version",
    [("activity/v1", 1), ("activity/v2", 2), ("activity/v3", None), (None, None), (2, None), ("v2", None)],
)
def test_format_version(value, version):
    assert format_version(value) == version
