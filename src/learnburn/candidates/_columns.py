"""Stateless column conversions shared by every preprocessing kind.

Numeric columns become float64 (nullable ``Int64``/``Float64`` with ``pd.NA`` become NaN, which
scikit-learn's trees cannot read otherwise); categorical and boolean columns become object columns
of strings with NaN for missing, so the encoders see uniform strings whatever the source dtype
(``True``, ``"a"`` and ``None`` mixed in one object column would otherwise trip them).
They are module-level functions so that a ``FunctionTransformer`` holding them can be cloned and
serialised by name.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from learnburn.errors import SchemaError


def as_float_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every column as float64, missing values as NaN."""
    frame = require_frame(frame)
    try:
        return frame.astype("float64")
    except (TypeError, ValueError) as exc:
        raise SchemaError(
            f"numeric columns {list(frame.columns)} hold values that are not numbers: {exc}",
            hint="check the schema: a column with text in it should be categorical",
        ) from exc


def as_category_strings(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every column as strings (object dtype), missing values as NaN."""
    frame = require_frame(frame)
    return pd.DataFrame(
        {name: category_strings(frame[name]) for name in frame.columns},
        index=frame.index,
        columns=frame.columns,
    )


def category_strings(column: pd.Series) -> np.ndarray:
    """One column's values as an object array of strings, NaN where missing."""
    missing = column.isna().to_numpy()
    values = column.to_numpy(dtype=object, na_value=np.nan)
    strings = np.array([str(v) for v in values], dtype=object)
    strings[missing] = np.nan
    return strings


def require_frame(frame: object) -> pd.DataFrame:
    """The frame itself; anything else is a SchemaError (columns are selected by name)."""
    if not isinstance(frame, pd.DataFrame):
        raise SchemaError(
            f"expected a pandas DataFrame of features, got {type(frame).__name__}",
            hint="pass the table as a DataFrame so that columns are selected by name",
        )
    return frame
