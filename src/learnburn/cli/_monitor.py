"""``learnburn monitor BUNDLE CAPTURE``: is the served model still good, window by window?

Exit codes, for schedulers (as ``drift``): 0 the evidence does not call for retraining, 1 it
does, 2 an error (a bad file, a usage error).
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from learnburn.cli._errors import handles_errors

EXIT_RETRAIN = 1
EXIT_ERROR = 2
PRESETS = ("learnburn", "evidently", "nannyml", "psi")


@handles_errors(exit_code=EXIT_ERROR)
def monitor(
    bundle_path: Path = typer.Argument(
        ..., metavar="BUNDLE", help="The bundle that served: a NAME.lbm file or a directory."
    ),
    capture: str = typer.Argument(
        ...,
        metavar="CAPTURE",
        help="The capture: the folder or s3:// prefix given to `learnburn serve --capture`, "
        "or SageMaker data-capture JSON lines (*.jsonl; a folder or their s3:// prefix).",
    ),
    labels: str | None = typer.Option(
        None,
        "--labels",
        help="True classes as they arrive: CSV or Parquet (a path or s3://) with columns "
        "event_id, label (and row for requests of several rows), joined by the "
        "X-Learnburn-Event-Id of each answer.",
    ),
    window: str = typer.Option("1d", "--window", help="Window length: 30min, 6h, 1d, 1w."),
    tolerance: float = typer.Option(
        0.01,
        "--tolerance",
        min=0.0,
        help="Loss you accept against the reference, in the metric's units (as cadence).",
    ),
    preset: str = typer.Option(
        "learnburn", "--preset", help=f"The drift rule: {', '.join(PRESETS)}."
    ),
    json_path: Path | None = typer.Option(None, "--json", help="Write the report as JSON here."),
    report_path: Path | None = typer.Option(
        None, "--report", help="Write the HTML report (time-series charts) here."
    ),
    trust: list[str] = typer.Option(
        [], "--trust", help="Also load this type from the bundle's model (repeatable)."
    ),
) -> None:
    """Monitor what the server captured, window by window: drift of each feature and of the
    scores, the decision rate, the performance estimated from the probabilities (no labels
    needed) and, with --labels, the realised performance; say whether to retrain now.

    Exit code 0: no need to retrain; 1: retrain; 2: error."""
    from learnburn.workflows import run_monitor

    if preset not in PRESETS:
        raise typer.BadParameter(f"choose one of {', '.join(PRESETS)}", param_hint="--preset")
    console = Console()
    with Console(stderr=True).status("reading the capture") as status:
        report = run_monitor(
            bundle_path, capture, labels=labels, window=window, tolerance=tolerance,
            preset=preset, trusted=tuple(trust), json_path=json_path,
            on_window=lambda w: status.update(f"monitored the window of {w.start[:16]}"),
        )  # fmt: skip
    render_monitor(report, console)
    if json_path is not None:
        console.print(f"Wrote {json_path}.", highlight=False)
    if report_path is not None:
        from learnburn.reports import monitor_report

        report_path.parent.mkdir(parents=True, exist_ok=True)
        html = monitor_report(report, title=f"Monitor of {bundle_path.name}")
        report_path.write_text(html, encoding="utf-8")
        console.print(f"Wrote {report_path}.", highlight=False)
    if report.retrain:
        raise typer.Exit(EXIT_RETRAIN)


def render_monitor(report, console: Console) -> None:
    """One row per window, then the verdict."""
    table = Table(title=f"Monitor: windows of {report.window}")
    for name, justify in [
        ("window (UTC)", "left"), ("rows", "right"), ("labelled", "right"),
        ("drifted", "left"), ("est. accuracy", "right"), ("real. accuracy", "right"),
        ("alerts", "right"),
    ]:  # fmt: skip
        table.add_column(name, justify=justify)
    for window in report.windows:
        est, real = window.estimated["accuracy"], window.realised["accuracy"]
        table.add_row(
            window.start[:16].replace("T", " "), f"{window.rows:,}", f"{window.labelled_rows:,}",
            ", ".join(window.drifted_features[:3]) or "–",
            "–" if not est.known else f"{est.value:.3f} [{est.low:.3f}, {est.high:.3f}]",
            "–" if not real.known else f"{real.value:.3f} [{real.low:.3f}, {real.high:.3f}]",
            str(len(window.alerts)) if window.alerts else "–",
        )  # fmt: skip
    console.print(table)
    style = "bold red" if report.retrain else "bold green"
    console.print(f"[{style}]{escape(report.reason)}[/]", highlight=False)
