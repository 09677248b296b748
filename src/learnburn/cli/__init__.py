"""The command line: a thin Typer front end over ``learnburn.workflows``."""

from learnburn.cli._app import app, main

__all__ = ["app", "main"]
