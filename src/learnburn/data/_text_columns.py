"""Text columns holding numbers: refused when a few stray values hide them, or declared categorical.

A column read as text is *numeric-looking* when at least ``NUMERIC_SHARE`` (95%) of its
non-missing values parse as numbers (``pd.to_numeric``, surrounding spaces ignored) and at least
one does not. Such a column is almost always a numeric column with a few typos or missing-value
markers ("abc", "?", "-"): learning from it as a category with hundreds of levels is silently
wrong, and scoring later rejects the same file. So it is an error naming the column, the count
and the first offending values, unless the spec declares the column categorical on purpose
(``[data] categorical``) or lists the markers as missing values (``[data] missing_values``).

A declared categorical column is turned into text (whole floats without ``.0``), so that its
codes are categories and not magnitudes, e.g. zip codes read as integers.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
from pandas.api import types

from learnburn.errors import DataError

NUMERIC_SHARE = 0.95
_SHOWN = 5


def check_numeric_text(frame: pd.DataFrame, columns: Iterable[str], where: str) -> None:
    """Raise a DataError listing every numeric-looking text column among ``columns``."""
    found = [f for name in columns if (f := _stray_values(name, frame[name])) is not None]
    if not found:
        return
    names = [name for name, _ in found]
    quoted = ", ".join(f'"{name}"' for name in names)
    strays = list(dict.fromkeys(v for _, (_, _, first) in found for v in first))
    markers = ", ".join(f'"{v}"' for v in strays[:_SHOWN])
    raise DataError(
        f"{where}: " + "; ".join(_column_text(name, counts) for name, counts in found),
        hint="Fix or remove those values. If they mark missing values, list them under [data]: "
        f"missing_values = [{markers}]. If the column is categorical on purpose (codes), "
        f"declare it under [data]: categorical = [{quoted}].",
    )


def _column_text(name: str, counts: tuple[int, int, list[str]]) -> str:
    bad, present, first = counts
    values = ", ".join(map(repr, first))
    what = "is not a number" if bad == 1 else "are not numbers"
    return f"column {name!r} looks numeric, but {bad} of its {present} values {what} ({values})"


def _stray_values(name: str, series: pd.Series) -> tuple[str, tuple[int, int, list[str]]] | None:
    """(name, (values that are not numbers, values present, the first few of them)), or None."""
    if not (types.is_object_dtype(series.dtype) or types.is_string_dtype(series.dtype)):
        return None
    try:
        counts = series.value_counts(sort=False, dropna=True)
    except TypeError:  # unhashable values such as lists: not numbers in any case
        return None
    counts = counts[counts > 0]
    if counts.empty:
        return None
    values = [v.strip() if isinstance(v, str) else v for v in counts.index]
    parsed = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce")
    numeric = parsed.notna().to_numpy()
    present = int(counts.sum())
    bad = int(counts.to_numpy()[~numeric].sum())
    if bad == 0 or (present - bad) < NUMERIC_SHARE * present:
        return None
    first = [str(v) for v in counts.index[~numeric][:_SHOWN]]
    return name, (bad, present, first)


def as_categorical(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """``frame`` with each of ``columns`` as text (missing values kept missing)."""
    columns = [c for c in columns if not _is_text(frame[c])]
    if not columns:
        return frame
    return frame.assign(**{name: _text(frame[name]) for name in columns})


def _is_text(series: pd.Series) -> bool:
    return types.is_object_dtype(series.dtype) or types.is_string_dtype(series.dtype)


def _text(series: pd.Series) -> pd.Series:
    def label(value: object) -> object:
        if isinstance(value, float | np.floating) and float(value).is_integer():
            return str(int(value))
        return str(value)

    return series.map(label, na_action="ignore").astype(object)
