"""The loader: positions, YAML 1.2 scalars, and every way a file can fail to load."""

import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policycheck.load import Limits, LoadError, decode, parse


def load(text: str, **limits):
    return parse(decode(text.encode("utf-8")), Limits(**limits) if limits else Limits())


def test_positions_point_at_keys_and_items():
    loaded = load("id: A-1\npartner:\n  country: ALB\nthreats:\n  - id: T1\n    source: NDS\n")
    assert loaded.positions[("id",)] == (1, 1)
    assert loaded.positions[("partner",)] == (2, 1)
    assert loaded.positions[("partner", "country")] == (3, 3)
    assert loaded.positions[("threats", 0)] == (5, 5)
    assert loaded.positions[("threats", 0, "source")] == (6, 5)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("NO", "NO"),
        ("on", "on"),
        ("yes", "yes"),
        ("off", "off"),
        ("0755", "0755"),
        ("1e3", 1000.0),
        ("2027-01-15", "2027-01-15"),
        ("'2027-01-15'", "2027-01-15"),
        ("true", True),
        ("~", None),
        ("42", 42),
        ("0o17", 15),
        ("0x1F", 31),
        ("!!str 12", "12"),
        ("!!float 3", 3.0),
    ],
)
def test_scalars_follow_yaml_1_2(text, value):
    assert load(f"v: {text}\n").data == {"v": value}


@pytest.mark.parametrize(
    ("text", "line", "column", "words"),
    [
        ("a: 1\nb: 2\na: 3\n", 3, 1, "duplicate key 'a' (first defined on line 1)"),
        ("a: 1\n---\nb: 2\n", 2, 1, "more than one YAML document"),
        ("", 1, 1, "empty"),
        ("# only a comment\n", 1, 1, "empty"),
        ("a: !!python/object:os.system x\n", 1, 4, "tag"),
        ("a: &x [1, *x]\n", 1, 11, "alias"),
        ("a: [1, 2\n", 2, 1, "YAML syntax error"),
        ("a: !!int twelve\n", 1, 4, "not a valid !!int"),
        ("? [a, b]\n: 1\n", 1, 3, "mapping key must be a plain value"),
    ],
)
def test_load_errors_have_position_and_message(text, line, column, words):
    with pytest.raises(LoadError) as caught:
        load(text)
    assert (caught.value.line, caught.value.column) == (line, column)
    assert words in caught.value.message


def test_tab_indentation_hint():
    with pytest.raises(LoadError) as caught:
        load("a:\n\tb: 1\n")
    assert caught.value.line == 2
    assert "tabs" in caught.value.hint


def test_alias_bomb_is_bounded():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for level in "bcdefghi":
        previous = chr(ord(level) - 1)
        bomb += f"{level}: &{level} [" + ", ".join([f"*{previous}"] * 10) + "]\n"
    with pytest.raises(LoadError, match="more than 200000 nodes"):
        load(bomb)


NESTINGS = {
    "flow list": lambda depth: "a: " + "[" * depth + "]" * depth + "\n",
    "flow map": lambda depth: "{a: " * depth + "}" * depth + "\n",
    "block": lambda depth: "".join("  " * level + "a:\n" for level in range(depth)) + "  " * depth + "b\n",
}


@pytest.mark.parametrize("shape", NESTINGS)
@pytest.mark.parametrize("depth", [65, 1_001, 10_000])
def test_depth_past_the_limit_is_one_message_whatever_libyaml_stops_at(shape, depth):
    # libyaml 0.2.6 (PyYAML >= 6.0.2 wheels) has a 1,000-level limit of its own that a flow
    # collection reaches before our count does: the message is ours either way
    with pytest.raises(LoadError, match=r"^nesting deeper than 64 levels$"):
        load(NESTINGS[shape](depth))


@pytest.mark.parametrize("shape", NESTINGS)
def test_depth_at_the_limit_loads(shape):
    text = NESTINGS[shape](64 if shape != "flow list" else 63)  # `a:` is the flow list's first level
    assert load(text).data is not None


@pytest.mark.parametrize("digits", ["9" * 4301, "0x" + "f" * 4301, "0o" + "7" * 4301, "-" + "1" * 4301])
def test_integers_past_the_digit_limit_are_refused_in_any_base(digits):
    # our limit, not Python's: PYTHONINTMAXSTRDIGITS=0 (no limit) must not lift it
    previous = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)
    try:
        with pytest.raises(LoadError, match="over the 4,300-digit limit"):
            load(f"a: {digits}\n")
    finally:
        sys.set_int_max_str_digits(previous)


def test_integers_at_the_digit_limit_load():
    assert load("a: " + "9" * 4300 + "\n").data["a"] == int("9" * 4300)
    # the largest hex number with at most 4,300 decimal digits: 3,571 hex digits
    assert load("a: 0x" + "f" * 3571 + "\n").data["a"] == int("f" * 3571, 16)
    assert load("a: 0o" + "7" * 4300 + "\n").data["a"] == int("7" * 4300, 8)


@pytest.mark.parametrize("digits", ["0x" + "f" * 3572, "0x" + "f" * 4300, "0x" + "f" * 4000])
def test_hex_and_octal_integers_are_bounded_by_their_decimal_digits(digits):
    """`0x` + 4,000 digits is ~4,800 decimal ones: a rule's str() of it crashed (ERR001, issue 16)."""
    with pytest.raises(LoadError, match="over the 4,300-digit limit once written in decimal"):
        load(f"a: {digits}\n")


