"""``learnburn candidates``: list the registered candidate models."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from learnburn.candidates import describe_candidates, describe_clusterers
from learnburn.cli._errors import handles_errors


@handles_errors
def candidates() -> None:
    """List the registered candidates, classifiers and clusterers (use any scikit-learn
    estimator as module:Class too)."""
    table = Table(title="Registered candidates", title_justify="left")
    for column in ("name", "task", "family", "preprocessing", "estimator", "extra", "summary"):
        table.add_column(column)
    listed = [("classification", info) for info in describe_candidates()]
    listed += [("clustering", info) for info in describe_clusterers()]
    for task, info in listed:
        table.add_row(
            info.name,
            task,
            info.family,
            info.preprocessing,
            info.estimator,
            info.extra or "",
            info.summary,
        )
    Console().print(table)
