"""Every decision a run made is compared, and each one that differs is named."""

import copy

import pytest

from learnburn.workflows._decided import decision_differences

RECORD = {
    "metric": "roc_auc",
    "winner": "forest",
    "best": "forest",
    "splits": {"method": "stratified-kfold", "assignment": {"holdout": "eJz", "folds": ["eJy"]}},
    "decision": {
        "threshold": 0.355,
        "calibration": "sigmoid",
        "calibration_after": {"brier": 0.101},
        "expected_cost": {"per_1000": 120.5},
    },
    "holdout": {"score": 0.9123, "rows": 60},
}


def _changed(path: tuple, value):
    record = copy.deepcopy(RECORD)
    place = record
    for key in path[:-1]:
        place = place[key]
    place[path[-1]] = value
    return record


@pytest.mark.parametrize(
    ("path", "value", "named"),
    [
        (("winner",), "logistic_regression", "chosen candidate: forest -> logistic_regression"),
        (("best",), "big_forest", "best candidate: forest -> big_forest"),
        (("decision", "threshold"), 0.003, "decision threshold: 0.355 -> 0.003"),
        (("decision", "calibration"), "isotonic", "calibration: sigmoid -> isotonic"),
        (("decision", "calibration_after", "brier"), 0.2, "calibrated Brier score"),
        (("decision", "expected_cost", "per_1000"), 99.0, "expected cost per 1,000 decisions"),
        (("holdout", "score"), 0.91, "holdout roc_auc: 0.9123 -> 0.91"),
        (("splits", "assignment", "folds"), ["eJx"], "splits (row assignment): differs"),
    ],
)
def test_each_changed_decision_is_named(path, value, named):
    """One line names the decision that changed, with both values."""
    differences = decision_differences(RECORD, _changed(path, value))
    assert len(differences) == 1 and differences[0].startswith(named)


def test_identical_records_have_no_difference():
    """The same decisions, compared, give nothing to report."""
    assert decision_differences(RECORD, copy.deepcopy(RECORD)) == ()


def test_a_tiny_numeric_difference_is_shown_with_every_digit():
    """A difference beyond six digits is printed with enough digits to see it."""
    [line] = decision_differences(RECORD, _changed(("holdout", "score"), 0.9123000000000001))
    assert line == "holdout roc_auc: 0.9123 -> 0.9123000000000001"


def test_a_record_without_a_row_assignment_is_not_a_difference():
    """A run recorded before the splits were kept is compared on everything else."""
    older = copy.deepcopy(RECORD)
    del older["splits"]["assignment"]
    assert decision_differences(older, RECORD) == ()


def test_a_decision_that_one_run_lacks_is_named():
    """A threshold in one run and none in the other is a difference."""
    without = copy.deepcopy(RECORD)
    without["decision"] = None
    assert "decision threshold: 0.355 -> none" in decision_differences(RECORD, without)
