from dataclasses import replace
from pathlib import Path

import pytest

from learnburn.errors import DataWarning, EvaluationWarning
from learnburn.spec import EvaluationSpec, load_spec
from learnburn.workflows import check_experiment, run_experiment

SPEC = Path(__file__).resolve().parents[2] / "examples" / "loans" / "loans.toml"


def test_loans_example_spec_is_valid_and_leaves_out_race_and_sex():
    """The demo's spec loads, reads the shipped table, and race/sex are not features."""
    spec = load_spec(SPEC)
    with pytest.warns(DataWarning, match="msa"):  # one metro area only: a constant column
        summary = check_experiment(spec)
    assert summary["data"]["rows"] == 1989
    features = set(summary["data"]["features"])
    assert not features & {"black", "hispan", "white", "male", "action", "reject", "typur"}
    assert {"loanamt", "appinc"} <= features


def test_loans_example_runs_end_to_end_on_a_smaller_evaluation():
    """The demo's first two candidates run on 2 folds (warned as too few for the intervals) and
    produce a holdout score."""
    spec = load_spec(SPEC)
    small = replace(
        spec,
        candidates=spec.candidates[:2],
        evaluation=replace(spec.evaluation, folds=2, repeats=1),
    )
    with pytest.warns(DataWarning, match="msa"), pytest.warns(EvaluationWarning):
        result = run_experiment(small)
    assert result.comparison["warnings"][0].startswith("Only 2 fold scores")
    assert result.winner in {c.name for c in small.candidates}
    assert 0.5 < result.holdout.score <= 1.0
    assert result.holdout.rows == 398
    assert isinstance(small.evaluation, EvaluationSpec)
