"""Drift, end to end: the reference profile a run's bundle carries, and a bundle's reference
compared with new data (``check_bundle_drift``, behind ``learnburn drift``).

At bundle time the reference profiles the development rows (the rows the model was fitted on):
quantiles and bins of each numeric column, category counts, a sample of up to 2,000 rows for the
multivariate check, and each feature's permutation importance (the rise in log-loss when the
column is shuffled, on at most 1,000 holdout rows, 3 shuffles each; scored by the proven fast
path when there is one). The predicted scores are profiled on the holdout rows
(rows the model did not train on, so their scores are the ones new data should resemble): the
probability of the second class for two classes, the highest probability for more.

Checking drift scores the current rows to compare the prediction distribution: at most
``SCORE_ROWS`` of them (a uniform sample seeded by the check's seed when there are more; the
report's ``scored_rows`` says so), ``SCORE_CHUNK`` rows at a time so that memory stays bounded.
The scores' test is a two-sample test against the reference's holdout scores (thousands of
rows), so its power is set by the smaller side: a sample of 100,000 current rows loses next to
nothing against a million (the effective size n m / (n + m) of 5,000 holdout scores moves from
4,975 to 4,762).
"""

from __future__ import annotations

import os
import warnings
from dataclasses import replace
from typing import Any, Literal

import numpy as np
import pandas as pd

from learnburn.bundles import CompiledModel, load_bundle
from learnburn.errors import DriftError
from learnburn.evaluation import ExperimentResult
from learnburn.monitoring import (
    DriftReport,
    build_reference,
    check_drift,
    permutation_importances,
)

SAMPLE_ROWS = 2_000  # training rows kept in the bundle for the multivariate check
IMPORTANCE_ROWS = 1_000  # holdout rows the permutation importances are measured on, at most
IMPORTANCE_SCORED = 300_000  # shuffled rows scored for them, at most (fewer rows when wide)
IMPORTANCE_MIN_ROWS = 200  # ... but never fewer rows than this
IMPORTANCE_REPEATS = 3
SCORE_ROWS = 100_000  # current rows scored for the prediction drift, at most (a seeded sample)
SCORE_CHUNK = 100_000  # rows encoded and scored at a time


def reference_for(
    result: ExperimentResult,
    *,
    sample_rows: int = SAMPLE_ROWS,
    importances: dict[str, float] | Literal["measure"] | None = "measure",
) -> tuple[dict | None, pd.DataFrame | None]:
    """The reference profile and row sample for the bundle of ``result``'s chosen model; a
    clustering run's profile also holds the share of each cluster on the training rows.
    ``importances`` measured already (``importances_for``) are used as they are."""
    rows = result.training_rows
    if result.model is None or rows is None or not len(rows):
        return None, None
    numeric, categorical = _kinds(result.data["schema"], rows.columns)
    check = result.check_rows
    scores = score_of(result.model.predict_proba(check)) if check is not None else None
    clusters = result.labels if result.task == "clustering" else None
    reference = build_reference(
        rows, numeric=numeric, categorical=categorical, scores=scores,
        importances=importances_for(result) if importances == "measure" else importances,
        clusters=clusters,
    )  # fmt: skip
    if sample_rows <= 0:
        return reference, None
    sample = rows.sample(min(sample_rows, len(rows)), random_state=result.seed)
    return reference, sample.sort_index()


def check_bundle_drift(
    bundle_path: str | os.PathLike,
    current: pd.DataFrame,
    *,
    preset: str = "learnburn",
    alpha: float = 0.05,
    correction: str | None = "holm",
    multivariate: bool = True,
    trusted: tuple[str, ...] = (),
    seed: int = 0,
    score_rows: int | None = SCORE_ROWS,
) -> DriftReport:
    """Compare ``current`` (rows with the bundle's input columns) with the reference the bundle
    carries: each feature, the model's scores on ``current``, the shares of its clusters (a
    clustering bundle), and (with ``multivariate``) a classifier telling the bundle's training
    sample from ``current``.

    The scores and cluster shares come from at most ``score_rows`` current rows (a uniform
    sample seeded by ``seed`` when there are more; None or 0: every row)."""
    bundle = load_bundle(bundle_path, trusted=trusted, lazy=True)
    if bundle.reference is None:
        raise DriftError(
            f"the bundle '{bundle_path}' has no drift reference",
            hint="bundles saved before format 3, or without a reference, have none; run the "
            "experiment again (learnburn run SPEC --bundle FILE) to write one that does",
        )
    missing = [name for name in bundle.columns if name not in current.columns]
    if missing:
        raise DriftError(
            f"the current data lacks {len(missing)} of the model's columns: {missing[:10]}",
            hint="pass rows with the same columns the model was trained on",
        )
    rows = current[list(bundle.columns)]
    has_scores = bundle.reference.get("scores") is not None
    has_clusters = bundle.reference.get("clusters") is not None
    scored = _score_sample(rows, score_rows, seed)
    proba = None
    if (has_scores or has_clusters) and len(scored):
        proba = np.concatenate(
            [
                bundle.predict_proba(scored.iloc[start : start + SCORE_CHUNK])
                for start in range(0, len(scored), SCORE_CHUNK)
            ]
        )
    scores = score_of(proba) if has_scores and proba is not None else None
    clusters = bundle.decide_proba(proba) if has_clusters and proba is not None else None
    sample = bundle.reference_sample if multivariate else None
    report = check_drift(
        bundle.reference, rows, current_scores=scores, current_clusters=clusters,
        reference_sample=sample, preset=preset, alpha=alpha, correction=correction, seed=seed,
    )  # fmt: skip
    if proba is not None and len(scored) < len(rows):
        report = replace(report, scored_rows=len(scored))
    return report


