"""One protocol for JSON forms, one name for one human line: every class of learnburn whose
``to_dict`` is its JSON form subclasses ``Record``, and no class has a ``describe`` method (a
method returning one human line is ``summary``; others are named for what they return)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import learnburn
from learnburn._records import Record


def classes() -> list[type]:
    """Every class defined in a module of learnburn."""
    found = []
    for info in pkgutil.walk_packages(learnburn.__path__, "learnburn."):
        module = importlib.import_module(info.name)
        found += [
            cls
            for _, cls in inspect.getmembers(module, inspect.isclass)
            if cls.__module__ == info.name
        ]
    return found


def test_every_class_with_a_to_dict_is_a_record():
    """A class that defines ``to_dict`` subclasses Record explicitly."""
    loose = [
        f"{cls.__module__}.{cls.__qualname__}"
        for cls in classes()
        if "to_dict" in vars(cls) and Record not in cls.__mro__
    ]
    assert not loose, f"define to_dict but do not subclass Record: {loose}"


def test_no_class_has_a_describe_method():
    """``describe`` says nothing of what it returns: one human line is ``summary``."""
    vague = [f"{cls.__module__}.{cls.__qualname__}" for cls in classes() if "describe" in vars(cls)]
    assert not vague, f"rename describe (summary for one human line): {vague}"
