"""``learnburn candidates``: list the registered candidate models."""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from learnburn.candidates import describe_candidates, describe_clusterers
from learnburn.cli._errors import handles_errors
from learnburn.cli._render_fit import print_table

WIDE = 150  # consoles at least this wide also show each estimator's import path


@handles_errors
def candidates() -> None:
    """List the registered candidates, classifiers and clusterers (use any scikit-learn
    estimator as module:Class too)."""
    console = Console()
    wide = console.width >= WIDE
    for title, listed in (
        ("Classifiers (task = classification)", describe_candidates()),
        ("Clusterers (task = clustering)", describe_clusterers()),
    ):
        table = _table(title, listed, wide=wide)
        print_table(console, table, names=[info.name for info in listed])
    console.print(
        "[dim]prep.: the preprocessing it gets. extra: install learnburn\\[EXTRA] to use it. "
        + ("" if wide else f"Widen to {WIDE} columns to see each estimator's import path. ")
        + "Any scikit-learn estimator works too, as module:Class.[/]"
    )


def _table(title: str, listed, *, wide: bool) -> Table:
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("name", no_wrap=True, style="bold")  # never cut: it is what people type
    table.add_column("family", no_wrap=True)
    table.add_column("prep.", no_wrap=True)
    table.add_column("extra", no_wrap=True)
    if wide:
        table.add_column("estimator", no_wrap=True)
    table.add_column("summary", ratio=1)
    for info in listed:
        cells = [info.name, info.family, info.preprocessing, info.extra or ""]
        if wide:
            cells.append(info.estimator)
        table.add_row(*map(escape, cells), escape(info.summary))
    return table
