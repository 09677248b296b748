"""Infer a :class:`Schema` from a DataFrame: the kind of each column and the flags that matter.

Kinds, decided in this order:

- ``boolean``: a ``bool`` dtype, or a column whose non-missing values are exactly two distinct
  values that form one of the pairs {0, 1}, {True, False}, {"true", "false"} or {"yes", "no"}
  (strings compared case- and space-insensitively). So a 0/1 integer column is boolean, while a
  column holding only 0s (one value) is not: it stays numeric and is flagged constant.
- ``numeric``: any other integer or float dtype.
- ``datetime``: a datetime64 dtype, or a string column whose non-missing values all parse as ISO
  8601 dates or timestamps (``YYYY-MM-DD...``).
- ``categorical``: strings, the category dtype and everything else.

Flags: ``constant`` when a column has at most one distinct non-missing value; ``identifier_like``
for a categorical column whose values are all distinct (at least two of them), or nearly so
(distinct ratio >= 0.95 with at least 20 values), and for an integer column whose values are
all distinct and strictly monotonic, like a row id.

Only hashing and one sort of the distinct values are done per column, so a million rows take
well under a second per column; date parsing is tried on distinct values only, after a cheap
pattern check of a few of them.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from pandas.api import types

from learnburn.data._schema import ColumnSchema, Schema

MAX_CATEGORIES = 1_000
NEAR_UNIQUE_RATIO = 0.95
NEAR_UNIQUE_MIN_ROWS = 20
_BOOLEAN_PAIRS = ({"true", "false"}, {"yes", "no"})
_ISO_DATE = r"^\s*\d{4}-\d{2}-\d{2}"
_DATE_PROBE = 100


def infer_schema(frame: pd.DataFrame, *, sample_limit: int | None = None) -> Schema:
    """Infer the schema of ``frame``, one :class:`ColumnSchema` per column in table order.

    With ``sample_limit``, a table with more rows is inferred from that many rows drawn at
    random (seed 0, kept in table order), and the counts describe that sample.
    """
    if sample_limit is not None and len(frame) > sample_limit:
        rng = np.random.default_rng(0)
        frame = frame.iloc[np.sort(rng.choice(len(frame), size=sample_limit, replace=False))]
    return Schema(tuple(_infer_column(str(name), frame[name]) for name in frame.columns))


def _infer_column(name: str, series: pd.Series) -> ColumnSchema:
    missing = int(series.isna().sum())
    values = series.dropna()
    if types.is_bool_dtype(series.dtype) or types.is_numeric_dtype(series.dtype):
        return _numeric_or_boolean(name, series, values, missing)
    if types.is_datetime64_any_dtype(series.dtype):
        unique = int(values.nunique())
        dtype = str(series.dtype)
        return ColumnSchema(name, "datetime", dtype, missing, unique, constant=unique <= 1)
    return _categorical_like(name, series, values, missing)


def _numeric_or_boolean(
    name: str, series: pd.Series, values: pd.Series, missing: int
) -> ColumnSchema:
    dtype = str(series.dtype)
    unique = int(values.nunique())
    if types.is_bool_dtype(series.dtype) or (unique == 2 and set(values.unique()) == {0, 1}):
        return ColumnSchema(
            name, "boolean", dtype, missing, unique, categories=_top_categories(values)
        )
    is_integer = types.is_integer_dtype(series.dtype)
    row_id = (
        is_integer
        and unique == len(values) >= 2
        and (values.is_monotonic_increasing or values.is_monotonic_decreasing)
    )
    return ColumnSchema(
        name,
        "numeric",
        dtype,
        missing,
        unique,
        identifier_like=bool(row_id),
        constant=unique <= 1,
        minimum=float(values.min()) if len(values) else None,
        maximum=float(values.max()) if len(values) else None,
    )


def _categorical_like(
    name: str, series: pd.Series, values: pd.Series, missing: int
) -> ColumnSchema:
    dtype = str(series.dtype)
    counts = _value_counts(values)
    unique = len(counts)
    if _is_boolean_labels(counts.index):
        categories = _top_categories(values, counts)
        return ColumnSchema(name, "boolean", dtype, missing, unique, categories=categories)
    if _is_iso_dates(counts.index):
        return ColumnSchema(name, "datetime", dtype, missing, unique, constant=unique <= 1)
    present = len(values)
    identifier = (unique == present >= 2) or (
        present >= NEAR_UNIQUE_MIN_ROWS and unique / present >= NEAR_UNIQUE_RATIO
    )
    return ColumnSchema(
        name,
        "categorical",
        dtype,
        missing,
        unique,
        identifier_like=identifier,
        constant=unique <= 1,
        categories=_top_categories(values, counts),
    )


def _value_counts(values: pd.Series) -> pd.Series:
    """Counts of the distinct values in order of first appearance (none of count zero)."""
    try:
        counts = values.value_counts(sort=False, dropna=True)
    except TypeError:  # unhashable values such as lists: count their text instead
        counts = values.astype(str).value_counts(sort=False, dropna=True)
    return counts[counts > 0]


def _top_categories(values: pd.Series, counts: pd.Series | None = None) -> tuple[str, ...]:
    """Most frequent first (ties in order of first appearance), at most MAX_CATEGORIES."""
    counts = _value_counts(values) if counts is None else counts
    order = np.argsort(-counts.to_numpy(), kind="stable")[:MAX_CATEGORIES]
    return tuple(_label(counts.index[i]) for i in order)


def _label(value: object) -> str:
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _is_boolean_labels(labels: pd.Index) -> bool:
    if len(labels) < 2 or len(labels) > 4:  # e.g. "Yes", "yes", "No", "NO"
        return False
    if all(isinstance(v, bool | np.bool_) for v in labels):
        return len(labels) == 2
    if not all(isinstance(v, str) for v in labels):
        return False
    return {v.strip().lower() for v in labels} in _BOOLEAN_PAIRS


def _is_iso_dates(labels: pd.Index) -> bool:
    if len(labels) == 0 or not all(isinstance(v, str) for v in labels[:_DATE_PROBE]):
        return False
    text = pd.Series(labels, dtype=object)
    if not text.iloc[:_DATE_PROBE].str.match(_ISO_DATE).all():
        return False
    if not text.str.match(_ISO_DATE, na=False).all():
        return False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parsed = pd.to_datetime(text, format="ISO8601", errors="coerce", utc=True)
    return bool(parsed.notna().all())
