"""Shipped schemas: parsed once, then read back from the cache folder until the file changes."""

import json

import pytest

from policycheck import resources


@pytest.fixture
def schemas(tmp_path, monkeypatch):
    """A schemas/ folder the test may edit, and an empty cache folder."""
    folder = tmp_path / "schemas"
    folder.mkdir()
    (folder / "thing.schema.json").write_text('{"type": "object", "required": ["id"]}', encoding="utf-8")
    monkeypatch.setattr(resources, "resource_dir", lambda name: str(folder))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return folder


def test_a_schema_is_parsed_once_then_read_from_the_cache(schemas, monkeypatch):
    first = resources.read_schema("thing.schema.json")
    monkeypatch.setattr(json, "load", lambda *args, **kwargs: pytest.fail("parsed the JSON again"))
    assert resources.read_schema("thing.schema.json") == first == {"type": "object", "required": ["id"]}


def test_each_read_is_a_copy_of_its_own(schemas):
    resources.read_schema("thing.schema.json")["required"].append("changed")
    assert resources.read_schema("thing.schema.json")["required"] == ["id"]


def test_an_edited_schema_is_parsed_again(schemas):
    resources.read_schema("thing.schema.json")
    (schemas / "thing.schema.json").write_text('{"type": "object", "required": ["id", "title"]}', encoding="utf-8")
    assert resources.read_schema("thing.schema.json")["required"] == ["id", "title"]


def test_without_a_usable_cache_the_schema_is_still_read(schemas, tmp_path, monkeypatch):
    (tmp_path / "not-a-folder").write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "not-a-folder"))
    for _ in range(2):
        assert resources.read_schema("thing.schema.json")["required"] == ["id"]
