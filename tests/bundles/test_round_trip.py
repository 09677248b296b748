"""Every registered candidate survives save and load unchanged, as a directory and packed."""

from __future__ import annotations

import numpy as np
import pytest

from learnburn.bundles import load_bundle, save_bundle
from learnburn.candidates import candidate_names
from learnburn.thresholds import choose_decision


@pytest.fixture(scope="module", params=candidate_names())
def fitted(request, fit, target):
    return request.param, fit(request.param, target)


@pytest.mark.parametrize("packed", [False, True], ids=["directory", "lbm"])
def test_every_candidate_predicts_identically_after_a_round_trip(
    fitted, packed, features, schema, tmp_path
):
    """predict_proba of the loaded bundle equals the fitted pipeline's, bit for bit."""
    name, pipeline = fitted
    path = tmp_path / (f"{name}.lbm" if packed else name)
    saved = save_bundle(pipeline, path, schema=schema, classes=["no", "yes"], meta={"run": name})
    bundle = load_bundle(saved)
    assert saved == path and (path.is_file() if packed else path.is_dir())
    assert np.array_equal(bundle.predict_proba(features), pipeline.predict_proba(features))
    assert bundle.classes == ("no", "yes")


@pytest.mark.parametrize("name", ["logistic_regression", "lightgbm", "xgboost"])
def test_multiclass_candidates_predict_identically_after_a_round_trip(
    name, fit, features, target3, schema, tmp_path
):
    """Three-class pipelines round-trip too (their fitted state has other shapes)."""
    pipeline = fit(name, target3)
    classes = sorted(pipeline.classes_)
    bundle = load_bundle(
        save_bundle(pipeline, tmp_path / "b.lbm", schema=schema, classes=classes, meta={})
    )
    assert np.array_equal(bundle.predict_proba(features), pipeline.predict_proba(features))


def test_decide_applies_the_saved_threshold_after_calibration(
    logistic, features, target, schema, tmp_path
):
    """decide gives the policy's decisions: calibrated probabilities, then its threshold."""
    proba = logistic.predict_proba(features)
    policy = choose_decision(
        target, proba, ("no", "yes"), [[0, 1], [5, 0]], calibration="sigmoid", n_resamples=20
    )
    bundle = load_bundle(
        save_bundle(
            logistic,
            tmp_path / "b",
            schema=schema,
            classes=["no", "yes"],
            meta={},
            decision=policy.to_dict(),
            calibrator=policy.calibrator.to_dict(),
        )
    )
    assert bundle.decision["threshold"] == policy.threshold
    assert bundle.calibrator == policy.calibrator
    assert np.array_equal(bundle.decide(features), policy.apply(proba))
