"""Corrected CV tests, Bayesian comparison, Holm and intervals: worked values of statistics.md."""

import math

import numpy as np
import pytest
from scipy import stats

from learnburn.evaluation import (
    bayesian_correlated_ttest,
    corrected_interval,
    corrected_ttest,
    holm,
    naive_ttest,
)

# statistics.md 1.2: r = 2 repeats of k = 5 folds on n = 100 rows, so n_train = 80, n_test = 20
D = [0.020, 0.010, 0.035, -0.005, 0.015, 0.025, 0.000, 0.030, 0.010, 0.020]
N_TRAIN, N_TEST = 80, 20


def test_corrected_ttest_reproduces_bouckaert_frank_worked_value():
    """The corrected t, df and two-sided p equal statistics.md 1.2."""
    result = corrected_ttest(D, N_TRAIN, N_TEST)
    assert result.statistic == pytest.approx(2.138090, abs=1e-6)
    assert result.df == 9
    assert result.p_value == pytest.approx(0.061211, abs=1e-6)
    assert result.alternative == "two-sided"
    assert result.mean == pytest.approx(0.016)
    assert result.std_error == pytest.approx(math.sqrt((1 / 10 + 20 / 80) * 1.6e-4))


def test_corrected_ttest_one_sided_p_values_point_the_right_way():
    """'greater' gives 0.030606 for a positive mean difference and 'less' its complement."""
    greater = corrected_ttest(D, N_TRAIN, N_TEST, alternative="greater")
    less = corrected_ttest(D, N_TRAIN, N_TEST, alternative="less")
    assert greater.p_value == pytest.approx(0.030606, abs=1e-6)
    assert less.p_value == pytest.approx(1 - 0.030606, abs=1e-6)


def test_naive_ttest_reproduces_worked_value_and_scipy():
    """The uncorrected t is 4.0 and equals scipy's one-sample t-test for each alternative."""
    for alternative in ("two-sided", "greater", "less"):
        result = naive_ttest(D, alternative=alternative)
        expected = stats.ttest_1samp(D, 0.0, alternative=alternative)
        assert result.statistic == pytest.approx(4.0)
        assert result.p_value == pytest.approx(expected.pvalue, rel=1e-9)
        assert result.std_error == pytest.approx(0.004)


@pytest.mark.parametrize("function", [corrected_ttest, naive_ttest])
def test_ttests_reject_unknown_alternative_naming_the_choices(function):
    """An unknown alternative raises ValueError listing the three choices."""
    args = (D, N_TRAIN, N_TEST) if function is corrected_ttest else (D,)
    with pytest.raises(ValueError, match=r"'two-sided', 'greater', 'less'.*'bigger'"):
        function(*args, alternative="bigger")


def test_corrected_ttest_needs_two_finite_differences():
    """One difference, or a NaN among them, raises ValueError."""
    with pytest.raises(ValueError, match="at least 2"):
        corrected_ttest([0.1], N_TRAIN, N_TEST)
    with pytest.raises(ValueError, match="finite"):
        corrected_ttest([0.1, math.nan, 0.2], N_TRAIN, N_TEST)


def test_corrected_ttest_rejects_non_positive_sizes():
    """n_train and n_test must be positive numbers of rows."""
    with pytest.raises(ValueError, match="'n_train'"):
        corrected_ttest(D, 0, N_TEST)
    with pytest.raises(ValueError, match="'n_test'"):
        corrected_ttest(D, N_TRAIN, -1)


def test_corrected_ttest_zero_differences_give_no_evidence():
    """All differences 0: statistic 0, p 1 two-sided and 0.5 one-sided."""
    zeros = [0.0] * 6
    assert corrected_ttest(zeros, N_TRAIN, N_TEST).statistic == 0
    assert corrected_ttest(zeros, N_TRAIN, N_TEST).p_value == 1
    assert corrected_ttest(zeros, N_TRAIN, N_TEST, alternative="greater").p_value == 0.5
    assert corrected_ttest(zeros, N_TRAIN, N_TEST, alternative="less").p_value == 0.5


def test_corrected_ttest_constant_nonzero_differences_are_certain():
    """All differences equal to 0.01: t = +inf, p 0 two-sided and 'greater', 1 for 'less'."""
    same = [0.01] * 6
    assert corrected_ttest(same, N_TRAIN, N_TEST).statistic == math.inf
    assert corrected_ttest(same, N_TRAIN, N_TEST).p_value == 0
    assert corrected_ttest(same, N_TRAIN, N_TEST, alternative="greater").p_value == 0
    assert corrected_ttest(same, N_TRAIN, N_TEST, alternative="less").p_value == 1
    assert corrected_ttest([-0.01] * 6, N_TRAIN, N_TEST).statistic == -math.inf


def test_bayesian_matches_baycomp_with_a_as_its_second_argument():
    """baycomp two_on_single(x=0, y=d, runs=2) gives (p_left, p_rope, p_right).

    baycomp's diff is y - x and p_left = P(y - x < -rope): the *first* argument x is better. With
    d = A - B passed as y (A = y, B = x = 0), p_left is P(A worse) and p_right is P(A better).
    """
    result = bayesian_correlated_ttest(D, N_TRAIN, N_TEST, rope=0.01)
    assert result.p_worse == pytest.approx(0.0035000, abs=1e-6)  # baycomp p_left
    assert result.p_equivalent == pytest.approx(0.2181659, abs=1e-6)  # baycomp p_rope
    assert result.p_better == pytest.approx(0.7783341, abs=1e-6)  # baycomp p_right
    assert result.mean == pytest.approx(0.016)
    assert result.scale**2 == pytest.approx(5.6e-5)
    assert result.df == 9
    assert result.rope == 0.01


