"""Rule packs: operators, paths, placeholders, and clear errors for bad packs."""

import textwrap
from datetime import date
from types import MappingProxyType

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policycheck.activity import Activity
from policycheck.rule_packs import RulePackError, load_pack
from policycheck.load import decode, parse
from policycheck.plugins import load_registry
from policycheck.reference import Reference
from policycheck.rule import RuleContext, Skip

REFERENCE = Reference()

DOC = """\
id: ALB-1
activity: {type: training}
threats:
  - {id: THR-1, source: NDS}
  - {id: THR-2, source: ""}
  - not-a-mapping
objectives:
  - id: OBJ-1
    indicators:
      - {name: Adopted, unit: documents, target: 1}
      - {name: Costed, target: 1.0}
  - id: OBJ-2
    indicators: []
interoperability:
  standards: [Link 16, STANAG 9999]
  systems:
    - {name: Radio, origin: CHN, quantity: 0, ok: true}
    - {name: Radar, origin: USA, quantity: 2, ok: false}
"""


def pack_text(*rules: str, reference: str = "") -> str:
    head = "pack: test\ndescription: Packs written by the tests.\n" + reference + "rules:\n"
    return head + "".join(textwrap.indent(textwrap.dedent(rule).strip("\n") + "\n", "  ") for rule in rules)


def rule_text(body: str, rule_id: str = "TST001", message: str = "found {id}") -> str:
    head = f"""\
- id: {rule_id}
  title: Test rule
  family: test
  level: warn
  rationale: Tests the engine.
  source: the tests
  message: "{message}"
"""
    return head + textwrap.indent(textwrap.dedent(body).strip("\n") + "\n", "  ")


@pytest.fixture
def write_pack(tmp_path):
    def write(text: str, name: str = "pack.yaml") -> str:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return str(path)

    return write


@pytest.fixture
def run(write_pack):
    """Compile one rule and run it on a document: the violations, or 'skip'."""

    def run(body: str, doc: str = DOC, message: str = "found {id}", reference: str = "", params: dict | None = None):
        [rule] = load_pack(write_pack(pack_text(rule_text(body, message=message), reference=reference)))
        loaded = parse(decode(doc.encode()))
        ctx = RuleContext(MappingProxyType({**rule.parameters, **(params or {})}), REFERENCE, date(2027, 1, 1))
        try:
            return list(rule.check(Activity("doc.yaml", loaded.data, loaded.positions), ctx))
        except Skip:
            return "skip"

    return run


def paths(violations) -> list[tuple]:
    return [violation.path for violation in violations]


# --- operators ------------------------------------------------------------------


@pytest.mark.parametrize(
    "condition,holds",
    [
        ("{path: id, present: true}", True),
        ("{path: nothing, present: true}", False),
        ("{path: nothing, present: false}", True),
        ("{path: threats/1/source, present: true}", False),  # blank text is not present
        ("{path: interoperability/systems/0/quantity, present: true}", True),  # 0 is present
        ("{path: interoperability/systems/1/ok, present: true}", True),  # false is present
        ("{path: objectives/1/indicators, present: true}", True),  # [] is present ...
        ("{path: objectives/1/indicators, empty: true}", True),  # ... and empty
        ("{path: objectives/0/indicators, empty: false}", True),
        ("{path: nothing, empty: true}", True),
        ("{path: threats/1/source, empty: true}", True),
        ("{path: interoperability/systems/0/quantity, empty: true}", False),  # 0 is not empty
        ("{path: activity, empty: false}", True),
        ("{path: activity/type, equals: training}", True),
        ("{path: activity/type, equals: Training}", False),
        ("{path: objectives/0/indicators/1/target, equals: 1}", True),  # 1.0 == 1
        ("{path: interoperability/systems/1/ok, equals: 0}", False),  # false != 0
        ("{path: interoperability/systems/0/ok, equals: 1}", False),  # true != 1
        ("{path: objectives/0/indicators/0/target, equals: '1'}", False),  # "1" != 1
        ("{path: nothing, equals: null}", False),  # missing is not null
        ("{path: activity/type, in: [training, equipment]}", True),
        ("{path: activity/type, in: [advisory]}", False),
        ("{path: nothing, in: [advisory]}", False),
        ("{path: activity/type, not_in: [advisory]}", True),
        ("{path: activity/type, not_in: [training]}", False),
        ("{path: nothing, not_in: [advisory]}", False),  # missing is neither in nor not_in
        ("{path: interoperability/standards, contains: Link 16}", True),
        ("{path: interoperability/standards, contains: Link 11}", False),
        ("{path: activity/type, contains: t}", False),  # contains is for lists only
        ("{all: [{path: id, present: true}, {path: activity/type, equals: training}]}", True),
        ("{all: [{path: id, present: true}, {path: activity/type, equals: advisory}]}", False),
        ("{any: [{path: nothing, present: true}, {path: activity/type, equals: training}]}", True),
        ("{any: [{path: nothing, present: true}, {path: activity/type, equals: advisory}]}", False),
        ("{not: {path: nothing, present: true}}", True),
        ("{not: {not: {path: id, present: true}}}", True),
    ],
)
def test_operator(run, condition, holds):
    assert (run(f"require: {condition}") == []) is holds


