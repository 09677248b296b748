"""How --time-budget is spread over the searches and the backend's workers."""

from __future__ import annotations

from learnburn.backends import LocalBackend
from learnburn.spec import CandidateSpec, SearchSpec
from learnburn.workflows._tuning import search_budget

TUNED = CandidateSpec("lr", "logistic_regression", search=SearchSpec({"C": "uniform(0.1, 1)"}))
FIXED = CandidateSpec("tree", "decision_tree")


def test_budget_is_shared_by_every_search_and_multiplied_by_the_workers():
    """Two tuned candidates on 5 folds plus two refits share 4 workers' worth of the budget."""
    budget = search_budget(120.0, LocalBackend(4), [TUNED, TUNED, FIXED], n_folds=5)
    assert budget == 120.0 * 4 / (2 * 5 + 2)


def test_no_budget_without_a_time_budget_or_a_tuned_candidate():
    """Without either, searches run their n_trials."""
    assert search_budget(None, LocalBackend(1), [TUNED], n_folds=5) is None
    assert search_budget(60.0, LocalBackend(1), [FIXED], n_folds=5) is None
