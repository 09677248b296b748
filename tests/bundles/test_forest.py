"""scikit-learn's trees and forests built as one ONNX TreeEnsemble from their arrays give the
native probabilities (missing values and multiclass included), and are what a forest bundle's
ONNX fast path is made of."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.ensemble import ExtraTreesClassifier, RandomForestClassifier
from sklearn.tree import DecisionTreeClassifier

from learnburn.bundles import load_bundle, save_bundle
from learnburn.bundles._fast import OnnxRunner
from learnburn.bundles._forest import forest_onnx
from learnburn.bundles._proof import TOLERANCE

pytest.importorskip("onnxruntime")

MODELS = {
    "forest": lambda: RandomForestClassifier(n_estimators=15, random_state=0),
    "extra_trees": lambda: ExtraTreesClassifier(n_estimators=10, random_state=0),
    "stump": lambda: DecisionTreeClassifier(max_depth=1),
    "deep_tree": lambda: DecisionTreeClassifier(random_state=0),
}


@pytest.mark.parametrize("classes", [2, 3])
@pytest.mark.parametrize("kind", sorted(MODELS))
def test_the_built_ensemble_gives_the_native_probabilities(kind, classes):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2000, 5))
    X[::7, 2] = np.nan
    y = (2 * X[:, 0] + np.nan_to_num(X[:, 2]) + rng.normal(size=2000) > 0).astype(int)
    if classes == 3:
        y += X[:, 1] > 0.5
    model = MODELS[kind]().fit(X, y)
    runner = OnnxRunner(forest_onnx(model, X.shape[1]), "here")
    rows = np.vstack([X, np.full((1, 5), np.nan), rng.normal(size=(50, 5)) * 3])
    np.testing.assert_allclose(
        runner.predict_proba(rows), model.predict_proba(rows), rtol=0, atol=TOLERANCE
    )


def test_the_ensembles_attributes_are_those_onnx_helper_makes():
    """The int lists, built without onnx.helper's element checks, are the attributes
    helper.make_attribute gives for the same values, in its (sorted) order."""
    from onnx import helper, load_model_from_string

    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(300, 4)), rng.integers(0, 2, 300)
    model = MODELS["forest"]().fit(X, y)
    (node,) = load_model_from_string(forest_onnx(model, 4)).graph.node
    names = [attribute.name for attribute in node.attribute]
    assert names == sorted(names)
    for attribute in node.attribute:
        value = helper.get_attribute_value(attribute)
        assert attribute == helper.make_attribute(attribute.name, value)


def test_a_forest_bundle_scores_by_the_built_ensemble(tmp_path, fit, target, schema, features):
    path = save_bundle(
        fit("random_forest", target), tmp_path / "forest.lbm", schema=schema,
        classes=["no", "yes"], meta={}, check_rows=features,
    )  # fmt: skip
    attempts = load_bundle(path).fast_report["attempts"]
    assert {"runtime": "onnxruntime", "converter": "onnx_forest", "outcome": "proven"}.items() <= (
        attempts[0].items()
    )
