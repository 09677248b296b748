import itertools

import numpy as np
import pytest

from learnburn.thresholds import bayes_threshold, choose_threshold, cost_matrix, decide


def _costs(**costs):
    return cost_matrix((0, 1), costs=costs)


@pytest.mark.parametrize(
    "costs",
    [
        {"false_positive": 1, "false_negative": 5},
        {"false_positive": 1, "false_negative": 1},
        {"false_positive": 4, "false_negative": 1},
        {"false_positive": 1, "false_negative": 1, "true_positive": -2},
        {"false_positive": 30, "true_negative": -5, "true_positive": -200},
    ],
)
def test_threshold_on_calibrated_scores_is_near_the_bayes_threshold(costs):
    """On calibrated probabilities the chosen threshold is within 0.02 of the Bayes threshold.

    The empirical argmin converges at the cube-root rate (about 0.036 worst case at n = 20,000),
    so a million rows keep the check at 0.02 honest.
    """
    rng = np.random.default_rng(7)
    p = rng.random(1_000_000)
    y = rng.random(p.size) < p
    cost = _costs(**costs)
    assert abs(choose_threshold(y, p, cost, positive=True) - bayes_threshold(cost)) < 0.02


def _realised(y, p, cost, threshold):
    decided = (p >= threshold).astype(int)
    return cost[y, decided].mean()


def test_chosen_threshold_reaches_the_least_cost_of_every_cut():
    """On small random inputs with ties, no cut has a lower realised cost (brute force)."""
    rng = np.random.default_rng(3)
    for _ in range(300):
        n = int(rng.integers(1, 12))
        p = rng.choice([0.0, 0.1, 0.25, 0.5, 0.7, 1.0], size=n)
        y = rng.integers(0, 2, size=n)
        cost = rng.integers(-3, 6, size=(2, 2)).astype(float)
        chosen = choose_threshold(y, p, cost, positive=1)
        cuts = [*np.unique(p), np.nextafter(1.0, 2.0)]
        best = min(_realised(y, p, cost, t) for t in cuts)
        assert _realised(y, p, cost, chosen) == pytest.approx(best)


@pytest.mark.parametrize(
    ("scores", "expected"),
    [([0.1, 0.3, 0.45, 0.9], 0.675), ([0.1, 0.55, 0.7, 0.9], 0.325)],
)
def test_cost_ties_go_to_the_cut_that_holds_the_bayes_threshold(scores, expected):
    """Of two cuts with equal cost, the one whose interval holds the Bayes threshold (0.5) wins."""
    y = np.array([0, 1, 0, 1])
    cost = _costs(false_positive=1, false_negative=1)
    assert choose_threshold(y, np.array(scores), cost, positive=1) == pytest.approx(expected)


def test_threshold_lies_above_every_score_when_nothing_should_be_positive():
    """When deciding positive never pays, the threshold exceeds even a score of exactly 1."""
    p = np.array([0.2, 1.0, 0.6])
    y = np.array(["no", "yes", "no"])
    cost = _costs(false_positive=5, true_positive=1)
    threshold = choose_threshold(y, p, cost, positive="yes")
    assert threshold > 1.0
    assert not np.any(p >= threshold)


def test_threshold_is_zero_when_everything_should_be_positive():
    """When a positive decision always pays, the threshold is 0."""
    y = np.array([0, 1, 0, 1])
    cost = _costs(false_negative=5, true_positive=-1)
    assert choose_threshold(y, np.array([0.0, 0.2, 0.4, 0.9]), cost, positive=1) == 0.0


def test_threshold_falls_between_adjacent_distinct_scores():
    """A cut inside the scores returns the midpoint between the adjacent distinct scores."""
    y = np.array([0, 0, 1, 1])
    cost = _costs(false_positive=1, false_negative=1)
    assert choose_threshold(y, np.array([0.1, 0.2, 0.6, 0.8]), cost, positive=1) == 0.4


def test_choose_threshold_rejects_values_that_are_not_probabilities():
    """Scores outside [0, 1] or a length mismatch are a ValueError."""
    cost = _costs(false_positive=1)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        choose_threshold([0, 1], [0.5, 1.5], cost, positive=1)
    with pytest.raises(ValueError, match="rows"):
        choose_threshold([0, 1, 1], [0.5, 0.5], cost, positive=1)


def test_decide_with_a_threshold_returns_labels():
    """Binary with a threshold: classes[1] where p1 >= threshold, else classes[0]."""
    proba = np.array([[0.9, 0.1], [0.3, 0.7], [0.6, 0.4]])
    decided = decide(proba, _costs(false_positive=1), ("no", "yes"), threshold=0.4)
    assert decided.tolist() == ["no", "yes", "yes"]


def test_decide_without_threshold_takes_the_least_expected_cost():
    """Binary without a threshold: argmin_j sum_i p_i cost[i, j] (here FN costs 9, FP 1)."""
    proba = np.array([[0.85, 0.15], [0.95, 0.05]])
    decided = decide(proba, _costs(false_positive=1, false_negative=9), (0, 1))
    # row 1: positive costs 0.85, negative 1.35; row 2: positive 0.95, negative 0.45
    assert decided.tolist() == [1, 0]


def test_decide_multiclass_matches_hand_computed_expected_costs():
    """Three classes: each row takes the decision with the least expected cost."""
    cost = cost_matrix(("a", "b", "c"), matrix=[[0, 1, 4], [5, 0, 1], [2, 6, 0]])
    proba = np.array([[0.5, 0.3, 0.2], [0.2, 0.5, 0.3], [0.1, 0.1, 0.8]])
    # row 1: a = 1.9, b = 1.7, c = 2.3 -> b ; row 2: a = 3.1, b = 2.0, c = 1.3 -> c
    # row 3: a = 2.1, b = 4.9, c = 0.5 -> c
    assert decide(proba, cost, ("a", "b", "c")).tolist() == ["b", "c", "c"]


def test_decide_refuses_a_threshold_for_multiclass():
    """A threshold with three classes is a ValueError."""
    cost = np.zeros((3, 3))
    with pytest.raises(ValueError, match="binary"):
        decide(np.full((1, 3), 1 / 3), cost, (0, 1, 2), threshold=0.5)


def test_decide_checks_the_cost_shape_against_the_classes():
    """A 2 x 2 cost matrix for three classes is a DecisionCostError (a ValueError)."""
    with pytest.raises(ValueError, match="3 x 3"):
        decide(np.full((1, 3), 1 / 3), np.zeros((2, 2)), (0, 1, 2))


def test_thresholds_are_consistent_with_decide_on_every_cut():
    """Deciding with the chosen threshold reproduces the cost minimum found by choose_threshold."""
    rng = np.random.default_rng(11)
    p = rng.random(200)
    y = (rng.random(200) < p).astype(int)
    cost = _costs(false_positive=2, false_negative=3)
    t = choose_threshold(y, p, cost, positive=1)
    decided = decide(np.column_stack([1 - p, p]), cost, (0, 1), threshold=t)
    realised = cost[y, decided].mean()
    for cut in itertools.chain(np.unique(p), [1.5]):
        assert realised <= _realised(y, p, cost, cut) + 1e-12
