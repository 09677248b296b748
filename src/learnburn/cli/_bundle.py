"""``learnburn bundle RUN -o FILE``: the chosen model of a run, as a safe bundle."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from learnburn.bundles import load_bundle, sign_bundle
from learnburn.cli._errors import handles_errors
from learnburn.cli._keys import SIGN, signing_key
from learnburn.cli._store import STORE, store_for


@handles_errors
def bundle(
    run_id: str = typer.Argument(
        ...,
        metavar="RUN",
        help="A finished run (id or unique prefix), or a model version: models:/NAME@ALIAS "
        "or models:/NAME/VERSION.",
    ),
    output: Path = typer.Option(
        ..., "--output", "-o", help="Where to write it: NAME.lbm for one file, else a directory."
    ),
    force: bool = typer.Option(False, "--force", help="Replace an existing bundle there."),
    store: str | None = STORE,
    sign: Path | None = SIGN,
) -> None:
    """Write the chosen model of a run as a bundle (no pickle; verified by sha256; with
    --sign, signed)."""
    from learnburn.workflows import export_bundle

    key = signing_key(sign)
    with store_for(store) as opened:
        written = export_bundle(opened, run_id, output, overwrite=force)
    if key is not None:
        sign_bundle(written, key)
    console = Console()
    signed = f", signed with {sign}" if key is not None else ""
    console.print(f"Wrote the bundle of run {run_id} to {written}{signed}.")
    loaded = load_bundle(written, lazy=True)
    console.print(f"Scoring: {loaded.scoring_summary}.", highlight=False)
