"""What every stream generator shares: which concept each row follows, timestamps, checks.

A stream of ``n`` rows follows concept 0 until the first drift point, concept 1 until the
second, and so on. A drift point is a row position. With ``width == 0`` the change is abrupt:
row ``p`` is the first row of the new concept. With ``width > 0`` it is gradual, as in MOA's
and river's ``ConceptDriftStream``: row ``i`` follows the new concept with probability
``1 / (1 + exp(-4 (i - p) / width))``, so half the rows at ``p`` and nearly all ``width / 2``
rows later.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from learnburn.errors import DataError

TIME_COLUMN = "time"
LABEL_COLUMN = "label"


def check_rows(function: str, n: int) -> None:
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise DataError(
            f"The 'n' parameter of {function} must be a positive integer. Got {n!r} instead.",
            hint="ask for at least one row, e.g. n=5000",
        )


def check_probability(function: str, name: str, value: float) -> None:
    if not (isinstance(value, int | float) and 0.0 <= value <= 1.0):
        raise DataError(
            f"The '{name}' parameter of {function} must be a number in [0, 1]. "
            f"Got {value!r} instead.",
            hint=f"{name}=0.1 changes one row in ten",
        )


def check_drift_points(function: str, n: int, drift_points: Sequence[int], width: float) -> None:
    points = list(drift_points)
    if any(isinstance(p, bool) or not isinstance(p, int | np.integer) for p in points):
        raise DataError(
            f"The 'drift_points' parameter of {function} must hold row positions (integers). "
            f"Got {points!r} instead.",
            hint="e.g. drift_points=(2000, 4000) for a change at rows 2000 and 4000",
        )
    if any(not 0 < p < n for p in points) or points != sorted(set(points)):
        raise DataError(
            f"The 'drift_points' parameter of {function} must be increasing row positions "
            f"between 1 and n - 1 = {n - 1}. Got {points!r} instead.",
            hint="list each drift once, in order, inside the stream",
        )
    if not (isinstance(width, int | float) and width >= 0):
        raise DataError(
            f"The 'width' parameter of {function} must be a number >= 0. Got {width!r} instead.",
            hint="width=0 for an abrupt drift, e.g. width=500 for one spread over ~500 rows",
        )


def check_concepts(function: str, name: str, concepts: Sequence, drift_points: Sequence[int]):
    if len(concepts) != len(drift_points) + 1:
        raise DataError(
            f"The '{name}' parameter of {function} must give one concept more than there are "
            f"drift points ({len(drift_points) + 1}). Got {len(concepts)} instead.",
            hint=f"the stream starts with {name}[0] and switches to the next at each drift point",
        )


def concept_of_rows(
    n: int, drift_points: Sequence[int], width: float, rng: np.random.Generator
) -> np.ndarray:
    """The index of the concept each row follows (0 before the first drift point)."""
    rows = np.arange(n)
    points = np.asarray(drift_points, dtype=float)
    if width == 0:
        return np.searchsorted(points, rows, side="right")
    # one uniform draw per row: the later drifts' probabilities are smaller, so the count of
    # drifts a row has passed is consistent (it never follows concept 2 without having left 0)
    draw = rng.random(n)
    with np.errstate(over="ignore"):
        passed = 1.0 / (1.0 + np.exp(-4.0 * (rows[:, None] - points[None, :]) / width))
    return (draw[:, None] < passed).sum(axis=1)


def timestamps(n: int, start: str, freq: str) -> pd.DatetimeIndex:
    try:
        return pd.date_range(start=start, periods=n, freq=freq)
    except (ValueError, TypeError) as error:
        raise DataError(
            f"cannot make {n} timestamps from start={start!r} and freq={freq!r}: {error}",
            hint="give start as an ISO date ('2024-01-01') and freq as a pandas frequency "
            "('h', 'min', 'D')",
        ) from error


def flip(labels: np.ndarray, noise: float, rng: np.random.Generator) -> np.ndarray:
    """Labels with each one flipped (0 <-> 1) with probability ``noise``."""
    flipped = rng.random(len(labels)) < noise
    return np.where(flipped, 1 - labels, labels)


def describe_drifts(frame: pd.DataFrame, drift_points: Sequence[int], concepts: Sequence) -> None:
    """Record the known truth in ``frame.attrs``: drift rows, their times, and the concepts."""
    times = frame[TIME_COLUMN]
    frame.attrs["drift_points"] = [int(p) for p in drift_points]
    frame.attrs["drift_times"] = [times.iloc[int(p)].isoformat() for p in drift_points]
    frame.attrs["concepts"] = list(concepts)
