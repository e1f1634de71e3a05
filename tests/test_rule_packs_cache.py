"""A pack that loaded cleanly is read back from the cache folder instead of parsed again."""

import pytest

from policycheck import rule_packs
from policycheck.rule_packs import RulePackError, load_pack

PACK = """\
pack: cached
description: a pack for the cache tests
rules:
  - id: TST001
    title: The activity has an id
    family: governance
    level: fail
    rationale: every activity needs an id
    source: test
    message: no id
    require: {path: /id, present: true}
"""


@pytest.fixture
def cache_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "policycheck"


def _write(tmp_path, text: str) -> str:
    path = tmp_path / "pack.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def _fail_if_parsed(monkeypatch):
    monkeypatch.setattr(rule_packs, "parse", lambda *args, **kwargs: pytest.fail("parsed again"))


def test_a_loaded_pack_is_not_parsed_again(tmp_path, cache_folder, monkeypatch):
    path = _write(tmp_path, PACK)
    [first] = load_pack(path)
    assert len(list(cache_folder.glob("pack-*.marshal"))) == 1
    _fail_if_parsed(monkeypatch)
    [second] = load_pack(path)
    assert (second.id, second.title, second.level, second.rationale) == (
        first.id,
        first.title,
        first.level,
        first.rationale,
    )
    assert [str(v.message) for v in second.check(_activity_without_id(), _context())] == ["no id"]


def _activity_without_id():
    from policycheck.activity import Activity

    return Activity("a.yaml", {"title": "x"}, {})


def _context():
    from datetime import date

    from policycheck.reference import Reference
    from policycheck.rule import RuleContext

    return RuleContext(params={}, reference=Reference(), today=date(2027, 1, 1))


def test_an_edited_pack_is_parsed_again(tmp_path, cache_folder):
    path = _write(tmp_path, PACK)
    load_pack(path)
    _write(tmp_path, PACK.replace("The activity has an id", "Every activity has an id"))
    [rule] = load_pack(path)
    assert rule.title == "Every activity has an id"


@pytest.mark.parametrize(
    "text, expected",
    [
        (PACK.replace("level: fail", "level: severe"), "level"),  # fails the schema
        (PACK.replace("present: true}", "present: true, empty: false}"), "two operators"),  # fails compiling
    ],
)
def test_a_bad_pack_is_never_cached_and_fails_every_time(tmp_path, cache_folder, text, expected):
    path = _write(tmp_path, text)
    for _ in range(2):
        with pytest.raises(RulePackError, match=expected):
            load_pack(path)
    assert not list(cache_folder.glob("pack-*.marshal"))


def test_a_cached_pack_errors_still_name_the_file_it_was_read_from(tmp_path, cache_folder):
    load_pack(_write(tmp_path, PACK))
    elsewhere = tmp_path / "copy.yaml"
    elsewhere.write_text(PACK, encoding="utf-8")
    [rule] = load_pack(elsewhere)
    assert rule.id == "TST001"


def test_a_damaged_cache_file_is_ignored(tmp_path, cache_folder):
    path = _write(tmp_path, PACK)
    load_pack(path)
    [stored] = cache_folder.glob("pack-*.marshal")
    stored.write_bytes(b"\x00garbage")
    [rule] = load_pack(path)
    assert rule.id == "TST001"


def test_a_changed_pack_schema_means_validating_again(tmp_path, cache_folder, monkeypatch):
    path = _write(tmp_path, PACK)
    load_pack(path)
    monkeypatch.setattr(rule_packs, "_schema_stamp", lambda: ("elsewhere", 0, 0))
    _fail_if_parsed(monkeypatch)
    with pytest.raises(BaseException, match="parsed again"):
        load_pack(path)
