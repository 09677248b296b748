"""What a read of a source returns: the table, how to name it, and where it came from.

``origin`` is plain JSON that a run records: the kind of source and what identifies the version
read (the query's sha256 and the database URL without its password; each object's ETag and
version), never a credential. ``keep_window`` applies ``since``/``until`` to any table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from pandas.api import types

from learnburn.errors import DataError


@dataclass(frozen=True, eq=False)
class SourceRead:
    """A table as read from its source: ``source`` names it in messages, ``origin`` records it."""

    frame: pd.DataFrame
    source: str
    origin: dict[str, Any] = field(default_factory=dict)


def keep_window(
    read: SourceRead, time_column: str, since: str | None, until: str | None
) -> SourceRead:
    """The rows with ``since <= time_column < until`` (either bound may be None)."""
    if since is None and until is None:
        return read
    frame = read.frame
    if time_column not in frame.columns:
        raise DataError(
            f"Time column {time_column!r} of {read.source} is missing, so since/until cannot "
            "keep a window of it",
            hint="name an existing column as time_column under [data]",
        )
    times = _times(frame[time_column], time_column, read.source)
    keep = pd.Series(True, index=frame.index)
    if since is not None:
        keep &= times >= _bound(since, times)
    if until is not None:
        keep &= times < _bound(until, times)
    window = {"since": since, "until": until}
    kept = frame[keep.to_numpy()].reset_index(drop=True)
    if kept.empty:
        raise DataError(
            f"{read.source} has no rows with {time_column} in the window {_describe(window)} "
            f"({len(frame)} rows outside it)",
            hint="widen since/until, or check the time column's values",
        )
    origin = {**read.origin, "window": {k: v for k, v in window.items() if v is not None}}
    return SourceRead(kept, read.source, origin)


def _times(series: pd.Series, column: str, source: str) -> pd.Series:
    if types.is_datetime64_any_dtype(series.dtype):
        return series
    try:
        return pd.to_datetime(series, format="ISO8601")
    except (ValueError, TypeError) as error:
        raise DataError(
            f"Time column {column!r} of {source} does not hold ISO dates, so since/until "
            f"cannot compare with it (e.g. {series.iloc[0]!r})",
            hint="write the times as ISO 8601 (2024-01-31 or 2024-01-31T12:00:00)",
        ) from error


def _bound(moment: str, times: pd.Series) -> pd.Timestamp:
    """``moment`` comparable with ``times``: in their time zone when they have one."""
    bound = pd.Timestamp(moment)
    zone = getattr(times.dtype, "tz", None)
    if zone is not None:
        return bound.tz_localize(zone) if bound.tzinfo is None else bound.tz_convert(zone)
    return bound.tz_convert(None) if bound.tzinfo is not None else bound


def _describe(window: dict[str, str | None]) -> str:
    return f"[{window['since'] or '...'}, {window['until'] or '...'})"
