"""The holdout, used once: refit the chosen candidate (and the runner-up) on all development rows,
score them on the untouched rows, and test the difference.

The interval sees holdout rows only: it is conditional on the fitted model and says nothing
about how another training sample would do (the corrected CV tests do that). A binary ROC AUC
gets DeLong's interval (O(n log n)); any other metric a BCa bootstrap with a bounded number of
resamples scored in chunks (``_bootstrap``). Both are linear in memory: a million holdout rows
take seconds and tens of MB.
DeLong's test compares the two AUCs on the same rows (binary targets); McNemar's test compares
the two sets of right and wrong labels (accuracy-type metrics).
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, replace
from typing import Any

import numpy as np
import pandas as pd

from learnburn.candidates import build_pipeline
from learnburn.evaluation._bootstrap import BootstrapInterval, metric_interval
from learnburn.evaluation._holdout_stats import auc_interval, delong_test, mcnemar
from learnburn.evaluation._metrics import get_metric, predict_proba_aligned, score_all
from learnburn.evaluation._records import HoldoutScore
from learnburn.evaluation._splits import Splits
from learnburn.evaluation._stats import clip_interval
from learnburn.spec import CandidateSpec

LABEL_METRICS = ("accuracy", "balanced_accuracy", "f1")


def refit_on_development(
    features: pd.DataFrame,
    target: pd.Series,
    schema,
    candidate: CandidateSpec,
    splits: Splits,
    *,
    seed: int,
    jobs: int = 1,
):
    """The candidate's pipeline fitted on every development row, and the seconds it took.

    The refit runs alone, so the ``jobs`` cores the folds shared are free: a scikit-learn
    forest (random forest, extra trees) left at one job grows its trees on ``jobs`` threads.
    Its trees do not depend on the thread count (each tree's seed is drawn before they are
    grown), and its ``n_jobs`` is set back after the fit: the model is the one the spec asks
    for, fitted sooner."""
    pipeline = build_pipeline(
        candidate.model, candidate.params, schema, seed=seed, preprocessing=candidate.preprocessing
    )
    start = time.perf_counter()
    with warnings.catch_warnings(), _forest_threads(pipeline.steps[-1][1], jobs):
        warnings.simplefilter("ignore")  # the same warnings were recorded per fold
        pipeline.fit(features.iloc[splits.development], target.to_numpy()[splits.development])
    return pipeline, time.perf_counter() - start


@contextmanager
def _forest_threads(estimator: Any, jobs: int) -> Iterator[None]:
    """``estimator`` fits on ``jobs`` threads inside the block when it is a forest set to one
    job; its ``n_jobs`` is as it was afterwards."""
    from sklearn.ensemble import ExtraTreesClassifier, RandomForestClassifier

    forest = isinstance(estimator, RandomForestClassifier | ExtraTreesClassifier)
    if jobs <= 1 or not forest or estimator.n_jobs not in (None, 1):
        yield
        return
    asked = estimator.n_jobs
    estimator.set_params(n_jobs=jobs)
    try:
        yield
    finally:
        estimator.set_params(n_jobs=asked)


def score_holdout(
    model,
    features: pd.DataFrame,
    target: pd.Series,
    classes,
    splits: Splits,
    *,
    name: str,
    metric: str,
    fit_time: float,
    seed: int,
    runner_up: tuple[str, Any] | None = None,
) -> tuple[HoldoutScore | None, np.ndarray | None]:
    """Score a refit model once on the holdout, with its interval and the test against the
    runner-up; also return its holdout probabilities (None without a holdout)."""
    rows = splits.holdout
    if len(rows) == 0:
        return None, None
    X, y = features.iloc[rows], target.to_numpy()[rows]
    start = time.perf_counter()
    proba = predict_proba_aligned(model, X, classes)
    predict_time = time.perf_counter() - start
    scores = score_all(y, proba, classes)
    interval = holdout_interval(metric, y, proba, classes, seed=seed)
    versus: tuple[dict, ...] = ()
    if runner_up is not None:
        other = predict_proba_aligned(runner_up[1], X, classes)
        versus = _tests(y, proba, other, classes, metric, runner_up[0])
    holdout = HoldoutScore(
        candidate=name,
        rows=len(rows),
        score=scores[metric],
        scores=scores,
        fit_time=fit_time,
        predict_time=predict_time,
        interval=asdict(interval),
        versus=versus,
    )
    return holdout, proba


def holdout_interval(metric: str, y, proba, classes, *, seed: int) -> BootstrapInterval:
    """The holdout score's 95% interval: DeLong for a binary ROC AUC, else the bootstrap;
    inside the metric's range either way (a clipped end is noted)."""
    labels = np.asarray(classes)
    y = np.asarray(y)
    positive = y == labels[-1]
    if metric == "roc_auc" and len(labels) == 2 and 2 <= positive.sum() <= len(y) - 2:
        return auc_interval(positive, proba[:, 1])
    interval = metric_interval(metric, y, proba, labels, seed=seed)
    low, high, clipped = clip_interval(interval.low, interval.high, get_metric(metric).bounds)
    if not clipped:
        return interval
    note = f"{interval.note}; clipped to the metric's range (was [{interval.low:.4f}, "
    return replace(interval, low=low, high=high, note=note + f"{interval.high:.4f}])")


def _tests(y, proba, other, classes, metric, runner_up: str) -> tuple[dict, ...]:
    labels = np.asarray(classes)
    tests = []
    if len(labels) == 2 and len(np.unique(y)) == 2:
        result = delong_test(y == labels[1], proba[:, 1], other[:, 1])
        tests.append({"test": "DeLong (ROC AUC)", "against": runner_up, **asdict(result)})
    if metric in LABEL_METRICS or len(labels) > 2:
        right = labels[np.argmax(proba, axis=1)] == y
        right_other = labels[np.argmax(other, axis=1)] == y
        result = mcnemar(right, right_other)
        tests.append({"test": f"McNemar ({result.method})", "against": runner_up, **asdict(result)})
    return tuple(tests)
