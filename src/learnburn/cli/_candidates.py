"""``learnburn candidates``: list the registered candidate models."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from learnburn.candidates import describe_candidates
from learnburn.cli._errors import handles_errors


@handles_errors
def candidates() -> None:
    """List the registered candidates (use any scikit-learn estimator as module:Class too)."""
    table = Table(title="Registered candidates", title_justify="left")
    for column in ("name", "family", "preprocessing", "estimator", "extra", "summary"):
        table.add_column(column)
    for info in describe_candidates():
        table.add_row(
            info.name,
            info.family,
            info.preprocessing,
            info.estimator,
            info.extra or "",
            info.summary,
        )
    Console().print(table)