def test_parameter_lookup_takes_configured_values(run):
    body = """
    parameters: {types: [advisory]}
    require: {path: /activity/type, in: {param: types}}
    """
    assert len(run(body)) == 1
    assert run(body, params={"types": ["training"]}) == []
    equals = "parameters: {wanted: training}\nrequire: {path: /activity/type, equals: {param: wanted}}"
    assert run(equals) == []


def test_reference_lookup_from_the_pack_then_from_policycheck_data(run):
    pack_data = "reference:\n  partner_groups: {balkans: [ALB, MKD]}\n"
    body = "for_each: /interoperability/systems/*\nrequire: {path: origin, in: {reference: partner_groups/balkans}}"
    assert len(run(body, reference=pack_data, message="{name}")) == 2
    shipped = "for_each: /interoperability/systems/*\nrequire: {path: origin, not_in: {reference: adversary_suppliers}}"
    [violation] = run(shipped, message="{name} comes from {origin}")
    assert violation.message == "Radio comes from CHN"
    nato = "for_each: /interoperability/systems/*\nrequire: {path: origin, in: {reference: tetragraphs/NATO}}"
    assert [v.message for v in run(nato, message="{name}")] == ["Radio"]
    countries = "for_each: /interoperability/systems/*\nrequire: {path: origin, in: {reference: countries}}"
    assert run(countries) == []  # a mapping stands for its keys


def test_unknown_reference_kind_is_a_clear_error_at_check_time(run):
    with pytest.raises(LookupError, match="reference data 'no_such_kind' does not exist"):
        run("require: {path: id, in: {reference: no_such_kind}}")


# --- nodes, paths, targets ------------------------------------------------------------


def test_wildcards_select_every_list_item_in_document_order(run):
    found = run("for_each: /objectives/*/indicators/*\nrequire: {path: nothing, present: true}", message="{name}")
    assert paths(found) == [("objectives", 0, "indicators", 0), ("objectives", 0, "indicators", 1)]
    assert [v.message for v in found] == ["Adopted", "Costed"]


def test_wildcard_over_a_mapping_or_missing_key_selects_nothing(run):
    assert run("for_each: /activity/*\nrequire: {path: x, present: true}") == []
    assert run("for_each: /nothing/*/deeper\nrequire: {path: x, present: true}") == []


def test_numeric_segment_selects_one_item(run):
    assert paths(run("for_each: /objectives/1\nrequire: {path: indicators, empty: false}")) == [("objectives", 1)]


def test_relative_paths_start_at_the_node_and_absolute_ones_at_the_root(run):
    relative = run("for_each: /objectives/*\nrequire: {path: id, equals: OBJ-1}")
    assert paths(relative) == [("objectives", 1)]
    absolute = run("for_each: /objectives/*\nrequire: {path: /id, equals: OBJ-1}")  # the document's id
    assert paths(absolute) == [("objectives", 0), ("objectives", 1)]
    nested = run("for_each: /objectives/*\nrequire: {path: indicators/0/unit, present: true}")
    assert paths(nested) == [("objectives", 1)]


def test_dot_is_the_node_itself(run):
    found = run("for_each: /interoperability/standards/*\nrequire: {path: ., in: [Link 16]}", message="{value}")
    assert paths(found) == [("interoperability", "standards", 1)]
    assert found[0].message == "STANAG 9999"


