import json

import numpy as np
import pytest
from scipy.special import expit, logit
from sklearn.isotonic import IsotonicRegression

from learnburn.thresholds import Calibrator, fit_calibrator


def _binary(n=20000, seed=0):
    rng = np.random.default_rng(seed)
    s = rng.uniform(0.01, 0.99, n)
    truth = expit(2.0 * logit(s) - 0.5)
    y = np.where(rng.random(n) < truth, "yes", "no")
    return y, np.column_stack([1 - s, s]), truth


def test_sigmoid_recovers_a_known_logit_map():
    """Platt scaling on logit(p) recovers slope 2 and intercept -0.5 of a known miscalibration."""
    y, proba, _ = _binary()
    (sigmoid,) = fit_calibrator("sigmoid", y, proba, ("no", "yes")).maps
    assert sigmoid.slope == pytest.approx(2.0, abs=0.1)
    assert sigmoid.intercept == pytest.approx(-0.5, abs=0.1)


def test_calibrated_binary_probabilities_track_the_truth_and_sum_to_one():
    """Both calibrators bring the probabilities close to the true ones; rows sum to 1."""
    y, proba, truth = _binary()
    for method in ("sigmoid", "isotonic"):
        calibrated = fit_calibrator(method, y, proba, ("no", "yes")).transform(proba)
        assert np.mean(np.abs(calibrated[:, 1] - truth)) < 0.03
        np.testing.assert_allclose(calibrated.sum(axis=1), 1.0)


def test_isotonic_map_matches_scikit_learn_with_clipping():
    """The stored isotonic map predicts like IsotonicRegression(out_of_bounds='clip')."""
    y, proba, _ = _binary(n=3000)
    calibrator = fit_calibrator("isotonic", y, proba, ("no", "yes"))
    reference = IsotonicRegression(y_min=0, y_max=1, out_of_bounds="clip")
    reference.fit(proba[:, 1], (y == "yes").astype(float))
    grid = np.linspace(0, 1, 501)
    expected = reference.predict(grid)
    np.testing.assert_allclose(calibrator.maps[0](grid), expected)


def test_multiclass_calibration_is_one_vs_rest_renormalised():
    """Multiclass: one map per class and calibrated rows that sum to 1."""
    rng = np.random.default_rng(1)
    proba = rng.dirichlet([1, 1, 1], size=3000)
    y = (rng.random(3000)[:, None] > np.cumsum(proba, axis=1)).sum(axis=1)
    for method in ("sigmoid", "isotonic"):
        calibrator = fit_calibrator(method, y, proba, (0, 1, 2))
        assert len(calibrator.maps) == 3
        np.testing.assert_allclose(calibrator.transform(proba).sum(axis=1), 1.0)


def test_sigmoid_stays_finite_when_training_rows_hold_one_class():
    """Platt's smoothed targets keep the map finite when every training row is negative."""
    proba = np.column_stack([np.linspace(0.9, 0.1, 50), np.linspace(0.1, 0.9, 50)])
    (sigmoid,) = fit_calibrator("sigmoid", np.zeros(50, int), proba, (0, 1)).maps
    assert np.isfinite([sigmoid.slope, sigmoid.intercept]).all()
    assert np.all(sigmoid(proba[:, 1]) < 0.1)


def test_calibrator_round_trips_through_json():
    """to_dict/from_dict rebuild a calibrator that gives the same probabilities, without pickle."""
    y, proba, _ = _binary(n=2000)
    for method in ("sigmoid", "isotonic"):
        calibrator = fit_calibrator(method, y, proba, ("no", "yes"))
        rebuilt = Calibrator.from_dict(json.loads(json.dumps(calibrator.to_dict())))
        assert rebuilt == calibrator
        np.testing.assert_array_equal(rebuilt.transform(proba), calibrator.transform(proba))


def test_unknown_method_is_a_value_error():
    """Only 'sigmoid' and 'isotonic' can be fitted."""
    with pytest.raises(ValueError, match="beta"):
        fit_calibrator("beta", [0, 1], np.array([[0.5, 0.5], [0.5, 0.5]]), (0, 1))
