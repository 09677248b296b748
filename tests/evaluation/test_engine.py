import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_validate
from sklearn.tree import DecisionTreeClassifier

from learnburn.backends import LocalBackend
from learnburn.data import prepare_dataset
from learnburn.evaluation import (
    evaluate_candidates,
    make_splits,
    refit_on_development,
    score_holdout,
)
from learnburn.spec import CandidateSpec, EvaluationSpec


def _numeric_dataset():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(300, 4))
    y = (X[:, 0] + 0.5 * X[:, 1] + rng.normal(scale=1.0, size=300) > 0).astype(int)
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"]).assign(y=y)
    return prepare_dataset(frame, target="y")


def _evaluate(dataset, candidates, evaluation, jobs=1):
    splits = make_splits(dataset.target, evaluation)
    cv = evaluate_candidates(
        dataset.features, dataset.target, dataset.schema, dataset.classes, candidates, splits,
        metric=evaluation.metric, seed=evaluation.seed, backend=LocalBackend(jobs),
    )  # fmt: skip
    return splits, cv.summaries, cv.folds


@pytest.mark.parametrize(
    ("path", "estimator"),
    [
        ("sklearn.linear_model:LogisticRegression", LogisticRegression(random_state=4)),
        ("sklearn.tree:DecisionTreeClassifier", DecisionTreeClassifier(random_state=4)),
    ],
)
def test_scores_equal_scikit_learn_cross_validate_on_the_same_splits(path, estimator):
    """For a plain estimator, per-fold and mean scores equal scikit-learn's cross_validate."""
    dataset = _numeric_dataset()
    evaluation = EvaluationSpec(folds=4, repeats=2, seed=4, metric="roc_auc")
    candidate = CandidateSpec("plain", path, preprocessing="none")
    splits, summaries, folds = _evaluate(dataset, [candidate], evaluation)
    X = dataset.features.iloc[splits.development]
    y = dataset.target.iloc[splits.development]
    expected = cross_validate(estimator, X, y, cv=splits.as_cv(), scoring="roc_auc")["test_score"]
    ours = [f.score for f in folds]
    np.testing.assert_allclose(ours, expected, rtol=1e-12)
    assert summaries[0].mean == pytest.approx(expected.mean(), rel=1e-12)


def test_same_seed_gives_identical_fold_scores_in_one_and_two_processes():
    """Per-fold scores are identical across two runs and across jobs=1 and jobs=2."""
    dataset = _numeric_dataset()
    evaluation = EvaluationSpec(folds=3, repeats=2, seed=9)
    candidates = [
        CandidateSpec("rf", "random_forest", params={"n_estimators": 15}),
        CandidateSpec("hgb", "hist_gradient_boosting", params={"max_iter": 30}),
    ]
    runs = [_evaluate(dataset, candidates, evaluation, jobs)[2] for jobs in (1, 1, 2)]
    scores = [[(f.candidate, f.repeat, f.fold, f.scores) for f in folds] for folds in runs]
    assert scores[0] == scores[1] == scores[2]


def test_failing_candidate_is_reported_and_the_others_go_on():
    """A candidate that cannot predict probabilities fails with its error; others still rank."""
    dataset = _numeric_dataset()
    evaluation = EvaluationSpec(folds=3, repeats=1)
    candidates = [
        CandidateSpec("svc", "sklearn.svm:SVC", preprocessing="none"),  # no predict_proba
        CandidateSpec("logreg", "logistic_regression"),
    ]
    _, summaries, _ = _evaluate(dataset, candidates, evaluation)
    by_name = {s.name: s for s in summaries}
    assert by_name["svc"].status == "failed"
    assert "predict_proba" in by_name["svc"].error
    assert by_name["svc"].rank is None
    assert by_name["logreg"].status == "ok" and by_name["logreg"].rank == 1


