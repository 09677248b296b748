"""check_candidate: every problem with a model name and its params, each with a hint."""

from __future__ import annotations

import sys

import pytest

from learnburn.candidates import CandidateProblem, candidate_names, check_candidate, is_import_path


def test_registered_candidate_with_good_params_has_no_problems():
    """Valid values, None where allowed and a class_weight table all pass."""
    params = {"max_depth": None, "max_features": "sqrt", "class_weight": {"yes": 3, "no": 1}}
    assert check_candidate("random_forest", params) == []
    assert check_candidate("lightgbm", {"max_depth": -1, "learning_rate": 0.05}) == []


def test_unknown_candidate_suggests_the_closest_name():
    """A misspelt name is a model problem (key "") whose hint names the closest candidate."""
    [problem] = check_candidate("randomforest", {"n_estimators": 10})
    assert problem.key == ""
    assert problem.message == "unknown candidate 'randomforest'"
    assert problem.hint.startswith("did you mean 'random_forest'?")


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("hist_gbm", "hist_gradient_boosting"), ("HistGBM", "hist_gradient_boosting"),
     ("hgb", "hist_gradient_boosting"), ("xgb", "xgboost"), ("rf", "random_forest"),
     ("logreg", "logistic_regression"), ("lgbm", "lightgbm")],
)  # fmt: skip
def test_unknown_candidate_suggests_the_registered_name_of_a_common_short_name(typed, meant):
    """Short names people type point at the registered model, not at a lookalike spelling."""
    [problem] = check_candidate(typed, {})
    assert problem.hint.startswith(f"did you mean '{meant}'?")


def test_every_short_name_points_at_a_registered_model():
    """The alias table names only registered classifiers or clusterers."""
    from learnburn.candidates._check import MODEL_ALIASES
    from learnburn.candidates._clustering import clusterer_names

    assert set(MODEL_ALIASES.values()) <= {*candidate_names(), *clusterer_names()}


def test_unknown_candidate_without_a_close_name_lists_the_known_ones():
    """With nothing close, the hint lists every registered name and the import-path form."""
    [problem] = check_candidate("svm", {})
    assert all(name in problem.hint for name in candidate_names())
    assert "sklearn.svm:SVC" in problem.hint


def test_dotted_class_path_suggests_the_colon_form():
    """'sklearn.tree.DecisionTreeClassifier' gets told to write 'sklearn.tree:DecisionTree...'."""
    [problem] = check_candidate("sklearn.tree.DecisionTreeClassifier", {})
    assert "'sklearn.tree:DecisionTreeClassifier'" in problem.hint


def test_unknown_param_suggests_the_closest_name():
    """A misspelt parameter is reported under its own key with the closest accepted name."""
    [problem] = check_candidate("lightgbm", {"max_dept": 4})
    assert problem == CandidateProblem(
        "max_dept", "unknown parameter 'max_dept' for lightgbm", "did you mean 'max_depth'?"
    )


def test_unknown_param_without_a_close_name_lists_the_accepted_ones():
    """With nothing close, the hint lists the accepted parameters."""
    [problem] = check_candidate("knn", {"zzz": 1})
    assert "n_neighbors" in problem.hint and "weights" in problem.hint


@pytest.mark.parametrize(
    ("model", "key", "value", "message"),
    [
        ("random_forest", "n_estimators", -3, "must be an integer >= 1, got -3"),
        ("random_forest", "n_estimators", True, "must be an integer >= 1, got True"),
        ("random_forest", "max_depth", 0, "must be an integer >= 1 or None, got 0"),
        ("decision_tree", "max_depth", 2.5, "must be an integer >= 1 or None, got 2.5"),
        (
            "random_forest",
            "min_samples_leaf",
            0,
            "must be an integer >= 1 or a float in (0, 1), got 0",
        ),
        (
            "extra_trees",
            "criterion",
            "ginny",
            "must be one of 'gini', 'entropy', 'log_loss', got 'ginny'",
        ),
        ("logistic_regression", "C", -1.0, "must be a float > 0, got -1.0"),
        ("logistic_regression", "C", "1", "must be a float > 0, got '1'"),
        ("knn", "n_neighbors", 0, "must be an integer >= 1, got 0"),
        ("hist_gradient_boosting", "learning_rate", float("nan"), "must be a float > 0, got nan"),
        ("hist_gradient_boosting", "max_bins", 300, "must be an integer in [2, 255], got 300"),
        ("lightgbm", "num_leaves", 1, "must be an integer in [2, 131072], got 1"),
        ("lightgbm", "max_depth", 0, "must be an integer >= 1 or -1, got 0"),
        ("lightgbm", "subsample", 0.0, "must be a float in (0, 1], got 0.0"),
        ("xgboost", "colsample_bytree", 1.5, "must be a float in (0, 1] or None, got 1.5"),
        ("xgboost", "reg_lambda", -1, "must be a float >= 0 or None, got -1"),
        ("dummy", "strategy", "mean", None),
    ],
)
def test_bad_value_says_what_was_expected_and_what_came(model, key, value, message):
    """A value outside its rule is reported under its key, scikit-learn style, with a hint."""
    [problem] = check_candidate(model, {key: value})
    assert problem.key == key
    if message is not None:
        assert problem.message == message
    assert problem.message.endswith(f"got {value!r}")
    assert problem.hint


