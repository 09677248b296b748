"""One set of checks run against every registered candidate (STYLE.md: the common test)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import Pipeline

from learnburn.candidates import build_pipeline, candidate_names

SEED = 7


@pytest.fixture(scope="module", params=candidate_names())
def name(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="module")
def fitted(name, frame, target, schema, fast_params) -> Pipeline:
    """The candidate fitted once on the binary table, shared by the read-only checks."""
    return build_pipeline(name, fast_params(name), schema, seed=SEED).fit(frame, target)


def test_candidate_builds_an_unfitted_pipeline_that_clones(name, schema, fast_params):
    """build_pipeline returns an unfitted Pipeline whose clone has the same params."""
    pipeline = build_pipeline(name, fast_params(name), schema, seed=SEED)
    copy = clone(pipeline)
    assert isinstance(pipeline, Pipeline)
    assert pipeline.steps[-1][0] == "model"
    assert copy.get_params()["model"].get_params() == pipeline["model"].get_params()


def test_candidate_fit_returns_the_pipeline(name, frame, target, schema, fast_params):
    """fit returns the pipeline itself, as scikit-learn estimators do."""
    pipeline = build_pipeline(name, fast_params(name), schema, seed=SEED)
    assert pipeline.fit(frame, target) is pipeline


def test_candidate_clone_of_a_fitted_pipeline_is_unfitted(fitted, frame):
    """Cloning a fitted pipeline gives an unfitted one (the fold engine clones per fold)."""
    with pytest.raises(NotFittedError):
        clone(fitted).predict(frame)


def test_candidate_probabilities_have_a_column_per_class_and_sum_to_one(fitted, frame):
    """predict_proba has shape (n, n_classes), finite values, rows summing to 1."""
    proba = fitted.predict_proba(frame)
    assert proba.shape == (len(frame), 2)
    assert np.isfinite(proba).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)


def test_candidate_predicts_only_labels_it_was_trained_on(fitted, frame, target):
    """predict returns the training labels (strings here, xgboost included)."""
    assert list(fitted.classes_) == ["no", "yes"]
    assert set(fitted.predict(frame)) <= {"no", "yes"}


def test_candidate_is_deterministic_under_a_seed(name, frame, target, schema, fast_params):
    """Two fits with the same seed give identical probabilities."""
    first, second = (
        build_pipeline(name, fast_params(name), schema, seed=SEED).fit(frame, target)
        for _ in range(2)
    )
    np.testing.assert_array_equal(first.predict_proba(frame), second.predict_proba(frame))


def test_candidate_scores_rows_with_every_feature_missing(fitted, frame):
    """Rows whose features are all missing still get finite probabilities."""
    blank = frame.head(3).copy()
    blank[["x1", "x2"]] = np.nan
    blank["colour"] = None
    blank["member"] = None
    proba = fitted.predict_proba(blank)
    assert np.isfinite(proba).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)


def test_candidate_scores_categories_unseen_in_training(fitted, frame):
    """A category that never appeared in training is scored, not rejected."""
    unseen = frame.head(5).copy()
    unseen["colour"] = "ultraviolet"
    proba = fitted.predict_proba(unseen)
    assert np.isfinite(proba).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)


def test_candidate_learns_a_multiclass_target(name, frame, multiclass, schema, fast_params):
    """A three-class target gives three probability columns in classes_ order."""
    pipeline = build_pipeline(name, fast_params(name), schema, seed=SEED).fit(frame, multiclass)
    proba = pipeline.predict_proba(frame)
    assert list(pipeline.classes_) == ["high", "low", "mid"]
    assert proba.shape == (len(frame), 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    assert set(pipeline.predict(frame)) <= {"high", "low", "mid"}


def test_candidate_selects_columns_by_name_not_position(fitted, frame):
    """Reordered columns and extra columns at predict time do not change the scores."""
    shuffled = frame[list(reversed(frame.columns))].assign(extra=1.0)
    np.testing.assert_array_equal(fitted.predict_proba(shuffled), fitted.predict_proba(frame))


def test_candidate_learns_from_the_features_better_than_chance(name, fitted, frame, target):
    """Every candidate but the baseline beats the majority class on its training data."""
    if name == "dummy":
        pytest.skip("the baseline ignores the features by design")
    majority = pd.Series(target).value_counts(normalize=True).max()
    assert (fitted.predict(frame) == target).mean() > majority


def test_candidate_fits_when_a_feature_is_entirely_missing(
    name, frame, target, schema, fast_params
):
    """A training fold where a numeric and a categorical column hold no value still fits."""
    gappy = frame.assign(x2=np.nan, colour=None)
    pipeline = build_pipeline(name, fast_params(name), schema, seed=SEED).fit(gappy, target)
    proba = pipeline.predict_proba(frame)
    assert np.isfinite(proba).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)


def test_candidate_reads_pandas_nullable_and_string_dtypes(
    name, frame, target, schema, fast_params
):
    """str, nullable boolean and nullable integer columns (as readers produce them) work."""
    typed = frame.assign(
        x1=pd.array(np.round(frame["x1"] * 10), dtype="Int64"),
        colour=frame["colour"].astype("str"),
        member=pd.array(frame["member"], dtype="boolean"),
    )
    typed.loc[::9, ["x1", "member"]] = pd.NA
    pipeline = build_pipeline(name, fast_params(name), schema, seed=SEED).fit(typed, target)
    np.testing.assert_allclose(pipeline.predict_proba(typed).sum(axis=1), 1.0, rtol=1e-6)
