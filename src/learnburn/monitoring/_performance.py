"""Performance of a binary classifier in one window: estimated from its calibrated probabilities
alone (confidence-based performance estimation, CBPE), and realised once labels arrive.

Estimated, for rows with calibrated probability ``p`` of the positive class and decisions ``d``:

- accuracy: the mean of ``q``, ``q = p`` where the decision is positive, else ``1 - p``
  (the chance each decision is right if the probabilities are calibrated);
- decision cost per row: the mean of ``p C[pos][d] + (1 - p) C[neg][d]`` (``C[true][decided]``);
- ROC AUC: the mean AUC over ``DRAWS`` label vectors drawn row by row from ``p``, the rows
  ranked by their score (NannyML's CBPE computes the expected ROC curve instead; the draws give
  the same centre and an interval too).

Each interval is where the *realised* value would fall with probability ``confidence`` if the
probabilities are calibrated: for accuracy and cost the normal interval of a sum of independent
rows (exact means and variances), for AUC the percentiles of the draws. A realised value
outside it says the probabilities no longer hold (concept change); an estimate that moves while
realised values follow it is covariate shift the model handles.

Realised, on the labelled rows: accuracy with Wilson's interval, cost per row with the normal
interval of a mean, AUC with DeLong's (``evaluation.auc_interval``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from learnburn._records import Record
from learnburn.evaluation import auc_interval

DRAWS = 100  # label vectors drawn for the estimated AUC
DRAW_CELLS = 4_000_000  # draws x rows held at once
METRICS = ("roc_auc", "accuracy", "cost")


@dataclass(frozen=True)
class Estimate(Record):
    """One metric in one window: its value and interval (None when it cannot be computed)."""

    value: float | None
    low: float | None
    high: float | None
    rows: int

    def to_dict(self) -> dict:
        return {"value": self.value, "low": self.low, "high": self.high, "rows": self.rows}

    @property
    def known(self) -> bool:
        return self.value is not None


NONE = Estimate(None, None, None, 0)


def estimate_performance(
    scores: np.ndarray,
    positive: np.ndarray,
    decided: np.ndarray,
    cost: np.ndarray,
    *,
    confidence: float = 0.95,
    seed: int = 0,
) -> dict[str, Estimate]:
    """CBPE: ``scores`` rank the rows (the model's raw score), ``positive`` is each row's
    calibrated probability of the positive class, ``decided`` whether its decision is the
    positive class, ``cost`` the 2 x 2 matrix ``C[true][decided]`` (negative first)."""
    p = np.clip(np.asarray(positive, dtype=float), 0.0, 1.0)
    decided = np.asarray(decided, dtype=bool)
    n = p.size
    if n == 0:
        return dict.fromkeys(METRICS, NONE)
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    right = np.where(decided, p, 1.0 - p)
    accuracy = _normal(right.mean(), math.sqrt(np.sum(right * (1 - right))) / n, z, n, (0, 1))
    c_pos = np.where(decided, cost[1, 1], cost[1, 0])
    c_neg = np.where(decided, cost[0, 1], cost[0, 0])
    mean = p * c_pos + (1 - p) * c_neg
    variance = p * c_pos**2 + (1 - p) * c_neg**2 - mean**2
    spread = math.sqrt(max(float(np.sum(variance)), 0.0)) / n
    expected_cost = _normal(mean.mean(), spread, z, n, (float(cost.min()), float(cost.max())))
    return {
        "roc_auc": _drawn_auc(np.asarray(scores, dtype=float), p, confidence, seed),
        "accuracy": accuracy,
        "cost": expected_cost,
    }


def realised_performance(
    scores: np.ndarray,
    labels: np.ndarray,
    decided: np.ndarray,
    cost: np.ndarray,
    *,
    confidence: float = 0.95,
) -> dict[str, Estimate]:
    """The metrics on labelled rows: ``labels`` True for the positive class."""
    labels = np.asarray(labels, dtype=bool)
    decided = np.asarray(decided, dtype=bool)
    n = labels.size
    if n == 0:
        return dict.fromkeys(METRICS, NONE)
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    right = int(np.sum(labels == decided))
    low, high = wilson(right, n, z)
    costs = cost[labels.astype(int), decided.astype(int)]
    spread = float(np.std(costs, ddof=1)) / math.sqrt(n) if n > 1 else 0.0
    auc = NONE
    if min(labels.sum(), (~labels).sum()) >= 2:
        interval = auc_interval(labels, np.asarray(scores, dtype=float), confidence=confidence)
        auc = Estimate(interval.estimate, interval.low, interval.high, n)
    return {
        "roc_auc": auc,
        "accuracy": Estimate(right / n, low, high, n),
        "cost": _normal(float(costs.mean()), spread, z, n, (float(cost.min()), float(cost.max()))),
    }


def wilson(successes: int, n: int, z: float) -> tuple[float, float]:
    """Wilson's score interval for a proportion."""
    share = successes / n
    centre = (share + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(share * (1 - share) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(centre - half, 0.0), min(centre + half, 1.0)


def _normal(value: float, se: float, z: float, n: int, bounds) -> Estimate:
    low, high = max(value - z * se, bounds[0]), min(value + z * se, bounds[1])
    return Estimate(float(value), float(low), float(high), n)


def _drawn_auc(scores: np.ndarray, p: np.ndarray, confidence: float, seed: int) -> Estimate:
    """The AUC of labels drawn from ``p``, rows ranked by ``scores``: mean and percentiles."""
    n = p.size
    if n < 4:
        return Estimate(None, None, None, n)
    ranks = stats.rankdata(scores)
    rng = np.random.default_rng(seed)
    per_call = max(1, DRAW_CELLS // n)
    aucs = []
    for start in range(0, DRAWS, per_call):
        drawn = rng.random((min(per_call, DRAWS - start), n)) < p
        positives = drawn.sum(axis=1).astype(float)
        negatives = n - positives
        rank_sums = drawn @ ranks
        with np.errstate(invalid="ignore", divide="ignore"):
            auc = (rank_sums - positives * (positives + 1) / 2) / (positives * negatives)
        aucs.append(auc[np.isfinite(auc)])
    values = np.concatenate(aucs)
    if values.size == 0:
        return Estimate(None, None, None, n)
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(values, [tail, 100 - tail])
    return Estimate(float(values.mean()), float(low), float(high), n)
