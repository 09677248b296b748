"""``learnburn report RUN|BUNDLE -o report.html`` and ``learnburn ui``."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape

from learnburn.cli._errors import handles_errors
from learnburn.cli._store import STORE, store_for


@handles_errors
def report(
    target: str = typer.Argument(
        ...,
        metavar="RUN|BUNDLE",
        help="A run id (or a unique prefix), or a bundle: a NAME.lbm file or a directory.",
    ),
    output: Path = typer.Option(
        Path("report.html"), "--output", "-o", help="Where to write the report (HTML)."
    ),
    profile: Path | None = typer.Option(
        None, "--profile", help="Add this profile.json (learnburn profile) to a bundle report."
    ),
    cost: Path | None = typer.Option(
        None, "--cost", help="Add this cost record (learnburn cost --json) to a bundle report."
    ),
    drift: Path | None = typer.Option(
        None, "--drift", help="Add this drift record (learnburn drift --json)."
    ),
    cadence: Path | None = typer.Option(
        None, "--cadence", help="Add this cadence record (learnburn cadence --json)."
    ),
    trust: list[str] = typer.Option(
        [], "--trust", help="Also load this type from the bundle's model (repeatable)."
    ),
    store: str | None = STORE,
) -> None:
    """Write one self-contained HTML report (works offline: no scripts, no network).

    For a RUN: the leaderboard with intervals and verdicts, the pairwise probability matrix,
    per-fold scores, the chosen model's ROC, precision-recall and calibration curves (out of
    fold and on the holdout), the confusion matrix at the chosen decision, expected cost against
    the threshold, and the provenance. For a BUNDLE: what it holds, its run's sections when the
    run is in the store, and the profile, cost, drift and cadence records given."""
    from learnburn.reports import render_bundle_report, render_run_report
    from learnburn.workflows import gather_bundle_report, gather_run_report, read_record

    path = Path(target)
    with store_for(store) as opened:
        if path.exists():
            html = render_bundle_report(
                gather_bundle_report(
                    path, store=opened, profile=read_record(profile, "profile"),
                    cost=read_record(cost, "cost"), drift=read_record(drift, "drift"),
                    cadence=read_record(cadence, "cadence"), trusted=tuple(trust),
                )
            )  # fmt: skip
        else:
            html = render_run_report(gather_run_report(opened, target))
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(html, encoding="utf-8")
    Console().print(
        f"Report written to {escape(str(output))} ({len(html.encode()) / 1e6:.2f} MB); "
        "open it in any browser.",
        highlight=False,
    )


@handles_errors
def ui(
    host: str = typer.Option(
        "127.0.0.1", "--host", help="Address to bind (loopback unless told otherwise)."
    ),
    port: int = typer.Option(8765, "--port", min=0, max=65535, help="Port to listen on."),
    store: str | None = STORE,
) -> None:
    """Browse the run store: runs filtered by experiment and status, each run's report, and two
    runs side by side. Read-only."""
    import uvicorn

    from learnburn.reports import create_ui
    from learnburn.serving._settings import is_loopback
    from learnburn.workflows import StorePages

    opened = store_for(store)
    if not is_loopback(host):
        Console(stderr=True).print(
            f"[yellow]Warning:[/] listening on {escape(host)}: anyone who can reach this address "
            "can read every run in the store.",
            highlight=False,
        )
    Console(stderr=True).print(
        f"learnburn ui on http://{escape(host)}:{port}/ (store {escape(opened.url)}); "
        "Ctrl+C to stop.",
        highlight=False,
    )
    try:
        uvicorn.run(create_ui(StorePages(opened)), host=host, port=port, log_level="warning")
    finally:
        opened.close()
