import json

import pandas as pd
import pytest
from sklearn.datasets import load_iris

from learnburn.errors import SpecError
from learnburn.spec import load_spec
from learnburn.workflows import run_experiment

BINARY = """
    [experiment]
    name = "costs"
    [data]
    path = "table.csv"
    target = "label"
    [evaluation]
    folds = 3
    repeats = 2
    seed = 1
    choose = "{choose}"
    [decision.costs]
    false_positive = 1.0
    false_negative = 5.0
    [candidates.logistic_regression]
    [candidates.random_forest]
    params = {{ n_estimators = 30 }}
"""

MULTICLASS = """
    [experiment]
    name = "iris"
    [data]
    path = "iris.csv"
    target = "species"
    [evaluation]
    folds = 5
    repeats = 1
    metric = "accuracy"
    [decision]
    {decision}
    [candidates.logistic_regression]
    [candidates.knn]
"""


@pytest.fixture
def iris_csv(tmp_path):
    iris = load_iris(as_frame=True)
    frame = iris.frame.assign(species=iris.target_names[iris.target]).drop(columns="target")
    frame.to_csv(tmp_path / "iris.csv", index=False)


def test_binary_costs_give_a_threshold_with_its_expected_cost(write_spec, table_csv):
    """With costs, the record carries the threshold, its cost per 1,000 and the holdout cost."""
    spec = load_spec(write_spec(BINARY.format(choose="simplest-equivalent")))
    result = run_experiment(spec)
    decision = result.decision
    assert decision["kind"] == "threshold"
    assert 0.0 <= decision["threshold"] <= 1.0
    assert decision["expected_cost"]["low"] <= decision["expected_cost"]["per_1000"]
    assert result.holdout.decision_cost["per_1000"] >= 0
    assert decision["calibration"] in {"none", "sigmoid", "isotonic"}
    json.dumps(result.to_dict(), allow_nan=False)
    assert result.decision_policy.threshold == decision["threshold"]


def test_the_chosen_model_scores_the_holdout_once_for_its_score_and_its_cost(
    write_spec, table_csv, monkeypatch
):
    """The holdout's decision cost uses the probabilities the holdout score was computed from:
    the refit model predicts the holdout rows once."""
    from sklearn.pipeline import Pipeline

    calls, predict = [], Pipeline.predict_proba

    def spy(self, X, **kwargs):
        calls.append((id(self), len(X)))
        return predict(self, X, **kwargs)

    monkeypatch.setattr(Pipeline, "predict_proba", spy)
    result = run_experiment(load_spec(write_spec(BINARY.format(choose="best"))))
    assert result.holdout.decision_cost is not None
    assert calls.count((id(result.model), result.holdout.rows)) == 1


def test_choose_best_takes_the_best_mean(write_spec, table_csv):
    """choose = "best" makes the winner the candidate with the best mean."""
    result = run_experiment(load_spec(write_spec(BINARY.format(choose="best"))))
    assert result.winner == result.best
    assert "best mean" in result.comparison["reason"]


def test_multiclass_matrix_gives_a_least_cost_rule(write_spec, iris_csv):
    """A 3-class target with a cost matrix gets the least-expected-cost rule."""
    matrix = "matrix = [[0, 1, 1], [1, 0, 5], [1, 5, 0]]"
    result = run_experiment(load_spec(write_spec(MULTICLASS.format(decision=matrix))))
    assert result.decision["kind"] == "least-cost"
    assert result.decision["threshold"] is None
    assert any(t["test"].startswith("McNemar") for t in result.holdout.versus)


def test_binary_costs_on_a_multiclass_target_is_a_spec_error(write_spec, iris_csv):
    """Binary costs with 3 classes name decision.costs and suggest a matrix."""
    costs = 'calibration = "none"\n    [decision.costs]\n    false_positive = 1.0'
    with pytest.raises(SpecError) as info:
        run_experiment(load_spec(write_spec(MULTICLASS.format(decision=costs))))
    assert info.value.problems[0].path == "decision.costs"
    assert "matrix" in info.value.problems[0].hint


def test_matrix_of_the_wrong_size_is_a_spec_error(write_spec, iris_csv):
    """A 2x2 matrix for 3 classes is reported at decision with the class order."""
    with pytest.raises(SpecError) as info:
        run_experiment(
            load_spec(write_spec(MULTICLASS.format(decision="matrix = [[0, 1], [1, 0]]")))
        )
    assert info.value.problems[0].path == "decision"


def test_per_fold_scores_are_identical_across_runs_and_jobs(write_spec, table_csv):
    """The same spec gives the same per-fold scores in two runs and with --jobs 1 and 2."""
    spec = load_spec(write_spec(BINARY.format(choose="best")))
    runs = [run_experiment(spec, jobs=jobs) for jobs in (1, 1, 2)]
    scores = [[(f.candidate, f.repeat, f.fold, f.scores) for f in r.folds] for r in runs]
    assert scores[0] == scores[1] == scores[2]
    assert runs[0].decision == runs[2].decision
    assert isinstance(runs[0].data["fingerprint"]["content_hash"], str)
    assert pd.notna(runs[0].holdout.score)