def test_where_filters_the_nodes_checked(run):
    body = (
        "for_each: /interoperability/systems/*\nwhere: {path: origin, equals: USA}\nrequire: "
        "{path: quantity, equals: 0}"
    )
    assert paths(run(body)) == [("interoperability", "systems", 1)]


def test_when_false_skips_the_rule_and_when_true_runs_it(run):
    assert run("when: {path: /activity/type, equals: advisory}\nrequire: {path: nothing, present: true}") == "skip"
    assert len(run("when: {path: activity/type, equals: training}\nrequire: {path: nothing, present: true}")) == 1


def test_at_points_at_the_nearest_existing_node(run):
    body = "require: {path: /nothing, present: true}\nat: /interoperability/standards/0"
    assert paths(run(body)) == [("interoperability", "standards", 0)]
    assert paths(run("require: {path: /nothing, present: true}\nat: /interoperability/missing/deeper")) == [
        ("interoperability",)
    ]
    assert paths(run("require: {path: /nothing, present: true}\nat: /missing")) == [()]
    relative = run("for_each: /objectives/*\nrequire: {path: nothing, present: true}\nat: indicators/1")
    assert paths(relative) == [("objectives", 0, "indicators", 1), ("objectives", 1, "indicators")]


# --- placeholders ---------------------------------------------------------------------


def test_placeholders_fill_fields_paths_index_and_value(run):
    body = "for_each: /objectives/*/indicators/*\nrequire: {path: target, equals: 5}\nat: target"
    found = run(body, message="{name} #{index} of {/id}: target {value}, unit {unit}, braces {{ok}}")
    assert [v.message for v in found] == [
        "Adopted #0 of ALB-1: target 1, unit documents, braces {ok}",
        "Costed #1 of ALB-1: target 1.0, unit not set, braces {ok}",
    ]


def test_placeholders_render_lists_booleans_and_folded_text(run):
    doc = "title: >\n  A long\n  folded title\nlist: [a, 1, true]\nnothing: null\n"
    [violation] = run("require: {path: x, present: true}", doc=doc, message="{title} | {list} | {nothing}")
    assert violation.message == "A long folded title | a, 1, true | not set"


def test_hint_uses_the_same_placeholders(write_pack):
    text = pack_text(rule_text("hint: fix {/id}\nrequire: {path: x, present: true}"))
    [rule] = load_pack(write_pack(text))
    loaded = parse(decode(DOC.encode()))
    [violation] = rule.check(
        Activity("d.yaml", loaded.data, loaded.positions), RuleContext({}, REFERENCE, date(2027, 1, 1))
    )
    assert (violation.message, violation.hint) == ("found ALB-1", "fix ALB-1")


# --- documents of the wrong shape ---------------------------------------------------------

EVERY_OPERATOR = """
for_each: /objectives/*/indicators/*
where: {any: [{path: name, present: true}, {path: ., empty: false}]}
require:
  all:
    - {path: unit, in: [percent]}
    - {path: target, not_in: [0]}
    - {path: baseline, equals: 0}
    - {path: tags, contains: x}
    - {not: {path: /activity/type, empty: true}}
at: target
"""

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(["objectives", "indicators", "unit", "target", "activity", "type", "name", "0", "x"]),
            children,
            max_size=4,
        )
    ),
    max_leaves=20,
)


SHIPPED = [
    rule
    for rule in load_registry(entry_points=False).rules.values()
    if rule.kind == "document" and rule.check.__module__ == "policycheck.rule_packs"
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=json_values)
def test_wrong_shaped_documents_never_make_a_rule_raise(data, write_pack):
    assert len(SHIPPED) == 17
    rules = SHIPPED + load_pack(
        write_pack(pack_text(rule_text(EVERY_OPERATOR, message="{name} {index} {value} {/activity/type}")))
    )
    activity = Activity("doc.yaml", data if isinstance(data, dict) else {"document": data}, {})
    for rule in rules:
        ctx = RuleContext(MappingProxyType(dict(rule.parameters)), REFERENCE, date(2027, 1, 1))
        try:
            for violation in rule.check(activity, ctx):
                assert isinstance(violation.message, str) and violation.message
        except Skip:
            pass


# --- bad packs --------------------------------------------------------------------------


