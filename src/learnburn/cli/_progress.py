"""A Rich progress bar driven by the workflow's progress events."""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

if TYPE_CHECKING:
    from learnburn.workflows import ProgressEvent


@contextmanager
def fold_progress(console: Console, enabled: bool = True):
    """Yield a callback for ``run_experiment(progress=...)`` that draws a bar of fold tasks."""
    if not enabled:
        yield None
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        state: dict = {"task": None}

        def on_event(event: ProgressEvent) -> None:
            if event.kind == "folds":
                state["task"] = bar.add_task(event.message, total=event.total)
            elif event.kind == "fold" and state["task"] is not None:
                bar.advance(state["task"])
            elif event.kind == "stage":
                if state["task"] is not None:
                    bar.update(state["task"], description=event.message)
                else:
                    console.print(f"[dim]{event.message}…[/]")

        yield on_event
