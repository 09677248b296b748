"""Checks of a cadence backtest's settings: each bad value is a CadenceError with a fix."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import numpy as np

from learnburn.errors import CadenceError

_SLIDING = re.compile(r"^sliding:(\d+)$")
AUTO = "auto"  # search the expanding window and a few sliding ones
SEARCHED = 4  # sliding windows a search backtests


def check_intervals(intervals: Sequence[int]) -> tuple[int, ...]:
    """The intervals, sorted, unique, with the baseline 1 added."""
    values = list(intervals) if not isinstance(intervals, str | bytes) else [intervals]
    bad = [v for v in values if isinstance(v, bool) or not isinstance(v, int | np.integer)]
    bad += [v for v in values if v not in bad and v < 1]
    if not values or bad:
        raise CadenceError(
            f"intervals must be whole numbers of periods >= 1, got {values!r}",
            hint="e.g. --every 1,2,4,8,13 (with --unit week: weekly up to quarterly)",
        )
    return tuple(sorted({1, *(int(v) for v in values)}))


def check_tolerance(tolerance: float) -> float:
    if (
        isinstance(tolerance, bool)
        or not isinstance(tolerance, int | float)
        or not math.isfinite(tolerance)
        or tolerance < 0
    ):
        raise CadenceError(
            f"tolerance must be a finite number >= 0, got {tolerance!r}",
            hint="the loss you accept, in the metric's units: --tolerance 0.01 for 0.01 AUC",
        )
    return float(tolerance)


def parse_window(window: str | int | None) -> int | None:
    """``"expanding"`` (or None) -> None; ``"sliding:W"`` (or the integer W) -> W periods."""
    if window is None or window == "expanding":
        return None
    if isinstance(window, int | np.integer) and not isinstance(window, bool) and window >= 1:
        return int(window)
    match = _SLIDING.match(window) if isinstance(window, str) else None
    if match is None or int(match[1]) < 1:
        raise CadenceError(
            f"window must be 'expanding' or 'sliding:W' with W >= 1 periods, got {window!r}",
            hint="--window expanding learns from all labelled history; --window sliding:26 "
            "from the last 26 periods; --window auto searches both kinds",
        )
    return int(match[1])


def parse_windows(windows) -> tuple[int | None, ...] | None:
    """The windows to backtest: None to search (``"auto"``, the default), else the windows
    given (one, or several separated by commas), each as :func:`parse_window` reads it."""
    if windows is None or windows == AUTO:
        return None
    if isinstance(windows, str):
        parts = [part.strip() for part in windows.split(",")]
    elif isinstance(windows, list | tuple):
        parts = list(windows)
    else:
        parts = [windows]
    if not parts or any(part == "" for part in parts):
        raise CadenceError(
            f"window must be 'auto', 'expanding', 'sliding:W' or a list of them separated by "
            f"commas, got {windows!r}",
            hint="--window auto searches; --window expanding,sliding:8 backtests those two",
        )
    return tuple(dict.fromkeys(parse_window(part) for part in parts))


def search_widths(n_periods: int) -> tuple[int, ...]:
    """The sliding windows a search backtests beside the expanding one: four lengths evenly
    spaced on a log scale from 2 periods to a quarter of the data's periods (rounded, without
    repeats; none when the data has fewer than 8 periods)."""
    top = n_periods // 4
    if top < 2:
        return ()
    return tuple(sorted({math.floor(v + 0.5) for v in np.geomspace(2, top, SEARCHED)}))


def window_text(width: int | None) -> str:
    return "expanding" if width is None else f"sliding:{width}"


def check_periods(periods) -> np.ndarray:
    """Each row's period as integers >= 0."""
    values = np.asarray(periods)
    if values.ndim != 1 or len(values) == 0:
        raise CadenceError(
            f"periods must give one period number per row, got an array of shape {values.shape}",
            hint="number the rows' periods 0, 1, ... (see assign_periods)",
        )
    if not np.issubdtype(values.dtype, np.integer) or values.min() < 0:
        raise CadenceError(
            f"periods must be integers >= 0, got {values.dtype} values from {values.min()!r}",
            hint="number the rows' periods 0, 1, ... (see assign_periods)",
        )
    return values.astype(np.int64)
