"""The registry's metrics as functions of row weights, many weightings at once.

A bootstrap resample is a vector of counts (how often each row was drawn); a jackknife sample is
a vector of ones with zeros on the rows left out. Either way, the metric of the resample is the
metric with those row weights. ``weighted_metric(name, y, proba, classes)`` returns a
``WeightedMetric``: ``of_weights(W)`` maps a (k, n) weight matrix to the k metric values and
``of_rows(I)`` a (k, n) matrix of drawn row positions to the k metric values of the resamples.
After one O(n log n) sort per class, each costs O(k n) time and memory: a bootstrap never loops
in Python per resample, and never holds more than one chunk of resamples.

With unit weights each equals the registry's metric (``_metrics``), scikit-learn's conventions
included: tied scores share half the credit in ROC AUC, average precision steps at distinct
scores, balanced accuracy averages the classes present, F1 counts 0 where it is 0/0.
Undefined values (ROC AUC of a resample holding one class) are NaN.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

WeightsFunction = Callable[[np.ndarray], np.ndarray]
MEAN_METRICS = ("log_loss", "brier", "accuracy")  # the mean of a per-row value


@dataclass(frozen=True)
class WeightedMetric:
    """A metric as a function of row weights; ``per_row`` is set for a mean of row values."""

    of_weights: WeightsFunction
    per_row: np.ndarray | None = None

    def of_rows(self, rows: np.ndarray) -> np.ndarray:
        """The metric of each resample, given a (k, n) matrix of drawn row positions."""
        if self.per_row is not None:
            return self.per_row[rows].mean(axis=1)
        k, n = rows.shape
        offsets = (np.arange(k) * n)[:, np.newaxis]
        counts = np.bincount((rows + offsets).ravel(), minlength=k * n).reshape(k, n)
        return self.of_weights(counts.astype(float))


def weighted_metric(name: str, y, proba, classes) -> WeightedMetric:
    """The registry metric ``name`` of (``y``, ``proba``) as a function of row weights."""
    labels = np.asarray(classes)
    p = np.asarray(proba, dtype=float)
    codes = _codes(np.asarray(y), labels)
    truth = np.eye(len(labels), dtype=bool)[codes]  # one-hot, n x K
    if name in MEAN_METRICS:
        values = _row_values(name, codes, truth, p)
        return WeightedMetric(lambda w: (w @ values) / w.sum(axis=1), per_row=values)
    if name == "balanced_accuracy":
        return WeightedMetric(_balanced_accuracy(truth, _correct(codes, p)))
    if name == "f1":
        return WeightedMetric(_f1(truth, np.eye(len(labels), dtype=bool)[np.argmax(p, axis=1)]))
    if name in ("roc_auc", "average_precision"):
        binary = _binary_auc if name == "roc_auc" else _binary_average_precision
        columns = [1] if len(labels) == 2 else range(len(labels))
        parts = [binary(truth[:, c], p[:, c]) for c in columns]
        return WeightedMetric(lambda w: np.mean([part(w) for part in parts], axis=0))
    raise KeyError(name)


def _codes(y: np.ndarray, labels: np.ndarray) -> np.ndarray:
    codes = np.full(y.shape[0], -1)
    for index, label in enumerate(labels):
        codes[y == label] = index
    if np.any(codes < 0):
        raise ValueError("y holds labels that are not among the classes")
    return codes


def _correct(codes: np.ndarray, p: np.ndarray) -> np.ndarray:
    return np.argmax(p, axis=1) == codes


def _row_values(name: str, codes: np.ndarray, truth: np.ndarray, p: np.ndarray) -> np.ndarray:
    if name == "accuracy":
        return _correct(codes, p).astype(float)
    if name == "log_loss":  # scikit-learn clips to [eps, 1 - eps]
        eps = np.finfo(float).eps
        return -np.log(np.clip(p[np.arange(codes.size), codes], eps, 1 - eps))
    if p.shape[1] == 2:  # binary Brier: the positive class only
        return (truth[:, 1] - p[:, 1]) ** 2
    return np.sum((p - truth) ** 2, axis=1)


def _balanced_accuracy(truth: np.ndarray, correct: np.ndarray) -> WeightsFunction:
    hits = (truth & correct[:, np.newaxis]).astype(float)
    present = truth.astype(float)

    def of_weights(w: np.ndarray) -> np.ndarray:
        total = w @ present
        with np.errstate(invalid="ignore", divide="ignore"):
            recall = (w @ hits) / total
        return np.nanmean(np.where(total > 0, recall, np.nan), axis=1)

    return of_weights


def _f1(truth: np.ndarray, predicted: np.ndarray) -> WeightsFunction:
    binary = truth.shape[1] == 2
    columns = slice(1, 2) if binary else slice(None)
    t, q = truth[:, columns], predicted[:, columns]
    tp, fp, fn = (t & q).astype(float), (~t & q).astype(float), (t & ~q).astype(float)

    def of_weights(w: np.ndarray) -> np.ndarray:
        a, b, c = w @ tp, w @ fp, w @ fn
        denominator = 2 * a + b + c
        f1 = np.divide(2 * a, denominator, out=np.zeros_like(a), where=denominator > 0)
        return f1.mean(axis=1)

    return of_weights


@dataclass(frozen=True)
class _Ranking:
    """Rows in score order, whether each is positive, and where each run of tied scores starts
    (None when no two scores tie)."""

    order: np.ndarray
    positive: np.ndarray
    starts: np.ndarray | None

    @classmethod
    def of(cls, positive: np.ndarray, scores: np.ndarray, descending: bool) -> _Ranking:
        order = np.argsort(-scores if descending else scores, kind="stable")
        ranked = scores[order]
        starts = np.flatnonzero(np.r_[True, ranked[1:] != ranked[:-1]])
        ties = None if starts.size == scores.size else starts
        return cls(order, positive[order].astype(float), ties)

    def grouped(self, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Positive and negative weight of each run of tied scores, in order: two (k, g)."""
        ranked = w[:, self.order]
        pos = ranked * self.positive
        if self.starts is None:
            return pos, ranked - pos
        pos = np.add.reduceat(pos, self.starts, axis=1)
        return pos, np.add.reduceat(ranked, self.starts, axis=1) - pos


def _binary_auc(positive: np.ndarray, scores: np.ndarray) -> WeightsFunction:
    """Weighted Mann-Whitney: P(score of a positive > a negative's), ties counting half."""
    ranking = _Ranking.of(positive, scores, descending=False)

    def of_weights(w: np.ndarray) -> np.ndarray:
        pos, neg = ranking.grouped(w)
        below = np.cumsum(neg, axis=1) - neg
        pairs = pos.sum(axis=1) * neg.sum(axis=1)
        wins = np.sum(pos * (below + 0.5 * neg), axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(pairs > 0, wins / pairs, np.nan)

    return of_weights


def _binary_average_precision(positive: np.ndarray, scores: np.ndarray) -> WeightsFunction:
    """Sum over distinct thresholds, highest first, of (recall step) x precision there."""
    ranking = _Ranking.of(positive, scores, descending=True)

    def of_weights(w: np.ndarray) -> np.ndarray:
        pos, neg = ranking.grouped(w)
        tp, fp = np.cumsum(pos, axis=1), np.cumsum(neg, axis=1)
        precision = np.divide(tp, tp + fp, out=np.zeros_like(tp), where=(tp + fp) > 0)
        total = tp[:, -1]
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(total > 0, np.sum(pos * precision, axis=1) / total, np.nan)

    return of_weights
