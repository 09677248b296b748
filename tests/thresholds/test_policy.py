import json

import numpy as np
import pytest

from learnburn.thresholds import choose_decision, cost_matrix, decide

CLASSES = ("a", "b", "c")
MATRIX = cost_matrix(CLASSES, matrix=[[0, 1, 4], [5, 0, 1], [2, 6, 0]])


def _multiclass(power, n=6000, seed=0):
    """Labels drawn from true probabilities; reported probabilities sharpened by ``power``."""
    rng = np.random.default_rng(seed)
    true = rng.dirichlet([1, 1, 1], size=n)
    y = (rng.random(n)[:, None] > np.cumsum(true, axis=1)).sum(axis=1)
    reported = true**power
    return np.array(CLASSES)[y], reported / reported.sum(axis=1, keepdims=True)


def _binary(square, n=20000, seed=0):
    """Scores s; the true probability is s^2 when ``square``, else s."""
    rng = np.random.default_rng(seed)
    s = rng.random(n)
    y = np.where(rng.random(n) < (s**2 if square else s), "yes", "no")
    return y, np.column_stack([1 - s, s])


BINARY_COST = cost_matrix(("no", "yes"), costs={"false_positive": 1, "false_negative": 3})


@pytest.mark.parametrize("power", [0.4, 2.5])
def test_auto_calibrates_miscalibrated_multiclass_scores(power):
    """Under- or over-confident scores: auto picks a calibrator that lowers the expected cost."""
    y, proba = _multiclass(power)
    policy = choose_decision(y, proba, CLASSES, MATRIX)
    assert policy.kind == "least-cost"
    assert policy.threshold is None
    assert policy.calibration in ("sigmoid", "isotonic")
    assert policy.expected_cost.per_1000 < 0.99 * policy.uncalibrated_cost.per_1000
    assert f"{policy.calibration} calibration lowered the expected cost" in policy.reason
    assert policy.calibration_after.ece < policy.calibration_before.ece


def test_auto_keeps_calibrated_multiclass_scores_as_they_are():
    """Calibrated scores: no calibrator beats them by more than 1%, so "none" is kept."""
    y, proba = _multiclass(1.0)
    policy = choose_decision(y, proba, CLASSES, MATRIX)
    assert policy.calibration == "none"
    assert policy.calibrator is None
    assert policy.expected_cost == policy.uncalibrated_cost
    assert "did not lower the expected cost by more than 1%" in policy.reason


def test_binary_policy_is_a_threshold_on_calibrated_scores():
    """Binary calibrated scores: a threshold near the Bayes threshold (0.25), no calibration."""
    y, proba = _binary(square=False)
    policy = choose_decision(y, proba, ("no", "yes"), BINARY_COST)
    assert policy.kind == "threshold"
    assert policy.calibration == "none"
    assert policy.threshold == pytest.approx(0.25, abs=0.05)


def test_binary_threshold_absorbs_monotone_miscalibration():
    """Scores with true probability s^2: the threshold on raw scores moves to about sqrt(0.25),
    so calibration cannot lower the cost by 1% and auto keeps the scores."""
    y, proba = _binary(square=True)
    policy = choose_decision(y, proba, ("no", "yes"), BINARY_COST)
    assert policy.calibration == "none"
    assert policy.threshold == pytest.approx(0.5, abs=0.05)
    costs = dict(policy.options)
    assert set(costs) == {"none", "sigmoid", "isotonic"}
    assert min(costs["sigmoid"], costs["isotonic"]) > 0.99 * costs["none"]


def test_forced_calibration_is_used_and_its_threshold_is_on_the_calibrated_scale():
    """calibration="isotonic" is used as asked; its threshold is near the Bayes threshold."""
    y, proba = _binary(square=True)
    policy = choose_decision(y, proba, ("no", "yes"), BINARY_COST, calibration="isotonic")
    assert policy.calibration == "isotonic"
    assert policy.threshold == pytest.approx(0.25, abs=0.05)
    assert "isotonic calibration was requested" in policy.reason
    assert [name for name, _ in policy.options] == ["none", "isotonic"]
    assert policy.calibration_after.ece < 0.5 * policy.calibration_before.ece


