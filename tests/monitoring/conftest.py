"""Tables for drift tests: known distributions, drawn fresh from a seed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

SHARES = [0.4, 0.3, 0.15, 0.1, 0.05]
LETTERS = list("vwxyz")


def _draw(rng: np.random.Generator, n: int, *, shift: float = 0.0) -> pd.DataFrame:
    """Two numeric columns (normal, lognormal) and one categorical; ``shift`` moves ``a``."""
    return pd.DataFrame(
        {
            "a": rng.normal(size=n) + shift,
            "b": rng.lognormal(size=n),
            "c": rng.choice(LETTERS, size=n, p=SHARES),
        }
    )


def _butterfly(rng: np.random.Generator, n: int, rho: float) -> pd.DataFrame:
    """Two standard normal columns with correlation ``rho`` (marginals never change)."""
    x = rng.multivariate_normal([0.0, 0.0], [[1.0, rho], [rho, 1.0]], size=n)
    return pd.DataFrame({"x1": x[:, 0], "x2": x[:, 1], "g": rng.choice(["p", "q"], size=n)})


@pytest.fixture(scope="session")
def draw():
    """``draw(rng, n, shift=0.0)``: the three-column table (see ``_draw``)."""
    return _draw


@pytest.fixture(scope="session")
def butterfly():
    """``butterfly(rng, n, rho)``: two correlated normals and a coin (see ``_butterfly``)."""
    return _butterfly


@pytest.fixture(scope="session")
def sea_bundle(tmp_path_factory):
    """A calibrated logistic regression on SEA concept 0 (theta 8), with a reference profile
    of its training rows and holdout scores: classes "no" and "yes" (f1 + f2 <= theta)."""
    from learnburn.bundles import load_bundle, save_bundle
    from learnburn.candidates import build_pipeline
    from learnburn.data import infer_schema
    from learnburn.monitoring import build_reference
    from learnburn.testing import sea_stream
    from learnburn.thresholds import choose_decision

    columns = ["f1", "f2", "f3"]
    train, holdout = sea_stream(4000, seed=1), sea_stream(20000, seed=2)
    schema = infer_schema(train[columns])
    target = np.where(train["label"] == 1, "yes", "no")
    model = build_pipeline("logistic_regression", {}, schema, seed=0)
    model.fit(train[columns], target)
    proba = model.predict_proba(holdout[columns])
    truth = np.where(holdout["label"] == 1, "yes", "no")
    policy = choose_decision(
        truth, proba, ["no", "yes"], [[0, 1], [1, 0]], calibration="isotonic", n_resamples=20
    )
    reference = build_reference(
        train[columns], numeric=columns, categorical=[], scores=proba[:, 1],
        importances={"f1": 0.5, "f2": 0.5, "f3": 0.0},
    )  # fmt: skip
    path = save_bundle(
        model, tmp_path_factory.mktemp("sea") / "sea.lbm", schema=schema.to_dict(),
        classes=["no", "yes"], meta={"run_id": "sea"}, decision=policy.to_dict(),
        calibrator=policy.calibrator.to_dict(), reference=reference,
    )  # fmt: skip
    return load_bundle(path)


@pytest.fixture
def write_capture(sea_bundle):
    """``write_capture(folder, rows)``: the rows (with a ``time`` column) scored by the SEA
    bundle and written as one learnburn capture file, one event per row; returns the table."""
    import uuid

    def write(folder, rows: pd.DataFrame) -> pd.DataFrame:
        bundle = sea_bundle
        inputs = rows[list(bundle.columns)].reset_index(drop=True)
        proba = bundle.predict_proba(inputs)
        table = pd.DataFrame(
            {
                "event_id": [uuid.uuid4().hex for _ in range(len(inputs))],
                "row": np.zeros(len(inputs), dtype=np.int32),
                "time": pd.DatetimeIndex(rows["time"]).tz_localize("UTC"),
                "bundle_id": "test",
            }
        )
        for name in bundle.columns:
            table[f"input.{name}"] = inputs[name].astype(float)
        for index, label in enumerate(bundle.classes):
            table[f"proba.{label}"] = proba[:, index]
        table["decision"] = np.asarray(bundle.decide_proba(proba)).astype(str)
        table.to_parquet(folder / "capture-test.parquet", index=False)
        return table

    return write
