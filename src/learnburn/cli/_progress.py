"""A Rich progress bar driven by the workflow's progress events."""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

if TYPE_CHECKING:
    from learnburn.workflows import ProgressEvent


@contextmanager
def fold_progress(console: Console, enabled: bool = True):
    """Yield a callback for ``run_experiment(progress=...)`` that draws a bar of fold tasks:
    how many are done, the time spent and the time left (estimated from the pace so far), and
    the candidate whose fold finished last."""
    if not enabled:
        yield None
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("elapsed,"),
        TimeRemainingColumn(),
        TextColumn("left"),
        TextColumn("{task.fields[current]}", style="cyan"),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        state: dict = {"task": None}

        def on_event(event: ProgressEvent) -> None:
            if event.kind == "folds":
                state["task"] = bar.add_task(event.message, total=event.total, current="")
            elif event.kind == "fold" and state["task"] is not None:
                current = f"last: {event.fold.candidate}" if event.fold is not None else ""
                bar.update(state["task"], advance=1, current=escape(current))
            elif event.kind == "stage":
                if state["task"] is not None:
                    bar.update(state["task"], description=event.message)
                else:
                    console.print(f"[dim]{event.message}…[/]")

        yield on_event
