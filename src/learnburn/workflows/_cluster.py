"""Clustering, end to end: fit every candidate over the range of k with bootstrap refits, choose
by stability and quality, profile the segments, and keep the chosen clustering as a model that
assigns new rows to clusters (``run_experiment`` calls ``run_clustering`` for task
"clustering")."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import numpy as np

from learnburn.backends import Backend
from learnburn.candidates import build_clusterer
from learnburn.data import Dataset
from learnburn.evaluation import (
    GREATER_IS_BETTER,
    ClusteringResult,
    check_clusterings,
    choose_clustering,
    compare_with_known,
    evaluate_clusterings,
    expand_clusterings,
    profile_segments,
)
from learnburn.runs import describe_environment
from learnburn.spec import ClusteringSpec, ExperimentSpec
from learnburn.workflows._stages import ProgressEvent, describe_data, peak_memory_mb

CHECK_ROWS = 2_000  # rows a bundle's assignment is checked on, and its scores profiled on


def run_clustering(spec: ExperimentSpec, dataset: Dataset, *, backend: Backend, notify):
    """The clustering run's record; ``notify`` receives progress events."""
    settings = spec.clustering or ClusteringSpec()
    seed = spec.evaluation.seed
    started = time.perf_counter()
    timings: dict[str, float] = {}
    configs = expand_clusterings(spec.candidates, settings.k_values)
    check_clusterings(configs, dataset.schema, dataset.n_rows, seed)
    known = None if dataset.target is None else dataset.target.to_numpy()
    notify(ProgressEvent("folds", "fitting clusterings with bootstrap refits", total=len(configs)))
    fits = evaluate_clusterings(
        dataset.features, dataset.schema, configs, resamples=settings.resamples,
        silhouette_sample=settings.silhouette_sample, seed=seed, backend=backend, known=known,
        on_result=lambda _fit: notify(ProgressEvent("fold")),
    )  # fmt: skip
    timings["clustering"] = time.perf_counter() - started
    scores, comparison = choose_clustering(
        tuple(fit.score for fit in fits), metric=settings.metric,
        floor=settings.stability_floor, min_share=settings.min_share,
    )  # fmt: skip
    chosen = comparison["chosen"]
    labels = next((f.labels for f in fits if f.score.name == chosen), None)
    model = segments = known_groups = None
    if chosen is not None:
        notify(ProgressEvent("stage", f"refitting {chosen} and profiling its segments"))
        mark = time.perf_counter()
        config = next(c for c in configs if c.candidate.name == chosen)
        model = build_clusterer(
            config.candidate.model, config.candidate.params, dataset.schema, seed=seed,
            rows=dataset.n_rows, preprocessing=config.candidate.preprocessing,
        )  # fmt: skip
        labels = np.asarray(model.fit_predict(dataset.features))
        segments = profile_segments(dataset.features, dataset.schema, labels)
        if known is not None:
            known_groups = compare_with_known(known, labels, column=dataset.target_name, seed=seed)
        timings["refit_and_segments"] = time.perf_counter() - mark
    timings["total"] = time.perf_counter() - started
    timings["peak_memory_mb"] = peak_memory_mb()
    return ClusteringResult(
        experiment=spec.name,
        task=spec.task,
        metric=settings.metric,
        greater_is_better=GREATER_IS_BETTER[settings.metric],
        seed=seed,
        spec_hash=spec.content_hash(),
        spec_text=spec.text,
        data=describe_data(dataset),
        splits=_describe_resamples(settings, dataset.n_rows),
        candidates=scores,
        folds=tuple(fold for fit in fits for fold in fit.folds),
        winner=chosen,
        best=comparison["best"],
        comparison=comparison,
        segments=segments or (),
        known_groups=known_groups,
        timings=timings,
        environment=describe_environment(),
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        model=model,
        labels=labels,
        check_rows=dataset.features.iloc[:CHECK_ROWS] if model is not None else None,
        training_rows=dataset.features if model is not None else None,
    )


def check_clustering(spec: ExperimentSpec, dataset: Dataset) -> dict:
    """``check_experiment`` for clustering: the data, the resampling plan and every clustering
    (each built once, so a row limit or a bad parameter shows here)."""
    settings = spec.clustering or ClusteringSpec()
    configs = expand_clusterings(spec.candidates, settings.k_values)
    check_clusterings(configs, dataset.schema, dataset.n_rows, spec.evaluation.seed)
    return {
        "data": describe_data(dataset),
        "splits": _describe_resamples(settings, dataset.n_rows),
        "candidates": [config.candidate.name for config in configs],
    }


def _describe_resamples(settings: ClusteringSpec, rows: int) -> dict:
    return {
        "method": "bootstrap (each drawn row used once)",
        "resamples": settings.resamples,
        "k": list(settings.k),
        "rows": rows,
        "silhouette_sample": min(settings.silhouette_sample, rows),
        "stability_floor": settings.stability_floor,
        "min_share": settings.min_share,
    }


def cluster_meta(result: ClusteringResult) -> dict:
    """What a clustering bundle's meta.json adds: the task, the chosen clustering's quality and
    stability, and its segments (so serving and reports can name the clusters)."""
    record = result.to_dict()
    quality = ("silhouette", "silhouette_rows", "calinski_harabasz", "davies_bouldin", "bic")
    stability = ("stability", "stability_low", "stability_high", "resamples")
    row = next((c for c in record["candidates"] if c["name"] == result.winner), {})
    return {
        "task": "clustering",
        "target": None,
        "clusters": len(result.model.classes_),
        "candidate": {k: row.get(k) for k in ("name", "model", "params", "preprocessing", "k")},
        "quality": {k: row.get(k) for k in quality},
        "stability": {k: row.get(k) for k in stability},
        "known_groups": record["known_groups"],
        "segments": [
            {k: s[k] for k in ("cluster", "size", "share", "summary")} for s in record["segments"]
        ],
        "assignment": _assignment(result.model),
    }


def _assignment(model) -> str:
    how = (
        "the mixture's posterior"
        if getattr(model[-1], "mixture_", None) is not None
        else "a soft assignment from the distances to the cluster centres"
    )
    return f"membership probability per cluster ({how}); the cluster is the most probable"
