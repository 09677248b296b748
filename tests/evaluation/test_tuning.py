"""Tests of tuning inside the folds: no outer test row reaches a search, trials are seeded."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from learnburn.backends import LocalBackend
from learnburn.data import prepare_dataset
from learnburn.errors import CandidateError
from learnburn.evaluation import evaluate_candidates, make_splits, search_seed, tune_candidate
from learnburn.spec import CandidateSpec, EvaluationSpec, SearchSpec


def _dataset(rows: int = 160):
    rng = np.random.default_rng(3)
    X = rng.normal(size=(rows, 3))
    y = (X[:, 0] + rng.normal(scale=1.0, size=rows) > 0).astype(int)
    ids = rng.permutation(rows)  # unique but not in order: kept as a feature
    frame = pd.DataFrame(X, columns=["a", "b", "c"]).assign(row_id=ids, y=y)
    return prepare_dataset(frame, target="y")


def _tuned(name: str, model: str, space: dict, n_trials: int = 3, **kwargs) -> CandidateSpec:
    search = SearchSpec(space=space, n_trials=n_trials, inner_folds=2)
    return CandidateSpec(name, model, search=search, **kwargs)


def _search(dataset, candidate, **kwargs):
    return tune_candidate(
        candidate, dataset.schema, dataset.features, dataset.target.to_numpy(), dataset.classes,
        metric="roc_auc", seed=0, **kwargs,
    )  # fmt: skip


def _evaluate(dataset, candidates, evaluation, jobs=1, **kwargs):
    splits = make_splits(dataset.target, evaluation)
    cv = evaluate_candidates(
        dataset.features, dataset.target, dataset.schema, dataset.classes, candidates, splits,
        metric=evaluation.metric, seed=evaluation.seed, backend=LocalBackend(jobs), **kwargs,
    )  # fmt: skip
    return splits, cv


def test_no_outer_test_row_reaches_the_search_or_the_fit(recorder):
    """Every fit of a fold's task (each trial's inner fits, then the tuned fit) sees only that
    outer fold's training rows; the search really ran (more fits than the final one)."""
    dataset = _dataset()
    candidate = _tuned("rec", "row_recorder:RowRecordingClassifier",
                       {"C": "log-uniform(0.01, 10)"}, preprocessing="none")  # fmt: skip
    splits, cv = _evaluate(dataset, [candidate], EvaluationSpec(folds=3, repeats=2, seed=1))
    row_ids = dataset.features["row_id"].to_numpy()[splits.development]
    fits = list(recorder.FITS)
    for fold in splits.folds:  # jobs=1: the tasks run here, one after another, in fold order
        train, test = set(row_ids[fold.train]), set(row_ids[fold.test])
        final = next(i for i, seen in enumerate(fits) if set(seen) == train)
        searched, fits = fits[:final], fits[final + 1 :]
        assert len(searched) >= 2  # inner fits of the trials came first
        for seen in searched:
            assert set(seen) <= train and not set(seen) & test
    assert fits == []
    assert all(f.error is None for f in cv.folds)


def test_one_and_two_workers_give_identical_trials_and_scores():
    """The same seed gives the same trials, chosen params and fold scores with jobs 1 and 2."""
    dataset = _dataset()
    evaluation = EvaluationSpec(folds=2, repeats=2, seed=4)
    candidates = [
        _tuned("lr", "logistic_regression", {"C": "log-uniform(0.001, 100)"}, n_trials=4),
        CandidateSpec("tree", "decision_tree", params={"max_depth": 3}),
    ]
    runs = [_evaluate(dataset, candidates, evaluation, jobs)[1] for jobs in (1, 2)]
    scores = [[(f.candidate, f.repeat, f.fold, f.scores) for f in cv.folds] for cv in runs]
    trials = [[s.outcome() for s in cv.searches] for cv in runs]
    assert scores[0] == scores[1]
    assert trials[0] == trials[1] and len(trials[0]) == 4


def test_search_records_every_trial_with_params_score_and_time():
    """Each trial keeps its params, inner scores, state and seconds; the best is the best."""
    dataset = _dataset()
    candidate = _tuned("lr", "logistic_regression", {"C": "log-uniform(0.001, 100)"}, n_trials=6)
    search = _search(dataset, candidate)
    assert [t.number for t in search.trials] == list(range(6))
    complete = [t for t in search.trials if t.state == "complete"]
    assert search.best_score == max(t.score for t in complete)
    assert all(len(t.inner_scores) == 2 and t.seconds > 0 for t in complete)
    assert set(search.importances) == {"C"} and search.stopped_by == "n_trials"


def test_too_few_trials_leave_importances_unestimated():
    """Importance needs several completed trials; with fewer the record says so."""
    dataset = _dataset()
    candidate = _tuned("lr", "logistic_regression", {"C": "log-uniform(0.001, 100)"}, n_trials=2)
    search = _search(dataset, candidate)
    assert search.importances == {} and "fewer than" in search.importance_note


def test_a_spent_time_budget_stops_the_search_after_one_trial():
    """A budget that is already spent lets one trial run and records why the search stopped."""
    dataset = _dataset()
    candidate = _tuned("lr", "logistic_regression", {"C": "log-uniform(0.001, 100)"}, n_trials=9)
    search = _search(dataset, candidate, time_budget=1e-9)
    assert len(search.trials) == 1 and search.stopped_by == "time budget"


def test_a_search_whose_trials_all_fail_is_a_candidate_error():
    """When no trial completes, the fold fails with the trials' error."""
    dataset = _dataset()
    candidate = _tuned("knn", "knn", {"n_neighbors": "int(500, 600)"}, n_trials=2)
    with pytest.raises(CandidateError, match="no trial of the search for 'knn' completed"):
        _search(dataset, candidate)


def test_search_seed_depends_on_the_seed_candidate_and_fold_only():
    """Different folds or candidates get different seeds; the same inputs the same seed."""
    assert search_seed(0, "a", 0, 1) == search_seed(0, "a", 0, 1)
    seeds = {search_seed(0, "a", 0, 1), search_seed(0, "a", 1, 0), search_seed(0, "b", 0, 1),
             search_seed(1, "a", 0, 1), search_seed(0, "a", -1, -1)}  # fmt: skip
    assert len(seeds) == 5
