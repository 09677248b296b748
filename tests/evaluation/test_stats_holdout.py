"""McNemar, DeLong and the test-row bootstrap: worked values of statistics.md and behaviour."""

import math

import numpy as np
import pytest
from scipy import stats

from learnburn.evaluation import (
    auc_variance,
    bootstrap_metric,
    delong_test,
    mcnemar,
    mcnemar_from_table,
)

TABLE = [[101, 121], [59, 33]]  # statistics.md 1.4 (mlxtend's test): b = 121, c = 59

# statistics.md 1.7
Y = [1, 1, 1, 1, 0, 0, 0, 0, 0, 1]
S_A = [0.9, 0.8, 0.35, 0.6, 0.3, 0.2, 0.7, 0.1, 0.4, 0.55]
S_B = [0.7, 0.9, 0.5, 0.4, 0.35, 0.1, 0.6, 0.2, 0.45, 0.3]


def test_mcnemar_reproduces_the_three_worked_variants():
    """Corrected, uncorrected and exact results equal statistics.md 1.4."""
    corrected = mcnemar_from_table(TABLE)
    uncorrected = mcnemar_from_table(TABLE, correction=False)
    exact = mcnemar_from_table(TABLE, exact=True)
    assert (corrected.b, corrected.c) == (121, 59)
    assert corrected.method == "chi2-corrected"
    assert corrected.statistic == pytest.approx(20.672222, abs=1e-6)
    assert corrected.p_value == pytest.approx(5.4500948e-06, rel=1e-6)
    assert uncorrected.method == "chi2"
    assert uncorrected.statistic == pytest.approx(21.355556, abs=1e-6)
    assert uncorrected.p_value == pytest.approx(3.8151359e-06, rel=1e-6)
    assert exact.method == "exact"
    assert exact.statistic is None
    assert exact.p_value == pytest.approx(4.4344493e-06, rel=1e-6)
    assert exact.p_value == pytest.approx(stats.binomtest(59, 180).pvalue, rel=1e-9)


def test_mcnemar_from_arrays_counts_discordant_rows_like_the_table():
    """Per-row correctness arrays built from the table give the table's b, c and p-value."""
    counts = {(True, True): 101, (True, False): 121, (False, True): 59, (False, False): 33}
    pairs = [pair for pair, count in counts.items() for _ in range(count)]
    correct_a, correct_b = np.array(pairs).T
    assert mcnemar(correct_a, correct_b) == mcnemar_from_table(TABLE)


def test_mcnemar_chooses_exact_below_25_discordant_rows():
    """exact=None uses the exact test when b + c < 25 and chi-square from 25 on."""
    assert mcnemar_from_table([[50, 14], [10, 50]]).method == "exact"
    assert mcnemar_from_table([[50, 15], [10, 50]]).method == "chi2-corrected"
    assert mcnemar_from_table([[50, 15], [10, 50]], correction=False).method == "chi2"


def test_mcnemar_without_discordant_rows_has_p_one():
    """b + c = 0 gives p = 1 for every method."""
    for exact in (None, True, False):
        assert mcnemar_from_table([[10, 0], [0, 5]], exact=exact).p_value == 1


def test_mcnemar_correction_is_skipped_when_b_equals_c():
    """With b = c the corrected statistic is 0 rather than 1 / (b + c)."""
    result = mcnemar_from_table([[0, 20], [20, 0]], exact=False)
    assert result.statistic == 0
    assert result.p_value == 1


def test_mcnemar_rejects_bad_inputs():
    """Arrays of different lengths, non-boolean values and a non-2x2 table raise ValueError."""
    with pytest.raises(ValueError, match="same length"):
        mcnemar([True, False], [True])
    with pytest.raises(ValueError, match="booleans"):
        mcnemar([0, 2], [1, 0])
    with pytest.raises(ValueError, match="2x2"):
        mcnemar_from_table([[1, 2, 3], [4, 5, 6]])


def test_delong_reproduces_worked_value():
    """AUCs, variances, covariance, z and p equal statistics.md 1.7."""
    result = delong_test(Y, S_A, S_B)
    assert result.auc_a == pytest.approx(0.84, abs=1e-6)
    assert result.auc_b == pytest.approx(0.76, abs=1e-6)
    assert result.var_a == pytest.approx(0.0192, abs=1e-6)
    assert result.var_b == pytest.approx(0.0272, abs=1e-6)
    assert result.covariance == pytest.approx(0.0168, abs=1e-6)
    assert result.statistic == pytest.approx(0.707107, abs=1e-6)
    assert result.p_value == pytest.approx(0.479500, abs=1e-6)