def error_of(write_pack, text: str) -> str:
    path = write_pack(text)
    with pytest.raises(RulePackError) as caught:
        load_pack(path)
    message = str(caught.value)
    assert message.startswith(path + ":")
    return message[len(path) + 1 :]


def test_yaml_syntax_error_names_the_line(write_pack):
    text = pack_text(rule_text("require: {path: id, present: true")) + "  - id: [\n"
    message = error_of(write_pack, text)
    assert message.split(":")[0].isdigit()
    assert "YAML syntax error" in message


def test_tab_indentation_hint_is_kept(write_pack):
    message = error_of(write_pack, "pack: test\nrules:\n\t- id: X\n")
    assert message.startswith("3: YAML syntax error") and "indent with spaces" in message


def test_empty_pack_file_says_what_a_pack_is(write_pack):
    message = error_of(write_pack, "# nothing here\n")
    assert "the file is empty" in message and "`pack`, `description` and `rules`" in message
    assert "policycheck init" not in message


def test_missing_pack_file(tmp_path):
    with pytest.raises(
        RulePackError, match=r"nope\.yaml: cannot read the rule pack: .*; check the path in `rule_packs:`"
    ):
        load_pack(tmp_path / "nope.yaml")


def test_schema_violation_missing_key_names_the_rule_line(write_pack):
    text = pack_text(rule_text("require: {path: id, present: true}"), "- id: TST002\n  title: No message\n")
    text = text.replace("  - id: TST002\n  title: No message\n", "  - id: TST002\n    title: No message\n")
    message = error_of(write_pack, text)
    line = text.splitlines().index("  - id: TST002") + 1
    assert message.startswith(f"{line}: rules[1]: the required key 'family' is missing; add `family:`")


def line_with(text: str, needle: str) -> int:
    return next(number for number, row in enumerate(text.splitlines(), 1) if needle in row)


def test_schema_violation_bad_level(write_pack):
    text = pack_text(rule_text("require: {path: id, present: true}")).replace("level: warn", "level: error")
    message = error_of(write_pack, text)
    assert message.startswith(
        f"{line_with(text, 'level: error')}: rules[0].level: 'error' is not one of: fail, warn, info;"
    )


def test_schema_violation_bad_id_and_not_a_mapping(write_pack):
    text = pack_text(rule_text("require: {path: id, present: true}", rule_id="thr1"))
    assert "rules[0].id: 'thr1' is not valid here; Stable id" in error_of(write_pack, text)
    assert error_of(write_pack, "- just\n- a list\n").startswith("1: the pack: a rule pack must be a mapping;")


def test_unknown_operator_names_line_and_closest_operator(write_pack):
    text = pack_text(rule_text("require:\n  all:\n    - {path: id, present: true}\n    - {path: id, equal: x}"))
    message = error_of(write_pack, text)
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "equal: x" in row)
    assert message.startswith(
        f"{line}: rules[0].require.all[1].equal: unknown operator 'equal'; did you mean 'equals'?"
    )


def test_unknown_pack_key_is_called_a_key(write_pack):
    message = error_of(write_pack, pack_text(rule_text("require: {path: id, present: true}\nfor_eahc: /threats/*")))
    assert "unknown key 'for_eahc'; did you mean 'for_each'?" in message


def test_duplicate_id_in_the_pack(write_pack):
    text = pack_text(rule_text("require: {path: id, present: true}"), rule_text("require: {path: id, present: true}"))
    lines = [i for i, row in enumerate(text.splitlines(), 1) if "id: TST001" in row]
    message = error_of(write_pack, text)
    assert (
        message
        == f"{lines[1]}: rules[1].id: duplicate rule id 'TST001' (first defined on line {lines[0]}); give each rule "
        "its own id"
    )


@pytest.mark.parametrize(
    "body,expected",
    [
        (
            "for_each: objectives/*\nrequire: {path: id, present: true}",
            "rules[0].for_each: 'objectives/*' is not valid here",
        ),
        (
            "for_each: /objectives/ob*\nrequire: {path: id, present: true}",
            "rules[0].for_each: '/objectives/ob*' is not valid here",
        ),
        (
            "require: {path: objectives/*/id, present: true}",
            "rules[0].require.path: 'objectives/*/id' is not valid here; A path",
        ),
        ("require: {path: 'a//b', present: true}", "rules[0].require.path: 'a//b' is not valid here"),
        ("at: /x/\nrequire: {path: id, present: true}", "rules[0].at: '/x/' is not valid here"),
    ],
)
def test_bad_paths(write_pack, body, expected):
    assert expected in error_of(write_pack, pack_text(rule_text(body)))


