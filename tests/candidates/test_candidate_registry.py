"""The registry table: names, descriptions, and declarations that match the estimators."""

from __future__ import annotations

import pytest

from learnburn.candidates import (
    build_pipeline,
    candidate_names,
    check_candidate,
    describe_candidates,
    is_import_path,
)
from learnburn.candidates._registry import find_entry

REQUIRED = (
    "logistic_regression",
    "random_forest",
    "extra_trees",
    "hist_gradient_boosting",
    "lightgbm",
    "xgboost",
    "knn",
    "decision_tree",
    "dummy",
)


def test_registry_lists_the_expected_candidates_once_each():
    """Every promised name is registered, and no name twice."""
    names = candidate_names()
    assert set(REQUIRED) <= set(names)
    assert len(names) == len(set(names))


def test_describe_candidates_gives_one_complete_record_per_name():
    """Each record has a summary, a family, a 'module:Class' estimator, a kind and tags."""
    infos = describe_candidates()
    assert tuple(info.name for info in infos) == candidate_names()
    for info in infos:
        assert info.summary and info.family
        assert is_import_path(info.estimator)
        assert info.preprocessing in ("linear", "tree", "native", "none")
        assert "probabilistic" in info.tags


def test_only_the_boosting_libraries_and_the_mlp_need_an_extra():
    """lightgbm and xgboost name the 'boosting' extra, the MLP 'torch'; scikit-learn
    candidates need none."""
    extras = {info.name: info.extra for info in describe_candidates()}
    assert extras.pop("lightgbm") == extras.pop("xgboost") == "boosting"
    assert extras.pop("mlp") == "torch"
    assert set(extras.values()) == {None}


@pytest.mark.parametrize("name", candidate_names())
def test_declared_params_are_exactly_the_estimators_params(name, schema):
    """The names declared for offline checking equal the built estimator's get_params()."""
    estimator = build_pipeline(name, {}, schema, seed=0)["model"]
    assert set(find_entry(name).param_names) == set(estimator.get_params(deep=False))


@pytest.mark.parametrize("name", candidate_names())
def test_entry_defaults_pass_their_own_rules(name):
    """The defaults an entry ships with are valid params for it."""
    assert check_candidate(name, find_entry(name).defaults) == []
