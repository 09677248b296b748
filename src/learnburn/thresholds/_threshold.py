"""Decisions: the cost-minimising threshold of a binary decision, and the least-cost rule.

``choose_threshold`` is exact: it sorts the scores once and evaluates every distinct cut with
cumulative sums, O(n log n). A cut is an interval of thresholds that give the same decisions;
the threshold returned is the midpoint between adjacent distinct scores, 1 (or just above 1) when
nothing is decided positive, and 0 when everything is. Among cuts of equal cost, the one closest
to the Bayes threshold wins: that is the decision a calibrated model would make.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from learnburn.thresholds._costs import as_cost, bayes_threshold
from learnburn.thresholds._rows import check_classes, check_length, check_proba, check_scores


def choose_threshold(y, proba_positive, cost, *, positive) -> float:
    """The threshold t (decide positive when p >= t) with the least mean realised cost on these
    rows; ties go to the cut closest to the Bayes threshold (clipped to [0, 1]; 0.5 if none)."""
    c = as_cost(cost, 2)
    scores = check_scores(proba_positive)
    y = np.asarray(y)
    check_length(len(y), proba_positive=scores)
    if len(y) == 0:
        raise ValueError("choose_threshold needs at least one row, got none.")
    order = np.argsort(-scores, kind="stable")
    values, is_positive = scores[order], (y == positive)[order]
    distinct, totals = _cut_costs(values, is_positive, c)
    thresholds, lower, upper = _cut_intervals(distinct)
    bayes = bayes_threshold(c)
    reference = 0.5 if bayes is None else min(max(bayes, 0.0), 1.0)
    tolerance = 1e-12 * len(y) * max(float(np.abs(c).max()), 1.0)
    tied = np.flatnonzero(totals <= totals.min() + tolerance)
    distance = np.maximum(0.0, np.maximum(lower[tied] - reference, reference - upper[tied]))
    best = tied[np.lexsort((np.abs(thresholds[tied] - reference), distance))[0]]
    return float(thresholds[best])


def decide(proba, cost, classes: Sequence, *, threshold: float | None = None) -> np.ndarray:
    """The decided label of each row: with a ``threshold`` (binary only) ``classes[1]`` when
    p1 >= threshold; otherwise the least expected cost, argmin_j sum_i p_i * cost[i, j]."""
    classes = check_classes(classes)
    proba = check_proba(proba, len(classes))
    c = as_cost(cost, len(classes))
    labels = np.asarray(classes)
    if threshold is None:
        return labels[least_cost(proba, c)]
    if len(classes) != 2:
        raise ValueError(
            f"A threshold applies to binary decisions only, got {len(classes)} classes."
        )
    return labels[(proba[:, 1] >= threshold).astype(np.intp)]


def least_cost(proba: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """The position of the least expected-cost decision for each row (first one on ties)."""
    return np.argmin(proba @ cost, axis=1)


def _cut_costs(values: np.ndarray, is_positive: np.ndarray, c: np.ndarray):
    """Distinct scores (descending) and the total cost of each cut: cut g decides the rows of
    the first g distinct scores positive."""
    ends = np.flatnonzero(np.r_[values[1:] != values[:-1], True]) + 1
    decided = np.r_[0, ends]
    tp = np.r_[0, np.cumsum(is_positive)][decided]
    fp = decided - tp
    fn = tp[-1] - tp
    tn = fp[-1] - fp
    totals = tn * c[0, 0] + fp * c[0, 1] + fn * c[1, 0] + tp * c[1, 1]
    return values[ends - 1], totals


def _cut_intervals(distinct: np.ndarray):
    """The threshold of each cut and the interval (lower, upper] of thresholds it stands for."""
    upper = np.r_[np.inf, distinct]
    lower = np.r_[distinct, -np.inf]
    middle = lower[1:-1] + (upper[1:-1] - lower[1:-1]) / 2
    middle = np.where((middle > lower[1:-1]) & (middle <= upper[1:-1]), middle, upper[1:-1])
    top = 1.0 if distinct[0] < 1.0 else float(np.nextafter(1.0, 2.0))
    return np.r_[top, middle, 0.0], lower, upper
