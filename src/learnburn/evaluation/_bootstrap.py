"""Bootstrap intervals for a metric of one fitted model, in time and memory linear in test rows.

Resampling test rows says how the metric would vary over other test samples of the same size,
conditional on the fitted model. Every cost is bounded:

- Resamples: ``n_resamples`` (default 2000), but at most ``MAX_DRAWS`` row draws in all and
  never fewer than ``MIN_RESAMPLES``: 2000 resamples up to 100,000 rows, 200 at 1,000,000.
  They are drawn and scored ``CHUNK_CELLS`` row positions at a time (16 MB per array), so
  memory does not grow with the number of resamples.
- The BCa acceleration comes from the jackknife: exact (leave one row out) up to
  ``EXACT_JACKKNIFE_ROWS`` rows, and above that the delete-a-group jackknife over
  ``JACKKNIFE_GROUPS`` random groups of rows, an O(n) estimate of the rows' influence (Efron &
  Tibshirani 1993, section 11.5). ``scipy.stats.bootstrap`` computes n leave-one-out statistics
  of n - 1 rows each: O(n²) time, and O(n²) memory with a vectorised statistic (37 GiB at 200k
  rows). Above ``PERCENTILE_ABOVE`` rows the interval is the percentile one: the acceleration
  and bias correction shrink like 1/sqrt(n) and are smaller there than the Monte Carlo error of
  the resamples, so they are not computed (``method`` says "percentile").
- The statistic: ``metric_interval`` scores a whole chunk of resamples of a registry metric at
  once as a function of row weights (``_weighted``); ``bootstrap_metric`` calls any other
  metric once per resample and once per jackknife group.

Up to ``EXACT_JACKKNIFE_ROWS`` rows and with the same seed, the interval is scipy's (the same row
draws from ``numpy.random.default_rng(seed)``, the same BCa formulas), to rounding.
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr, ndtri

from learnburn.evaluation._metrics import get_metric
from learnburn.evaluation._weighted import weighted_metric

BOOTSTRAP_METHODS = ("BCa", "percentile", "basic")
MAX_DRAWS = 200_000_000  # row draws over all resamples
MIN_RESAMPLES = 200
PERCENTILE_ABOVE = 100_000  # rows; above, BCa gives way to the percentile interval
CHUNK_CELLS = 2**21  # row positions per chunk of resamples
EXACT_JACKKNIFE_ROWS = 2_000
JACKKNIFE_GROUPS = 200


@dataclass(frozen=True)
class BootstrapInterval:
    """An interval for one metric of one fitted model on test rows."""

    estimate: float
    low: float
    high: float
    confidence: float
    method: str  # "BCa", "percentile", "basic", or "DeLong" for a binary ROC AUC
    n_resamples: int  # 0 for DeLong
    note: str = "conditional on the fitted model: resamples test rows only"


@dataclass(frozen=True)
class _Statistic:
    """What a bootstrap needs of a metric: its value on resamples and on jackknife samples."""

    of_rows: Callable[[np.ndarray], np.ndarray]  # (k, n) drawn row positions -> k values
    leaving_out: Callable[[np.ndarray, np.ndarray], np.ndarray]  # group of each row, k groups


def bootstrap_metric(
    metric: Callable[[np.ndarray, np.ndarray], float],
    y_true,
    proba,
    *,
    n_resamples: int = 2000,
    confidence: float = 0.95,
    seed: int = 0,
    method: str = "BCa",
) -> BootstrapInterval:
    """Bootstrap interval for ``metric(y_true, proba)``, resampling rows of y and proba together.

    Resamples on which the metric is undefined (NaN, or a ValueError such as a missing class) are
    left out. If the requested interval is undefined, a percentile interval over the defined
    resamples is returned and ``method`` says so.
    """
    y, p = _inputs(y_true, proba, n_resamples, confidence, method)
    estimate = float(metric(y, p))
    if math.isnan(estimate):
        raise ValueError("The metric given to bootstrap_metric is NaN on the full test set.")

    def of_rows(rows: np.ndarray) -> np.ndarray:
        return np.array([_call(metric, y[r], p[r]) for r in rows])

    def leaving_out(groups: np.ndarray, left: np.ndarray) -> np.ndarray:
        return np.array([_call(metric, y[groups != g], p[groups != g]) for g in left])

    statistic = _Statistic(of_rows, leaving_out)
    return _interval(statistic, estimate, y.shape[0], n_resamples, confidence, seed, method)


def metric_interval(
    name: str,
    y_true,
    proba,
    classes,
    *,
    n_resamples: int = 2000,
    confidence: float = 0.95,
    seed: int = 0,
    method: str = "BCa",
) -> BootstrapInterval:
    """``bootstrap_metric`` for the registry metric ``name``, scoring chunks of resamples at once.

    Falls back to ``bootstrap_metric`` if the weighted form does not reproduce the metric on the
    full test set (for example when a class is missing from it)."""
    y, p = _inputs(y_true, proba, n_resamples, confidence, method)
    labels = np.asarray(classes)
    score = get_metric(name).score
    estimate = float(score(y, p, labels))
    n = y.shape[0]
    try:
        weighted = weighted_metric(name, y, p, labels)
        with np.errstate(all="ignore"):
            unit = float(weighted.of_weights(np.ones((1, n)))[0])
    except ValueError:  # a label outside the classes: the metric itself will say what is wrong
        unit = math.nan
    if not (math.isfinite(estimate) and math.isclose(unit, estimate, rel_tol=1e-9, abs_tol=1e-12)):
        return bootstrap_metric(
            lambda yy, pp: score(yy, pp, labels), y, p, n_resamples=n_resamples,
            confidence=confidence, seed=seed, method=method,
        )  # fmt: skip

    def leaving_out(groups: np.ndarray, left: np.ndarray) -> np.ndarray:
        return weighted.of_weights((groups[np.newaxis, :] != left[:, np.newaxis]).astype(float))

    statistic = _Statistic(weighted.of_rows, leaving_out)
    return _interval(statistic, estimate, n, n_resamples, confidence, seed, method)


def resamples_for(rows: int, requested: int) -> int:
    """How many resamples are drawn for ``rows`` test rows: at most MAX_DRAWS row draws."""
    return int(min(requested, max(MIN_RESAMPLES, MAX_DRAWS // max(rows, 1))))


def _interval(statistic, estimate, n, n_resamples, confidence, seed, method) -> BootstrapInterval:
    resamples = resamples_for(n, n_resamples)
    if method == "BCa" and n > PERCENTILE_ABOVE:
        method = "percentile"
    rng = np.random.default_rng(seed)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        # degenerate resamples make metrics warn thousands of times; NaN says it once
        warnings.simplefilter("ignore")
        replicates = np.concatenate([
            statistic.of_rows(rng.integers(0, n, (k, n))) for k in _chunks(resamples, n)
        ])  # fmt: skip
        jackknife = _jackknife(statistic, n, seed) if method == "BCa" else None
    low, high, label = _limits(estimate, replicates, jackknife, confidence, method)
    return BootstrapInterval(
        estimate=estimate,
        low=low,
        high=high,
        confidence=float(confidence),
        method=label,
        n_resamples=resamples,
    )


def _chunks(total: int, n: int) -> Iterator[int]:
    size = max(1, CHUNK_CELLS // max(n, 1))
    for start in range(0, total, size):
        yield min(size, total - start)


def _jackknife(statistic: _Statistic, n: int, seed: int) -> np.ndarray:
    """Leave-one-out values up to EXACT_JACKKNIFE_ROWS rows, else leave-one-group-out values."""
    if n <= EXACT_JACKKNIFE_ROWS:
        groups = np.arange(n)
    else:
        order = np.random.default_rng([seed, 1]).permutation(n)
        groups = np.empty(n, dtype=np.int64)
        groups[order] = np.arange(n) % JACKKNIFE_GROUPS
    count = int(groups.max()) + 1
    ids = np.arange(count)
    size = max(1, CHUNK_CELLS // n)
    return np.concatenate([
        statistic.leaving_out(groups, ids[start : start + size])
        for start in range(0, count, size)
    ])  # fmt: skip


def _limits(estimate, replicates, jackknife, confidence, method) -> tuple[float, float, str]:
    alpha = (1 - confidence) / 2
    if np.all(np.isfinite(replicates)):
        if method == "percentile":
            low, high = np.quantile(replicates, [alpha, 1 - alpha])
            return float(low), float(high), method
        if method == "basic":
            low, high = np.quantile(replicates, [alpha, 1 - alpha])
            return float(2 * estimate - high), float(2 * estimate - low), method
        levels = _bca_levels(estimate, replicates, jackknife, alpha)
        if levels is not None:
            low, high = np.quantile(replicates, levels)
            return float(low), float(high), method
    return _percentile_fallback(replicates, confidence, method)


def _bca_levels(estimate, replicates, jackknife, alpha) -> list[float] | None:
    """BCa's adjusted quantile levels (Efron & Tibshirani 1993, 14.3), or None if undefined."""
    share = (np.sum(replicates < estimate) + np.sum(replicates <= estimate)) / (2 * replicates.size)
    if not (0 < share < 1) or not np.all(np.isfinite(jackknife)):
        return None
    z0 = float(ndtri(share))
    u = jackknife.mean() - jackknife
    spread = float(np.sum(u**2))
    if spread == 0:
        return None
    a = float(np.sum(u**3)) / (6 * spread**1.5)
    levels = []
    for z in (float(ndtri(alpha)), -float(ndtri(alpha))):
        levels.append(float(ndtr(z0 + (z0 + z) / (1 - a * (z0 + z)))))
    return levels if all(math.isfinite(level) for level in levels) else None