def test_every_problem_is_reported_not_just_the_first():
    """Several bad params give one problem each, in the order given."""
    params = {"n_estimators": 0, "learning_rate": -1, "num_leafs": 8, "subsample": 0.5}
    problems = check_candidate("lightgbm", params)
    assert [p.key for p in problems] == ["n_estimators", "learning_rate", "num_leafs"]


def test_import_path_to_an_estimator_is_checked_against_its_get_params():
    """An import path's params are its class's get_params() names (values are not checked)."""
    model = "sklearn.tree:DecisionTreeClassifier"
    assert check_candidate(model, {"max_depth": 3, "min_samples_leaf": 5}) == []
    [problem] = check_candidate(model, {"max_depht": 3})
    assert problem.key == "max_depht"
    assert problem.hint == "did you mean 'max_depth'?"


@pytest.mark.parametrize(
    ("model", "message", "hint"),
    [
        ("sklearn.tree:Nope", "'sklearn.tree' has no attribute 'Nope'", "class name"),
        (
            "sklearn.tree:DecisionTreeClassifer",
            "'sklearn.tree' has no attribute 'DecisionTreeClassifer'",
            "did you mean 'DecisionTreeClassifier'?",
        ),
        ("nosuchmodule:X", "cannot import module 'nosuchmodule'", "installed"),
        ("sklearn.tree:plot_tree", "'sklearn.tree:plot_tree' is a function, not a class", "SVC"),
        ("collections:OrderedDict", "is not a scikit-learn estimator", "SVC"),
    ],
)
def test_bad_import_path_is_a_model_problem_with_a_hint(model, message, hint):
    """Unimportable modules, missing classes and non-estimators are reported under key ''."""
    [problem] = check_candidate(model, {"anything": 1})
    assert problem.key == ""
    assert message in problem.message
    assert hint in problem.hint


def test_import_path_whose_module_fails_to_import_reports_the_error(tmp_path, monkeypatch):
    """A module that raises while importing is reported, not propagated."""
    (tmp_path / "broken_estimators.py").write_text("raise RuntimeError('boom')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    [problem] = check_candidate("broken_estimators:Model", {})
    assert problem.message == "importing module 'broken_estimators' failed: RuntimeError: boom"


def test_registered_candidates_are_checked_without_importing_their_library(monkeypatch):
    """check_candidate works for lightgbm and xgboost even when neither can be imported."""
    monkeypatch.setitem(sys.modules, "lightgbm", None)
    monkeypatch.setitem(sys.modules, "xgboost", None)
    assert check_candidate("lightgbm", {"num_leaves": 15, "verbose": -1}) == []
    assert check_candidate("xgboost", {"max_depth": 4, "tree_method": "hist"}) == []
    assert check_candidate("xgboost", {"max_deep": 4})[0].hint == "did you mean 'max_depth'?"


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("sklearn.tree:DecisionTreeClassifier", True),
        ("mypackage.models:Outer.Inner", True),
        ("module:Class", True),
        ("random_forest", False),
        ("sklearn.tree.DecisionTreeClassifier", False),
        ("sklearn.tree:", False),
        (":Class", False),
        ("a b:C", False),
        ("", False),
    ],
)
def test_is_import_path_recognises_the_module_colon_class_form(model, expected):
    """Only 'package.module:ClassName' (dotted names, one colon) counts as an import path."""
    assert is_import_path(model) is expected
