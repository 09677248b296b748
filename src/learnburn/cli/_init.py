"""``learnburn init DATA_FILE``: write a commented starter spec."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from learnburn.cli._errors import EXIT_ERROR, handles_errors, stderr


@handles_errors
def init(
    data_file: str = typer.Argument(..., help="A CSV or Parquet file (or pkg://PACKAGE/path)."),
    target: str | None = typer.Option(None, "--target", "-t", help="The column to predict."),
    output: Path | None = typer.Option(
        None,
        "--output",
        "-o",
        help="Where to write the spec.",
        show_default="experiments/NAME.toml",
    ),
    name: str | None = typer.Option(
        None, "--name", help="Experiment name.", show_default="the data file's stem"
    ),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing spec file."),
    encoding: str = typer.Option(
        "utf-8", "--encoding", help="The CSV file's text encoding (written into the spec)."
    ),
    delimiter: str | None = typer.Option(
        None, "--delimiter", help="The CSV field separator [default: sniffed from the header]."
    ),
) -> None:
    """Write a commented starter spec for DATA_FILE, ready to edit and run."""
    from learnburn.workflows import default_experiment_name, init_spec

    path = output or Path("experiments") / f"{name or default_experiment_name(data_file)}.toml"
    text = init_spec(
        data_file, target=target, name=name, spec_file=path, encoding=encoding, delimiter=delimiter
    )
    if path.exists() and not force:
        stderr.print(f"[bold red]Error:[/] {path} already exists.")
        stderr.print(
            "[yellow]Hint:[/] pass --force to overwrite it, or --output to choose another file."
        )
        raise typer.Exit(EXIT_ERROR)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    console = Console()
    console.print(f"Wrote {path}. Edit it, then run: learnburn run {path}")
