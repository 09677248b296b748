"""Time-ordered rows into numbered periods (hours, days, weeks or calendar months).

Period 0 starts at the first timestamp, floored to the hour (unit ``hour``) or to midnight
(``day`` and ``week``: weeks run seven days from that midnight, not from a Monday); a
``month`` is a calendar month. Period ``k`` of a fixed unit starts ``k`` units after period 0.
"""

from __future__ import annotations

import pandas as pd
from pandas.api import types

from learnburn.errors import CadenceError

UNITS = ("hour", "day", "week", "month")
UNIT_HOURS = {"hour": 1.0, "day": 24.0, "week": 168.0, "month": 730.0}
"""Hours in a unit; a month is 730 hours (8,760 / 12), the convention prices use."""

_LENGTH = {"hour": pd.Timedelta(hours=1), "day": pd.Timedelta(days=1), "week": pd.Timedelta(7, "D")}


def check_unit(unit: str) -> str:
    if unit not in UNITS:
        raise CadenceError(
            f"unit must be one of {', '.join(UNITS)}, got {unit!r}",
            hint="choose the length of one period, e.g. --unit week",
        )
    return unit


def assign_periods(times: pd.Series, unit: str) -> tuple[pd.Series, tuple[str, ...]]:
    """The period number of each row and a label (its start) for each period 0 .. last."""
    check_unit(unit)
    if not types.is_datetime64_any_dtype(times.dtype):
        raise CadenceError(
            f"the time column {times.name!r} holds {times.dtype} values, not dates or times",
            hint="write the time column as ISO 8601 dates or times (2024-01-31T12:00:00)",
        )
    if times.isna().any():
        raise CadenceError(
            f"the time column {times.name!r} has {int(times.isna().sum())} missing values",
            hint="fill in or remove the rows without a time",
        )
    if unit == "month":
        months = times.dt.year * 12 + (times.dt.month - 1)
        first = int(months.min())
        periods = (months - first).astype("int64")
        labels = tuple(
            f"{(first + k) // 12:04d}-{(first + k) % 12 + 1:02d}" for k in range(periods.max() + 1)
        )
        return periods, labels
    origin = times.min().floor("h" if unit == "hour" else "D")
    periods = ((times - origin) // _LENGTH[unit]).astype("int64")
    starts = (origin + k * _LENGTH[unit] for k in range(int(periods.max()) + 1))
    text = "%Y-%m-%dT%H:%M" if unit == "hour" else "%Y-%m-%d"
    return periods, tuple(start.strftime(text) for start in starts)