@pytest.mark.parametrize(
    "message,expected",
    [
        ("found {a//b}", "'{a//b}' is not a valid placeholder; write {FIELD}"),
        ("found {objectives/*}", "'{objectives/*}' is not a valid placeholder"),
        ("found {}", "'{}' is not a valid placeholder"),
        ("found } here", "a lone '}' in the text; write {{ or }} for a literal brace"),
    ],
)
def test_bad_placeholders(write_pack, message, expected):
    text = pack_text(rule_text("require: {path: id, present: true}", message=message))
    assert error_of(write_pack, text).startswith(f"{line_with(text, 'message:')}: rules[0].message: {expected}")


@pytest.mark.parametrize(
    "require,expected",
    [
        (
            "{path: id}",
            "the condition on 'id' has no operator; add one of: present, empty, equals, in, not_in, contains",
        ),
        ("{equals: x}", "`equals` has no `path` to test; add `path:`"),
        (
            "{path: id, present: true, equals: x}",
            "one condition has two operators (present, equals); split it into two conditions under `all:`",
        ),
        ("{all: [{path: id, present: true}], path: id}", "`all` cannot share a condition with `path`; nest them"),
        ("{path: id, in: {param: types}}", "unknown parameter 'types' (declared: none); declare it with a default"),
        ("{path: id, in: {reference: .}}", "`reference: .` names no data"),
        ("{path: id, in: 5}", "'5' is not a valid value here; A list of values"),
        ("{path: id, present: 'yes'}", "'yes' is not true or false"),
        ("{}", "rules[0].require: the condition is empty; Either a `path` with exactly one operator"),
    ],
)
def test_bad_conditions(write_pack, require, expected):
    text = pack_text(rule_text(f"require: {require}"))
    message = error_of(write_pack, text)
    assert message.startswith(f"{line_with(text, 'require:')}: rules[0].require")
    assert expected in message


def test_description_reaches_the_rule_as_one_paragraph(write_pack):
    described = rule_text("require: {path: id, present: true}").replace(
        "  title: Test rule\n",
        "  title: Test rule\n  description: >\n    An activity has no `id`,\n    or a blank one.\n",
    )
    plain = rule_text("require: {path: id, present: true}", rule_id="TST002")
    first, second = load_pack(write_pack(pack_text(described, plain)))
    assert first.description == "An activity has no `id`, or a blank one."
    assert second.description == ""


def test_empty_description_is_a_schema_error(write_pack):
    text = pack_text(
        rule_text("require: {path: id, present: true}").replace(
            "  title: Test rule\n", "  title: Test rule\n  description: ''\n"
        )
    )
    with pytest.raises(RulePackError, match=r"pack\.yaml:\d+: rules\[0\]\.description: the text is empty"):
        load_pack(write_pack(text))


def test_parameters_take_a_description_and_choices(write_pack):
    body = (
        "parameters: {types: [training]}\n"
        "parameter_descriptions: {types: the activity types it applies to}\n"
        "parameter_choices: {types: [training, equipment]}\n"
        "when: {path: activity/type, in: {param: types}}\n"
        "require: {path: id, present: true}"
    )
    [rule] = load_pack(write_pack(pack_text(rule_text(body))))
    assert rule.parameters == {"types": ["training"]}
    spec = rule.parameter_specs["types"]
    assert spec.description == "the activity types it applies to" and spec.choices == ("training", "equipment")
    assert spec.problem(["trainin"]) == "'trainin' is not one of: training, equipment"


@pytest.mark.parametrize("key", ["parameter_descriptions", "parameter_choices"])
def test_describing_an_undeclared_parameter_is_an_error_at_load(write_pack, key):
    value = "text" if key == "parameter_descriptions" else "[a]"
    text = pack_text(
        rule_text(f"parameters: {{types: [a]}}\n{key}: {{tipes: {value}}}\nrequire: {{path: id, present: true}}")
    )
    message = error_of(write_pack, text)
    assert f"`{key}` names 'tipes', which the rule does not declare (declared: types)" in message
    assert message.startswith(f"{line_with(text, key)}:")