@pytest.mark.parametrize(
    "text", [".nan", ".NaN", ".inf", "-.inf", "+.INF", "1e999", "-1e999", "!!float 0x" + "f" * 300]
)
def test_numbers_that_are_not_finite_are_refused(text):
    """JSON, which the schema and every report speak, has no infinity or NaN: LOAD001, never a silent pass."""
    with pytest.raises(LoadError, match="not a finite number|too large .it would be infinite"):
        load(f"a: {text}\n")


@pytest.mark.parametrize("text", ["'.nan'", '".inf"', "'1e999'"])
def test_quoted_they_are_text(text):
    assert isinstance(load(f"a: {text}\n").data["a"], str)


def test_aliases_within_limits_are_values():
    assert load("a: &x {k: 1}\nb: *x\n").data == {"a": {"k": 1}, "b": {"k": 1}}


@pytest.mark.parametrize(
    ("raw", "words", "line"),
    [
        (b"a: \xff\n", "not valid UTF-8", 1),
        (b"a: 1\nb: caf\xe9\n", "not valid UTF-8", 2),
        (b"\xff\xfea\x00:\x00", "UTF-16", 1),
        (b"a\x00:\x00 \x001\x00", "UTF-16", 1),  # no BOM: little-endian
        (b"\x00a\x00:\x00 \x001", "UTF-16", 1),  # no BOM: big-endian
        (b"a: 1\nb: \x00\n", "NUL", 2),
    ],
)
def test_decode_rejects_what_is_not_utf8(raw, words, line):
    with pytest.raises(LoadError) as caught:
        decode(raw)
    assert words in caught.value.message
    assert caught.value.line == line


@given(st.binary(max_size=6).map(lambda raw: raw.replace(b"\xff", b"\x00")))
def test_utf16_without_a_bom_is_told_as_the_regex_told_it(raw):
    import re

    from policycheck.load import _every_other_byte_nul

    assert _every_other_byte_nul(raw[:4]) == bool(re.match(rb"(?:[^\x00]\x00){2}|(?:\x00[^\x00]){2}", raw))


def test_utf8_bom_is_accepted():
    assert parse(decode("\ufeffa: 1\n".encode("utf-8"))).data == {"a": 1}


FROZEN_CASES = [
    "a: 1\nb: [x, {c: null, d: [1, 2.5, true]}]\n",
    "base: &b {k: [1, 2]}\nuse: *b\nlist: [*b, *b]\n",
    "- 1\n- [a, b]\n",
    "plain",
    "{}",
]


@pytest.mark.parametrize("text", FROZEN_CASES)
def test_frozen_parse_is_the_plain_parse_frozen(text):
    from types import MappingProxyType

    from policycheck.activity import freeze

    plain, frozen = parse(text), parse(text, frozen=True)
    assert frozen.positions == plain.positions
    assert frozen.data == freeze(plain.data)

    def read_only_all_through(value):
        if isinstance(value, (dict, list)):
            return False
        if isinstance(value, MappingProxyType):
            return all(read_only_all_through(item) for item in value.values())
        if isinstance(value, tuple):
            return all(read_only_all_through(item) for item in value)
        return True

    assert read_only_all_through(frozen.data)


def test_plain_text_that_only_looks_typed_is_still_resolved():
    # the first-character shortcut must leave every core-schema value to resolve_plain
    data = parse("a: ~\nb: Null\nc: TRUE\nd: -7\ne: .5\nf: 0x1f\ng: 0o17\nh: 0755\ni: Tuesday\nj: n/a\nk:\n").data
    assert data == {"a": None, "b": None, "c": True, "d": -7, "e": 0.5, "f": 31, "g": 15, "h": "0755", "i": "Tuesday",
                    "j": "n/a", "k": None}  # fmt: skip


# the core schema's forms as regexes, before they became string tests (issue 21: 3.3 M instructions to compile)
_REGEX_FORMS = {
    "null": r"^(?:~|null|Null|NULL|)$",
    "int": r"^[-+]?(?:0|[1-9][0-9]*)$",
    "leading zero": r"^[-+]?0[0-9]+(?:\.[0-9]*)?$",
    "oct or hex": r"^0o[0-7]+$|^0x[0-9a-fA-F]+$",
    "float": r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$",
    "inf or nan": r"^[-+]?\.(?:inf|Inf|INF)$|^\.(?:nan|NaN|NAN)$",
}


def _string_forms(value):
    from policycheck import load

    core = load._core(value)
    return {
        "null": core in load._NULLS,
        "int": load._is_int(core),
        "leading zero": load._has_leading_zero(core),
        "oct or hex": load._is_oct_or_hex(core),
        "float": load._is_float(core),
        "inf or nan": load._unsigned(core) in load._INFINITIES or core in load._NANS,
    }


@given(st.text(alphabet="0123456789+-.eEoxabfAFinINFaNlLu~ _\n\u0663", max_size=12))
def test_the_string_tests_match_the_core_schema_regexes(value):
    import re

    assert _string_forms(value) == {name: bool(re.match(form, value)) for name, form in _REGEX_FORMS.items()}


@pytest.mark.parametrize(
    "value",
    ["", "\n", "0", "-0", "+12", "012", "0.", "00.5", "0o17", "0x1F", "0x", "0o8", ".5", "5.", "1e5", "1E+5", "1e",
     ".e1", "-.inf", ".NaN", "+.nan", "1\n", "1\n\n", "١٢", "1_000"],
)  # fmt: skip
def test_the_string_tests_match_the_core_schema_regexes_at_the_edges(value):
    import re

    assert _string_forms(value) == {name: bool(re.match(form, value)) for name, form in _REGEX_FORMS.items()}
