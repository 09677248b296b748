"""`diff_runs` pairs the two runs' chosen candidates fold by fold, even when they differ."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from learnburn.evaluation import corrected_ttest
from learnburn.workflows._diff import _compare_chosen


def _detail(winner: str, scores: dict[str, list[float]]) -> SimpleNamespace:
    folds = [
        {"candidate": name, "repeat": index // 3, "fold": index % 3, "score": score,
         "n_train": 200, "n_test": 100, "error": None}
        for name, values in scores.items() for index, score in enumerate(values)
    ]  # fmt: skip
    record = {"winner": winner, "greater_is_better": True, "folds": folds,
              "comparison": {"rope": 0.01}}  # fmt: skip
    return SimpleNamespace(record=record)


def test_the_chosen_candidates_are_paired_by_repeat_and_fold_across_runs():
    a = _detail("logistic", {"logistic": [0.80, 0.82, 0.81, 0.79, 0.83, 0.80]})
    b = _detail("forest", {"forest": [0.85, 0.86, 0.84, 0.86, 0.88, 0.84]})
    found = _compare_chosen(a, b)
    differences = np.array([0.05, 0.04, 0.03, 0.07, 0.05, 0.04])
    expected = corrected_ttest(differences, 200, 100)
    assert found["candidate_a"] == "logistic" and found["candidate_b"] == "forest"
    assert found["folds"] == 6
    assert found["mean_difference"] == pytest.approx(differences.mean())
    assert found["p_value"] == pytest.approx(expected.p_value)
    assert found["std_error"] == pytest.approx(expected.std_error)
    assert found["p_better"] + found["p_equivalent"] + found["p_worse"] == pytest.approx(1.0)


def test_no_chosen_comparison_when_a_run_chose_nothing():
    a = _detail("", {"logistic": [0.8, 0.82, 0.81]})
    b = _detail("logistic", {"logistic": [0.8, 0.82, 0.81]})
    assert _compare_chosen(a, b) is None
