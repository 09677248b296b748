"""Small tables and hand-built schemas for the candidate tests (no schema inference needed)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from learnburn.data import ColumnSchema, Schema

N_ROWS = 300


def build_schema(**kinds: str) -> Schema:
    """A schema with one column per keyword, e.g. ``build_schema(x1="numeric")``."""
    dtypes = {"numeric": "float64", "categorical": "object", "boolean": "bool"}
    return Schema(tuple(ColumnSchema(name, kind, dtypes[kind]) for name, kind in kinds.items()))


def build_frame(n_rows: int = N_ROWS, seed: int = 0) -> pd.DataFrame:
    """Numeric columns (one with NaN), a string column with missing values, a boolean column,
    and two columns the schema leaves out (a datetime and an id). Tests copy before changing it.
    """
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "x1": rng.normal(size=n_rows),
            "x2": rng.normal(size=n_rows),
            "colour": rng.choice(["red", "green", "blue", "white"], size=n_rows).astype(object),
            "member": rng.random(n_rows) < 0.5,
            "when": pd.date_range("2024-01-01", periods=n_rows, freq="h"),
            "id": [f"row-{i}" for i in range(n_rows)],
        }
    )
    frame.loc[::7, "x2"] = np.nan
    frame.loc[::5, "colour"] = None
    return frame


def binary_target(frame: pd.DataFrame) -> np.ndarray:
    score = frame["x1"] + (frame["colour"] == "red") - 0.5 * frame["member"]
    return np.where(score > 0.2, "yes", "no")


def multiclass_target(frame: pd.DataFrame) -> np.ndarray:
    score = frame["x1"] + (frame["colour"] == "red")
    return np.select([score < -0.3, score < 0.6], ["low", "mid"], "high")


FAST = {  # fewer trees and rounds: the tests check behaviour, not accuracy
    "random_forest": {"n_estimators": 20},
    "extra_trees": {"n_estimators": 20},
    "hist_gradient_boosting": {"max_iter": 20},
    "lightgbm": {"n_estimators": 20},
    "xgboost": {"n_estimators": 20},
    "mlp": {"hidden_units": 16, "learning_rate": 0.01},
}


@pytest.fixture(scope="session")
def make_schema():
    return build_schema


@pytest.fixture(scope="session")
def fast_params():
    """Small params per candidate name (an empty dict for the quick ones)."""
    return lambda name: dict(FAST.get(name, {}))


@pytest.fixture(scope="module")
def schema() -> Schema:
    return build_schema(x1="numeric", x2="numeric", colour="categorical", member="boolean")


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return build_frame()


@pytest.fixture(scope="module")
def target(frame: pd.DataFrame) -> np.ndarray:
    return binary_target(frame)


@pytest.fixture(scope="module")
def multiclass(frame: pd.DataFrame) -> np.ndarray:
    return multiclass_target(frame)
