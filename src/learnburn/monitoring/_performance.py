"""Performance of a binary classifier in one window: estimated from its calibrated probabilities
alone (confidence-based performance estimation, CBPE), and realised once labels arrive.

Estimated, for rows with calibrated probability ``p`` of the positive class and decisions ``d``:

- accuracy: the mean of ``q``, ``q = p`` where the decision is positive, else ``1 - p``
  (the chance each decision is right if the probabilities are calibrated);
- decision cost per row: the mean of ``p C[pos][d] + (1 - p) C[neg][d]`` (``C[true][decided]``);
- ROC AUC: the AUC expected when each row is positive with probability ``p`` (the Mann-Whitney
  count of pairs with each row weighted by ``p`` as a positive and ``1 - p`` as a negative, the
  rows ranked by their score), NannyML's CBPE idea; its spread from ``DRAWS`` label vectors
  drawn from ``p``.

Each interval is where the *realised* value would fall with probability ``confidence`` if the
probabilities are calibrated: for accuracy and cost the normal interval of a sum of independent
rows (exact means and variances), for AUC the normal interval of the draws' spread. A realised value
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

DRAWS = 100  # label vectors drawn for the spread of the estimated AUC
SPREAD_ROWS = 20_000  # ... on at most this many rows
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
    """The expected AUC of labels drawn from ``p``, rows ranked by ``scores``, and the normal
    interval of its spread over draws (measured on at most ``SPREAD_ROWS`` rows, scaled by the
    square root of the row count: an AUC's spread shrinks as 1 / sqrt(n))."""
    n = p.size
    if n < 4:
        return Estimate(None, None, None, n)
    ranks = stats.rankdata(scores)
    value = _expected_auc(ranks, p)
    if value is None:
        return Estimate(None, None, None, n)
    rng = np.random.default_rng(seed)
    take = rng.choice(n, SPREAD_ROWS, replace=False) if n > SPREAD_ROWS else np.arange(n)
    sub_ranks, sub_p = stats.rankdata(scores[take]), p[take]
    drawn = rng.random((DRAWS, take.size)) < sub_p
    positives = drawn.sum(axis=1).astype(float)
    negatives = take.size - positives
    with np.errstate(invalid="ignore", divide="ignore"):
        aucs = (drawn @ sub_ranks - positives * (positives + 1) / 2) / (positives * negatives)
    aucs = aucs[np.isfinite(aucs)]
    if aucs.size < 2:
        return Estimate(value, None, None, n)
    spread = float(np.std(aucs, ddof=1)) * math.sqrt(take.size / n)
    return _normal(value, spread, float(stats.norm.ppf(0.5 + confidence / 2)), n, (0.0, 1.0))


def _expected_auc(ranks: np.ndarray, p: np.ndarray) -> float | None:
    """The AUC expected when each row is positive with probability ``p``: the Mann-Whitney
    statistic with the positives and negatives weighted by ``p`` and ``1 - p``, each pair of
    distinct rows counted once (a row is never its own pair)."""
    positives, negatives = p.sum(), (1 - p).sum()
    pairs = positives * negatives - np.sum(p * (1 - p))
    if pairs <= 0:
        return None
    # sum over pairs (i positive, j negative, i != j) of [rank_i > rank_j] (+ 1/2 at a tie)
    # = sum_i p_i (rank_i - 1/2 - p... ) computed from the ranks: the weighted count of
    # negatives ranked below each row, less the row itself
    order = np.argsort(ranks, kind="stable")
    sorted_ranks, q = ranks[order], 1 - p[order]
    below = np.cumsum(q) - q  # negatives' weight strictly before in the order
    # ties: rows of equal rank share their block's weight half and half
    starts = np.searchsorted(sorted_ranks, sorted_ranks, side="left")
    ends = np.searchsorted(sorted_ranks, sorted_ranks, side="right")
    cumulative = np.concatenate(([0.0], np.cumsum(q)))
    tied = cumulative[ends] - cumulative[starts] - q  # other rows in the same tie block
    strictly_below = cumulative[starts]
    del below
    wins = np.sum(p[order] * (strictly_below + 0.5 * tied))
    return float(wins / pairs)