def test_auc_variance_is_the_single_model_delong_variance():
    """auc_variance returns (0.84, 0.0192) for model A of the worked value."""
    auc, variance = auc_variance(Y, S_A)
    assert auc == pytest.approx(0.84)
    assert variance == pytest.approx(0.0192)


def test_delong_accepts_boolean_labels():
    """Boolean y_true gives the same result as 0/1 labels."""
    assert delong_test(np.array(Y, dtype=bool), S_A, S_B) == delong_test(Y, S_A, S_B)


def test_delong_identical_scores_give_no_evidence():
    """Comparing a model with itself gives z = 0 and p = 1."""
    result = delong_test(Y, S_A, S_A)
    assert result.statistic == 0
    assert result.p_value == 1


def test_delong_needs_both_classes():
    """One class only (or a single row of one class) raises ValueError."""
    with pytest.raises(ValueError, match="positives"):
        delong_test([1, 1, 1, 1], [0.1, 0.2, 0.3, 0.4], [0.4, 0.3, 0.2, 0.1])
    with pytest.raises(ValueError, match="positives"):
        auc_variance([1, 0, 0, 0], [0.1, 0.2, 0.3, 0.4])


def test_delong_rejects_scores_of_the_wrong_length():
    """Scores must have one finite value per label."""
    with pytest.raises(ValueError, match="scores_b"):
        delong_test(Y, S_A, S_B[:-1])


def _accuracy(y, proba):
    return float(np.mean(np.argmax(proba, axis=1) == y))


def _separation(y, proba):
    """Mean positive-class probability of positives minus that of negatives; NaN if a class is
    missing."""
    positive = y == 1
    if positive.all() or not positive.any():
        return math.nan
    return float(proba[positive, 1].mean() - proba[~positive, 1].mean())


@pytest.fixture
def predictions():
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 80)
    p1 = np.clip(0.35 * y + 0.65 * rng.random(80), 0, 1)
    return y, np.column_stack([1 - p1, p1])


def test_bootstrap_interval_contains_estimate_and_is_reproducible(predictions):
    """A BCa interval brackets the estimate and the same seed gives the same interval."""
    y, proba = predictions
    first = bootstrap_metric(_accuracy, y, proba, n_resamples=300, seed=7)
    again = bootstrap_metric(_accuracy, y, proba, n_resamples=300, seed=7)
    other = bootstrap_metric(_accuracy, y, proba, n_resamples=300, seed=8)
    assert first.method == "BCa"
    assert first.low < first.estimate < first.high
    assert first.estimate == _accuracy(y, proba)
    assert first == again
    assert (first.low, first.high) != (other.low, other.high)
    assert "conditional on the fitted model" in first.note


def test_bootstrap_percentile_method_is_honoured(predictions):
    """method='percentile' is passed through and reported."""
    y, proba = predictions
    result = bootstrap_metric(_accuracy, y, proba, n_resamples=200, method="percentile")
    assert result.method == "percentile"
    assert result.low <= result.estimate <= result.high


def test_bootstrap_falls_back_to_percentile_when_resamples_are_undefined():
    """With one positive row many resamples are NaN: no crash, percentile interval, said so."""
    rng = np.random.default_rng(0)
    y = np.zeros(30, dtype=int)
    y[0] = 1
    p1 = rng.random(30)
    result = bootstrap_metric(_separation, y, np.column_stack([1 - p1, p1]), n_resamples=200)
    assert result.method.startswith("percentile (BCa undefined)")
    assert "undefined resamples left out" in result.method
    assert math.isfinite(result.low) and math.isfinite(result.high)
    assert result.low <= result.high


def test_bootstrap_treats_a_metric_raising_value_error_on_a_resample_as_undefined():
    """A metric that raises ValueError on a one-class resample does not crash the bootstrap."""

    def strict(y, proba):
        if len(np.unique(y)) < 2:
            raise ValueError("Only one class present")
        return _separation(y, proba)

    y = np.array([1] + [0] * 19)
    p1 = np.linspace(0, 1, 20)
    result = bootstrap_metric(strict, y, np.column_stack([1 - p1, p1]), n_resamples=100)
    assert result.method.startswith("percentile")


def test_bootstrap_rejects_unknown_method_and_mismatched_rows(predictions):
    """An unknown method, or y and proba of different lengths, raise ValueError."""
    y, proba = predictions
    with pytest.raises(ValueError, match="'BCa', 'percentile', 'basic'"):
        bootstrap_metric(_accuracy, y, proba, method="studentized")
    with pytest.raises(ValueError, match="same number of rows"):
        bootstrap_metric(_accuracy, y[:-1], proba)
