"""Estimated and realised performance against worked values and simulation."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from learnburn.monitoring import estimate_performance, realised_performance
from learnburn.monitoring._performance import _expected_auc, wilson

COST = np.array([[0.0, 1.0], [5.0, 0.0]])


def test_expected_auc_is_the_mean_auc_of_labels_drawn_from_the_probabilities():
    rng = np.random.default_rng(3)
    n = 300
    scores = np.round(rng.random(n), 2)  # ties included
    p = np.clip(scores + rng.normal(0, 0.15, n), 0.02, 0.98)
    ranks = stats.rankdata(scores)
    draws = rng.random((20_000, n)) < p
    positives = draws.sum(axis=1)
    aucs = (draws @ ranks - positives * (positives + 1) / 2) / (positives * (n - positives))
    assert _expected_auc(ranks, p) == pytest.approx(aucs.mean(), abs=0.002)


def test_wilson_interval_matches_the_worked_value():
    """8 of 10 at 95%: [0.490, 0.943] (Wilson 1927; Newcombe 1998, table I)."""
    low, high = wilson(8, 10, 1.959964)
    assert (low, high) == pytest.approx((0.4902, 0.9433), abs=1e-4)


def test_estimated_accuracy_and_cost_follow_the_probabilities():
    """Each decision is right with the probability the model gives it; its expected cost
    weighs the cost matrix by the same probabilities."""
    p = np.array([0.9, 0.2, 0.6])
    decided = np.array([True, False, False])
    estimate = estimate_performance(p, p, decided, COST)
    assert estimate["accuracy"].value == pytest.approx((0.9 + 0.8 + 0.4) / 3)
    assert estimate["cost"].value == pytest.approx((0.1 * 1 + 0.2 * 5 + 0.6 * 5) / 3)


def test_realised_cost_is_the_mean_cost_of_the_outcomes():
    labels = np.array([True, True, False, False])
    decided = np.array([True, False, True, False])
    realised = realised_performance(np.array([0.9, 0.3, 0.6, 0.1]), labels, decided, COST)
    assert realised["cost"].value == pytest.approx((0 + 5 + 1 + 0) / 4)
    assert realised["accuracy"].value == 0.5
    assert realised["roc_auc"].value == pytest.approx(0.75)  # 3 of 4 pairs ranked right
