"""Comparing fitted models on one held-out set: McNemar, DeLong and the test-row bootstrap.

These tests see only test-sample variability: they say whether two *fitted models* differ on
this population, not whether two *learning procedures* do (that needs the corrected CV tests in
``_stats``).

- ``mcnemar``: paired correctness of two classifiers; b = A right and B wrong, c = A wrong and
  B right. Exact binomial when b + c < 25 (mlxtend's advice), otherwise chi-square with 1 df and,
  by default, the continuity correction (|b - c| - 1)² / (b + c). As in R's ``mcnemar.test`` the
  correction is skipped when b = c, where it would overshoot.
- ``delong_test``: paired DeLong test of two ROC AUCs (pROC's ``delong.paired.test``), computed
  from midranks in O(n log n) as in Sun & Xu (2014).
- ``bootstrap_metric``: an interval for any metric of one model, resampling test rows with
  ``scipy.stats.bootstrap`` (BCa by default, percentile when BCa is undefined).
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import stats

BOOTSTRAP_METHODS = ("BCa", "percentile", "basic")
EXACT_BELOW = 25  # b + c below this: exact binomial test


@dataclass(frozen=True)
class McNemarResult:
    """McNemar's test: discordant counts, statistic (None for the exact test), p-value."""

    b: int  # A right, B wrong
    c: int  # A wrong, B right
    statistic: float | None
    p_value: float
    method: str  # "exact" | "chi2-corrected" | "chi2"


@dataclass(frozen=True)
class DeLongResult:
    """Paired DeLong test of two ROC AUCs on the same rows; statistic z for AUC_A - AUC_B."""

    auc_a: float
    auc_b: float
    var_a: float
    var_b: float
    covariance: float
    statistic: float
    p_value: float


@dataclass(frozen=True)
class BootstrapInterval:
    """A bootstrap interval for one metric of one fitted model."""

    estimate: float
    low: float
    high: float
    confidence: float
    method: str
    n_resamples: int
    note: str = "conditional on the fitted model: resamples test rows only"


def mcnemar(
    correct_a, correct_b, *, exact: bool | None = None, correction: bool = True
) -> McNemarResult:
    """McNemar's test from per-row correctness of A and B (boolean arrays of the same length)."""
    a = _boolean(correct_a, "correct_a", "mcnemar")
    b = _boolean(correct_b, "correct_b", "mcnemar")
    if a.shape != b.shape:
        raise ValueError(
            f"correct_a and correct_b given to mcnemar must have the same length. "
            f"Got {a.size} and {b.size} instead."
        )
    return _mcnemar(int(np.sum(a & ~b)), int(np.sum(~a & b)), exact, correction)


def mcnemar_from_table(
    table, *, exact: bool | None = None, correction: bool = True
) -> McNemarResult:
    """McNemar's test from [[both right, A right B wrong], [A wrong B right, both wrong]]."""
    counts = np.asarray(table)
    if (
        counts.shape != (2, 2)
        or not np.all(np.isfinite(counts))
        or np.any(counts < 0)
        or np.any(counts != np.round(counts))
    ):
        raise ValueError(
            "The table given to mcnemar_from_table must be 2x2 non-negative counts [[both "
            f"right, A right B wrong], [A wrong B right, both wrong]]. Got {table!r} instead."
        )
    return _mcnemar(int(counts[0, 1]), int(counts[1, 0]), exact, correction)


def delong_test(y_true, scores_a, scores_b) -> DeLongResult:
    """Paired DeLong test of AUC_A = AUC_B; positives are True / 1 in ``y_true``."""
    positive = _binary_labels(y_true, "delong_test")
    a = _scores(scores_a, positive.size, "scores_a", "delong_test")
    b = _scores(scores_b, positive.size, "scores_b", "delong_test")
    aucs, cov = _delong(positive, np.vstack([a, b]))
    var_diff = cov[0, 0] + cov[1, 1] - 2 * cov[0, 1]
    diff = aucs[0] - aucs[1]
    if var_diff > 1e-12 * max(cov[0, 0] + cov[1, 1], np.finfo(float).tiny):
        statistic = diff / math.sqrt(var_diff)
    else:  # identical placements: the AUCs cannot differ by chance
        statistic = 0.0 if diff == 0 else math.copysign(math.inf, diff)
    return DeLongResult(
        auc_a=float(aucs[0]),
        auc_b=float(aucs[1]),
        var_a=float(cov[0, 0]),
        var_b=float(cov[1, 1]),
        covariance=float(cov[0, 1]),
        statistic=float(statistic),
        p_value=float(min(1.0, 2 * stats.norm.sf(abs(statistic)))),
    )


