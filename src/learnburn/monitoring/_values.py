"""Column values as drift sees them: numbers as floats (missing and infinite as NaN), categories
as strings (missing as None).

A category is keyed by its text, so that a reference written to JSON and current data read from
CSV agree: ``3`` and ``3.0`` are both ``"3"``, booleans are ``"True"`` / ``"False"``.
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

from learnburn.errors import DriftError


def numeric_values(series: pd.Series, name: str, where: str) -> np.ndarray:
    """Float values of a numeric column, a new array; missing and non-finite values become NaN."""
    if series.dtype == np.float64:  # the common case: one copy, no conversion
        values = series.to_numpy(dtype=float, copy=True)
        finite = np.isfinite(values)
        if not finite.all():
            values[~finite] = np.nan
        return values
    data = series.astype("boolean") if pd.api.types.is_bool_dtype(series.dtype) else series
    try:
        values = pd.to_numeric(data, errors="raise").to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError) as error:
        raise DriftError(
            f"Column {name!r} of {where} must be numeric. Got dtype {series.dtype} instead.",
            hint="Declare the column as categorical, or clean its values before checking drift.",
        ) from error
    values = np.array(values, dtype=float, copy=True)
    values[~np.isfinite(values)] = np.nan
    return values


def category_keys(series: pd.Series) -> np.ndarray:
    """Object array of category keys (strings), with None where the value is missing."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    keys = np.array([category_key(value) for value in uniques] + [None], dtype=object)
    return keys[codes]  # code -1 (missing) picks the trailing None


def category_key(value: object) -> str:
    """The text a category is stored under."""
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, numbers.Real) and not isinstance(value, numbers.Integral):
        number = float(value)
        if number.is_integer():
            return str(int(number))
        return repr(number)
    if isinstance(value, numbers.Integral):
        return str(int(value))
    return str(value)


def score_values(scores: object, what: str) -> np.ndarray:
    """Predicted scores as floats (NaN for anything not finite); ``what`` names them in the
    error when they are not a non-empty 1-D array of numbers."""
    values = np.asarray(scores)
    if values.ndim != 1 or values.size == 0 or not np.issubdtype(values.dtype, np.number):
        raise DriftError(
            f"{what} must be a non-empty 1-D array of numbers. "
            f"Got shape {values.shape}, dtype {values.dtype} instead.",
            hint="Pass the model's predicted probability of the positive class, one per row.",
        )
    values = values.astype(float)
    values[~np.isfinite(values)] = np.nan
    return values
