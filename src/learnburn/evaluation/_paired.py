"""Two fitted models on the same rows: the difference of a measure, its interval, and a verdict
against an equivalence margin (the challenge of a live model by a retrained one).

Every difference is A - B, where A is the first model given (the challenger in a challenge):

- ``paired_auc``: ROC AUC_A - AUC_B with DeLong's paired variance,
  var = var_A + var_B - 2 cov (pROC's ``delong.paired.test``); interval diff ± z·sqrt(var).
- ``paired_accuracy``: accuracy_A - accuracy_B = (b - c) / n from the discordant counts of
  McNemar's table (b: A right and B wrong, c: A wrong and B right); the p-value is McNemar's
  (``mcnemar``), the interval the Wald interval of a paired difference of proportions,
  se = sqrt((b + c) - (b - c)² / n) / n (Agresti, *Categorical Data Analysis*, 10.1.1).
- ``paired_cost``: the mean per-row decision cost of B minus that of A (positive: A costs
  less), with a paired percentile bootstrap (rows resampled together, so both models see the
  same resample: ``scipy.stats.bootstrap(..., paired=True, method="percentile")``).

``equivalence_verdict`` reads an interval of a difference oriented so that positive favours A:
"better" when it lies above 0, "worse" when below 0, "equivalent" when it lies within
[-margin, margin] (two one-sided tests at the interval's level), else "unclear".

All intervals are conditional on the fitted models: they see test-row variability only.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from scipy import stats

from learnburn._records import Record
from learnburn.evaluation._holdout_stats import delong_test, mcnemar

VERDICTS = ("better", "equivalent", "worse", "unclear")
BOOTSTRAP_RESAMPLES = 2000


@dataclass(frozen=True)
class PairedDifference(Record):
    """A - B for one measure on the same rows, its interval and p-value (H0: no difference)."""

    measure: str  # "roc_auc" | "accuracy" | "decision_cost"
    a: float  # A's value
    b: float  # B's value
    difference: float  # oriented so that positive favours A
    low: float
    high: float
    confidence: float
    p_value: float | None
    method: str  # "DeLong" | "McNemar" | "paired bootstrap"
    rows: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> str:
        """One line: the measure, both values, the difference and its interval."""
        p = "" if self.p_value is None else f", p = {self.p_value:.3g}"
        return (
            f"{self.measure}: {self.a:.4f} vs {self.b:.4f}, difference {self.difference:+.4f} "
            f"({self.confidence:.0%} interval [{self.low:+.4f}, {self.high:+.4f}], "
            f"{self.method}{p}, {self.rows} rows)"
        )


def paired_auc(y_true, scores_a, scores_b, *, confidence: float = 0.95) -> PairedDifference:
    """ROC AUC of A minus that of B on the same rows, with DeLong's paired interval."""
    tested = delong_test(y_true, scores_a, scores_b)
    variance = max(tested.var_a + tested.var_b - 2 * tested.covariance, 0.0)
    difference = tested.auc_a - tested.auc_b
    half = _z(confidence) * math.sqrt(variance)
    return PairedDifference(
        measure="roc_auc", a=tested.auc_a, b=tested.auc_b, difference=difference,
        low=difference - half, high=difference + half, confidence=confidence,
        p_value=tested.p_value, method="DeLong", rows=len(np.asarray(y_true)),
    )  # fmt: skip


def paired_accuracy(correct_a, correct_b, *, confidence: float = 0.95) -> PairedDifference:
    """Accuracy of A minus that of B on the same rows, McNemar's p-value, Wald interval."""
    tested = mcnemar(correct_a, correct_b)
    a = np.asarray(correct_a, dtype=bool)
    n = a.size
    if n == 0:
        raise ValueError("paired_accuracy needs at least one row. Got 0 rows instead.")
    b, c = tested.b, tested.c
    difference = (b - c) / n
    se = math.sqrt(max((b + c) - (b - c) ** 2 / n, 0.0)) / n
    half = _z(confidence) * se
    accuracy_a = float(a.mean())
    return PairedDifference(
        measure="accuracy", a=accuracy_a, b=accuracy_a - difference, difference=difference,
        low=difference - half, high=difference + half, confidence=confidence,
        p_value=tested.p_value, method="McNemar", rows=n,
    )  # fmt: skip


def paired_cost(
    cost_a,
    cost_b,
    *,
    confidence: float = 0.95,
    n_resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = 0,
) -> PairedDifference:
    """Mean per-row cost of B minus that of A (positive: A is cheaper), paired percentile
    bootstrap over rows; the p-value is None (the interval decides)."""
    a, b = np.asarray(cost_a, dtype=float), np.asarray(cost_b, dtype=float)
    if a.ndim != 1 or a.shape != b.shape or a.size == 0 or not np.all(np.isfinite(a + b)):
        raise ValueError(
            "cost_a and cost_b given to paired_cost must be two 1-D arrays of finite costs of "
            f"the same non-zero length. Got shapes {a.shape} and {b.shape} instead."
        )
    saved = b - a
    rng = np.random.default_rng(seed)
    means = np.empty(n_resamples)
    chunk = max(1, 2**20 // saved.size)
    for start in range(0, n_resamples, chunk):
        count = min(chunk, n_resamples - start)
        rows = rng.integers(0, saved.size, size=(count, saved.size))
        means[start : start + count] = saved[rows].mean(axis=1)
    tail = (1 - confidence) / 2
    low, high = np.quantile(means, [tail, 1 - tail])
    return PairedDifference(
        measure="decision_cost", a=float(a.mean()), b=float(b.mean()),
        difference=float(saved.mean()), low=float(low), high=float(high),
        confidence=confidence, p_value=None, method="paired bootstrap", rows=int(a.size),
    )  # fmt: skip


def equivalence_verdict(low: float, high: float, margin: float) -> str:
    """The verdict ("better", "equivalent", "worse" or "unclear") for an interval of A - B
    oriented so that positive favours A, against the equivalence margin."""
    if not (margin >= 0 and low <= high):
        raise ValueError(
            "equivalence_verdict needs low <= high and a margin >= 0. "
            f"Got low={low!r}, high={high!r}, margin={margin!r} instead."
        )
    if low > 0:
        return "better"
    if high < 0:
        return "worse"
    if -margin <= low and high <= margin:
        return "equivalent"
    return "unclear"


def _z(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1). Got {confidence!r} instead.")
    return float(stats.norm.ppf(0.5 + confidence / 2))
