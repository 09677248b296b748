"""``learnburn nb run``, ``nb check`` and ``nb strip``: notebooks as tracked experiments."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape

from learnburn.cli._errors import handles_errors
from learnburn.cli._nb_check import check_notebooks, count_notebooks
from learnburn.cli._store import STORE, store_for

nb = typer.Typer(
    name="nb",
    help="Notebooks: run one as a tracked experiment; check and strip them before a commit.",
    no_args_is_help=True,
)

PATHS = typer.Argument(
    None, help="Notebooks, or folders to search for them (default: the current folder)."
)


@nb.command("run")
@handles_errors
def run(
    notebook: Path = typer.Argument(..., help="The notebook (.ipynb) to execute."),
    parameter: list[str] = typer.Option(
        [],
        "--parameter",
        "-p",
        help="NAME=VALUE, set in a cell after the one tagged 'parameters' (repeatable); VALUE "
        "is read as a Python literal (3, 0.5, True, [1, 2]), else as text.",
    ),
    allow_dirty: bool = typer.Option(
        False,
        "--allow-dirty",
        help="Run even when the notebook or other files are not committed; its code and the "
        "diff are stored with the run, marked dirty.",
    ),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Also write the executed notebook here."
    ),
    kernel: str | None = typer.Option(
        None, "--kernel", "-k", help="The Jupyter kernel (default: the notebook's own)."
    ),
    timeout: float | None = typer.Option(
        None, "--timeout", min=1, help="Fail a cell that runs longer (seconds; default: no limit)."
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
    store: str | None = STORE,
) -> None:
    """Execute a notebook headless with a real kernel and record it as a run.

    The executed notebook is stored with the run; the metrics it records and the experiments
    it runs attach to the run. An uncommitted notebook is refused unless --allow-dirty. Exits
    1 when a cell fails, with the cell's source and traceback."""
    from learnburn.notebooks import notebook_text, parse_parameter, run_notebook

    parameters = dict(parse_parameter(text) for text in parameter)
    console = Console()
    with (
        store_for(store, start=notebook) as opened,
        _cell_progress(console, enabled=not quiet) as on_cell,
    ):
        ran = run_notebook(
            notebook, store=opened, parameters=parameters, allow_dirty=allow_dirty,
            store_url=store or os.environ.get("LEARNBURN_STORE") or opened.url,
            kernel=kernel, timeout=timeout, on_cell=on_cell,
        )  # fmt: skip
    dirty = " (dirty: its code and diff are stored with it)" if ran.dirty else ""
    console.print(
        f"Ran {escape(ran.notebook)} in {ran.seconds:.1f} s; recorded as run "
        f"[bold]{ran.run_id}[/] in {escape(ran.store)}{dirty}."
    )
    for name, value in ran.metrics.items():
        console.print(f"  metric {escape(name)} = {value:g}")
    for run_id in ran.runs:
        console.print(f"  experiment run {run_id}")
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(notebook_text(ran.executed), encoding="utf-8")
        console.print(f"Executed notebook written to {escape(str(output))}")


@nb.command("check")
@handles_errors
def check(paths: list[Path] | None = PATHS) -> None:
    """Check that notebooks carry no outputs or execution counts.

    A notebook paired with a text version by jupytext passes as it is. Exits 1 when one
    fails: `learnburn nb strip` fixes it."""
    code = check_notebooks(paths)
    if code:
        raise typer.Exit(code)


@nb.command("strip")
@handles_errors
def strip(paths: list[Path] | None = PATHS) -> None:
    """Remove outputs, execution counts and timings from notebooks, in place.

    Notebooks paired with a text version by jupytext are left as they are."""
    from learnburn.notebooks import find_notebooks, strip_notebook

    console = Console()
    found = find_notebooks(paths or [Path(".")])
    changed = [path for path in found if strip_notebook(path)]
    for path in changed:
        console.print(f"stripped {escape(str(path))}")
    console.print(f"{len(changed)} of {count_notebooks(len(found))} stripped.")


def notebook_line(results: dict) -> str:
    """A notebook run in one line: its metrics, then its parameters (as -p NAME=VALUE)."""
    metrics = [f"{name}={value:g}" for name, value in results["metrics"].items()]
    parameters = [f"-p {name}={value!r}" for name, value in results["parameters"].items()]
    return " ".join(metrics + parameters) or "notebook"


def print_notebook_results(console: Console, results: dict) -> None:
    """What a notebook run reported: its parameters, metrics and experiment runs."""
    from rich.table import Table

    committed = {True: "code committed", False: "code not committed"}.get(results["committed"])
    ran = f", ran {results['seconds']:.1f} s" if results.get("seconds") is not None else ""
    state = f" ({committed}{ran})" if committed else ""
    console.print(f"  notebook {escape(str(results['notebook']))}{state}")
    if results.get("failed_cell"):
        console.print(f"  [red]failed at cell {results['failed_cell']}[/]")
    table = Table(title="notebook parameters and metrics", title_justify="left", box=None)
    for column in ("kind", "name", "value"):
        table.add_column(column, overflow="fold")
    for name, value in results["parameters"].items():
        table.add_row("parameter", escape(name), escape(repr(value)))
    for name, value in results["metrics"].items():
        table.add_row("metric", escape(name), f"{value:g}")
    if table.row_count:
        console.print(table)
    else:
        console.print("  no parameters or metrics recorded")
    for run_id in results["runs"]:
        console.print(f"  experiment run {run_id} (learnburn show {run_id[:12]})")


@contextmanager
def _cell_progress(console: Console, enabled: bool = True) -> Iterator:
    """A callback for ``run_notebook(on_cell=...)`` that draws a bar of cells."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    if not enabled:
        yield None
        return
    columns = (TextColumn("cells"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("cells", total=None)

        def on_cell(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield on_cell
