"""``learnburn predict BUNDLE DATA -o OUT``: score a table file with a bundle, in chunks; with
``--cluster``, a folder of Parquet files on a Dask cluster, partition by partition."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from learnburn.cli._errors import handles_errors
from learnburn.cli._keys import REQUIRE_SIGNATURE, trusted_keys
from learnburn.cli._reference import REFERENCE_HELP, resolves_bundle

CLUSTER = typer.Option(
    None,
    "--cluster",
    envvar="LEARNBURN_CLUSTER",
    help="Score on this Dask scheduler (tcp://HOST:8786 or tls://HOST:8786), or local:N to start "
    "N worker processes on 127.0.0.1 for this command; DATA must then be Parquet.",
)


@handles_errors
@resolves_bundle()
def predict(
    bundle_path: Path = typer.Argument(..., metavar="BUNDLE", help=REFERENCE_HELP),
    data: str = typer.Argument(
        ...,
        metavar="DATA",
        help="The table to score: CSV (also .gz...) or Parquet, a file or s3://BUCKET/KEY; with "
        "--cluster, a folder, a glob or a file of Parquet.",
    ),
    output: str = typer.Option(
        ...,
        "--output",
        "-o",
        help="Where to write the predictions: OUT.csv or OUT.parquet, a file or "
        "s3://BUCKET/KEY; with --cluster, a folder of part-NNNNN.parquet files.",
    ),
    id_column: str | None = typer.Option(
        None, "--id-column", help="Copy this input column first into the output."
    ),
    chunk_rows: int = typer.Option(
        100_000, "--chunk-rows", min=1, help="Rows read and scored at a time (bounds memory)."
    ),
    trust: list[str] = typer.Option(
        [], "--trust", help="Also load this type from the bundle's model (repeatable)."
    ),
    force: bool = typer.Option(False, "--force", help="Replace an existing output file."),
    runtime: str = typer.Option(
        "auto",
        "--runtime",
        help="What scores the rows: auto (the fast path when the bundle has one: the same "
        "answers on every run), measure (for files past one chunk, whichever of the fast path "
        "and the native model scores a sample faster), fast or native.",
    ),
    cluster: str | None = CLUSTER,
    require_signature: list[Path] = REQUIRE_SIGNATURE,
) -> None:
    """Score every row of DATA with the bundle: one probability per class and the decision
    (for a clustering bundle: the cluster, in a column named cluster).

    Columns the bundle does not use are ignored with a warning; the bundle's target column (a
    table it was trained on has one) is ignored silently. A missing or mistyped feature column
    stops the scoring and no output is written.
    """
    from learnburn.workflows import predict_table

    console = Console()
    keys = trusted_keys(require_signature)
    with _row_progress(console) as progress:
        summary = predict_table(
            bundle_path, data, output, id_column=id_column, chunk_rows=chunk_rows,
            trusted=tuple(trust), trusted_keys=keys, runtime=runtime, cluster=cluster,
            overwrite=force, progress=progress,
        )  # fmt: skip
    if cluster:
        console.print(
            f"Scored {summary.rows:,} rows in {summary.chunks} partition"
            f"{'s' * (summary.chunks != 1)} on the Dask cluster ({summary.seconds:.1f} s); "
            f"wrote {summary.output}/."
        )
        return
    written = summary.output
    console.print(
        f"Scored {summary.rows:,} rows in {summary.chunks} chunk{'s' * (summary.chunks != 1)} "
        f"({summary.seconds:.1f} s, {_RUNTIME_NAMES[summary.runtime]}); wrote {written}."
    )


_RUNTIME_NAMES = {"fast": "fast path", "native": "native model"}


@contextmanager
def _row_progress(console: Console) -> Iterator:
    """A callback for ``predict_file(progress=...)`` drawing a transient bar of rows scored."""
    columns = (TextColumn("Scoring"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("rows", total=None)

        def on_chunk(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=total)

        yield on_chunk
