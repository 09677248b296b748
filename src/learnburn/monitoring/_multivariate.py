"""Multivariate drift: can a classifier tell reference rows from current rows?

A histogram gradient-boosting classifier (native categories, native missing values) is trained
to separate a reference sample from the current data; its out-of-fold scores from stratified
k-fold cross-validation give a ROC AUC, with a DeLong interval (``learnburn.evaluation``). No
drift gives AUC 0.5. Joint changes the univariate tests cannot see (a correlation that flips
sign while every marginal stays put, NannyML's "butterfly") show up here.

Drift when the interval's lower bound exceeds 0.5 + ``margin``. The default margin, 0.03, is
the AUC that the best classifier reaches on a 0.1 sigma mean shift of one normal feature
(Phi(0.1 / sqrt 2) - 0.5 = 0.028), so it matches the univariate relevance floor: separability
smaller than that is not called drift however many rows there are. Each side is subsampled to
``max_rows`` for speed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import StratifiedKFold
from threadpoolctl import threadpool_limits

from learnburn.errors import DriftError
from learnburn.evaluation import auc_variance
from learnburn.monitoring._values import category_keys, numeric_values

MARGIN = 0.03
MIN_ROWS = 20
MAX_CODES = 250  # HistGradientBoosting wants fewer categories than max_bins (255)
# Small, regularised trees: enough for joint structure, and little room to fit noise (an
# overfitting classifier drives the out-of-fold AUC of no-drift data below 0.5).
CLASSIFIER = {"max_iter": 50, "max_leaf_nodes": 8, "min_samples_leaf": 40}


def domain_classifier(
    reference_sample: pd.DataFrame,
    current: pd.DataFrame,
    *,
    numeric: Sequence[str],
    categorical: Sequence[str],
    seed: int = 0,
    max_rows: int = 5000,
    folds: int = 5,
    confidence: float = 0.95,
    margin: float = MARGIN,
) -> dict:
    """AUC of telling ``current`` from ``reference_sample`` apart, with its interval and verdict."""
    numeric, categorical = list(numeric), list(categorical)
    columns = numeric + categorical
    for label, frame in (("reference sample", reference_sample), ("current data", current)):
        absent = [name for name in columns if name not in frame.columns]
        if absent:
            raise DriftError(
                f"Columns {absent} are not in the {label} given to domain_classifier.",
                hint="Pass tables with the model's input columns.",
            )
    rng = np.random.default_rng(seed)
    reference = _subsample(reference_sample, max_rows, rng)
    now = _subsample(current, max_rows, rng)
    record = {
        "method": "domain classifier (HistGradientBoosting, out-of-fold, DeLong interval)",
        "auc": None, "low": None, "high": None, "confidence": confidence, "margin": margin,
        "folds": folds, "rows_reference": len(reference), "rows_current": len(now),
        "drifted": False, "note": None,
    }  # fmt: skip
    if min(len(reference), len(now)) < max(MIN_ROWS, folds):
        record["note"] = f"skipped: fewer than {max(MIN_ROWS, folds)} rows on one side"
        return record
    features = _features(pd.concat([reference, now], ignore_index=True), numeric, categorical)
    target = np.r_[np.zeros(len(reference), bool), np.ones(len(now), bool)]
    scores = _out_of_fold(features, target, len(numeric), seed, folds)
    auc, variance = auc_variance(target, scores)
    half = stats.norm.ppf(0.5 + confidence / 2) * math.sqrt(max(variance, 0.0))
    low, high = float(max(0.0, auc - half)), float(min(1.0, auc + half))
    record.update(auc=auc, low=low, high=high, drifted=bool(low > 0.5 + margin))
    return record


def _subsample(frame: pd.DataFrame, cap: int, rng: np.random.Generator) -> pd.DataFrame:
    if len(frame) <= cap:
        return frame
    return frame.iloc[np.sort(rng.choice(len(frame), size=cap, replace=False))]


def _features(frame: pd.DataFrame, numeric: list[str], categorical: list[str]) -> np.ndarray:
    """Numeric columns as floats, then categorical columns as codes (rare ones pooled)."""
    parts = [numeric_values(frame[name], name, "the drift data") for name in numeric]
    for name in categorical:
        keys = pd.Series(category_keys(frame[name]), dtype=object)
        common = keys.value_counts().index[: MAX_CODES - 1]
        codes = pd.Categorical(keys.where(keys.isin(common) | keys.isna(), "\0other"))
        parts.append(np.where(codes.codes < 0, np.nan, codes.codes).astype(float))
    return np.column_stack(parts) if parts else np.empty((len(frame), 0))


def _out_of_fold(
    features: np.ndarray, target: np.ndarray, n_numeric: int, seed: int, folds: int
) -> np.ndarray:
    mask = np.arange(features.shape[1]) >= n_numeric
    scores = np.empty(target.size)
    split = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    with threadpool_limits(limits=1, user_api="openmp"):  # small data: threads only contend
        for train, test in split.split(features, target):
            model = HistGradientBoostingClassifier(
                categorical_features=mask if mask.any() else None,
                random_state=seed,
                early_stopping=False,
                **CLASSIFIER,
            )
            model.fit(features[train], target[train])
            scores[test] = model.predict_proba(features[test])[:, 1]
    return scores