def _score_sample(rows: pd.DataFrame, limit: int | None, seed: int) -> pd.DataFrame:
    """``rows``, or a uniform sample of ``limit`` of them seeded by ``seed`` (in table order)."""
    if not limit or len(rows) <= limit:
        return rows
    picked = np.random.default_rng(seed).choice(len(rows), size=limit, replace=False)
    return rows.iloc[np.sort(picked)]


def score_of(proba: np.ndarray) -> np.ndarray:
    """One score per row: the second class's probability for two classes, else the highest."""
    proba = np.asarray(proba, dtype=float)
    return proba[:, 1] if proba.shape[1] == 2 else proba.max(axis=1)


def _kinds(schema: dict, columns) -> tuple[list[str], list[str]]:
    kinds = {column["name"]: column["kind"] for column in schema["columns"]}
    numeric = [name for name in columns if kinds.get(name) == "numeric"]
    return numeric, [name for name in columns if name not in numeric]


def importances_for(
    result: ExperimentResult, compiled: CompiledModel | None = None
) -> dict[str, float] | None:
    """Permutation importance of each input column on a bounded sample of the check rows (see
    ``importance_rows``), ``IMPORTANCE_REPEATS`` shuffles each, seeded by the run's seed: the
    mean rise in log-loss when the column is shuffled, negatives as 0, scaled to sum to 1.
    Scored by ``compiled``'s fast path when one was proven (on the model's matrix, a column's
    block shuffled whole), else by the model."""
    rows, target = result.check_rows, result.check_target
    if rows is None or target is None or len(np.unique(target)) < 2:
        return None
    n = importance_rows(len(rows), rows.shape[1])
    rows, target = rows.iloc[:n], np.asarray(target)[:n]
    repeats, seed = IMPORTANCE_REPEATS, result.seed
    if compiled is not None and compiled.runner is not None:
        labels = _positions(target, compiled.classes)
        return permutation_importances(
            compiled.predict_proba_matrix, compiled.encode(rows), labels,
            _in_order(compiled.matrix_columns(), rows.columns), repeats=repeats, seed=seed,
        )  # fmt: skip
    model = result.model
    labels = _positions(target, getattr(model, "classes_", ()))
    groups = {name: [name] for name in rows.columns}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a class absent from a small holdout, and the like
        return permutation_importances(
            model.predict_proba, rows, labels, groups, repeats=repeats, seed=seed
        )


def importance_rows(rows: int, columns: int) -> int:
    """How many check rows the importances are measured on: at most ``IMPORTANCE_ROWS``, and
    fewer for a wide table, so that at most ``IMPORTANCE_SCORED`` shuffled rows are scored (never
    fewer than ``IMPORTANCE_MIN_ROWS``)."""
    budget = IMPORTANCE_SCORED // max(columns * IMPORTANCE_REPEATS, 1)
    return min(rows, IMPORTANCE_ROWS, max(budget, IMPORTANCE_MIN_ROWS))


def _positions(target: np.ndarray, classes) -> np.ndarray:
    """Each row's class as its column in the model's probabilities; -1 for a class unknown."""
    position = {_plain(label): index for index, label in enumerate(classes)}
    return np.array([position.get(_plain(label), -1) for label in target], dtype=np.intp)


def _plain(label: Any) -> Any:
    return label.item() if isinstance(label, np.generic) else label


def _in_order(blocks: dict[str, list[int]], columns) -> dict[str, list[int]]:
    """The matrix blocks in the input's column order; a column the model ignores has none and
    an importance of 0."""
    return {str(name): blocks.get(name, []) for name in columns}
