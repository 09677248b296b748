"""Tables that survive a pipe, a CI log and a narrow terminal.

A Rich table squeezed to 80 columns cuts or folds its cells: ``random_for`` / ``est``, headers
such as ``average…``. The names in a table are what people copy and type, so a table is printed
as Rich draws it only when every name shows whole at the console's width; otherwise it is
printed as plain aligned lines, one row per line, never wrapped (a log keeps long lines whole;
grep and cut can read them).
"""

from __future__ import annotations

import io
from collections.abc import Iterable

from rich.console import Console
from rich.table import Table
from rich.text import Text


def print_table(console: Console, table: Table, *, names: Iterable[str]) -> None:
    """Print ``table``, or its plain form when any of ``names`` would not show whole."""
    if shows_whole(console, table, names):
        console.print(table)
    else:
        print_plain(console, table)


def shows_whole(console: Console, table: Table, names: Iterable[str]) -> bool:
    """Whether every one of ``names`` appears unbroken in ``table`` drawn at the console width."""
    probe = Console(file=io.StringIO(), width=console.width, color_system=None)
    probe.print(table)
    drawn = probe.file.getvalue()  # type: ignore[attr-defined]
    return all(name in drawn for name in names)


def print_plain(console: Console, table: Table) -> None:
    """The table as aligned lines: title, header, one line per row, caption; nothing cut."""
    headers = [_plain(column.header) for column in table.columns]
    cells = [[_plain(cell) for cell in column.cells] for column in table.columns]
    widths = [
        max([len(header), *map(len, column)]) for header, column in zip(headers, cells, strict=True)
    ]
    right = [column.justify == "right" for column in table.columns]
    if table.title:
        console.print(Text(_plain(table.title), style="bold"), soft_wrap=True)
    console.print(Text(_line(headers, widths, right), style="bold"), soft_wrap=True)
    for row in zip(*cells, strict=True):
        console.print(Text(_line(row, widths, right)), soft_wrap=True)
    if table.caption:
        console.print(Text(_plain(table.caption), style="dim"))


def _line(values, widths, right) -> str:
    parts = [
        value.rjust(width) if is_right else value.ljust(width)
        for value, width, is_right in zip(values, widths, right, strict=True)
    ]
    return "  ".join(parts).rstrip()


def _plain(value: object) -> str:
    if isinstance(value, Text):
        return value.plain
    if isinstance(value, str):
        return Text.from_markup(value).plain
    return str(value)
