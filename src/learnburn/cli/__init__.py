"""The command line: a thin Typer front end over ``learnburn.workflows``.

One module per command or command group parses the options, calls one workflow and prints its
record (``_render*``); the ``COMMANDS`` table in ``_app`` lists every command.
"""

from learnburn.cli._app import app, main

__all__ = ["app", "main"]
