"""A BUNDLE argument that may name a model version: ``models:/NAME@ALIAS`` or
``models:/NAME/VERSION`` resolves in the run store ($LEARNBURN_STORE, else the default) to the
exact bundle promoted, written to a private temporary file for as long as the command runs.

Light on purpose: the store and workflows are imported only for a reference, so ``serve`` with
a plain file pays nothing for it."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REFERENCE_HELP = (
    "The bundle: a NAME.lbm file, a directory, or a model version models:/NAME@ALIAS (e.g. "
    "models:/loans@production) or models:/NAME/VERSION from the run store ($LEARNBURN_STORE)."
)


@contextmanager
def bundle_at(given: Path | str) -> Iterator[Path]:
    """The path of the bundle ``given`` names: itself, or a model version's bundle."""
    if not str(given).startswith("models:/"):
        yield Path(given)
        return
    from learnburn.cli._store import store_for
    from learnburn.workflows import model_bundle

    with store_for(None) as store, model_bundle(store, str(given)) as path:
        yield path


def resolves_bundle(parameter: str = "bundle_path") -> Callable[[Callable[..., Any]], Any]:
    """Decorate a command whose ``parameter`` is a BUNDLE: a ``models:/`` reference in it is
    replaced by its bundle's path for the whole command (under ``@handles_errors``)."""

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(command)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with bundle_at(kwargs[parameter]) as path:
                return command(*args, **(kwargs | {parameter: path}))

        return wrapper

    return decorate