def _percentile_fallback(replicates, confidence, method) -> tuple[float, float, str]:
    defined = replicates[np.isfinite(replicates)]
    dropped = replicates.size - defined.size
    label = "percentile" if method == "percentile" else f"percentile ({method} undefined)"
    if dropped:
        label += f", {dropped} undefined resamples left out"
    if defined.size == 0:
        return math.nan, math.nan, label
    alpha = (1 - confidence) / 2
    low, high = np.quantile(defined, [alpha, 1 - alpha])
    return float(low), float(high), label


def _call(metric, y, p) -> float:
    try:
        return float(metric(y, p))
    except ValueError:
        return math.nan


def _inputs(y_true, proba, n_resamples, confidence, method):
    name = "bootstrap_metric"
    y, p = np.asarray(y_true), np.asarray(proba)
    if y.ndim == 0 or p.ndim == 0 or y.shape[0] != p.shape[0] or y.shape[0] < 2:
        raise ValueError(
            f"y_true and proba given to {name} must have the same number of rows (at least 2). "
            f"Got shapes {y.shape} and {p.shape} instead."
        )
    if method not in BOOTSTRAP_METHODS:
        choices = ", ".join(repr(m) for m in BOOTSTRAP_METHODS)
        raise ValueError(
            f"The 'method' parameter of {name} must be one of {choices}. Got {method!r} instead."
        )
    if not (isinstance(n_resamples, numbers.Integral) and n_resamples >= 1):
        raise ValueError(
            f"The 'n_resamples' parameter of {name} must be a positive integer. "
            f"Got {n_resamples!r} instead."
        )
    if not (isinstance(confidence, numbers.Real) and 0 < confidence < 1):
        raise ValueError(
            f"The 'confidence' parameter of {name} must be in (0, 1). Got {confidence!r} instead."
        )
    return y, p
