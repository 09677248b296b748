"""Expected cost of decisions: the mean realised cost per 1,000 decisions, with a percentile
bootstrap interval.

The bootstrap resamples units (see ``_rows``): with ``row_ids`` or ``groups`` the copies of one
development row in stacked out-of-fold predictions are drawn together, so the interval reflects
the number of distinct rows, not the number of predictions. Units with the same total cost and
size are interchangeable, so resampling draws multinomial counts over the distinct (total, size)
pairs; that has the same distribution as drawing units with replacement and costs far less.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

from learnburn._records import Record
from learnburn.thresholds._costs import as_cost
from learnburn.thresholds._rows import check_classes, check_length, encode_labels, row_units

_MAX_DRAWS = 20_000_000  # resampled cells held in memory at once


@dataclass(frozen=True)
class ExpectedCost(Record):
    """Mean realised cost per 1,000 decisions, with a percentile bootstrap interval."""

    per_1000: float
    low: float
    high: float
    confidence: float

    def to_dict(self) -> dict:
        return asdict(self)


def expected_cost(
    y,
    decisions,
    cost,
    classes: Sequence,
    *,
    groups=None,
    row_ids=None,
    n_resamples: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> ExpectedCost:
    """The mean realised cost of ``decisions`` against the truth ``y``, per 1,000 decisions."""
    classes = check_classes(classes)
    c = as_cost(cost, len(classes))
    truth = encode_labels(y, classes, name="y")
    made = encode_labels(decisions, classes, name="decisions")
    check_length(len(truth), decisions=made)
    units = row_units(len(truth), groups=groups, row_ids=row_ids)
    return summarise_costs(c[truth, made], units, n_resamples, seed, confidence)


def summarise_costs(
    per_row: np.ndarray, units: np.ndarray, n_resamples: int, seed: int, confidence: float
) -> ExpectedCost:
    """Mean of the realised costs ``per_row`` with the bootstrap interval over ``units``."""
    if len(per_row) == 0:
        raise ValueError("An expected cost needs at least one decision, got none.")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"'confidence' must be in (0, 1), got {confidence!r}.")
    if int(n_resamples) != n_resamples or n_resamples < 1:
        raise ValueError(f"'n_resamples' must be a positive integer, got {n_resamples!r}.")
    totals = np.bincount(units, weights=per_row)
    sizes = np.bincount(units).astype(float)
    means = bootstrap_means(totals, sizes, int(n_resamples), seed)
    low, high = np.quantile(means, [(1.0 - confidence) / 2.0, (1.0 + confidence) / 2.0])
    return ExpectedCost(
        per_1000=1000.0 * float(per_row.mean()),
        low=1000.0 * float(low),
        high=1000.0 * float(high),
        confidence=float(confidence),
    )


def bootstrap_means(
    totals: np.ndarray, sizes: np.ndarray, n_resamples: int, seed: int, *, max_draws=_MAX_DRAWS
) -> np.ndarray:
    """Mean cost per decision in each of ``n_resamples`` resamples of the units."""
    rng = np.random.default_rng(seed)
    n_units = len(totals)
    pairs, counts = np.unique(np.column_stack([totals, sizes]), axis=0, return_counts=True)
    if len(pairs) * n_resamples <= max_draws:
        draws = rng.multinomial(n_units, counts / n_units, size=n_resamples)
        return (draws @ pairs[:, 0]) / (draws @ pairs[:, 1])
    chunk = max(1, max_draws // n_units)
    means = []
    for start in range(0, n_resamples, chunk):
        picked = rng.integers(0, n_units, size=(min(chunk, n_resamples - start), n_units))
        means.append(totals[picked].sum(axis=1) / sizes[picked].sum(axis=1))
    return np.concatenate(means)
