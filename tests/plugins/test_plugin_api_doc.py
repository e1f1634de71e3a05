"""docs/plugin-api.md covers the whole public API: every exported name, record field, method and parameter.

What is public is what the modules below declare in `__all__`; the page must have a
`### \\`NAME\\`` section for each, and each section must name every field, attribute,
method and parameter of what it documents. So the reference cannot drift from the code.
"""

import importlib
import inspect
import re
from pathlib import Path

import pytest

import policycheck
from policycheck import hookspecs

ROOT = Path(__file__).resolve().parents[2]
PAGE = (ROOT / "docs" / "plugin-api.md").read_text(encoding="utf-8")
PUBLIC_MODULES = [
    "policycheck",
    "policycheck.helpers",
    "policycheck.hints",
    "policycheck.testing",
    "policycheck.report",
    "policycheck.reference",
    "policycheck.findings",
]


def sections() -> dict[str, str]:
    """`### \\`name\\`` heading -> its text, up to the next heading of any level."""
    found = {}
    for match in re.finditer(r"^### `([^`]+)`\n(.*?)(?=^#{1,3} |\Z)", PAGE, re.M | re.S):
        found[match.group(1)] = match.group(2)
    return found


SECTIONS = sections()
PUBLIC = sorted({(module, name) for module in PUBLIC_MODULES for name in importlib.import_module(module).__all__})


def members(value) -> list[str]:
    """What a section must name: a record's fields, a class's public attributes and methods, a function's parameters."""
    if inspect.isclass(value):
        names = set(getattr(value, "_fields", ())) | set(getattr(value, "__slots__", ()))
        for name, member in vars(value).items():
            if not name.startswith("_") and (callable(member) or isinstance(member, property)):
                names.add(name)
        for name in vars(value).get("__annotations__", {}):
            names.add(name)
        # inherited from NamedTuple or Mapping: documented once, not per record
        names -= {"count", "index", "get", "keys", "items", "values"} - set(vars(value))
        return sorted(name for name in names if not name.startswith("_"))
    if callable(value):
        target = value
        try:
            signature = inspect.signature(target)
        except (TypeError, ValueError):
            return []
        return [name for name in signature.parameters if name not in ("args", "kwargs", "options")]
    return []


def test_the_page_declares_what_is_public():
    for module in PUBLIC_MODULES[1:]:
        assert f"`{module}`" in PAGE, module


@pytest.mark.parametrize("module, name", PUBLIC, ids=[f"{module}.{name}" for module, name in PUBLIC])
def test_every_public_name_has_a_section_naming_all_it_has(module, name):
    assert name in SECTIONS, f"docs/plugin-api.md has no '### `{name}`' section for {module}.{name}"
    value = getattr(importlib.import_module(module), name)
    missing = [
        member for member in members(value) if not re.search(rf"`[^`]*\b{re.escape(member)}\b[^`]*`", SECTIONS[name])
    ]
    assert not missing, f"the section on {module}.{name} does not name: {missing}"


def test_the_check_above_can_fail():
    assert "traceback" in members(policycheck.Finding) and "position" in members(policycheck.Activity)
    assert "tracebacks" in members(importlib.import_module("policycheck.testing").check)
    assert "problem" in members(policycheck.Param) and "write" in members(
        importlib.import_module("policycheck.report").OutputFormat
    )


def test_every_hook_has_a_section_with_a_complete_example():
    hooks = [
        name for name, function in vars(hookspecs).items() if name.startswith("policycheck_") and callable(function)
    ]
    for hook in hooks:
        assert hook in SECTIONS, hook
        assert re.search(
            r"^```python file=\S+\n(.*\n)*?@policycheck\.hookimpl\ndef " + hook + r"\(", SECTIONS[hook], re.M
        ), f"the section on {hook} should show a module that implements it"


def test_the_cited_documentation_exists():
    # every rule that cites a page of docs/ cites one that exists; ERR001 cites the exit codes it documents
    from policycheck.plugins import load_registry

    rules = load_registry(entry_points=False).rules
    for rule in rules.values():
        for page in re.findall(r"docs/([\w-]+\.md)", rule.source):
            assert (ROOT / "docs" / page).is_file(), (rule.id, page)
    assert rules["ERR001"].source == "docs/cli.md, Exit codes"
    assert re.search(r"^## Exit codes$", (ROOT / "docs" / "cli.md").read_text(encoding="utf-8"), re.M)
