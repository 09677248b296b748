"""reports/ only renders the records it is given: none of its modules imports the run store,
the bundles or the workflows, at module level or inside a function."""

from __future__ import annotations

import ast
from pathlib import Path

import learnburn.reports

FORBIDDEN = ("learnburn.runs", "learnburn.bundles", "learnburn.workflows")


def imported(path: Path) -> set[str]:
    """Every module ``path`` imports, anywhere in it."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_reports_import_neither_the_runs_the_bundles_nor_the_workflows():
    folder = Path(learnburn.reports.__file__).parent
    reaching = {
        f"{path.name}: {name}"
        for path in folder.glob("*.py")
        for name in imported(path)
        if any(name == f or name.startswith(f + ".") for f in FORBIDDEN)
    }
    assert not reaching
