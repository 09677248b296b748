"""The holdout interval: DeLong for a binary AUC, the chunked bootstrap for the rest; its
agreement with scipy's BCa, its bounds, and its memory (tracemalloc: deterministic, not timing)."""

import tracemalloc
import warnings

import numpy as np
import pytest
from scipy import stats

from learnburn.evaluation import METRICS, auc_interval, get_metric, metric_interval
from learnburn.evaluation._bootstrap import resamples_for
from learnburn.evaluation._holdout import holdout_interval
from learnburn.evaluation._weighted import weighted_metric

# statistics.md 1.7
Y = [1, 1, 1, 1, 0, 0, 0, 0, 0, 1]
S_A = [0.9, 0.8, 0.35, 0.6, 0.3, 0.2, 0.7, 0.1, 0.4, 0.55]


def _binary(n, seed=1, decimals=None):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    p1 = np.clip(0.3 * y + 0.7 * rng.random(n), 0, 1)
    if decimals is not None:  # ties
        p1 = np.round(p1, decimals)
    return y, np.column_stack([1 - p1, p1])


def _multiclass(n, seed=2):
    rng = np.random.default_rng(seed)
    classes = np.array(["a", "b", "c"])
    y = classes[rng.integers(0, 3, n)]
    p = np.round(rng.random((n, 3)) + 0.8 * (y[:, None] == classes), 1)
    return y, p / p.sum(axis=1, keepdims=True), classes


def _scipy_bca(name, y, proba, classes, n_resamples=2000, seed=0):
    """scipy.stats.bootstrap's BCa as learnburn called it before (one call per resample and per
    jackknife row); log loss as the mean of per-row losses, which is what it is, to be quick."""
    score, classes = get_metric(name).score, np.asarray(classes)
    if name == "log_loss":
        losses = -np.log(np.clip(proba[np.arange(len(y)), y], 1e-15, None))
        assert losses.mean() == pytest.approx(score(y, proba, classes), abs=1e-12)
        statistic = lambda rows: losses[rows].mean()  # noqa: E731
    else:
        statistic = lambda rows: score(y[rows], proba[rows], classes)  # noqa: E731
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = stats.bootstrap(
            (np.arange(len(y)),), statistic, n_resamples=n_resamples, vectorized=False,
            rng=np.random.default_rng(seed),
        )  # fmt: skip
    return result.confidence_interval.low, result.confidence_interval.high


def test_auc_interval_uses_the_delong_variance_of_the_worked_example():
    """AUC 0.84 with DeLong variance 0.0192 (statistics.md 1.7): 0.84 ± 1.96·sqrt(0.0192)."""
    result = auc_interval(np.array(Y) == 1, S_A)
    half = stats.norm.ppf(0.975) * np.sqrt(0.0192)
    assert result.estimate == pytest.approx(0.84)
    assert result.low == pytest.approx(0.84 - half)
    assert result.method == "DeLong" and result.n_resamples == 0


def test_auc_interval_is_clipped_to_one_with_a_note():
    """0.84 + 0.2716 passes 1: the interval ends at 1 and the note gives the unclipped one."""
    result = auc_interval(np.array(Y) == 1, S_A)
    assert result.high == 1.0
    assert "clipped to [0, 1]" in result.note and "1.1116" in result.note


@pytest.mark.parametrize("name", sorted(METRICS))
def test_weighted_metrics_equal_the_registry_on_unit_weights_and_on_resample_counts(name):
    """With tied scores, binary and multiclass: weights of 1 give the metric, counts give the
    metric of the resampled rows."""
    rng = np.random.default_rng(0)
    y2, p2 = _binary(300, decimals=1)
    y3, p3, classes3 = _multiclass(300)
    for y, p, classes in ((y2, p2, np.array([0, 1])), (y3, p3, classes3)):
        weighted = weighted_metric(name, y, p, classes)
        rows = rng.integers(0, len(y), (3, len(y)))
        expected = [get_metric(name).score(y[r], p[r], classes) for r in rows]
        assert weighted.of_weights(np.ones((1, len(y))))[0] == pytest.approx(
            get_metric(name).score(y, p, classes), abs=1e-12
        )
        assert weighted.of_rows(rows) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("name", ["log_loss", "average_precision", "roc_auc"])
