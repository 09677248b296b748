"""No module of learnburn imports itself back through others: the import graph has no cycles.

The graph is read from the source with ``ast``: every ``import`` and ``from ... import`` of a
learnburn module, relative ones (``from . import x``) resolved, wherever it stands (at module
level, under ``TYPE_CHECKING`` or inside a function: an import deferred to break a cycle hides
the cycle, it does not remove it). ``from package import name`` is an import of the submodule
``package.name`` when there is one, else of the package.
"""

from __future__ import annotations

import ast
from pathlib import Path

import learnburn

ROOT = Path(learnburn.__file__).parent


def module_names() -> dict[str, Path]:
    """Every module of learnburn (packages under their own name) and its file."""
    names = {}
    for path in sorted(ROOT.rglob("*.py")):
        parts = ("learnburn", *path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names[".".join(parts)] = path
    return names


def imported_by(module: str, path: Path, known: set[str]) -> set[str]:
    """The learnburn modules that ``module`` (whose source is ``path``) imports."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{base}.{node.module}" if node.module else base
            else:
                base = node.module or ""
            targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
            submodules = [t for t in targets[:-1] if t in known]
            targets = submodules if len(submodules) == len(node.names) else targets
        else:
            continue
        for target in targets:
            while target and target not in known:  # `import learnburn.x.y` names a module
                target = target.rpartition(".")[0]
            if target and target != module and target != "learnburn":
                found.add(target)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = module_names()
    known = set(modules)
    return {name: imported_by(name, path, known) for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle path (first module repeated at the end) per strongly connected group."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[set[str]] = []

    def visit(node: str) -> None:  # Tarjan's algorithm; the graph is a few hundred modules
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(group)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return [_path_through(graph, group) for group in groups]


def _path_through(graph: dict[str, set[str]], group: set[str]) -> list[str]:
    """A shortest path from the group's first module back to itself, within the group."""
    start = min(group)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for target in sorted(graph[node] & group):
                if target == start:
                    return [*paths[node], start]
                if target not in paths:
                    paths[target] = [*paths[node], target]
                    following.append(target)
        frontier = following
    raise AssertionError(f"no cycle through {start}")  # a strongly connected group has one


def shown(found: list[list[str]]) -> str:
    return "\n".join(" -> ".join(cycle) for cycle in found)


def test_no_import_cycles_between_modules():
    """No module of learnburn reaches itself through its imports."""
    found = cycles(import_graph())
    assert not found, f"import cycles:\n{shown(found)}"


def test_the_cycle_finder_reports_the_path_of_a_cycle():
    """A made-up graph a -> b -> c -> a, with d outside the cycle, is reported as that path."""
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set()}
    assert cycles(graph) == [["a", "b", "c", "a"]]


def test_relative_and_submodule_imports_are_followed(tmp_path):
    """``from . import x``, ``from .. import y``, ``from learnburn.pkg import _sub`` and an
    import inside a function are all edges of the graph, to the modules they name."""
    source = tmp_path / "__init__.py"
    source.write_text(
        "from . import _x\n"
        "from .. import errors\n"
        "from learnburn.pkg._y import name\n"
        "def later():\n"
        "    from learnburn.other import _z\n"
    )
    known = {"learnburn.pkg", "learnburn.pkg._x", "learnburn.pkg._y", "learnburn.errors"}
    known |= {"learnburn.other", "learnburn.other._z"}
    assert imported_by("learnburn.pkg", source, known) == {
        "learnburn.pkg._x",
        "learnburn.errors",
        "learnburn.pkg._y",
        "learnburn.other._z",
    }
