"""Paired comparisons of two fitted models on the same rows, against worked values
(reference/statistics.md 1.4 and 1.7) and scipy's paired bootstrap."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from learnburn.evaluation import equivalence_verdict, paired_accuracy, paired_auc, paired_cost

Y = [1, 1, 1, 1, 0, 0, 0, 0, 0, 1]
S_A = [0.9, 0.8, 0.35, 0.6, 0.3, 0.2, 0.7, 0.1, 0.4, 0.55]
S_B = [0.7, 0.9, 0.5, 0.4, 0.35, 0.1, 0.6, 0.2, 0.45, 0.3]


def _table(both: int, b: int, c: int, neither: int) -> tuple[np.ndarray, np.ndarray]:
    a = np.array([True] * both + [True] * b + [False] * c + [False] * neither)
    other = np.array([True] * both + [False] * b + [True] * c + [False] * neither)
    return a, other


def test_paired_auc_matches_the_delong_worked_values():
    """AUCs 0.84 / 0.76, var of the difference 0.0192 + 0.0272 - 2·0.0168, p = 0.4795."""
    found = paired_auc(Y, S_A, S_B)
    half = 1.959964 * math.sqrt(0.0192 + 0.0272 - 2 * 0.0168)
    assert (found.a, found.b) == pytest.approx((0.84, 0.76))
    assert found.difference == pytest.approx(0.08)
    assert (found.low, found.high) == pytest.approx((0.08 - half, 0.08 + half), abs=1e-6)
    assert found.p_value == pytest.approx(0.479500, abs=1e-6)


def test_paired_accuracy_matches_mcnemar_and_the_paired_wald_interval():
    """Table [[101, 121], [59, 33]]: difference 62/314, McNemar corrected p = 5.4501e-06,
    se = sqrt(180 - 62²/314) / 314."""
    a, b = _table(101, 121, 59, 33)
    found = paired_accuracy(a, b)
    se = math.sqrt(180 - 62**2 / 314) / 314
    assert found.difference == pytest.approx(62 / 314)
    assert (found.low, found.high) == pytest.approx(
        (62 / 314 - 1.959964 * se, 62 / 314 + 1.959964 * se), abs=1e-6
    )
    assert found.p_value == pytest.approx(5.4500948e-06, rel=1e-6)
    assert (found.a, found.b) == pytest.approx((222 / 314, 160 / 314))


def test_paired_cost_is_scipys_paired_percentile_bootstrap():
    """The same seed gives scipy.stats.bootstrap(paired=True, method="percentile")'s interval."""
    rng = np.random.default_rng(1)
    cost_a = rng.exponential(1.0, 50)
    cost_b = cost_a + rng.normal(0.2, 0.5, 50)
    found = paired_cost(cost_a, cost_b, n_resamples=999, seed=5)
    expected = stats.bootstrap(
        (cost_a, cost_b), lambda p, q, axis=-1: (q - p).mean(axis=axis), paired=True,
        vectorized=True, method="percentile", n_resamples=999, rng=np.random.default_rng(5),
    ).confidence_interval  # fmt: skip
    assert (found.low, found.high) == pytest.approx((expected.low, expected.high), rel=1e-12)
    assert found.difference == pytest.approx(float(np.mean(cost_b - cost_a)))


def test_paired_cost_of_identical_costs_is_zero_with_a_zero_interval():
    """The same costs for both models: difference 0, interval [0, 0]."""
    costs = np.array([0.0, 1.0, 5.0, 1.0])
    found = paired_cost(costs, costs)
    assert (found.difference, found.low, found.high) == (0.0, 0.0, 0.0)


@pytest.mark.parametrize(
    ("low", "high", "verdict"),
    [
        (0.001, 0.05, "better"),
        (-0.05, -0.001, "worse"),
        (-0.009, 0.009, "equivalent"),
        (-0.02, 0.009, "unclear"),
    ],
)
def test_equivalence_verdict_reads_the_interval_against_the_margin(low, high, verdict):
    """Above 0: better; below 0: worse; within ±margin: equivalent; else unclear."""
    assert equivalence_verdict(low, high, 0.01) == verdict
