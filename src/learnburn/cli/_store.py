"""Which run store a command uses: --store, else LEARNBURN_STORE, else .learnburn/ at the root of
the git repository (or the folder) the command works in."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from learnburn.runs import RunStore


STORE = typer.Option(
    None,
    "--store",
    help="Run store: a PostgreSQL URL or an SQLite file.",
    show_default="$LEARNBURN_STORE, else .learnburn/store.db at the git repository root",
)


def store_for(option: str | None, start: Path | None = None) -> RunStore:
    """Open the store named by the option, the environment, or the default location."""
    from learnburn.workflows import open_store

    return open_store(option or os.environ.get("LEARNBURN_STORE") or None, start=start)
