"""The shape docs/architecture.md describes: stages that import forward only, renderers that only read."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "policycheck"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imports(name: str) -> set[str]:
    """The policycheck modules `name` imports anywhere in its body (at run time: not under TYPE_CHECKING)."""
    path = MODULES[name]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for inner in ast.walk(node)
    }
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            target = ".".join([*base, *([node.module] if node.module else [])])
            for alias in node.names:
                candidate = f"{target}.{alias.name}"
                found.add(candidate if candidate in MODULES else target)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {module for module in found if module in MODULES and module != name}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    found, state = [], {}

    def visit(name: str, stack: list[str]) -> None:
        state[name] = "open"
        for other in sorted(graph[name]):
            if state.get(other) == "open":
                found.append(stack[stack.index(other) :] + [other])
            elif other not in state:
                visit(other, [*stack, other])
        state[name] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    return found


def test_no_module_imports_itself_through_another():
    graph = {name: imports(name) for name in MODULES}
    assert cycles(graph) == [], "import cycles (each list ends where it started)"


def test_the_checks_above_can_fail():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c", "a"]]
    # function-level imports count: the pipeline imports its stages
    assert imports("policycheck.pipeline") >= {"policycheck.engine", "policycheck.finish", "policycheck.discover"}
    assert "policycheck.cli" in imports("policycheck.main")


def test_one_usage_error_class():
    defined = [
        path.relative_to(ROOT).as_posix()
        for path in MODULES.values()
        if re.search(r"^class UsageError\b", path.read_text(encoding="utf-8"), re.MULTILINE)
    ]
    assert defined == ["src/policycheck/errors.py"]


def test_renderers_only_read_finished_records():
    stages = {"policycheck.waivers", "policycheck.finish", "policycheck.engine", "policycheck.parallel"}
    for name in MODULES:
        if name.startswith("policycheck.report"):
            assert not imports(name) & stages, f"{name} imports a stage that computes findings"
