"""``Records``: a tuple of record dataclasses that converts to a pandas DataFrame.

Leaderboards, fold scores and segments stay plain, inspectable tuples (they compare equal to
tuples, iterate and index as before), and add what a data scientist reaches for first:
``to_frame()`` gives a DataFrame with one row per record and one column per field, and Jupyter
shows them as that DataFrame. No learnburn imports, so that any layer's records may use it.

``is_frame`` and ``is_pandas_na`` ask about pandas objects without importing pandas: a value
can only be a DataFrame or ``pd.NA`` once pandas has defined them, so the server's start-up and
its JSON path never pay for the import.
"""

from __future__ import annotations

import sys
from dataclasses import fields, is_dataclass
from typing import Any


class Records(tuple):
    """A tuple of records (dataclass instances) that shows and converts as a DataFrame."""

    __slots__ = ()

    def to_frame(self) -> Any:
        """A pandas DataFrame: one row per record, one column per field, in field order."""
        import pandas as pd

        names = _field_names(self)
        rows = [[getattr(record, name) for name in names] for record in self]
        return pd.DataFrame(rows, columns=names)

    def _repr_html_(self) -> str:
        return self.to_frame()._repr_html_()

    def __repr__(self) -> str:
        if not self:
            return "Records(())"
        return repr(self.to_frame())

    def __getitem__(self, index: Any) -> Any:
        item = tuple.__getitem__(self, index)
        return Records(item) if isinstance(index, slice) else item

    def __reduce__(self) -> tuple:
        return Records, (tuple(self),)


def _field_names(records: tuple) -> list[str]:
    for record in records:
        if is_dataclass(record) and not isinstance(record, type):
            return [f.name for f in fields(record)]
    return []


def is_frame(value: Any) -> bool:
    """Whether ``value`` is a pandas DataFrame (False, without importing pandas, when it is not
    imported)."""
    frame = _defined("pandas.core.frame", "DataFrame")
    return frame is not None and isinstance(value, frame)


def is_pandas_na(value: Any) -> bool:
    """Whether ``value`` is ``pd.NA`` (False, without importing pandas, when it is not imported)."""
    missing = _defined("pandas._libs.missing", "NA")
    return missing is not None and value is missing


def _defined(module: str, name: str) -> Any:
    """``module.name`` once pandas has defined it, else None. Another thread may be importing
    pandas right now: its half-made modules are in ``sys.modules`` before their names are, and
    no value can be an instance of a class that is not defined yet."""
    return getattr(sys.modules.get(module), name, None)