def test_metric_interval_equals_scipy_bca_on_200_rows(name):
    """Same seed, 200 rows: the same interval as scipy.stats.bootstrap's BCa (the old method)."""
    y, proba = _binary(200)
    ours = metric_interval(name, y, proba, [0, 1], n_resamples=1000, seed=0)
    assert ours.method == "BCa" and ours.n_resamples == 1000
    expected = _scipy_bca(name, y, proba, [0, 1], n_resamples=1000)
    assert (ours.low, ours.high) == pytest.approx(expected, abs=1e-12)


def test_metric_interval_equals_scipy_bca_on_a_multiclass_table():
    """Multiclass macro ROC AUC, 150 rows: scipy's BCa interval."""
    y, proba, classes = _multiclass(150)
    ours = metric_interval("roc_auc", y, proba, classes, n_resamples=300, seed=3)
    expected = _scipy_bca("roc_auc", y, proba, classes, n_resamples=300, seed=3)
    assert (ours.low, ours.high) == pytest.approx(expected, abs=1e-12)


def test_grouped_jackknife_interval_agrees_with_the_exact_bca_above_the_exact_size():
    """At 3,000 rows (grouped jackknife) each end is within 5% of the width of scipy's BCa."""
    y, proba = _binary(3000, seed=4)
    ours = metric_interval("log_loss", y, proba, [0, 1], n_resamples=1000, seed=0)
    low, high = _scipy_bca("log_loss", y, proba, [0, 1], n_resamples=1000)
    width = high - low
    assert abs(ours.low - low) < 0.05 * width
    assert abs(ours.high - high) < 0.05 * width


def test_resamples_are_bounded_by_the_number_of_row_draws():
    """2,000 resamples up to 100,000 rows; 200 at a million rows (2e8 draws at most)."""
    assert resamples_for(1_000, 2000) == 2000
    assert resamples_for(100_000, 2000) == 2000
    assert resamples_for(1_000_000, 2000) == 200
    assert resamples_for(50, 300) == 300


def test_holdout_interval_of_a_binary_auc_is_delong():
    """The holdout's binary ROC AUC gets DeLong's interval, inside [0, 1]."""
    y, proba = _binary(1000)
    result = holdout_interval("roc_auc", y, proba, [0, 1], seed=0)
    assert result.method == "DeLong"
    assert 0 <= result.low < result.estimate < result.high <= 1


def test_holdout_interval_of_a_bounded_metric_never_leaves_its_range():
    """Near-perfect predictions, where every resample sits at a bound: the intervals stay in
    the metric's range."""
    y = np.array([0, 1] * 20)
    proba = np.column_stack([1 - y * 0.9, y * 0.9])
    for name in ("accuracy", "f1", "average_precision", "brier"):
        result = holdout_interval(name, y, proba, [0, 1], seed=0)
        low, high = get_metric(name).bounds
        assert low <= result.low <= result.high <= high


def test_holdout_intervals_at_200k_rows_stay_within_tens_of_megabytes():
    """The memory bound: 200,000 holdout rows (37 GiB with scipy's jackknife) need < 64 MB for
    DeLong, and < 160 MB for the bootstrap at 50,000 rows with its grouped jackknife."""
    y, proba = _binary(200_000)
    tracemalloc.start()
    try:
        holdout_interval("roc_auc", y, proba, [0, 1], seed=0)
        delong_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        metric_interval("log_loss", y[:50_000], proba[:50_000], [0, 1], n_resamples=50, seed=0)
        bootstrap_peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert delong_peak < 64 * 2**20
    assert bootstrap_peak < 160 * 2**20