def auc_variance(y_true, scores) -> tuple[float, float]:
    """(ROC AUC, its DeLong variance); positives are True / 1 in ``y_true``."""
    positive = _binary_labels(y_true, "auc_variance")
    s = _scores(scores, positive.size, "scores", "auc_variance")
    aucs, cov = _delong(positive, s[np.newaxis, :])
    return float(aucs[0]), float(cov[0, 0])


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
    y, p = _bootstrap_inputs(y_true, proba, n_resamples, confidence, method)
    estimate = float(metric(y, p))
    if math.isnan(estimate):
        raise ValueError("The metric given to bootstrap_metric is NaN on the full test set.")

    def on_rows(rows: np.ndarray) -> float:
        try:
            return float(metric(y[rows], p[rows]))
        except ValueError:
            return math.nan

    with warnings.catch_warnings():
        # degenerate resamples make metrics and BCa warn thousands of times; NaN says it once
        warnings.simplefilter("ignore")
        result = stats.bootstrap(
            (np.arange(y.shape[0]),),
            on_rows,
            n_resamples=n_resamples,
            vectorized=False,
            confidence_level=confidence,
            method=method,
            rng=np.random.default_rng(seed),
        )
    low, high = float(result.confidence_interval.low), float(result.confidence_interval.high)
    if not (math.isfinite(low) and math.isfinite(high)):
        low, high, method = _percentile_fallback(result.bootstrap_distribution, confidence, method)
    return BootstrapInterval(
        estimate=estimate,
        low=low,
        high=high,
        confidence=float(confidence),
        method=method,
        n_resamples=int(n_resamples),
    )


def _mcnemar(b: int, c: int, exact: bool | None, correction: bool) -> McNemarResult:
    n = b + c
    if exact is None:
        exact = n < EXACT_BELOW
    if exact:
        p = 1.0 if n == 0 else min(1.0, 2 * float(stats.binom.cdf(min(b, c), n, 0.5)))
        return McNemarResult(b=b, c=c, statistic=None, p_value=p, method="exact")
    method = "chi2-corrected" if correction else "chi2"
    if n == 0:
        return McNemarResult(b=b, c=c, statistic=0.0, p_value=1.0, method=method)
    shift = 1 if correction and b != c else 0
    statistic = (abs(b - c) - shift) ** 2 / n
    p = float(stats.chi2.sf(statistic, 1))
    return McNemarResult(b=b, c=c, statistic=float(statistic), p_value=p, method=method)


def _delong(positive: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """AUCs (k,) and DeLong covariance (k, k) of k score rows, from midranks (Sun & Xu 2014)."""
    m, n = int(positive.sum()), int((~positive).sum())
    x, y = scores[:, positive], scores[:, ~positive]
    rank_all = stats.rankdata(scores, axis=1)
    rank_x = stats.rankdata(x, axis=1)
    rank_y = stats.rankdata(y, axis=1)
    v10 = (rank_all[:, positive] - rank_x) / n  # per case: share of controls it beats
    v01 = 1.0 - (rank_all[:, ~positive] - rank_y) / m  # per control: share of cases beating it
    aucs = v10.mean(axis=1)
    s10 = np.atleast_2d(np.cov(v10, ddof=1))
    s01 = np.atleast_2d(np.cov(v01, ddof=1))
    return aucs, s10 / m + s01 / n


def _percentile_fallback(
    distribution: np.ndarray, confidence: float, method: str
) -> tuple[float, float, str]:
    defined = distribution[np.isfinite(distribution)]
    dropped = distribution.size - defined.size
    label = "percentile" if method == "percentile" else f"percentile ({method} undefined)"
    if dropped:
        label += f", {dropped} undefined resamples left out"
    if defined.size == 0:
        return math.nan, math.nan, label
    alpha = (1 - confidence) / 2
    low, high = np.quantile(defined, [alpha, 1 - alpha])
    return float(low), float(high), label


def _bootstrap_inputs(y_true, proba, n_resamples, confidence, method):
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


def _boolean(values, label: str, name: str) -> np.ndarray:
    x = np.asarray(values)
    if x.ndim != 1 or not (x.dtype == bool or np.all((x == 0) | (x == 1))):
        raise ValueError(
            f"{label} given to {name} must be a 1-D array of booleans (or 0/1). "
            f"Got shape {x.shape}, dtype {x.dtype} instead."
        )
    return x.astype(bool)


def _binary_labels(y_true, name: str) -> np.ndarray:
    positive = _boolean(y_true, "y_true", name)
    m, n = int(positive.sum()), int((~positive).sum())
    if m < 2 or n < 2:
        raise ValueError(
            f"y_true given to {name} needs at least 2 positives and 2 negatives for the DeLong "
            f"variance. Got {m} positives and {n} negatives instead."
        )
    return positive


def _scores(values, size: int, label: str, name: str) -> np.ndarray:
    s = np.asarray(values, dtype=float)
    if s.shape != (size,) or not np.all(np.isfinite(s)):
        raise ValueError(
            f"{label} given to {name} must be {size} finite scores, one per row of y_true. "
            f"Got shape {s.shape} instead."
        )
    return s
