"""``learnburn bundle RUN -o FILE``: the chosen model of a run, as a safe bundle."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from learnburn.bundles import load_bundle
from learnburn.cli._errors import handles_errors
from learnburn.cli._store import STORE, store_for


@handles_errors
def bundle(
    run_id: str = typer.Argument(..., help="A finished run (id or unique prefix)."),
    output: Path = typer.Option(
        ..., "--output", "-o", help="Where to write it: NAME.lbm for one file, else a directory."
    ),
    force: bool = typer.Option(False, "--force", help="Replace an existing bundle there."),
    store: str | None = STORE,
) -> None:
    """Write the chosen model of a run as a bundle (no pickle; verified by sha256)."""
    from learnburn.workflows import export_bundle

    with store_for(store) as opened:
        written = export_bundle(opened, run_id, output, overwrite=force)
    console = Console()
    console.print(f"Wrote the bundle of run {run_id} to {written}.")
    loaded = load_bundle(written, lazy=True)
    console.print(f"Scoring: {loaded.scoring_summary}.", highlight=False)
