"""The error tree drawn in errors.py's docstring is the tree the package defines."""

from __future__ import annotations

import importlib
import pkgutil
import re

import learnburn
from learnburn import errors
from learnburn.errors import LearnburnError, LearnburnWarning

# "    │   ├── Name     text": four characters per level, then the branch, then the name
_BRANCH = re.compile(r"^(?P<indent>(?:│   |    )*)(?:├── |└── )(?P<name>\w+)")
_ROOT = re.compile(r"^(?P<name>Learnburn\w+)\s")


def drawn_tree() -> dict[str, str | None]:
    """Each class the docstring draws, with the class drawn above it (None for a root)."""
    block = errors.__doc__.split("::\n", 1)[1]
    parents: dict[str, str | None] = {}
    path: list[str] = []
    for line in block.splitlines():
        text = line[4:]  # the block is indented by four spaces
        root, branch = _ROOT.match(text), _BRANCH.match(text)
        if root:
            path = [root["name"]]
            parents[root["name"]] = None
        elif branch:
            depth = len(branch["indent"]) // 4 + 1
            del path[depth:]
            parents[branch["name"]] = path[depth - 1]
            path.append(branch["name"])
        elif parents and not text.strip() and path and path[0] == "LearnburnWarning":
            break  # the blank line after the warnings ends the drawing
    return parents


def defined_tree() -> dict[str, str | None]:
    """Every subclass of LearnburnError or LearnburnWarning in any module of learnburn, with its
    nearest base in that family (None for the two roots)."""
    for module in pkgutil.walk_packages(learnburn.__path__, "learnburn."):
        importlib.import_module(module.name)
    parents: dict[str, str | None] = {"LearnburnError": None, "LearnburnWarning": None}

    def walk(cls: type) -> None:
        for sub in cls.__subclasses__():
            assert sub.__module__.startswith("learnburn."), sub
            family = [b for b in sub.__bases__ if issubclass(b, LearnburnError | LearnburnWarning)]
            parents[sub.__name__] = family[0].__name__
            walk(sub)

    walk(LearnburnError)
    walk(LearnburnWarning)
    return parents


def test_the_docstring_tree_lists_every_error_and_warning_under_its_base():
    """Every LearnburnError and LearnburnWarning subclass defined anywhere in learnburn appears
    in errors.py's tree, under the class it derives from, and the tree names no other class."""
    drawn, defined = drawn_tree(), defined_tree()
    missing = sorted(set(defined) - set(drawn))
    stale = sorted(set(drawn) - set(defined))
    assert not missing, f"errors.py's tree lacks {missing}"
    assert not stale, f"errors.py's tree names classes that do not exist: {stale}"
    misplaced = {
        name: (drawn[name], defined[name]) for name in defined if drawn[name] != defined[name]
    }
    assert not misplaced, f"drawn under the wrong class (drawn, defined): {misplaced}"


def test_no_two_error_classes_share_a_name():
    """One name, one class: no error or warning class of learnburn is defined twice."""
    defined_tree()
    seen: dict[str, list[str]] = {}

    def walk(cls: type) -> None:
        for sub in cls.__subclasses__():
            seen.setdefault(sub.__name__, []).append(f"{sub.__module__}.{sub.__qualname__}")
            walk(sub)

    walk(LearnburnError)
    walk(LearnburnWarning)
    doubled = {name: where for name, where in seen.items() if len(set(where)) > 1}
    assert not doubled, doubled
