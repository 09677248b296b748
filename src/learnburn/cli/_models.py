"""``learnburn models``, ``promote`` and ``rollback``: which model is live, and moving it."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.markup import escape

from learnburn.cli._errors import handles_errors
from learnburn.cli._render_models import print_model, print_models
from learnburn.cli._store import STORE, store_for

ALIAS = typer.Option("production", "--alias", "-a", help="The alias to move.")
REASON = typer.Option("", "--reason", "-r", help="Why: kept in the alias's history.")
AS_JSON = typer.Option(False, "--json", help="Print it as JSON.")

models = typer.Typer(
    name="models",
    help="The model registry: list the models (versions and aliases); `learnburn models show "
    "NAME` for one model's versions, aliases and history with its evidence.",
    invoke_without_command=True,
)


@models.callback()
@handles_errors
def list_models(ctx: typer.Context, store: str | None = STORE, as_json: bool = AS_JSON) -> None:
    """The model registry: list the models (versions and aliases); `learnburn models show
    NAME` for one model's versions, aliases and history with its evidence."""
    if ctx.invoked_subcommand is not None:
        return
    with store_for(store) as opened:
        listed = opened.registry.list_models()
        url = opened.url
    if as_json:
        typer.echo(json.dumps([m.to_dict() for m in listed], indent=2))
        return
    print_models(Console(), listed, url)


@models.command("show")
@handles_errors
def show(
    name: str = typer.Argument(..., metavar="NAME", help="The model's name."),
    store: str | None = STORE,
    as_json: bool = AS_JSON,
) -> None:
    """One model: its versions (run, bundle sha256, holdout score), aliases, and the history
    of every alias move with who, when, why and the evidence."""
    with store_for(store) as opened:
        detail = opened.registry.get_model(name)
    if as_json:
        typer.echo(json.dumps(detail.to_dict(), indent=2))
        return
    print_model(Console(), detail)


@handles_errors
def promote(
    name: str = typer.Argument(
        ..., metavar="NAME", help="The model's name (created by its first promote)."
    ),
    run_id: str = typer.Argument(..., metavar="RUN", help="A finished run (id or prefix)."),
    alias: str = ALIAS,
    reason: str = REASON,
    store: str | None = STORE,
) -> None:
    """Make a finished run's bundle a version of NAME and point the alias at it (recorded in
    the alias's history: who, when, from which version, why)."""
    from learnburn.workflows import promote_run

    with store_for(store) as opened:
        moved = promote_run(opened, name, run_id, alias=alias, reason=reason)
    _said(moved)


@handles_errors
def rollback(
    name: str = typer.Argument(..., metavar="NAME", help="The model's name."),
    alias: str = ALIAS,
    reason: str = REASON,
    store: str | None = STORE,
) -> None:
    """Move the alias back to the version it named before its last promote (the exact bundle,
    by sha256)."""
    from learnburn.workflows import rollback_model

    with store_for(store) as opened:
        moved = rollback_model(opened, name, alias=alias, reason=reason)
    _said(moved)


def _said(moved) -> None:
    start = "none" if moved.from_version is None else f"v{moved.from_version}"
    why = f": {moved.reason}" if moved.reason else ""
    Console(highlight=False).print(
        escape(
            f"{moved.model}@{moved.alias}: {moved.action} {start} -> v{moved.to_version} "
            f"(revision {moved.revision}){why}."
        )
    )
