import numpy as np
import pytest

from learnburn.errors import LearnburnError
from learnburn.thresholds import DecisionCostError, bayes_threshold, cost_matrix


def test_outcome_costs_fill_truth_by_decision_layout_with_missing_keys_zero():
    """Binary outcome costs become [[TN, FP], [FN, TP]] with the positive class second."""
    matrix = cost_matrix(("no", "yes"), costs={"false_positive": 1, "false_negative": 5.5})
    np.testing.assert_array_equal(matrix, [[0.0, 1.0], [5.5, 0.0]])


def test_benefits_are_negative_costs():
    """A negative true-positive cost (a benefit) lands in the [positive, positive] cell."""
    matrix = cost_matrix((0, 1), costs={"true_positive": -200, "false_positive": 10})
    np.testing.assert_array_equal(matrix, [[0.0, 10.0], [0.0, -200.0]])


def test_matrix_is_returned_as_floats_in_truth_by_decision_order():
    """A K x K matrix is kept as given (truth x decision), as floats."""
    matrix = cost_matrix(("a", "b", "c"), matrix=[[0, 1, 2], [3, 0, 4], [5, 6, 0]])
    assert matrix.dtype == float
    assert matrix[1, 2] == 4.0


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({}, "neither"),
        ({"costs": {}, "matrix": [[0, 1], [1, 0]]}, "both"),
        ({"costs": {"false_postive": 1}}, "Unknown outcome cost keys"),
        ({"costs": {"false_positive": float("nan")}}, "finite number"),
        ({"costs": {"false_positive": "a lot"}}, "finite number"),
        ({"matrix": [[0, 1, 2], [1, 0, 2]]}, "must be 2 x 2"),
        ({"matrix": [[0, np.inf], [1, 0]]}, "[0][1]"),
        ({"matrix": [["x", 1], [1, 0]]}, "must hold numbers"),
    ],
)
def test_bad_costs_raise_cost_error_with_hint(kwargs, fragment):
    """Missing, doubled, unknown, non-finite or misshapen costs raise DecisionCostError with a
    hint."""
    with pytest.raises(DecisionCostError) as caught:
        cost_matrix((0, 1), **kwargs)
    assert fragment in str(caught.value)
    assert caught.value.hint
    assert isinstance(caught.value, LearnburnError)
    assert isinstance(caught.value, ValueError)


def test_outcome_costs_need_a_binary_decision():
    """Outcome costs with three classes raise DecisionCostError pointing at the matrix form."""
    with pytest.raises(DecisionCostError, match="binary decision") as caught:
        cost_matrix(("a", "b", "c"), costs={"false_positive": 1})
    assert "matrix" in caught.value.hint


@pytest.mark.parametrize(
    ("costs", "expected"),
    [
        ({"false_positive": 1, "false_negative": 5}, 1 / 6),
        ({"false_positive": 4, "false_negative": 1}, 0.8),
        ({"false_positive": 1, "false_negative": 1, "true_positive": -2}, 0.25),
        ({"false_positive": -1, "false_negative": 1}, None),
        ({}, None),
    ],
)
def test_bayes_threshold_follows_the_formula(costs, expected):
    """Bayes threshold = (c_FP - c_TN) / ((c_FP - c_TN) + (c_FN - c_TP)), None if that is <= 0."""
    result = bayes_threshold(cost_matrix((0, 1), costs=costs))
    assert result == (None if expected is None else pytest.approx(expected))
