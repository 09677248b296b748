"""Rich renderings of records: the leaderboard, the holdout line, data notes."""

from __future__ import annotations

import math

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from learnburn.evaluation import ExperimentResult


def _number(value: float, digits: int = 4) -> str:
    return "—" if value is None or not math.isfinite(value) else f"{value:.{digits}f}"


def leaderboard_table(result: ExperimentResult) -> Table:
    """One row per candidate, best first: mean score, 95% interval, spread, timings."""
    direction = "higher is better" if result.greater_is_better else "lower is better"
    splits = result.splits
    table = Table(
        title=f"{result.experiment}: {result.metric}, {direction}; {splits['method']}, "
        f"{splits['folds']} folds x {splits['repeats']} repeats",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    failed = any(c.status != "ok" for c in result.candidates)
    table.add_column("#", justify="right")
    table.add_column("candidate", overflow="fold")
    table.add_column(result.metric, justify="right")
    table.add_column("95% interval", justify="right", no_wrap=True)
    table.add_column("std", justify="right")
    table.add_column("fit s", justify="right")
    table.add_column("pred ms", justify="right")
    if failed:
        table.add_column("status")
    for c in result.leaderboard():
        ok = c.status == "ok"
        cells = [
            str(c.rank) if c.rank else "—",
            escape(c.name),
            _number(c.mean),
            f"[{_number(c.ci_low)}, {_number(c.ci_high)}]" if ok else "—",
            _number(c.std, 3),
            _number(c.fit_time, 2),
            _number(c.predict_time * 1000, 1),
        ]
        if failed:
            cells.append("[green]ok[/]" if ok else "[red]failed[/]")
        table.add_row(*cells, style="bold" if c.name == result.winner else None)
    return table


def print_result(console: Console, result: ExperimentResult) -> None:
    """The leaderboard, the notes worth reading, and the holdout score of the winner."""
    data = result.data
    console.print(
        f"Data: {escape(data['source'])}: {data['rows']} rows, {len(data['features'])} features, "
        f"target {escape(str(data['target']))} ({len(data['classes'])} classes); "
        f"holdout {result.splits['holdout_rows']} rows set aside."
    )
    console.print(leaderboard_table(result))
    for note in result.splits.get("notes", []):
        console.print(f"[yellow]Note:[/] {escape(note)}")
    for c in result.leaderboard():
        if c.error:
            console.print(f"[red]Failed:[/] {escape(c.name)}: {escape(c.error[:300])}")
        for warning in c.warnings[:3]:
            console.print(f"[yellow]Note:[/] {escape(c.name)}: {escape(warning[:160])}")
    if result.winner is None:
        console.print("[bold red]No candidate finished; nothing was refit.[/]")
        return
    if result.holdout is None:
        console.print(
            f"Winner: [bold]{escape(result.winner)}[/] (no holdout: evaluation.holdout = 0)"
        )
        return
    h = result.holdout
    console.print(
        f"Winner: [bold]{escape(result.winner)}[/], refit on {result.splits['development_rows']} "
        f"rows; holdout {result.metric} = [bold]{_number(h.score)}[/] on {h.rows} untouched rows."
    )
