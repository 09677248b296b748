"""Properties of the comparison statistics over seeded random inputs (hypothesis is not used)."""

import math

import numpy as np
import pytest
from scipy import stats
from sklearn.metrics import roc_auc_score

from learnburn.evaluation import (
    bayesian_correlated_ttest,
    corrected_interval,
    corrected_ttest,
    delong_test,
    holm,
    mcnemar,
    naive_ttest,
)

CASES = 200


def _cv_cases(seed: int = 0):
    """Random per-fold differences of r x k CV with the matching n_train, n_test and a rope."""
    rng = np.random.default_rng(seed)
    for _ in range(CASES):
        k, r = int(rng.integers(2, 11)), int(rng.integers(1, 6))
        n_rows = int(rng.integers(50, 2000))
        n_test = n_rows / k
        scale = 10 ** rng.uniform(-3, -1)
        d = rng.normal(rng.normal(0, scale), scale, size=k * r)
        yield d, n_rows - n_test, n_test, float(rng.choice([0.0, 0.001, 0.01, 0.05]))


def test_swapping_a_and_b_swaps_better_and_worse():
    """Negating the differences exchanges p_better and p_worse and keeps p_equivalent."""
    for d, n_train, n_test, rope in _cv_cases(1):
        ab = bayesian_correlated_ttest(d, n_train, n_test, rope=rope)
        ba = bayesian_correlated_ttest(-d, n_train, n_test, rope=rope)
        assert ba.p_better == pytest.approx(ab.p_worse, abs=1e-12)
        assert ba.p_worse == pytest.approx(ab.p_better, abs=1e-12)
        assert ba.p_equivalent == pytest.approx(ab.p_equivalent, abs=1e-12)


def test_zero_rope_posterior_tails_are_the_one_sided_corrected_p_values():
    """rope = 0: P(A worse) is the 'greater' p-value and P(A better) the 'less' p-value."""
    for d, n_train, n_test, _ in _cv_cases(2):
        posterior = bayesian_correlated_ttest(d, n_train, n_test, rope=0)
        greater = corrected_ttest(d, n_train, n_test, alternative="greater")
        less = corrected_ttest(d, n_train, n_test, alternative="less")
        assert posterior.p_worse == pytest.approx(greater.p_value, abs=1e-12)
        assert posterior.p_better == pytest.approx(less.p_value, abs=1e-12)


def test_posterior_probabilities_are_a_distribution():
    """The three probabilities lie in [0, 1] and sum to 1, for gains and for losses."""
    for d, n_train, n_test, rope in _cv_cases(3):
        for greater_is_better in (True, False):
            result = bayesian_correlated_ttest(
                d, n_train, n_test, rope=rope, greater_is_better=greater_is_better
            )
            probabilities = (result.p_better, result.p_equivalent, result.p_worse)
            assert all(0 <= p <= 1 for p in probabilities)
            assert sum(probabilities) == pytest.approx(1, abs=1e-12)
            low, high = result.credible_interval
            assert low <= result.mean <= high


def test_equivalence_grows_with_the_rope():
    """A wider ROPE never lowers P(equivalent)."""
    for d, n_train, n_test, _ in _cv_cases(4):
        ropes = [0, 0.001, 0.01, 0.1]
        values = [bayesian_correlated_ttest(d, n_train, n_test, rope=r).p_equivalent for r in ropes]
        assert values == sorted(values)


def test_ttest_p_values_lie_in_unit_interval_and_two_sided_doubles_the_smaller_tail():
    """Every p-value is in [0, 1]; two-sided = 2 · min(greater, less); naive equals scipy."""
    for d, n_train, n_test, _ in _cv_cases(5):
        p = {
            a: corrected_ttest(d, n_train, n_test, alternative=a).p_value
            for a in ("two-sided", "greater", "less")
        }
        assert all(0 <= value <= 1 for value in p.values())
        assert p["two-sided"] == pytest.approx(min(1, 2 * min(p["greater"], p["less"])))
        assert p["greater"] + p["less"] == pytest.approx(1)
        assert naive_ttest(d).p_value == pytest.approx(stats.ttest_1samp(d, 0).pvalue, rel=1e-9)


