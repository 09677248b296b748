"""``learnburn package BUNDLE -o build/``: a Docker build folder that serves the bundle on
SageMaker and ECS/Fargate."""

from __future__ import annotations

from pathlib import Path

import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from learnburn.cli._errors import handles_errors, stderr
from learnburn.deploy._package import README, PackageSummary, package_bundle


@handles_errors
def package(
    bundle_path: Path = typer.Argument(
        ..., metavar="BUNDLE", help="The bundle: a NAME.lbm file or a directory."
    ),
    output: Path = typer.Option(
        ..., "--output", "-o", help="The folder to write the build files into (e.g. build/)."
    ),
    force: bool = typer.Option(
        False, "--force", help="Write into a non-empty folder, replacing the files it writes."
    ),
    trust: list[str] = typer.Option(
        [], "--trust", help="Also load this type from the bundle's model (repeatable)."
    ),
    without_reference_rows: bool = typer.Option(
        False,
        "--without-reference-rows",
        help="Leave the bundle's training rows (reference.parquet) out of the image; drift "
        "checks then run without the multivariate test.",
    ),
    s3_capture: bool = typer.Option(
        False,
        "--with-s3-capture",
        help="Add boto3 to the image, so that LEARNBURN_CAPTURE may name an s3:// prefix "
        "(capture files uploaded with the task's or endpoint's role).",
    ),
) -> None:
    """Write a Docker build folder whose image serves the bundle, unchanged, on SageMaker
    (`docker run IMAGE serve`, model data in /opt/ml/model) and on ECS/Fargate (port 8080,
    health check GET /ping)."""
    summary = package_bundle(
        bundle_path,
        output,
        force=force,
        trusted=trust,
        without_reference_rows=without_reference_rows,
        s3_capture=s3_capture,
    )
    render_summary(Console(), summary)
    if summary.training_rows:
        stderr.print(
            f"[yellow]Warning:[/] the image carries {summary.training_rows:,} training rows "
            "verbatim (the bundle's reference.parquet, for the multivariate drift check): "
            "anyone who can pull the image can read them. Pass --without-reference-rows to "
            "leave them out."
        )


def render_summary(console: Console, summary: PackageSummary) -> None:
    """The files written, the build context's size, and the commands to build and run it."""
    table = Table(
        title=f"Wrote {escape(str(summary.output))}",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    table.add_column("file")
    table.add_column("size", justify="right")
    table.add_column("what it is")
    for name, (count, size) in _by_entry(summary.files).items():
        shown = f"{name}/ ({count} file{'s' * (count != 1)})" if count else name
        table.add_row(escape(shown), _size(size), _WHAT.get(name, ""))
    console.print(table)
    libraries = ", ".join(summary.model_libraries) or "none"
    console.print(
        f"Build context: [bold]{_size(summary.context_bytes)}[/] (the bundle: "
        f"{_size(summary.bundle_bytes)}); python:{summary.python}-slim, "
        f"{len(summary.requirements)} pinned libraries; boosting libraries: {libraries}."
    )
    console.print("\nBuild and run the image:")
    console.print(f"  {escape(summary.build_command)}", soft_wrap=True)
    console.print(f"  {escape(summary.run_command)}", soft_wrap=True)
    console.print(
        f"Health check: GET {summary.health_path} on port {summary.port} (SageMaker, the ECS "
        f"task and the load balancer's target group). Deploying: "
        f"{escape(str(summary.output / README))}."
    )


_WHAT = {
    "Dockerfile": "python slim, non-root, HEALTHCHECK on /ping, ENTRYPOINT + CMD serve",
    "requirements.txt": "the server's libraries, pinned",
    "entrypoint.sh": "serve: finds the bundle (SageMaker or ECS), execs the server",
    ".dockerignore": "sends Docker only what the Dockerfile copies",
    "README.md": "build, run, push to ECR, SageMaker and ECS settings",
    "app": "learnburn's source, on PYTHONPATH",
    "model": "the bundle, at /opt/ml/model",
}


def _by_entry(files: tuple[tuple[str, int], ...]) -> dict[str, tuple[int, int]]:
    """(files in it, or 0 for a file; bytes) of each top-level entry of the folder."""
    entries: dict[str, tuple[int, int]] = {}
    for name, size in files:
        top, _, rest = name.partition("/")
        count, total = entries.get(top, (0, 0))
        entries[top] = (count + 1 if rest else 0, total + size)
    return entries


def _size(count: int) -> str:
    if count < 1000:
        return f"{count} B"
    if count < 1_000_000:
        return f"{count / 1000:.1f} kB"
    return f"{count / 1_000_000:.1f} MB"
