"""Comparing fitted models on one held-out set: McNemar, DeLong, and the AUC's interval.

These tests see only test-sample variability: they say whether two *fitted models* differ on
this population, not whether two *learning procedures* do (that needs the corrected CV tests in
``_stats``).

- ``mcnemar``: paired correctness of two classifiers; b = A right and B wrong, c = A wrong and
  B right. Exact binomial when b + c < 25 (mlxtend's advice), otherwise chi-square with 1 df and,
  by default, the continuity correction (|b - c| - 1)² / (b + c). As in R's ``mcnemar.test`` the
  correction is skipped when b = c, where it would overshoot.
- ``delong_test``: paired DeLong test of two ROC AUCs (pROC's ``delong.paired.test``), computed
  from midranks in O(n log n) as in Sun & Xu (2014).
- ``auc_interval``: the interval of one ROC AUC from its DeLong variance, as pROC's ``ci.auc``
  does: AUC ± z·sqrt(var), clipped to [0, 1] (the note says when it was). O(n log n) time and
  O(n) memory; the same placement values give the paired test.

Every function here is linear in memory and O(n log n) in time: McNemar counts, DeLong ranks.
The bootstrap for other metrics is in ``_bootstrap``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from learnburn.evaluation._bootstrap import BootstrapInterval

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


def auc_interval(y_true, scores, *, confidence: float = 0.95) -> BootstrapInterval:
    """ROC AUC ± z·sqrt(DeLong variance), clipped to [0, 1]; positives are True / 1."""
    if not (isinstance(confidence, float | int) and 0 < confidence < 1):
        raise ValueError(
            "The 'confidence' parameter of auc_interval must be in (0, 1). "
            f"Got {confidence!r} instead."
        )
    auc, variance = auc_variance(y_true, scores)
    half = float(stats.norm.ppf(0.5 + confidence / 2)) * math.sqrt(max(variance, 0.0))
    raw = (auc - half, auc + half)
    low, high = max(raw[0], 0.0), min(raw[1], 1.0)
    note = "conditional on the fitted model: DeLong's variance over test rows"
    if (low, high) != raw:
        note += f"; clipped to [0, 1] (AUC ± z·se gave [{raw[0]:.4f}, {raw[1]:.4f}])"
    return BootstrapInterval(
        estimate=auc, low=low, high=high, confidence=float(confidence), method="DeLong",
        n_resamples=0, note=note,
    )  # fmt: skip


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