def test_ranking_follows_the_metric_direction():
    """For a loss, the lowest mean ranks first."""
    dataset = _numeric_dataset()
    evaluation = EvaluationSpec(folds=3, repeats=1, metric="log_loss")
    candidates = [
        CandidateSpec("dummy", "sklearn.dummy:DummyClassifier", preprocessing="none"),
        CandidateSpec("logreg", "logistic_regression"),
    ]
    _, summaries, _ = _evaluate(dataset, candidates, evaluation)
    ranked = sorted(summaries, key=lambda s: s.rank)
    assert ranked[0].name == "logreg"
    assert ranked[0].mean < ranked[1].mean


def test_out_of_fold_predictions_cover_every_development_row_once_per_repeat():
    """The engine keeps each candidate's test-fold probabilities: r copies of each dev row."""
    dataset = _numeric_dataset()
    evaluation = EvaluationSpec(folds=3, repeats=2)
    splits = make_splits(dataset.target, evaluation)
    cv = evaluate_candidates(
        dataset.features, dataset.target, dataset.schema, dataset.classes,
        [CandidateSpec("logreg", "logistic_regression")], splits,
        metric="roc_auc", seed=0, backend=LocalBackend(1),
    )  # fmt: skip
    oof = cv.oof["logreg"]
    assert sorted(oof.rows[oof.repeats == 0]) == list(range(len(splits.development)))
    assert oof.proba.shape == (2 * len(splits.development), 2)
    target = dataset.target.to_numpy()[splits.development]
    assert (oof.target == target[oof.rows]).all()
    assert cv.summaries[0].model_bytes > 0


def _refit_forest(jobs):
    dataset = _numeric_dataset()
    splits = make_splits(dataset.target, EvaluationSpec(folds=3, repeats=1, holdout=0.3))
    candidate = CandidateSpec("rf", "random_forest", {"n_estimators": 8})
    model, _ = refit_on_development(
        dataset.features, dataset.target, dataset.schema, candidate, splits, seed=0, jobs=jobs
    )
    return model, dataset.features.iloc[splits.holdout]


def test_refit_grows_a_forest_on_the_free_jobs_and_keeps_the_model_asked_for(monkeypatch):
    """With jobs=2 the forest's refit runs on 2 threads; its n_jobs is the registry's 1 again
    afterwards and its trees are those of a one-job fit."""
    seen, fit = [], RandomForestClassifier.fit

    def spy(self, *args, **kwargs):
        seen.append(self.n_jobs)
        return fit(self, *args, **kwargs)

    monkeypatch.setattr(RandomForestClassifier, "fit", spy)
    parallel, rows = _refit_forest(jobs=2)
    single, _ = _refit_forest(jobs=1)
    assert seen == [2, 1]
    assert parallel.named_steps["model"].n_jobs == 1
    assert (parallel.predict_proba(rows) == single.predict_proba(rows)).all()


def test_refit_scores_the_holdout_once_with_development_rows_only():
    """The refit model is trained on development rows and scored on the holdout rows."""
    dataset = _numeric_dataset()
    evaluation = EvaluationSpec(folds=3, repeats=1, holdout=0.3)
    splits = make_splits(dataset.target, evaluation)
    candidate = CandidateSpec("logreg", "logistic_regression")
    model, fit_time = refit_on_development(
        dataset.features, dataset.target, dataset.schema, candidate, splits, seed=0
    )
    holdout, proba = score_holdout(
        model, dataset.features, dataset.target, dataset.classes, splits,
        name="logreg", metric="accuracy", fit_time=fit_time, seed=0,
    )  # fmt: skip
    assert holdout.rows == len(splits.holdout) == 90
    X_hold = dataset.features.iloc[splits.holdout]
    expected = (model.predict(X_hold) == dataset.target.iloc[splits.holdout]).mean()
    assert holdout.score == pytest.approx(expected)
    assert holdout.interval["low"] <= holdout.score <= holdout.interval["high"]
    assert proba.shape == (90, 2)