def test_apply_decides_on_calibrated_probabilities():
    """apply = decide(calibrate(proba)) with the policy's cost, classes and threshold."""
    y, proba = _binary(square=True, n=3000)
    policy = choose_decision(y, proba, ("no", "yes"), BINARY_COST, calibration="sigmoid")
    calibrated = policy.calibrate(proba)
    assert not np.allclose(calibrated, proba)
    expected = decide(calibrated, BINARY_COST, ("no", "yes"), threshold=policy.threshold)
    np.testing.assert_array_equal(policy.apply(proba), expected)


def test_calibrate_is_the_identity_without_a_calibrator():
    """With calibration "none", calibrate returns the probabilities unchanged."""
    y, proba = _multiclass(1.0, n=600)
    policy = choose_decision(y, proba, CLASSES, MATRIX, calibration="none")
    np.testing.assert_array_equal(policy.calibrate(proba), proba)
    assert policy.options == (("none", policy.expected_cost.per_1000),)
    assert "turned off" in policy.reason


def test_expected_cost_is_the_realised_cost_of_the_chosen_option():
    """expected_cost.per_1000 matches the chosen option's cost and holds an interval."""
    y, proba = _multiclass(2.5, n=3000)
    policy = choose_decision(y, proba, CLASSES, MATRIX)
    assert dict(policy.options)[policy.calibration] == pytest.approx(policy.expected_cost.per_1000)
    assert policy.expected_cost.low < policy.expected_cost.per_1000 < policy.expected_cost.high


def test_stacked_repeats_widen_the_interval_to_that_of_the_rows():
    """With groups, copies of a row move together: stacking repeats does not narrow the interval."""
    y, proba = _binary(square=False, n=2000)
    once = choose_decision(y, proba, ("no", "yes"), BINARY_COST, calibration="none")
    stacked = choose_decision(
        np.tile(y, 3),
        np.tile(proba, (3, 1)),
        ("no", "yes"),
        BINARY_COST,
        groups=np.repeat([0, 1, 2], 2000),
        calibration="none",
    )
    width = once.expected_cost.high - once.expected_cost.low
    stacked_width = stacked.expected_cost.high - stacked.expected_cost.low
    assert stacked_width == pytest.approx(width, rel=0.15)


def test_same_seed_same_policy():
    """choose_decision is deterministic under a seed."""
    y, proba = _multiclass(2.5, n=1500)
    assert choose_decision(y, proba, CLASSES, MATRIX, seed=3) == choose_decision(
        y, proba, CLASSES, MATRIX, seed=3
    )


def test_to_dict_is_json_ready_without_the_calibrator():
    """to_dict survives json.dumps(allow_nan=False) and leaves out the fitted calibrator."""
    y, proba = _multiclass(2.5, n=1500)
    policy = choose_decision(y, proba, CLASSES, MATRIX)
    data = json.loads(json.dumps(policy.to_dict(), allow_nan=False))
    assert "calibrator" not in data
    assert data["classes"] == list(CLASSES)
    assert data["cost"] == [[0, 1, 4], [5, 0, 1], [2, 6, 0]]
    assert data["calibration"] == policy.calibration


def test_numpy_labels_become_plain_values():
    """numpy integer classes are stored as plain ints, so to_dict stays JSON-ready."""
    y, proba = _binary(square=False, n=500)
    labels = (y == "yes").astype(np.int64)
    policy = choose_decision(labels, proba, np.array([0, 1]), BINARY_COST, calibration="none")
    assert policy.classes == (0, 1)
    assert type(policy.classes[0]) is int
    json.dumps(policy.to_dict(), allow_nan=False)


def test_unknown_calibration_is_a_value_error():
    """calibration must be "auto", "none", "sigmoid" or "isotonic"."""
    y, proba = _binary(square=False, n=100)
    with pytest.raises(ValueError, match="platt"):
        choose_decision(y, proba, ("no", "yes"), BINARY_COST, calibration="platt")
