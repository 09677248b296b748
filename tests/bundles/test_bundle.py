"""A loaded Bundle scores tables: probabilities in the bundle's class order, and decisions."""

from __future__ import annotations

import numpy as np
import pytest

from learnburn.bundles import VERSION, load_bundle, save_bundle
from learnburn.errors import SchemaError
from learnburn.thresholds import choose_decision


def test_predict_proba_follows_the_order_of_the_bundles_classes(
    logistic, features, schema, tmp_path
):
    """classes=["yes", "no"] gives the model's columns swapped."""
    path = save_bundle(logistic, tmp_path / "b", schema=schema, classes=["yes", "no"], meta={})
    proba = load_bundle(path).predict_proba(features)
    assert np.array_equal(proba, logistic.predict_proba(features)[:, ::-1])


def test_a_class_the_model_never_saw_gets_probability_zero(logistic, features, schema, tmp_path):
    """A class in classes but not in the model's training labels has a column of zeros."""
    path = save_bundle(
        logistic, tmp_path / "b", schema=schema, classes=["maybe", "no", "yes"], meta={}
    )
    bundle = load_bundle(path)
    proba = bundle.predict_proba(features)
    assert np.array_equal(proba[:, 0], np.zeros(len(features)))
    assert set(bundle.decide(features)) <= {"no", "yes"}


def test_decide_without_a_decision_picks_the_most_probable_class(bundle_dir, logistic, features):
    """No decision.json: decide is the argmax, like predict."""
    assert np.array_equal(load_bundle(bundle_dir).decide(features), logistic.predict(features))


def test_decide_applies_the_least_cost_rule_for_multiclass(
    fit, features, target3, schema, tmp_path
):
    """A three-class policy decides by least expected cost, as DecisionPolicy.apply does."""
    pipeline = fit("logistic_regression", target3)
    classes = list(pipeline.classes_)
    proba = pipeline.predict_proba(features)
    cost = [[0, 1, 4], [2, 0, 1], [8, 2, 0]]
    policy = choose_decision(target3, proba, classes, cost, calibration="none", n_resamples=20)
    path = save_bundle(
        pipeline, tmp_path / "b", schema=schema, classes=classes, meta={},
        decision=policy.to_dict(),
    )  # fmt: skip
    assert np.array_equal(load_bundle(path).decide(features), policy.apply(proba))


def test_extra_columns_are_ignored_and_order_does_not_matter(bundle_dir, logistic, features):
    """Columns are selected by name: reordered and extra columns change nothing."""
    shuffled = features[features.columns[::-1]].assign(unused=1)
    proba = load_bundle(bundle_dir).predict_proba(shuffled)
    assert np.array_equal(proba, logistic.predict_proba(features))


def test_a_table_lacking_a_column_is_a_schema_error(bundle_dir, features):
    """A missing input column is named, before the model runs."""
    with pytest.raises(SchemaError, match=r"lacks the columns \['region'\]"):
        load_bundle(bundle_dir).predict_proba(features.drop(columns="region"))


def test_scoring_something_other_than_a_dataframe_is_a_schema_error(bundle_dir, features):
    """An array has no column names to select by."""
    with pytest.raises(SchemaError, match="expected a pandas DataFrame"):
        load_bundle(bundle_dir).predict_proba(features.to_numpy())


def test_the_bundle_knows_its_path_manifest_and_columns(bundle_dir):
    """Bundle.path, .manifest and .columns describe what was loaded."""
    bundle = load_bundle(bundle_dir)
    assert bundle.path == bundle_dir
    assert bundle.manifest["version"] == VERSION
    assert bundle.columns == ("income", "debt", "region", "member")


def test_predict_is_the_bundles_decision_as_scikit_learn_names_it(
    fit, features, target3, schema, tmp_path
):
    """predict gives the decided labels (the least-cost rule here), the same as decide."""
    pipeline = fit("logistic_regression", target3)
    classes = list(pipeline.classes_)
    policy = choose_decision(
        target3, pipeline.predict_proba(features), classes, [[0, 1, 4], [2, 0, 1], [8, 2, 0]],
        calibration="none", n_resamples=20,
    )  # fmt: skip
    path = save_bundle(
        pipeline, tmp_path / "b", schema=schema, classes=classes, meta={},
        decision=policy.to_dict(),
    )  # fmt: skip
    bundle = load_bundle(path)
    assert np.array_equal(bundle.predict(features), bundle.decide(features))
    assert np.array_equal(bundle.predict(features), policy.apply(bundle.predict_proba(features)))


def test_classes_and_feature_names_follow_scikit_learn_naming(bundle_dir, logistic, features):
    """classes_, feature_names_in_ and n_features_in_ read as on a fitted estimator."""
    bundle = load_bundle(bundle_dir)
    assert np.array_equal(bundle.classes_, logistic.classes_)
    assert list(bundle.feature_names_in_) == list(features.columns)
    assert bundle.n_features_in_ == features.shape[1]