def test_corrected_ttest_is_more_conservative_than_naive():
    """The correction enlarges the standard error, so the two-sided p-value never shrinks."""
    for d, n_train, n_test, _ in _cv_cases(6):
        corrected = corrected_ttest(d, n_train, n_test)
        naive = naive_ttest(d)
        assert corrected.std_error > naive.std_error
        assert corrected.p_value >= naive.p_value


def test_corrected_interval_contains_and_is_wider_than_the_naive_interval():
    """The corrected interval strictly contains the naive Student-t interval of the mean."""
    for d, n_train, n_test, _ in _cv_cases(7):
        scores = 0.8 + d
        low, high = corrected_interval(scores, n_train, n_test)
        n = scores.size
        naive = stats.t.interval(0.95, n - 1, loc=scores.mean(), scale=stats.sem(scores))
        assert low < naive[0] and naive[1] < high


def test_holm_adjusted_values_are_bounded_and_monotone():
    """Adjusted >= raw, <= 1, and non-decreasing in the order of the raw p-values."""
    rng = np.random.default_rng(8)
    for _ in range(CASES):
        m = int(rng.integers(1, 20))
        p = rng.uniform(0, 1, m) ** rng.uniform(1, 6)
        adjusted = holm(p)
        assert np.all(adjusted >= p) and np.all(adjusted <= 1)
        order = np.argsort(p, kind="stable")
        assert np.all(np.diff(adjusted[order]) >= 0)
        # Holm never adjusts more than Bonferroni
        assert np.all(adjusted <= np.minimum(1, m * p) + 1e-15)


def _delong_brute_force(y, a, b):
    """pROC's delong.paired.test written out with the O(m n) kernel ψ."""
    y = np.asarray(y, dtype=bool)
    placements = []
    aucs = []
    for s in (a, b):
        psi = (s[y][:, None] > s[~y][None, :]) + 0.5 * (s[y][:, None] == s[~y][None, :])
        aucs.append(psi.mean())
        placements.append((psi.mean(axis=1), psi.mean(axis=0)))
    s10 = np.cov(np.vstack([placements[0][0], placements[1][0]]))
    s01 = np.cov(np.vstack([placements[0][1], placements[1][1]]))
    cov = s10 / y.sum() + s01 / (~y).sum()
    var_diff = cov[0, 0] + cov[1, 1] - 2 * cov[0, 1]
    if var_diff < 1e-15:  # e.g. both models separate the classes perfectly
        return aucs, cov, 0.0 if aucs[0] == aucs[1] else math.copysign(math.inf, aucs[0] - aucs[1])
    return aucs, cov, (aucs[0] - aucs[1]) / math.sqrt(var_diff)


def test_delong_midranks_equal_the_pairwise_kernel_with_ties():
    """The O(n log n) midrank result equals the O(m n) pROC formula, ties included."""
    rng = np.random.default_rng(9)
    for _ in range(100):
        n = int(rng.integers(6, 60))
        y = np.arange(n) % 2 == 0
        rng.shuffle(y)
        a = np.round(rng.random(n) + 0.5 * y, 1)  # rounding creates ties
        b = np.round(rng.random(n) + 0.3 * y, 1)
        result = delong_test(y, a, b)
        aucs, cov, z = _delong_brute_force(y, a, b)
        assert result.auc_a == pytest.approx(roc_auc_score(y, a), abs=1e-12)
        assert (result.auc_a, result.auc_b) == pytest.approx(tuple(aucs), abs=1e-12)
        assert (result.var_a, result.var_b, result.covariance) == pytest.approx(
            (cov[0, 0], cov[1, 1], cov[0, 1]), abs=1e-12
        )
        assert result.statistic == pytest.approx(z, rel=1e-9)
        assert 0 <= result.p_value <= 1


def test_mcnemar_swapping_a_and_b_swaps_counts_and_keeps_p():
    """Exchanging the classifiers exchanges b and c; every p-value stays the same and in [0, 1]."""
    rng = np.random.default_rng(10)
    for _ in range(CASES):
        n = int(rng.integers(1, 120))
        a, b = rng.random(n) < rng.random(), rng.random(n) < rng.random()
        for exact in (None, True, False):
            ab, ba = mcnemar(a, b, exact=exact), mcnemar(b, a, exact=exact)
            assert (ab.b, ab.c) == (ba.c, ba.b)
            assert ab.p_value == pytest.approx(ba.p_value)
            assert 0 <= ab.p_value <= 1
