"""build_pipeline: preprocessing by kind, params over defaults, the seed, and its errors."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler
from sklearn.tree import DecisionTreeClassifier

from learnburn.candidates import build_pipeline
from learnburn.errors import CandidateError


def _step_types(pipeline) -> set[type]:
    """Types of every transformer inside the preprocess step's column branches."""
    found = set()
    for _, branch, _ in pipeline["preprocess"].transformers:
        found |= {type(step) for _, step in getattr(branch, "steps", [("", branch)])}
    return found


@pytest.mark.parametrize(
    ("model", "kind"),
    [
        ("logistic_regression", "linear"),
        ("knn", "linear"),
        ("random_forest", "tree"),
        ("decision_tree", "tree"),
        ("hist_gradient_boosting", "native"),
        ("lightgbm", "native"),
        ("xgboost", "native"),
        ("dummy", "none"),
        ("sklearn.naive_bayes:GaussianNB", "linear"),
    ],
)
def test_auto_preprocessing_is_the_candidates_default(model, kind, schema):
    """'auto' picks the entry's kind; import-path estimators get 'linear'."""
    pipeline = build_pipeline(model, {}, schema, seed=0)
    names = [name for name, _ in pipeline.steps]
    if kind == "none":
        assert names == ["model"]
    elif kind == "native":
        assert type(pipeline["preprocess"]).__name__ == "NativeColumns"
    else:
        expected = {StandardScaler, OneHotEncoder} if kind == "linear" else {OrdinalEncoder}
        assert isinstance(pipeline["preprocess"], ColumnTransformer)
        assert expected <= _step_types(pipeline)


def test_preprocessing_can_be_chosen_for_any_candidate(schema, frame, target):
    """An explicit kind overrides the entry's default, and the pipeline still fits."""
    pipeline = build_pipeline("random_forest", {"n_estimators": 5}, schema, seed=0,
                              preprocessing="linear")  # fmt: skip
    assert StandardScaler in _step_types(pipeline)
    assert pipeline.fit(frame, target).predict_proba(frame).shape == (len(frame), 2)


def test_preprocessing_none_hands_the_table_to_the_estimator_alone(make_schema, frame, target):
    """With 'none' the pipeline is the estimator alone, which then sees the table as given."""
    schema = make_schema(x1="numeric")
    model = "sklearn.tree:DecisionTreeClassifier"
    pipeline = build_pipeline(model, {"max_depth": 2}, schema, seed=0, preprocessing="none")
    assert [name for name, _ in pipeline.steps] == ["model"]
    assert isinstance(pipeline["model"], DecisionTreeClassifier)
    pipeline.fit(frame[["x1"]], target)
    assert list(pipeline["model"].feature_names_in_) == ["x1"]


def test_linear_preprocessing_feeds_the_model_only_schema_columns(schema, frame, target):
    """Columns outside the schema (a datetime, an id) never reach the model."""
    pipeline = build_pipeline("logistic_regression", {}, schema, seed=0).fit(frame, target)
    names = list(pipeline["preprocess"].get_feature_names_out())
    assert not any("when" in name or "id" in name for name in names)
    assert len(names) == pipeline["model"].n_features_in_


def test_params_override_defaults_and_keep_the_rest(schema):
    """Given params win over the entry's defaults; the other defaults stay."""
    model = build_pipeline("lightgbm", {"n_jobs": 2, "num_leaves": 7}, schema, seed=0)["model"]
    assert (model.n_jobs, model.num_leaves, model.verbose) == (2, 7, -1)
    model = build_pipeline("logistic_regression", {"C": 0.5}, schema, seed=0)["model"]
    assert (model.C, model.max_iter) == (0.5, 1000)


def test_seed_becomes_random_state_unless_params_set_it(schema):
    """The seed reaches random_state; an explicit random_state param wins."""
    assert build_pipeline("random_forest", {}, schema, seed=11)["model"].random_state == 11
    params = {"random_state": 5}
    assert build_pipeline("xgboost", params, schema, seed=11)["model"].random_state == 5
    assert "random_state" not in build_pipeline("knn", {}, schema, seed=11)["model"].get_params()


def test_different_seeds_give_different_randomised_models(schema, frame, target):
    """The seed actually drives the estimator's randomness."""
    first, second = (
        build_pipeline("extra_trees", {"n_estimators": 5}, schema, seed=s).fit(frame, target)
        for s in (1, 2)
    )
    assert not np.array_equal(first.predict_proba(frame), second.predict_proba(frame))


def test_hist_gradient_boosting_keeps_categories_within_its_bins(schema):
    """A smaller max_bins lowers the category cap so HGB's cardinality limit holds."""
    pipeline = build_pipeline("hist_gradient_boosting", {"max_bins": 16}, schema, seed=0)
    assert pipeline["preprocess"].max_categories == 16
    assert build_pipeline("lightgbm", {}, schema, seed=0)["preprocess"].max_categories == 250


