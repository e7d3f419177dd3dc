"""The package's shape: imports point one way, no cycles, no module over 400 lines.

Every ``import`` of a plw_stats module counts, wherever it stands (module level, inside a
function, under ``TYPE_CHECKING``).
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "plw_stats"
MAX_LINES = 400

#: Layers from the bottom up; a module may import its own layer and the ones below.
LAYERS = (
    (
        "plw_stats.errors",
        "plw_stats.config",
        "plw_stats.output",
        "plw_stats.progress",
        "plw_stats.workers",
    ),
    ("plw_stats.transforms", "plw_stats.critical", "plw_stats.mcmc_stats"),
    ("plw_stats.io", "plw_stats.datasets"),
    ("plw_stats.describe",),
    ("plw_stats.plots",),
    ("plw_stats.glmm",),
    ("plw_stats.surface",),
    ("plw_stats.gam",),
    ("plw_stats.simulation",),
    ("plw_stats.analysis",),
    ("plw_stats.report",),
    ("plw_stats.cli",),
)


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports_of(path: Path, known: set[str]) -> set[str]:
    """plw_stats modules imported anywhere in a file (``from pkg import mod`` resolved)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("plw_stats")}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("plw_stats"):
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                found.add(candidate if candidate in known else node.module)
    return {name for name in found if name in known}


def graph() -> dict[str, set[str]]:
    mods = modules()
    return {name: imports_of(path, set(mods)) - {name} for name, path in mods.items()}


def layer_of(name: str) -> int:
    for rank, prefixes in enumerate(LAYERS):
        if any(name == p or name.startswith(p + ".") for p in prefixes):
            return rank
    return len(LAYERS)  # the package's face, plw_stats/__init__.py


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_no_import_cycles_counting_every_import():
    assert find_cycle(graph()) is None


def test_imports_point_down_the_layers():
    upward = [
        f"{name} -> {target}"
        for name, targets in graph().items()
        for target in targets
        if layer_of(target) > layer_of(name)
    ]
    assert upward == []


def test_only_the_package_face_imports_the_package_itself():
    importers = [name for name, targets in graph().items() if "plw_stats" in targets]
    assert importers == []


@pytest.mark.parametrize("name", sorted(modules()))
def test_module_is_short(name):
    lines = modules()[name].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{name} has {lines} lines"


def test_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None
