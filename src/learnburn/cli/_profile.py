"""``learnburn profile BUNDLE``: measure the bundle as it will run, and write ``profile.json``."""

from __future__ import annotations

from pathlib import Path

import orjson
import typer
from rich.console import Console
from rich.table import Table

from learnburn.cli._errors import handles_errors
from learnburn.errors import DataError


def _levels(text: str) -> tuple[int, ...]:
    try:
        levels = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        levels = ()
    if not levels or any(not 1 <= level <= 256 for level in levels):
        raise typer.BadParameter("give concurrency levels in 1..256, comma-separated: 1,4,16,32")
    return levels


@handles_errors
def profile(
    bundle_path: Path = typer.Argument(
        ..., metavar="BUNDLE", help="The bundle: a NAME.lbm file or a directory."
    ),
    output: Path = typer.Option(
        Path("profile.json"), "--output", "-o", help="Where to write the profile (JSON)."
    ),
    data: Path | None = typer.Option(
        None, "--data", help="Rows to score (CSV or Parquet); default: drawn from the schema."
    ),
    levels: str = typer.Option(
        "1,4,16,32", "--levels", help="Concurrent connections to load the server with."
    ),
    seconds: float = typer.Option(
        3.0, "--seconds", min=0.5, max=60, help="At most this long per concurrency level."
    ),
    requests: int = typer.Option(
        3000, "--requests", min=10, max=100_000, help="At most this many requests per level."
    ),
    trust: list[str] = typer.Option(
        [], "--trust", help="Also load this type from the bundle's model (repeatable)."
    ),
) -> None:
    """Profile a bundle: in-process latency by batch size, the real server's latency and
    throughput on loopback, cold start, memory per worker, bundle size and this machine's CPU.
    Price the result with `learnburn cost PROFILE --rps R`."""
    from learnburn.profiling import ProfileSettings, profile_bundle

    console = Console(stderr=True)
    rows = _read_rows(data) if data is not None else None
    settings = ProfileSettings(
        levels=_levels(levels), level_seconds=seconds, level_requests=requests
    )
    with console.status("profiling") as status:
        result = profile_bundle(
            bundle_path,
            rows=rows,
            trusted=trust,
            settings=settings,
            progress=lambda message: status.update(message),
        )
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(orjson.dumps(result, option=orjson.OPT_INDENT_2))
    render_profile(result, Console())
    Console().print(f"Wrote {output}. Price it: learnburn cost {output} --rps 50", highlight=False)


def _read_rows(path: Path):
    from learnburn.data import read_table

    if not path.exists():
        raise DataError(f"no data file at '{path}'", hint="check the path")
    return read_table(str(path))


def render_profile(result: dict, console: Console) -> None:
    """The profile as tables: the machine, in-process latency, and the server under load."""
    bundle, machine, gpu = result["bundle"], result["machine"], result["gpu"]
    console.print(
        f"[bold]{bundle.get('candidate') or 'model'}[/] ({bundle['size_bytes'] / 1e6:.2f} MB), "
        f"scored by {bundle['scoring']}",
        highlight=False,
    )
    console.print(
        f"on {machine['cpu_model']} ({machine['logical_cpus']} logical CPUs); "
        f"GPU: {gpu['name'] if gpu['present'] else gpu['note']}",
        highlight=False,
    )
    table = Table(title="In-process scoring, decisions included")
    for name in ("rows per call", "p50 ms", "p99 ms", "rows/s"):
        table.add_column(name, justify="right")
    for row in result["in_process"]:
        table.add_row(
            f"{row['batch_rows']:,}",
            f"{row['p50_ms']:.3f}",
            f"{row['p99_ms']:.3f}",
            f"{row['rows_per_s']:,.0f}",
        )
    console.print(table)
    http = result["http"]
    table = Table(
        title=f"learnburn serve, {http['workers']} worker: {http['endpoint']} "
        f"(client ceiling {http['client_ceiling_rps']:,.0f} req/s)"
    )
    for name in ("connections", "req/s", "p50 ms", "p90 ms", "p99 ms", "errors"):
        table.add_column(name, justify="right")
    for level in http["levels"]:
        limited = " (client-limited)" if level.get("client_limited") else ""
        table.add_row(
            str(level["concurrency"]),
            f"{level['rps']:,.0f}{limited}",
            f"{level['p50_ms']:.2f}",
            f"{level['p90_ms']:.2f}",
            f"{level['p99_ms']:.2f}",
            str(level["errors"]),
        )
    console.print(table)
    cold, memory = result["cold_start"], result["memory"]
    parts = cold["parts"]
    console.print(
        f"Cold start {cold['seconds']:.2f} s to the first /ping (imports {parts['imports_s']:.2f} "
        f"s, bundle load {parts['load_s']:.2f} s); worker memory "
        f"{memory['worker_rss_mb'] or 'unknown'} MB.",
        highlight=False,
    )
    training = result.get("training")
    if training:
        console.print(
            f"Training: the final fit took {training['fit_seconds']:.2f} s"
            + (f" on {training['rows']:,} rows" if training.get("rows") else "")
            + (
                f"; the run peaked at {training['peak_memory_mb']:.0f} MB"
                if training.get("peak_memory_mb")
                else ""
            )
            + ".",
            highlight=False,
        )
    _render_gpu(result["gpu"], console)


def _render_gpu(gpu: dict, console: Console) -> None:
    """The CPU/GPU comparison, when a GPU was profiled."""
    comparison = gpu.get("comparison")
    for model, reason in (gpu.get("unavailable") or {}).items():
        console.print(f"GPU: {model} not compared: {reason}.", highlight=False)
    if not comparison:
        return
    sizes = [c["batch_rows"] for c in comparison["records"][0]["scoring"]]
    table = Table(
        title=f"CPU against GPU ({gpu['name']}): {comparison['rows']:,} rows drawn from the "
        f"schema, {comparison['features']} features"
    )
    for name in ("model", "device", "fit s", *(f"p50 ms, {n:,} rows" for n in sizes), "AUC"):
        table.add_column(name, justify="right")
    for record in comparison["records"]:
        auc = record["holdout_auc"]
        table.add_row(
            record["model"],
            record["device"],
            f"{record['fit_s']:.2f}",
            *(f"{c['p50_ms']:.3f}" for c in record["scoring"]),
            "" if auc is None else f"{auc:.3f}",
        )
    console.print(table)
