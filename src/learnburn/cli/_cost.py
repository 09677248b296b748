"""``learnburn cost PROFILE --rps R``: what serving the profiled bundle costs a month, each way."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from learnburn.cli._errors import handles_errors
from learnburn.costs import (
    COLUMNS,
    CostOption,
    CostReport,
    Step,
    Traffic,
    estimate_cost,
    parse_interval,
)
from learnburn.costs._formula import money, number
from learnburn.errors import CostError
from learnburn.profiling import read_measurements

WIDE = 150  # terminals at least this wide get the notes inside the table


def _positive(value: float | None) -> float | None:
    if value is not None and not value > 0:
        raise typer.BadParameter(f"must be above 0, got {value:g}")
    return value


def _hours(value: float) -> float:
    if not 0 < value <= 24:
        raise typer.BadParameter(f"must be more than 0 and at most 24, got {value:g}")
    return value


def _interval(value: str | None) -> str | None:
    if value is not None:
        try:
            parse_interval(value)
        except CostError as error:
            raise typer.BadParameter(f"{error.message} ({error.hint})") from None
    return value


@handles_errors
def cost(
    profile: Path = typer.Argument(
        ..., metavar="PROFILE", help="The profile.json written by `learnburn profile BUNDLE`."
    ),
    rps: float = typer.Option(
        ..., "--rps", callback=_positive, help="Average requests per second while it runs."
    ),
    peak_rps: float | None = typer.Option(
        None, "--peak-rps", callback=_positive, help="Size capacity for this rate (default: --rps)."
    ),
    p99_ms: float = typer.Option(
        100.0, "--p99-ms", callback=_positive, help="Latency target: p99 in milliseconds."
    ),
    hours_per_day: float = typer.Option(
        24.0,
        "--hours-per-day",
        callback=_hours,
        help="Hours a day it runs: Fargate, EC2 and per-request options scale with it; "
        "a SageMaker endpoint and the load balancer stay up.",
    ),
    retrain_every: str | None = typer.Option(
        None, "--retrain-every", callback=_interval, help="Also price retraining: 12h, 7d, 1w."
    ),
    prices: Path | None = typer.Option(
        None,
        "--prices",
        help=f"A price table CSV ({','.join(COLUMNS)}); default: the one shipped with learnburn.",
    ),
    payload_kb: float | None = typer.Option(
        None,
        "--payload-kb",
        callback=_positive,
        help="Request body in KB: checks payload limits and prices bytes processed.",
    ),
    requests_per_connection: float = typer.Option(
        1.0,
        "--requests-per-connection",
        callback=_positive,
        help="Requests a client sends per connection (load balancer LCUs); 1 = no keep-alive.",
    ),
    batch_rows: float | None = typer.Option(
        None,
        "--batch-rows",
        callback=_positive,
        help="Rows a month scored offline by batch transform (default: one per request).",
    ),
    allow_unconfirmed: bool = typer.Option(
        False,
        "--allow-unconfirmed",
        help="Let the verdict choose options priced from rows not confirmed against AWS's "
        "price list (`learnburn prices update` confirms them).",
    ),
    ha: bool = typer.Option(
        True,
        "--ha/--no-ha",
        help="Production (the default): at least two instances or tasks across Availability "
        "Zones, priced as such. --no-ha: one, for a test endpoint.",
    ),
    show_all: bool = typer.Option(
        False, "--all", help="Show every instance type and task size, not only each one's best."
    ),
    explain: bool = typer.Option(
        False, "--explain", help="Show each formula with its inputs, and each price's source."
    ),
    json_out: Path | None = typer.Option(
        None, "--json", help="Also write the whole report (steps and prices) as JSON here."
    ),
) -> None:
    """Price every way to serve the profiled bundle at this traffic (SageMaker real-time,
    serverless and batch transform, ECS on Fargate or EC2, Lambda) and say which is cheapest
    within the latency target, and whether a GPU is worth it."""
    traffic = Traffic(
        rps=rps,
        peak_rps=peak_rps,
        p99_ms=p99_ms,
        hours_per_day=hours_per_day,
        retrain_every=retrain_every,
        payload_kb=payload_kb,
        requests_per_connection=requests_per_connection,
        batch_rows=batch_rows,
        ha=ha,
    )
    report = estimate_cost(
        read_measurements(profile),
        traffic,
        prices,
        today=date.today(),
        allow_unconfirmed=allow_unconfirmed,
    )
    if json_out is not None:
        _write_json(report, json_out)
    render_report(report, Console(), show_all=show_all, explain=explain)
    if json_out is not None:
        Console().print(f"Wrote {json_out}.", highlight=False)


def render_report(
    report: CostReport, console: Console, *, show_all: bool = False, explain: bool = False
) -> None:
    """The options table, the verdict and, with ``explain``, the working of each option."""
    shown = report.options if show_all else report.cheapest_per_target()
    shown = tuple(sorted(shown, key=lambda o: not o.online))  # stable: cost order within each
    wide = console.width >= WIDE
    console.print(options_table(report, shown, notes=wide))
    if not wide:
        for option in shown:
            console.print(
                f"  [bold]{escape(option.label)}[/]: {escape(_notes(option))}", highlight=False
            )
    if report.retraining is not None:
        r = report.retraining
        cost = money(r.monthly_usd) if r.feasible else "not priced"
        console.print(
            f"Plus retraining: {escape(r.configuration)}, {r.units}: {cost} a month.",
            highlight=False,
        )
    if not show_all and len(shown) < len(report.options):
        console.print(f"[dim]{len(report.options) - len(shown)} more options: --all shows them.[/]")
    console.print("\n[bold]Verdict[/]")
    for line in report.verdict:
        console.print(f"  {escape(line)}", highlight=False)
    if explain:
        for option in [*shown, *([report.retraining] if report.retraining else [])]:
            _print_working(console, option)


def options_table(
    report: CostReport, options: tuple[CostOption, ...], *, notes: bool = True
) -> Table:
    """One row per option, cheapest first; the chosen one in bold with a *."""
    t = report.traffic
    table = Table(
        title=f"Monthly cost at {t.rps:g} req/s (peak {t.peak:g}), p99 <= {t.p99_ms:g} ms, "
        f"{t.hours_per_day:g} h a day; prices: {Path(report.prices_file).name}",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    table.add_column("option", min_width=9)
    table.add_column("configuration", overflow="fold", min_width=24)
    table.add_column("units", justify="right")
    table.add_column("$/month", justify="right", no_wrap=True)
    table.add_column("meets p99?", min_width=8)
    if notes:
        table.add_column("notes", ratio=1, min_width=20)
    for i, option in enumerate(options):
        if i and options[i - 1].online and not option.online:
            table.add_section()
        chosen = option is report.choice
        cells = [
            escape(option.label) + (" *" if chosen else ""),
            escape(option.configuration),
            option.units,
            money(option.monthly_usd) if option.feasible else "—",
            _meets(option, t.p99_ms),
        ]
        if notes:
            cells.append(escape(_notes(option)))
        table.add_row(*cells, style="bold" if chosen else None)
    return table


def _notes(option: CostOption, shown: int = 2) -> str:
    text = "; ".join(option.notes[:shown])
    more = len(option.notes) - shown
    return f"{text} (+{more} more: --explain)" if more > 0 else text


def _meets(option: CostOption, target_ms: float) -> str:
    if not option.online or option.meets_p99 is None:
        return "n/a (offline)"
    p99 = f"{option.p99_ms:.3g} ms"
    if not option.meets_p99:
        cold = option.p99_ms is not None and option.p99_ms <= target_ms
        return f"no (cold start; {p99} warm)" if cold else f"no ({p99})"
    warm = ", warm" if option.target in ("lambda", "sagemaker-serverless") else ""
    return f"yes ({p99}{warm})"


def _print_working(console: Console, option: CostOption) -> None:
    total = money(option.monthly_usd) if option.feasible else "not available"
    console.print(
        f"\n[bold]{escape(option.label)}[/]: {escape(option.configuration)}, {option.units}: "
        f"{total}",
        highlight=False,
    )
    for note in option.notes:
        console.print(f"  [yellow]note:[/] {escape(note)}", highlight=False)
    for step in option.steps:
        _print_step(console, step)
    for price in option.prices:
        console.print(f"    [dim]price:[/] {escape(price.summary())}", highlight=False)


def _print_step(console: Console, step: Step) -> None:
    substituted = step.substituted()
    value = f"[bold]{number(step.value)}[/] {escape(step.unit)}"
    if substituted != number(step.value):
        value = f"{escape(substituted)} = {value}"
    console.print(
        f"  {escape(step.name)} = {escape(step.formula)}\n      = {value}", highlight=False
    )
    for name, quantity in step.inputs.items():
        source = f"price, line {quantity.price.line}" if quantity.price else quantity.source
        console.print(
            f"      [dim]{escape(name)} = {number(quantity.value)} {escape(quantity.unit)}: "
            f"{escape(source)}[/]",
            highlight=False,
        )


def _write_json(report: CostReport, path: Path) -> None:
    try:
        path.write_text(json.dumps(report.to_dict(), indent=2) + "\n", encoding="utf-8")
    except OSError as error:
        raise CostError(
            f"cannot write the report to '{path}': {error.strerror or error}",
            hint="choose a path in a folder that exists and that you can write",
        ) from error
