"""The command line: a thin Typer front end over ``learnburn.workflows``.

One module per command or command group parses the options, calls one workflow and prints its
record (``_render*``); the ``COMMANDS`` table in ``_app`` lists every command.

``main`` (the console script and ``python -m learnburn``) runs a plain ``nb check`` (the
pre-commit hook) without building the Typer application; ``app`` is built on first use."""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["app", "main"]


def main() -> None:
    """The ``learnburn`` command."""
    args = sys.argv[1:]
    if is_plain_check(args):  # checked here: other commands import nothing for it
        from learnburn.cli._nb_check import run_check

        sys.exit(run_check(args))
    from learnburn.cli._app import main as run_app

    run_app()


def is_plain_check(args: list[str]) -> bool:
    """``args`` (the command line after the program) are ``nb check`` and paths only: no
    option, nothing Typer must parse."""
    return args[:2] == ["nb", "check"] and not any(arg.startswith("-") for arg in args[2:])


def __getattr__(name: str) -> Any:
    if name == "app":
        from learnburn.cli._app import app

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