@pytest.mark.parametrize(
    ("model", "params", "message", "hint"),
    [
        ("random_forst", {}, "unknown candidate 'random_forst'", "did you mean 'random_forest'?"),
        (
            "random_forest",
            {"max_dept": 3},
            "bad parameters for candidate 'random_forest': max_dept: unknown parameter",
            "did you mean 'max_depth'?",
        ),
        (
            "knn",
            {"n_neighbors": 0},
            "bad parameters for candidate 'knn': n_neighbors: must be an integer >= 1, got 0",
            "an integer >= 1",
        ),
        ("nosuchmodule:X", {}, "cannot import module 'nosuchmodule'", "installed"),
    ],
)
def test_bad_configuration_raises_candidate_error(model, params, message, hint, schema):
    """Whatever check_candidate finds, build_pipeline raises as a CandidateError with a hint."""
    with pytest.raises(CandidateError) as raised:
        build_pipeline(model, params, schema, seed=0)
    assert str(raised.value).startswith(message)
    assert hint in raised.value.hint


def test_unknown_preprocessing_suggests_the_closest_kind(schema):
    """A misspelt preprocessing kind raises with a did-you-mean hint."""
    with pytest.raises(CandidateError, match="unknown preprocessing 'nativ'") as raised:
        build_pipeline("lightgbm", {}, schema, seed=0, preprocessing="nativ")
    assert raised.value.hint.startswith("did you mean 'native'?")


@pytest.mark.parametrize("seed", [-1, 2**31, 1.5, True])
def test_seed_outside_the_shared_range_is_refused(seed, schema):
    """Seeds must be integers every library accepts: [0, 2**31 - 1]."""
    with pytest.raises(CandidateError, match="the seed must be an integer in"):
        build_pipeline("random_forest", {}, schema, seed=seed)


def test_schema_without_feature_columns_is_refused(make_schema):
    """A schema with only a datetime column leaves nothing to learn from."""
    schema = make_schema()
    with pytest.raises(CandidateError, match="no numeric, categorical or boolean columns"):
        build_pipeline("logistic_regression", {}, schema, seed=0)


STRICT_ESTIMATOR = """
from sklearn.base import BaseEstimator, ClassifierMixin


class Strict(ClassifierMixin, BaseEstimator):
    def __init__(self, alpha=1.0):
        if alpha < 0:
            raise ValueError("alpha must be >= 0")
        self.alpha = alpha

    def fit(self, X, y):
        return self
"""


def test_estimator_that_rejects_its_params_is_a_candidate_error(schema, tmp_path, monkeypatch):
    """A foreign constructor's error is translated into CandidateError and chained."""
    (tmp_path / "strict_estimators.py").write_text(STRICT_ESTIMATOR)
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(CandidateError, match=r"cannot be created with \{'alpha': -1\}") as raised:
        build_pipeline("strict_estimators:Strict", {"alpha": -1}, schema, seed=0)
    assert isinstance(raised.value.__cause__, ValueError)


def test_estimator_that_needs_arguments_is_refused(schema):
    """An import path whose class cannot be created without arguments is a model problem."""
    with pytest.raises(CandidateError, match="cannot be created without arguments"):
        build_pipeline("sklearn.compose:ColumnTransformer", {}, schema, seed=0)


@pytest.mark.parametrize(("model", "library"), [("lightgbm", "lightgbm"), ("xgboost", "xgboost")])
def test_missing_boosting_library_names_the_extra_to_install(model, library, schema, monkeypatch):
    """Without the library, building says which package is missing and which extra installs it."""
    monkeypatch.setitem(sys.modules, library, None)
    monkeypatch.delitem(sys.modules, "learnburn.candidates._xgboost", raising=False)
    with pytest.raises(CandidateError, match=f"needs the '{library}' package") as raised:
        build_pipeline(model, {}, schema, seed=0)
    assert raised.value.hint == "pip install 'learnburn[boosting]'"
    assert isinstance(raised.value.__cause__, ImportError)


def test_checking_and_listing_candidates_imports_no_boosting_library():
    """Importing learnburn.candidates, checking and listing never import lightgbm or xgboost."""
    code = (
        "import sys\n"
        "from learnburn.candidates import check_candidate, describe_candidates\n"
        "describe_candidates()\n"
        "assert check_candidate('lightgbm', {'num_leaves': 8}) == []\n"
        "assert check_candidate('xgboost', {'max_depth': 3}) == []\n"
        "print(sorted({'lightgbm', 'xgboost'} & set(sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"