def test_bayesian_with_zero_rope_reproduces_baycomp_and_has_no_equivalence():
    """rope = 0: (p_left, p_right) = (0.0306055, 0.9693945) and P(equivalent) = 0."""
    result = bayesian_correlated_ttest(D, N_TRAIN, N_TEST, rope=0)
    assert result.p_worse == pytest.approx(0.0306055, abs=1e-6)
    assert result.p_better == pytest.approx(0.9693945, abs=1e-6)
    assert result.p_equivalent == 0


def test_bayesian_for_losses_calls_a_lower_difference_better():
    """With greater_is_better=False, a positive difference A - B makes A worse."""
    gain = bayesian_correlated_ttest(D, N_TRAIN, N_TEST, rope=0.01)
    loss = bayesian_correlated_ttest(D, N_TRAIN, N_TEST, rope=0.01, greater_is_better=False)
    assert loss.p_better == gain.p_worse
    assert loss.p_worse == gain.p_better
    assert loss.p_equivalent == gain.p_equivalent


def test_bayesian_credible_interval_is_the_95_percent_corrected_interval():
    """The credible interval equals the 95% corrected t interval of the differences."""
    result = bayesian_correlated_ttest(D, N_TRAIN, N_TEST, rope=0.01)
    expected = corrected_interval(D, N_TRAIN, N_TEST)
    assert result.credible_interval == pytest.approx(expected)
    low, high = stats.t.interval(0.95, 9, loc=0.016, scale=math.sqrt(5.6e-5))
    assert result.credible_interval == pytest.approx((low, high))


def test_bayesian_zero_variance_puts_all_mass_at_the_mean():
    """Constant differences: probability 1 on the region holding the mean, 0 elsewhere."""
    inside = bayesian_correlated_ttest([0.005] * 5, N_TRAIN, N_TEST, rope=0.01)
    above = bayesian_correlated_ttest([0.02] * 5, N_TRAIN, N_TEST, rope=0.01)
    below = bayesian_correlated_ttest([-0.02] * 5, N_TRAIN, N_TEST, rope=0.01)
    assert (inside.p_better, inside.p_equivalent, inside.p_worse) == (0, 1, 0)
    assert (above.p_better, above.p_equivalent, above.p_worse) == (1, 0, 0)
    assert (below.p_better, below.p_equivalent, below.p_worse) == (0, 0, 1)
    assert above.scale == 0
    assert above.credible_interval == (0.02, 0.02)


def test_bayesian_zero_variance_at_zero_with_zero_rope_splits_evenly():
    """All differences 0 and rope 0: better and worse 0.5 each, like the one-sided t p-value."""
    result = bayesian_correlated_ttest([0.0] * 5, N_TRAIN, N_TEST, rope=0)
    assert (result.p_better, result.p_equivalent, result.p_worse) == (0.5, 0, 0.5)


@pytest.mark.parametrize("rope", [-0.01, math.nan, "0.01"])
def test_bayesian_rejects_invalid_rope(rope):
    """A negative, NaN or non-numeric rope raises ValueError."""
    with pytest.raises(ValueError, match="'rope'"):
        bayesian_correlated_ttest(D, N_TRAIN, N_TEST, rope=rope)


def test_holm_reproduces_worked_value():
    """[0.01, 0.04, 0.03, 0.005] adjusts to [0.03, 0.06, 0.06, 0.02] (statistics.md 1.6)."""
    adjusted = holm([0.01, 0.04, 0.03, 0.005])
    np.testing.assert_allclose(adjusted, [0.03, 0.06, 0.06, 0.02], atol=1e-12)


def test_holm_keeps_nan_and_leaves_it_out_of_the_count():
    """A NaN stays NaN in place, and the other p-values are adjusted as if it were absent."""
    adjusted = holm([0.01, math.nan, 0.04, 0.03, 0.005])
    assert math.isnan(adjusted[1])
    np.testing.assert_allclose(adjusted[[0, 2, 3, 4]], [0.03, 0.06, 0.06, 0.02], atol=1e-12)


def test_holm_caps_at_one_and_accepts_empty_input():
    """Adjusted p-values never exceed 1; no p-values give an empty array."""
    np.testing.assert_array_equal(holm([0.6, 0.7, 0.9]), [1.0, 1.0, 1.0])
    assert holm([]).shape == (0,)


def test_holm_rejects_values_outside_unit_interval():
    """A p-value above 1 raises ValueError."""
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        holm([0.2, 1.5])


def test_corrected_interval_uses_corrected_standard_error():
    """The interval is mean ± t_{0.975, J-1} · sqrt((1/J + n_test/n_train) · var)."""
    low, high = corrected_interval(D, N_TRAIN, N_TEST, confidence=0.9)
    half = stats.t.ppf(0.95, 9) * math.sqrt((1 / 10 + 20 / 80) * 1.6e-4)
    assert (low, high) == pytest.approx((0.016 - half, 0.016 + half))


def test_corrected_interval_rejects_confidence_outside_unit_interval():
    """confidence must lie strictly between 0 and 1."""
    with pytest.raises(ValueError, match="'confidence'"):
        corrected_interval(D, N_TRAIN, N_TEST, confidence=95)
