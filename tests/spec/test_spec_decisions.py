"""The comparison and decision keys: rope, choose, costs with benefits, multiclass matrices."""

from __future__ import annotations

import pytest

from learnburn.errors import SpecError
from learnburn.spec import DEFAULT_ROPE, parse_spec, spec_to_toml

HEAD = '[experiment]\nname = "x"\n[data]\npath = "x.csv"\ntarget = "y"\n'
CANDIDATE = "[candidates.knn]\n"


def problems_of(text: str) -> dict[str, str]:
    with pytest.raises(SpecError) as caught:
        parse_spec(text)
    return {p.path: p.message for p in caught.value.problems}


def test_rope_defaults_to_the_metric_default_and_can_be_set():
    """No rope: the metric's documented default; a rope in the spec wins."""
    spec = parse_spec(HEAD + '[evaluation]\nmetric = "log_loss"\n' + CANDIDATE)
    assert spec.evaluation.rope is None
    assert spec.evaluation.effective_rope == DEFAULT_ROPE["log_loss"]
    assert DEFAULT_ROPE["roc_auc"] == 0.01
    spec = parse_spec(HEAD + "[evaluation]\nrope = 0.02\n" + CANDIDATE)
    assert spec.evaluation.effective_rope == 0.02


def test_bad_rope_and_choose_are_reported_at_their_key_paths():
    """rope must be in [0, 1); choose must be a known policy."""
    problems = problems_of(HEAD + '[evaluation]\nrope = -0.1\nchoose = "fastest"\n' + CANDIDATE)
    assert set(problems) == {"evaluation.rope", "evaluation.choose"}
    assert "simplest-equivalent" in problems["evaluation.choose"]


def test_costs_accept_benefits_as_negative_numbers():
    """A true positive that earns money is a negative cost."""
    text = HEAD + "[decision.costs]\ntrue_positive = -200\nfalse_positive = 50\n" + CANDIDATE
    spec = parse_spec(text)
    assert spec.decision.costs == {"true_positive": -200.0, "false_positive": 50.0}
    assert spec.decision.calibration == "auto"


def test_multiclass_matrix_must_be_square():
    """Each matrix row has one number per class."""
    text = HEAD + "[decision]\nmatrix = [[0, 1, 2], [1, 0], [3, 1, 0]]\n" + CANDIDATE
    assert "must have 3 numbers" in problems_of(text)["decision.matrix[1]"]


def test_costs_and_matrix_together_are_a_problem():
    """One cost table: binary costs or a multiclass matrix, not both."""
    text = HEAD + "[decision]\nmatrix = [[0, 1], [1, 0]]\n[decision.costs]\nfalse_positive = 1\n"
    assert "exactly one" in problems_of(text + CANDIDATE)["decision"]


def test_decision_keys_round_trip_through_toml():
    """Matrix, calibration, rope and choose survive spec_to_toml."""
    text = (
        HEAD
        + '[evaluation]\nrope = 0.03\nchoose = "best"\n'
        + '[decision]\ncalibration = "isotonic"\nmatrix = [[0, 1, 2], [1, 0, 1], [4, 2, 0]]\n'
        + CANDIDATE
    )
    spec = parse_spec(text)
    again = parse_spec(spec_to_toml(spec))
    assert again.to_dict() == spec.to_dict()
    assert again.decision.matrix == ((0, 1, 2), (1, 0, 1), (4, 2, 0))
