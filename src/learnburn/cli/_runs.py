"""``learnburn runs``, ``show``, ``diff`` and ``reproduce``: the recorded runs."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.markup import escape

from learnburn.cli._errors import EXIT_ERROR, handles_errors
from learnburn.cli._nb import print_notebook_results
from learnburn.cli._progress import fold_progress
from learnburn.cli._render_runs import (
    print_diff,
    print_reproduction,
    print_run,
    print_runs,
    print_verification,
)
from learnburn.cli._store import STORE, store_for

RUN = typer.Argument(..., help="A run id, or a unique prefix of one (see `learnburn runs`).")


@handles_errors
def runs(
    experiment: str | None = typer.Option(None, "--experiment", "-e", help="Only this experiment."),
    status: str | None = typer.Option(
        None,
        "--status",
        "-s",
        help="Only runs with this status: running, finished, failed, interrupted.",
    ),
    limit: int = typer.Option(50, "--limit", "-n", help="At most this many runs, newest first."),
    verify: bool = typer.Option(
        False,
        "--verify",
        help="Check every artifact's sha256, and that each one a run records is present.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the list as JSON."),
    store: str | None = STORE,
) -> None:
    """List recorded runs, newest first (exit 1 when --verify finds a bad artifact); a notebook
    run shows the metrics it recorded and its -p parameters."""
    from learnburn.workflows import notebook_results_of

    console = Console()
    with store_for(store) as opened:
        if verify:
            checks = opened.verify()
            print_verification(console, checks)
            if not all(check.ok for check in checks):
                raise typer.Exit(EXIT_ERROR)
            return
        listed = opened.list_runs(experiment=experiment, status=status, limit=limit)
        notebooks = notebook_results_of(opened, listed)
        if as_json:
            rows = [s.__dict__ | _notebook_part(notebooks.get(s.id)) for s in listed]
            typer.echo(json.dumps(rows, default=str, indent=2))
            return
        print_runs(console, listed, opened.url, notebooks)


def _notebook_part(results: dict | None) -> dict:
    return {} if results is None else {"notebook": results}


@handles_errors
def show(
    run_id: str = RUN,
    as_json: bool = typer.Option(False, "--json", help="Print the full record as JSON."),
    splits: str | None = typer.Option(
        None,
        "--splits",
        help="Also write the run's splits to this .csv or .parquet file: one row per table row "
        "with row, holdout and repeat_0.. (the fold that tests it; -1: none).",
    ),
    store: str | None = STORE,
) -> None:
    """Show one run: status, provenance, data, leaderboard and artifacts; for a notebook run,
    its parameters, metrics and experiment runs."""
    from learnburn.workflows import notebook_results, write_splits

    with store_for(store) as opened:
        detail = opened.get_run(run_id)
        notebook = notebook_results(opened, detail)
        written = write_splits(opened, run_id, splits) if splits else None
    if as_json:
        typer.echo(json.dumps(detail.record or notebook or {}, indent=2, default=str))
        return
    console = Console()
    print_run(console, detail)
    if notebook is not None:
        print_notebook_results(console, notebook)
    if written is not None:
        console.print(f"Splits written to {escape(str(written))}.")


@handles_errors
def diff(
    run_a: str = typer.Argument(..., help="The first run (id or prefix)."),
    run_b: str = typer.Argument(..., help="The second run (id or prefix)."),
    store: str | None = STORE,
) -> None:
    """Compare two runs: spec, code, data, environment and metrics.

    When both used the same folds, each shared candidate's score difference is tested."""
    from learnburn.workflows import diff_runs

    with store_for(store) as opened:
        result = diff_runs(opened, run_a, run_b)
    print_diff(Console(), result)


@handles_errors
def reproduce(
    run_id: str = RUN,
    jobs: int = typer.Option(1, "--jobs", "-j", help="Worker processes for fold tasks."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
    store: str | None = STORE,
) -> None:
    """Re-run a recorded run from its commit (and stored diff) and compare every fold score.

    Exits 0 when reproduced exactly, 1 otherwise."""
    from learnburn.workflows import reproduce_run

    console = Console()
    with store_for(store) as opened, fold_progress(console, enabled=not quiet) as progress:
        outcome = reproduce_run(opened, run_id, jobs=jobs, progress=progress)
    print_reproduction(console, outcome)
    if not outcome.exact:
        raise typer.Exit(EXIT_ERROR)
