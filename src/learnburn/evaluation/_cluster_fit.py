"""Fit each clustering (a candidate at one k) on the whole table and on bootstrap resamples.

Quality is measured on the whole-table fit, in the preprocessed space the clusterer saw:

- silhouette (higher is better, in [-1, 1]): on a random sample of at most ``silhouette_sample``
  clustered rows (all rows when fewer), whose size is reported; it costs O(rows²);
- Calinski-Harabasz (higher is better) and Davies-Bouldin (lower is better): on every clustered
  row;
- BIC for mixtures (lower is better).

HDBSCAN's noise rows (label -1) are left out of the three scores; their share is reported.

Stability: ``resamples`` times, rows are drawn with replacement and each drawn row is used once
(as fpc's ``clusterboot`` does by default); the clustering is refitted on them (preprocessing
included) and compared with the whole-table clustering on the same rows by the adjusted Rand
index (ARI: 1 for the same partition, about 0 for chance agreement). The stability is the mean
ARI, with a 95% t interval of that mean over the resamples (conditional on this table), so the
interval narrows as resamples are added.
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.metrics import (
    adjusted_rand_score,
    calinski_harabasz_score,
    davies_bouldin_score,
    silhouette_score,
)

from learnburn.candidates import build_clusterer
from learnburn.evaluation._cluster_records import ClusterScore
from learnburn.evaluation._records import FoldScore
from learnburn.spec import CandidateSpec

NOISE = -1


@dataclass(frozen=True)
class ClusterConfig:
    """One clustering to fit: a candidate with its params (k set when it takes one)."""

    candidate: CandidateSpec
    k: int | None


@dataclass(frozen=True)
class ClusterShared:
    """What every fitting task reads (sent to each worker once)."""

    features: pd.DataFrame
    schema: object
    configs: tuple[ClusterConfig, ...]
    resamples: int
    silhouette_sample: int
    seed: int
    known: np.ndarray | None  # known groups, for the adjusted Rand index against them


@dataclass(frozen=True)
class ClusterFit:
    """A task's outcome: the score, the whole-table labels and one record per resample."""

    score: ClusterScore
    labels: np.ndarray | None
    folds: tuple[FoldScore, ...]


def fit_clustering(shared: ClusterShared, index: int) -> ClusterFit:
    """Fit configuration ``index`` on the whole table and on every resample; never raises for
    a fit that fails (the score says so)."""
    config = shared.configs[index]
    candidate = config.candidate
    features = shared.features
    started = time.perf_counter()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            pipeline = _pipeline(shared, config, len(features))
            labels = np.asarray(pipeline.fit_predict(features))
            fit_time = time.perf_counter() - started
            matrix = _matrix(pipeline, features)
            quality = _quality(matrix, labels, shared.silhouette_sample, shared.seed)
            aris, folds = _stability(shared, config, index, labels)
    except Exception as error:  # a clusterer can fail in many ways; the others go on
        return ClusterFit(_failed(config, f"{type(error).__name__}: {error}"), None, ())
    low, high = stability_interval(aris)
    known = None
    if shared.known is not None:
        known = float(adjusted_rand_score(shared.known, labels))
    score = ClusterScore(
        name=candidate.name, model=candidate.model, params=dict(candidate.params),
        preprocessing=candidate.preprocessing, k=config.k, status="ok",
        bic=pipeline[-1].bic_, stability=float(np.mean(aris)), stability_low=low,
        stability_high=high, resamples=len(aris), known_groups_ari=known, fit_time=fit_time,
        warnings=tuple(sorted({str(w.message) for w in caught}))[:5], **quality,
    )  # fmt: skip
    return ClusterFit(score, labels, folds)


def stability_interval(aris: np.ndarray, confidence: float = 0.95) -> tuple[float, float]:
    """The t interval of the mean ARI over resamples, within [-1, 1]."""
    aris = np.asarray(aris, dtype=float)
    mean = float(np.mean(aris))
    if len(aris) < 2:
        return mean, mean
    half = stats.t.ppf(0.5 + confidence / 2, len(aris) - 1) * np.std(aris, ddof=1)
    half /= math.sqrt(len(aris))
    return max(-1.0, mean - half), min(1.0, mean + half)


def _pipeline(shared: ClusterShared, config: ClusterConfig, rows: int):
    candidate = config.candidate
    return build_clusterer(
        candidate.model, candidate.params, shared.schema, seed=shared.seed, rows=rows,
        preprocessing=candidate.preprocessing,
    )  # fmt: skip


def _matrix(pipeline, features: pd.DataFrame) -> np.ndarray:
    """The table as the clusterer saw it (dense floats)."""
    matrix = pipeline[:-1].transform(features) if len(pipeline) > 1 else features
    matrix = matrix.toarray() if hasattr(matrix, "toarray") else np.asarray(matrix)
    return matrix.astype(float, copy=False)


def _quality(matrix: np.ndarray, labels: np.ndarray, sample: int, seed: int) -> dict:
    kept = labels != NOISE
    found = np.unique(labels[kept])
    sizes = [int(np.sum(labels == label)) for label in found]
    quality = {
        "n_clusters": len(found),
        "smallest_share": min(sizes, default=0) / len(labels),
        "noise_share": float(1 - kept.mean()),
        "silhouette": None,
        "silhouette_rows": 0,
        "calinski_harabasz": None,
        "davies_bouldin": None,
    }
    rows = int(kept.sum())
    if not 2 <= len(found) < rows:
        return quality
    points, assigned = matrix[kept], labels[kept]
    size = min(sample, rows)
    chosen = np.random.default_rng(seed).choice(rows, size, replace=False) if size < rows else None
    if chosen is not None and len(np.unique(assigned[chosen])) >= 2:
        quality["silhouette"] = float(silhouette_score(points[chosen], assigned[chosen]))
    elif chosen is None:
        quality["silhouette"] = float(silhouette_score(points, assigned))
    quality["silhouette_rows"] = size if quality["silhouette"] is not None else 0
    quality["calinski_harabasz"] = float(calinski_harabasz_score(points, assigned))
    quality["davies_bouldin"] = float(davies_bouldin_score(points, assigned))
    return quality


def _stability(shared: ClusterShared, config: ClusterConfig, index: int, labels: np.ndarray):
    """The ARI of each resample's refit against ``labels``, and one fold record per resample."""
    rng = np.random.default_rng([shared.seed, index])
    n = len(shared.features)
    aris, folds = [], []
    for number in range(shared.resamples):
        rows = np.unique(rng.integers(0, n, n))
        started = time.perf_counter()
        refit = _pipeline(shared, config, len(rows))
        again = np.asarray(refit.fit_predict(shared.features.iloc[rows]))
        fit_time = time.perf_counter() - started
        ari = float(adjusted_rand_score(labels[rows], again))
        aris.append(ari)
        folds.append(FoldScore(
            candidate=config.candidate.name, repeat=0, fold=number, score=ari,
            scores={"adjusted_rand": ari}, fit_time=fit_time, predict_time=0.0,
            n_train=len(rows), n_test=len(rows),
        ))  # fmt: skip
    return np.array(aris), tuple(folds)


def _failed(config: ClusterConfig, error: str) -> ClusterScore:
    candidate = config.candidate
    return ClusterScore(
        name=candidate.name, model=candidate.model, params=dict(candidate.params),
        preprocessing=candidate.preprocessing, k=config.k, status="failed", error=error,
    )  # fmt: skip
