"""A Rich progress bar driven by the workflow's progress events."""

from __future__ import annotations

import time
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
    if not console.is_terminal:  # a pipe or a CI log: a line every tenth of the way, no bar
        yield _lines(console)
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
        state: dict = {"task": None, "trials": 0}

        def on_event(event: ProgressEvent) -> None:
            if event.kind == "folds":
                state["task"] = bar.add_task(event.message, total=event.total, current="")
            elif event.kind == "trials":
                state["trials"] += event.total
            elif event.kind == "fold" and state["task"] is not None:
                current = f"last: {event.fold.candidate}" if event.fold is not None else ""
                current += _trials(state["trials"])
                bar.update(state["task"], advance=1, current=escape(current))
            elif event.kind == "stage":
                if state["task"] is not None:
                    bar.update(state["task"], description=event.message)
                else:
                    console.print(f"[dim]{event.message}…[/]")

        yield on_event


def _lines(console: Console):
    """A progress callback that prints a plain line at the first fold and at each tenth."""
    state = {"total": 0, "done": 0, "started": 0.0, "shown": -1, "trials": 0}

    def on_event(event: ProgressEvent) -> None:
        if event.kind == "folds":
            state.update(total=event.total, done=0, started=time.monotonic(), shown=-1)
            console.print(f"{event.message}: {event.total} fold tasks", markup=False)
        elif event.kind == "trials":
            state["trials"] += event.total
        elif event.kind == "fold" and state["total"]:
            state["done"] += 1
            done, total = state["done"], state["total"]
            tenth = done * 10 // total
            if tenth == state["shown"]:
                return
            state["shown"] = tenth
            spent = time.monotonic() - state["started"]
            left = spent / done * (total - done)
            last = f"; last: {event.fold.candidate}" if event.fold is not None else ""
            last += _trials(state["trials"]).replace(" ·", ";")
            console.print(
                f"  {done}/{total} folds, {_clock(spent)} elapsed, ~{_clock(left)} left{last}",
                markup=False,
                soft_wrap=True,
            )
        elif event.kind == "stage":
            console.print(f"{event.message}…", markup=False)

    return on_event


def _trials(count: int) -> str:
    """The tuning trials run so far, for the bar's last column ("" before any)."""
    return f" · {count} trials" if count else ""


def _clock(seconds: float) -> str:
    minutes, seconds = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}"
