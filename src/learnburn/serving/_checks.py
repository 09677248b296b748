"""Check a chunk of input against a bundle's schema before it is scored.

Missing feature columns and numeric columns holding text are SchemaErrors that say where;
columns the bundle does not use are left out (the caller warns once). Categories unseen in
training are not checked: the bundle's pipeline handles them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from learnburn.errors import SchemaError

if TYPE_CHECKING:
    import pandas as pd

SHOWN_ROWS = 5  # bad rows quoted per column


def check_columns(names: Iterable[str], expected: Sequence[str], source: str) -> None:
    """Every expected column is present; the error names every missing one."""
    present = set(names)  # one pass, however long the header
    missing = [name for name in expected if name not in present]
    if missing:
        raise SchemaError(
            f"{source} lacks the column{'s' if len(missing) > 1 else ''} {missing} "
            "that the bundle's model needs",
            hint=f"the bundle expects the columns {list(expected)}",
        )


def ignored_columns(names: Sequence[str], expected: Sequence[str], keep: str | None) -> tuple:
    """The input columns the bundle does not use (the id column aside), in input order."""
    used = frozenset(expected)
    return tuple(str(name) for name in names if name not in used and name != keep)


def unexpected_columns(ignored: Sequence[str], target: str | None) -> list[str]:
    """The ignored columns worth a warning: all but the bundle's target, which a table the
    model was trained on carries and which scoring rightly leaves out."""
    return [name for name in ignored if name != target]


def coerce_numeric(
    chunk: pd.DataFrame, numeric: Sequence[str], first_row: int, source: str
) -> pd.DataFrame:
    """The chunk with its numeric columns as numbers; text in one is a SchemaError quoting the
    first bad rows by their 1-based data row number in the file (``first_row`` is the chunk's)."""
    import pandas as pd

    problems = []
    columns = {}
    for name in numeric:
        column = chunk[name]
        if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
            continue
        numbers = pd.to_numeric(column, errors="coerce")
        bad = column.notna().to_numpy() & numbers.isna().to_numpy()
        if bad.any():
            problems.append(_bad_values_text(name, column, bad, first_row))
        columns[name] = numbers
    if problems:
        raise SchemaError(
            f"{source} has text in numeric columns: " + "; ".join(problems),
            hint="numeric columns must hold numbers or be empty; fix or blank those rows",
        )
    return with_columns(chunk, columns)


def with_columns(frame: pd.DataFrame, columns: dict[str, pd.Series]) -> pd.DataFrame:
    """``frame`` with ``columns`` replaced. Not ``DataFrame.assign(**columns)``: a column may be
    called anything, "self" included (the loan data has one)."""
    if not columns:
        return frame
    frame = frame.copy()
    for name, values in columns.items():
        frame[name] = values
    return frame


def _bad_values_text(name: str, column: pd.Series, bad, first_row: int) -> str:
    positions = bad.nonzero()[0]
    shown = ", ".join(
        f"row {first_row + int(i)} ({column.iloc[int(i)]!r})" for i in positions[:SHOWN_ROWS]
    )
    more = f" and {len(positions) - SHOWN_ROWS} more" if len(positions) > SHOWN_ROWS else ""
    return f"column {name!r} at {shown}{more}"
