"""Activity.items and named_items: the list helpers rules use to walk a list and name an item in a message."""

from policycheck.activity import Activity

DOCUMENT = {
    "interoperability": {
        "systems": [{"name": "AN/PRC-163 radio"}, {"quantity": 2}, "not a mapping", {"name": 7}],
    },
}


def test_items_are_labelled_by_name_else_by_position():
    found = Activity("a.yaml", DOCUMENT, {}).named_items("/interoperability/systems", "name")
    assert [(path, label) for path, label, _item in found] == [
        (("interoperability", "systems", 0), "'AN/PRC-163 radio'"),
        (("interoperability", "systems", 1), "#2"),
        (("interoperability", "systems", 3), "#4"),
    ]
    assert found[1][2] == {"quantity": 2}


def test_the_unnamed_label_is_chosen_by_the_caller():
    found = Activity("a.yaml", DOCUMENT, {}).named_items(("interoperability", "systems"), "item", unnamed="item #")
    assert [label for _path, label, _item in found] == ["item #1", "item #2", "item #4"]


def test_a_missing_or_malformed_list_gives_nothing():
    assert (
        Activity("a.yaml", {"interoperability": {"systems": "radios"}}, {}).named_items(
            "/interoperability/systems", "name"
        )
        == []
    )
    assert Activity("a.yaml", {}, {}).named_items("/interoperability/systems", "name") == []


def test_a_list_walked_once_is_walked_whole_again_by_the_next_rule():
    # items() keeps each list it has walked: a rule that stops half-way must not shorten the next rule's walk
    activity = Activity("a.yaml", DOCUMENT, {})
    first = activity.items(("interoperability", "systems"))
    next(first)
    again = [path for path, _item in activity.items("/interoperability/systems")]
    assert again == [("interoperability", "systems", index) for index in (0, 1, 3)]
    assert [path for path, _item in activity.items(("objectives",))] == []
