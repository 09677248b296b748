"""``learnburn cadence SPEC --every 1,2,4,8 --unit week``: how often to retrain, backtested."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from learnburn.cli._errors import handles_errors
from learnburn.cli._progress import fold_progress
from learnburn.cli._run import CLUSTER
from learnburn.cli._window import SINCE, UNTIL
from learnburn.costs._formula import money
from learnburn.errors import CadenceError

if TYPE_CHECKING:
    from learnburn.monitoring._cadence_report import CadenceReport


UNITS = ("hour", "day", "week", "month")


def _intervals(value: str) -> str:
    try:
        numbers = [int(part) for part in value.split(",") if part.strip()]
    except ValueError:
        numbers = []
    if not numbers or any(n < 1 for n in numbers):
        raise typer.BadParameter(f"expected whole numbers >= 1 separated by commas, got {value!r}")
    return value


def _unit(value: str) -> str:
    if value not in UNITS:
        raise typer.BadParameter(f"expected one of {', '.join(UNITS)}, got {value!r}")
    return value


def _not_negative(value: float) -> float:
    if not value >= 0:
        raise typer.BadParameter(f"must be 0 or more, got {value:g}")
    return value


@handles_errors
def cadence(
    spec_path: Path = typer.Argument(
        ...,
        metavar="SPEC",
        help="The experiment spec (TOML), with a time_column in its data table.",
    ),
    every: str = typer.Option(
        "1,2,4,8,13",
        "--every",
        callback=_intervals,
        help="Retraining intervals to test, in periods, e.g. 1,2,4,8,13 (1 is always tested: "
        "it is the baseline).",
    ),
    unit: str = typer.Option(
        "week", "--unit", callback=_unit, help=f"Length of a period: {', '.join(UNITS)}."
    ),
    tolerance: float = typer.Option(
        0.01,
        "--tolerance",
        callback=_not_negative,
        help="Loss you accept against retraining every period, in the metric's units.",
    ),
    label_delay: int = typer.Option(
        0, "--label-delay", min=0, help="Periods before a row's label is known (0: at once)."
    ),
    window: str = typer.Option(
        "auto",
        "--window",
        help="Rows each retrain learns from: 'auto' (backtest the expanding window and sliding "
        "ones of 2 periods up to a quarter of the data, and recommend one), 'expanding' (all "
        "labelled history), 'sliding:W' (the last W periods), or several separated by commas.",
    ),
    warmup: int | None = typer.Option(
        None,
        "--warmup",
        min=1,
        help="Periods of labels the first model learns from (default: W of a single sliding "
        "window, else the longest interval).",
    ),
    candidate: str | None = typer.Option(
        None, "--candidate", "-c", help="The spec's candidate to retrain (default: the first)."
    ),
    cost_profile: Path | None = typer.Option(
        None,
        "--cost-profile",
        help="A profile.json from `learnburn profile`: price each interval's retraining a month.",
    ),
    prices: Path | None = typer.Option(
        None, "--prices", help="A price table CSV (default: the one shipped with learnburn)."
    ),
    jobs: int = typer.Option(1, "--jobs", "-j", help="Worker processes for fits (-1: all CPUs)."),
    json_out: Path | None = typer.Option(
        None, "--json", "--output", "-o", help="Also write the whole report as JSON here."
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
    cluster: str | None = CLUSTER,
    since: str | None = SINCE,
    until: str | None = UNTIL,
) -> None:
    """Backtest retraining intervals and training windows on the spec's time column and
    recommend a cadence.

    Walks forward period by period: for each interval and window it retrains the candidate on
    the labels known at each retrain time and scores the periods until the next one, then
    compares each period with a model retrained for that very period on the best window. It
    recommends the longest interval whose loss (a 95% moving-block bootstrap upper bound of its
    mean) is within --tolerance, and the window that keeps it so, and prints the aging curve:
    the metric against the model's age.

    Exits 0 with a recommendation, 1 on an error, 2 on a bad option.
    """
    from learnburn.backends import open_backend
    from learnburn.spec import load_spec
    from learnburn.workflows import run_cadence, with_window

    console = Console()
    spec = with_window(load_spec(spec_path), since=since, until=until)
    with (
        open_backend(cluster, jobs=jobs) as backend,
        fold_progress(console, enabled=not quiet) as progress,
    ):
        report = run_cadence(
            spec,
            every=[int(part) for part in every.split(",") if part.strip()],
            unit=unit,
            tolerance=tolerance,
            label_delay=label_delay,
            window=window,
            warmup=warmup,
            candidate=candidate,
            backend=backend,
            progress=progress,
            cost_profile=cost_profile,
            prices=prices,
        )
    render_cadence(report, console)
    if json_out is not None:
        _write_json(report, json_out)
        console.print(f"Report written to {escape(str(json_out))}", highlight=False)


def render_cadence(report: CadenceReport, console: Console) -> None:
    """The windows table (when several were backtested), the chosen window's intervals, the
    recommendation and why, the aging curve and the notes."""
    if len(report.windows) > 1:
        console.print(windows_table(report))
    console.print(intervals_table(report))
    unit = report.unit
    console.print(f"[bold]Recommended:[/] {escape(report.reason)}", highlight=False)
    if report.cost is not None and "instance" not in report.cost:
        console.print(f"[yellow]Not priced:[/] {escape(report.cost['note'])}.", highlight=False)
    elif report.cost is None:
        console.print(
            "[dim]Cost: pass --cost-profile profile.json (from `learnburn profile`) to price "
            "each interval, or `learnburn cost --retrain-every` for one.[/]",
            highlight=False,
        )
    console.print()
    console.print(aging_table(report))
    if report.crossing_age is not None:
        console.print(
            f"The median loss first exceeds {report.tolerance:g} at age "
            f"{_periods(report.crossing_age, unit)}.",
            highlight=False,
        )
    for note in report.notes:
        console.print(f"[yellow]Note:[/] {escape(note)}", highlight=False)


def intervals_table(report: CadenceReport) -> Table:
    first, last = report.periods[0], report.periods[-1]
    priced = report.cost is not None and "instance" in report.cost
    table = Table(
        title=f"Retraining {escape(report.candidate or 'the model')} every N {report.unit}s, "
        f"against every {report.unit}{_reference(report)}: {escape(report.metric)} on "
        f"{len(report.periods)} {report.unit}s ({first} to {last}); {report.window} window, "
        f"label delay {_periods(report.label_delay, report.unit)}",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    table.add_column("every", no_wrap=True)
    names = ("fits", f"mean {report.metric}", "mean loss", f"upper {report.confidence:.0%}",
             f"<= {report.tolerance:g}?", "fits/mo")  # fmt: skip
    for name in names:
        table.add_column(escape(name), justify="right")
    if priced:
        table.add_column("$/month", justify="right", no_wrap=True)
    for r in report.intervals:
        chosen = r.every == report.recommended
        cells = [
            _periods(r.every, report.unit) + (" *" if chosen else ""),
            str(r.retrains),
            _number(r.mean_metric),
            _number(r.mean_degradation, signed=True),
            _number(r.upper_bound, signed=True),
            "base" if _is_reference(report, r.every) else ("yes" if r.within_tolerance else "no"),
            _number(r.retrains_per_month, digits=2),
        ]
        if priced:
            cells.append("—" if r.monthly_cost_usd is None else money(r.monthly_cost_usd))
        table.add_row(*cells, style="bold" if chosen else None)
    if priced:
        cost = report.cost
        table.caption = escape(
            f"$/month: {cost['fit_seconds']:g} s fits (from {cost['profile']}) on "
            f"{cost['instance']} at ${cost['usd_per_hour']:g}/h; {cost['note']}"
        )
        table.caption_justify = "left"
    return table


def windows_table(report: CadenceReport) -> Table:
    """Every (interval, window) pair backtested: mean loss against the reference, and its
    upper bound when it is within the tolerance."""
    table = Table(
        title=f"Training windows: mean {escape(report.metric)} loss of each (interval, window) "
        f"against every {report.unit} on {report.reference_window} (the best window retrained "
        f"every {report.unit}, by the {escape(report.metric)} column); + within "
        f"{report.tolerance:g} at the {report.confidence:.0%} upper bound",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    table.add_column("window", no_wrap=True)
    table.add_column(escape(report.metric), justify="right")
    for every in (r.every for r in report.intervals):
        table.add_column(_periods(every, report.unit), justify="right", no_wrap=True)
    table.add_column("longest within", justify="right", no_wrap=True)
    for window in report.windows:
        chosen = window.window == report.window
        cells = [window.window + (" *" if chosen else ""), _number(window.mean_metric)]
        for pair in window.intervals:
            mark = " +" if pair.within_tolerance else "  "
            cells.append(_number(pair.mean_degradation, signed=True) + mark)
        longest = window.recommended
        cells.append("—" if longest is None else _periods(longest, report.unit))
        table.add_row(*cells, style="bold" if chosen else None)
    return table


def _reference(report: CadenceReport) -> str:
    if report.reference_window in (None, report.window):
        return ""
    return f" on {report.reference_window}"


def _is_reference(report: CadenceReport, every: int) -> bool:
    return every == 1 and report.reference_window in (None, report.window)


def aging_table(report: CadenceReport) -> Table:
    table = Table(
        title=f"Aging curve: {escape(report.metric)} by model age ({report.unit}s since the "
        "retrain), pooled over every retrain",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    for name in ("age", "models", "p10", "median", "p90", "median loss", "p90 loss"):
        table.add_column(name, justify="right")
    for point in report.aging:
        table.add_row(
            str(point.age),
            str(point.count),
            _number(point.metric["0.1"]),
            _number(point.metric["0.5"]),
            _number(point.metric["0.9"]),
            _number(point.degradation["0.5"], signed=True),
            _number(point.degradation["0.9"], signed=True),
            style="yellow" if point.degradation["0.5"] > report.tolerance else None,
        )
    return table


def _periods(count: int, unit: str) -> str:
    return f"{count} {unit}" + ("" if count == 1 else "s")


def _number(value: float | None, *, signed: bool = False, digits: int = 4) -> str:
    if value is None or value != value:
        return "—"
    if signed and abs(value) < 0.5 * 10**-digits:
        value = 0.0
    return f"{value:+.{digits}f}" if signed else f"{value:.{digits}f}"


def _write_json(report: CadenceReport, path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(report.to_dict(), indent=2) + "\n", encoding="utf-8")
    except OSError as error:
        raise CadenceError(
            f"cannot write the report to '{path}': {error.strerror or error}",
            hint="choose a path in a folder that exists and that you can write",
        ) from error
