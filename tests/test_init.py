"""learnburn's public names: ``__all__``, the lazy ``_WHERE`` table and the ``TYPE_CHECKING``
imports (what type checkers and editors see) name the same things in the same modules."""

from __future__ import annotations

import ast
import importlib
import inspect

import learnburn


def type_checking_imports() -> dict[str, str]:
    """Each name imported under ``if TYPE_CHECKING:`` in learnburn/__init__.py, with its module."""
    tree = ast.parse(inspect.getsource(learnburn))
    blocks = [
        node
        for node in tree.body
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name)
        if node.test.id == "TYPE_CHECKING"
    ]
    assert len(blocks) == 1, "learnburn/__init__.py has one `if TYPE_CHECKING:` block"
    names = {}
    for node in ast.walk(blocks[0]):
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                names[alias.asname or alias.name] = node.module
    return names


def test_all_lists_every_lazy_name_and_the_version():
    """``__all__`` is the names of ``_WHERE`` plus ``__version__``, each once."""
    assert len(learnburn.__all__) == len(set(learnburn.__all__))
    assert set(learnburn.__all__) == {*learnburn._WHERE, "__version__"}


def test_type_checking_imports_match_the_lazy_table():
    """Each lazy name is imported under ``TYPE_CHECKING`` from the module ``_WHERE`` gives it,
    and nothing else is."""
    assert type_checking_imports() == learnburn._WHERE


def test_every_lazy_name_is_found_where_the_table_says():
    """Each module of ``_WHERE`` defines (or re-exports) its name."""
    missing = [
        f"{module}.{name}"
        for name, module in learnburn._WHERE.items()
        if not hasattr(importlib.import_module(module), name)
    ]
    assert not missing
