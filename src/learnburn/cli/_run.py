"""``learnburn run`` and ``learnburn validate``."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape

from learnburn.cli._errors import EXIT_ERROR, handles_errors
from learnburn.cli._keys import SIGN, signing_key
from learnburn.cli._progress import fold_progress
from learnburn.cli._render import print_result
from learnburn.cli._render_clusters import print_clustering
from learnburn.cli._store import STORE, store_for
from learnburn.cli._window import SINCE, UNTIL

SPEC = typer.Argument(..., help="The experiment spec (TOML), e.g. experiments/loans.toml.")
CLUSTER = typer.Option(
    None,
    "--cluster",
    envvar="LEARNBURN_CLUSTER",
    help="Run on this Dask scheduler (tcp://HOST:8786 or tls://HOST:8786), or local:N to start "
    "N worker processes on 127.0.0.1 for this command; --jobs is then ignored.",
)


@handles_errors
def run(
    spec_path: Path = SPEC,
    jobs: int = typer.Option(
        1, "--jobs", "-j", help="Worker processes for fold tasks (-1: all CPUs)."
    ),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Write the full result record to this JSON file."
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
    allow_dirty: bool = typer.Option(
        False,
        "--allow-dirty",
        help="Run even with uncommitted changes; the diff is stored with the run, marked dirty.",
    ),
    bundle: Path | None = typer.Option(
        None,
        "--bundle",
        "-b",
        help="Also write the chosen model's bundle here (NAME.lbm or a directory; replaced).",
    ),
    store: str | None = STORE,
    cluster: str | None = CLUSTER,
    reference_rows: int = typer.Option(
        2000,
        "--reference-rows",
        min=0,
        max=5000,
        help="Training rows the bundle carries for the multivariate drift check; 0 keeps only "
        "the aggregate profile (no row of the training data leaves with the bundle).",
    ),
    sign: Path | None = SIGN,
    time_budget: float | None = typer.Option(
        None,
        "--time-budget",
        min=0,
        help="Seconds for all the tuning of tuned candidates (a search = ... in the spec), shared "
        "by their searches across the workers; a search stops early when its share runs out. "
        "The trials then depend on the clock, so a budgeted run may not reproduce exactly; "
        "without it each search runs its n_trials and is deterministic.",
    ),
    snapshot: bool = typer.Option(
        True,
        "--snapshot/--no-snapshot",
        help="Keep what a query or an s3:// source returned with the run, so that `reproduce` "
        "works after the source changes; --no-snapshot for tables too big to keep (warns).",
    ),
    since: str | None = SINCE,
    until: str | None = UNTIL,
) -> None:
    """Evaluate, compare and choose candidates; score the holdout; record the run.

    Every candidate is evaluated on the same repeated folds and compared with the best; one is
    chosen by the spec's policy, refit, scored once on the holdout, and the run is recorded with
    its provenance.

    Exits 0 when a candidate was chosen, 1 on an error or when every candidate failed.
    """
    from learnburn.backends import open_backend
    from learnburn.spec import load_spec
    from learnburn.workflows import run_and_record, with_window

    console = Console()
    key = signing_key(sign) if bundle is not None else None
    spec = with_window(load_spec(spec_path), since=since, until=until)
    with (
        open_backend(cluster, jobs=jobs) as backend,
        store_for(store, start=spec_path) as opened,
        fold_progress(console, enabled=not quiet) as progress,
    ):
        recorded = run_and_record(
            spec,
            store=opened,
            backend=backend,
            progress=progress,
            allow_dirty=allow_dirty,
            reference_rows=reference_rows,
            bundle=bundle,
            signing_key=key,
            time_budget=time_budget,
            snapshot=snapshot,
        )
    result = recorded.result
    if result.task == "clustering":
        print_clustering(console, result)
    else:
        print_result(console, result)
    dirty = " (dirty: its diff is stored with it)" if recorded.provenance.get("dirty") else ""
    console.print(f"Recorded as run [bold]{recorded.run_id}[/] in {recorded.store}{dirty}.")
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(result.to_json() + "\n")
        console.print(f"Result record written to {output}")
    if recorded.bundle is not None:
        shipped = recorded.bundle
        console.print(
            f"Bundle written to {shipped.path}; scoring: {shipped.scoring}.", highlight=False
        )
    if result.winner is None:
        raise typer.Exit(EXIT_ERROR)


@handles_errors
def validate(spec_path: Path = SPEC) -> None:
    """Check a spec and its data without fitting anything (exit 0 when both are usable)."""
    from learnburn.spec import load_spec
    from learnburn.workflows import check_experiment

    console = Console()
    spec = load_spec(spec_path)
    summary = check_experiment(spec)
    data, splits = summary["data"], summary["splits"]
    console.print(f"[green]✓[/] {spec_path}: spec is valid.")
    if spec.task == "clustering":
        console.print(
            f"[green]✓[/] data: {data['rows']} rows, {len(data['features'])} features; k from "
            f"{splits['k'][0]} to {splits['k'][1]}, {splits['resamples']} bootstrap refits each."
        )
        names = ", ".join(summary["candidates"])
        console.print(f"[green]✓[/] clusterings: {escape(names)}")
        return
    console.print(
        f"[green]✓[/] data: {data['rows']} rows, {len(data['features'])} features, "
        f"target {data['target']!r} with classes {data['classes']}."
    )
    console.print(
        f"[green]✓[/] splits: {splits['method']}, {splits['folds']} folds x {splits['repeats']} "
        f"repeats, {splits['holdout_rows']} holdout rows."
    )
    console.print(f"[green]✓[/] candidates: {', '.join(summary['candidates'])}")
