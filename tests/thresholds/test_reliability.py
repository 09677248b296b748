import numpy as np
import pytest

from learnburn.thresholds import calibration_report


def _binary(transform, n=20000, seed=0):
    rng = np.random.default_rng(seed)
    p = rng.random(n)
    y = (rng.random(n) < p).astype(int)
    reported = transform(p)
    return y, np.column_stack([1 - reported, reported])


def test_calibrated_probabilities_have_small_ece():
    """A perfectly calibrated sample of 20,000 rows has ECE < 0.02."""
    y, proba = _binary(lambda p: p)
    assert calibration_report(y, proba, (0, 1)).ece < 0.02


def test_miscalibrated_probabilities_have_larger_ece_and_brier():
    """Reporting p^3 for true probability p gives a larger ECE and Brier score."""
    calibrated = calibration_report(*_binary(lambda p: p), (0, 1))
    cubed = calibration_report(*_binary(lambda p: p**3), (0, 1))
    assert cubed.ece > calibrated.ece + 0.1
    assert cubed.brier > calibrated.brier


def test_curve_counts_sum_to_the_rows():
    """The reliability curve lists non-empty bins whose counts add up to n."""
    y, proba = _binary(lambda p: p**3, n=5000)
    report = calibration_report(y, proba, (0, 1), bins=15)
    assert report.bins == 15
    assert sum(count for _, _, count in report.curve) == 5000
    assert len(report.curve) <= 15


def test_small_binary_example_matches_hand_computation():
    """Four rows, two bins: Brier, ECE and curve as computed by hand (1.0 falls in the last bin)."""
    proba = np.array([[0.8, 0.2], [0.6, 0.4], [0.0, 1.0], [0.4, 0.6]])
    report = calibration_report(["n", "y", "y", "n"], proba, ("n", "y"), bins=2)
    assert report.brier == pytest.approx((0.04 + 0.36 + 0.0 + 0.36) / 4)
    # bin [0, .5): p = .2, .4, one hit -> gap |.3 - .5|; bin [.5, 1]: p = 1, .6 one hit -> |.8 - .5|
    assert report.ece == pytest.approx((2 * 0.2 + 2 * 0.3) / 4)
    np.testing.assert_allclose(report.curve, [(0.3, 0.5, 2), (0.8, 0.5, 2)])


def test_multiclass_uses_the_top_label_and_the_summed_brier():
    """Multiclass: the curve is on the top label; Brier sums squared errors over classes."""
    proba = np.array([[0.7, 0.2, 0.1], [0.1, 0.6, 0.3]])
    report = calibration_report(["a", "c"], proba, ("a", "b", "c"), bins=10)
    assert report.brier == pytest.approx(((0.09 + 0.04 + 0.01) + (0.01 + 0.36 + 0.49)) / 2)
    np.testing.assert_allclose(report.curve, [(0.6, 0.0, 1), (0.7, 1.0, 1)])
    assert report.ece == pytest.approx((0.6 + 0.3) / 2)


def test_to_dict_is_plain_lists():
    """to_dict turns the curve into lists of plain numbers."""
    proba = np.array([[0.8, 0.2], [0.1, 0.9]])
    data = calibration_report([0, 1], proba, (0, 1), bins=2).to_dict()
    assert data["curve"] == [[pytest.approx(0.2), 0.0, 1], [pytest.approx(0.9), 1.0, 1]]
    assert set(data) == {"brier", "ece", "bins", "curve"}


def test_calibration_report_rejects_a_wrong_number_of_columns():
    """A probability matrix with the wrong number of columns is a ValueError."""
    with pytest.raises(ValueError, match="one column per class"):
        calibration_report([0, 1], np.full((2, 3), 1 / 3), (0, 1))
