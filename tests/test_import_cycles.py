"""No two modules of the workflows, reports, cli, candidates and spec packages import each
other, directly or round a longer cycle, whether the import is at module level, inside a
function or only for type checking."""

from __future__ import annotations

import ast
from pathlib import Path

import learnburn

ROOT = Path(learnburn.__file__).parent
CHECKED = ("learnburn.workflows", "learnburn.reports", "learnburn.cli", "learnburn.candidates",
           "learnburn.spec")  # fmt: skip


def module_graph() -> dict[str, set[str]]:
    """Each learnburn module and the learnburn modules it imports (a package's ``__init__``
    importing its own modules is left out: that is how a package lists its names)."""
    modules = {}
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT.parent).with_suffix("").parts
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    graph = {}
    for name, path in modules.items():
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                found.add(node.module)
                found.update(f"{node.module}.{a.name}" for a in node.names)
            elif isinstance(node, ast.Import):
                found.update(a.name for a in node.names)
        graph[name] = {m for m in found if m in modules and m != name}
        graph[name] = {m for m in graph[name] if not name.startswith(m + ".")}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_the_checked_packages_have_no_import_cycle():
    checked = [c for c in cycles(module_graph()) if any(m.startswith(CHECKED) for m in c)]
    assert not checked


def test_the_cycle_check_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
