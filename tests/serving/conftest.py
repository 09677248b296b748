"""A small table with numeric, categorical and boolean columns, and bundles fitted on it: one
without a decision (argmax) and one with a cost-based threshold."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from learnburn.bundles import load_bundle, save_bundle
from learnburn.candidates import build_pipeline
from learnburn.data import infer_schema
from learnburn.thresholds import choose_decision

CLASSES = ["no", "yes"]


def make_target(frame: pd.DataFrame) -> np.ndarray:
    score = (frame["income"] - 50) / 10 + (frame["region"] == "north") - 0.5 * frame["member"]
    return np.where(score > 0.1, "yes", "no")


@pytest.fixture(scope="session")
def features(mixed_features_maker) -> pd.DataFrame:
    return mixed_features_maker(120)


@pytest.fixture(scope="session")
def bundles(tmp_path_factory, features) -> dict[str, Path]:
    """Two saved bundles: "plain" (no decision) and "decided" (a calibrated threshold)."""
    folder = tmp_path_factory.mktemp("bundles")
    schema = infer_schema(features)
    target = make_target(features)
    model = build_pipeline("logistic_regression", {}, schema, seed=0).fit(features, target)
    common = {"schema": schema.to_dict(), "classes": CLASSES, "meta": {"run_id": "r1"}}
    plain = save_bundle(model, folder / "plain.lbm", **common)
    proba = model.predict_proba(features)
    cost = [[0, 1], [5, 0]]  # a missed "yes" costs five times a false alarm
    policy = choose_decision(target, proba, CLASSES, cost, calibration="isotonic", n_resamples=20)
    decided = save_bundle(
        model,
        folder / "decided.lbm",
        decision=policy.to_dict(),
        calibrator=policy.calibrator.to_dict(),
        **common,
    )
    return {"plain": plain, "decided": decided}


@pytest.fixture(scope="session")
def bundle(bundles):
    return load_bundle(bundles["plain"])


@pytest.fixture
def table(features) -> pd.DataFrame:
    """The features with an id column first (ids not in row order)."""
    return features.assign(row_id=np.arange(len(features)) * 3 + 100)[["row_id", *features.columns]]
