"""The clustering engine: expand candidates over the range of k, fit each clustering through a
backend, and compare the chosen one with known groups when the table has them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score

from learnburn.backends import Backend
from learnburn.candidates import build_clusterer, k_parameter
from learnburn.evaluation._cluster_fit import (
    ClusterConfig,
    ClusterFit,
    ClusterShared,
    fit_clustering,
)
from learnburn.spec import CandidateSpec

SHUFFLES = 200  # label shuffles behind the chance baseline of the adjusted Rand index


def expand_clusterings(
    candidates: Sequence[CandidateSpec], k_values: Sequence[int]
) -> tuple[ClusterConfig, ...]:
    """Every candidate (grids expanded) at every k of the range, named ``NAME[k=K]``; a candidate
    that finds k itself, or whose params fix it, is fitted once as it is."""
    configs = []
    for candidate in candidates:
        for expanded in candidate.expand():
            parameter = k_parameter(expanded.model)
            if parameter is None or parameter in expanded.params:
                fixed = expanded.params.get(parameter) if parameter else None
                configs.append(ClusterConfig(expanded, fixed))
                continue
            for k in k_values:
                params = {**expanded.params, parameter: k}
                name = _with_k(expanded.name, k)
                configs.append(ClusterConfig(replace(expanded, name=name, params=params), k))
    return tuple(configs)


def check_clusterings(configs: Sequence[ClusterConfig], schema, rows: int, seed: int) -> None:
    """Build each clustering once before any fit: a row limit or a bad parameter stops the run
    here, with its hint, instead of failing every resample."""
    for config in configs:
        candidate = config.candidate
        build_clusterer(
            candidate.model, candidate.params, schema, seed=seed, rows=rows,
            preprocessing=candidate.preprocessing,
        )  # fmt: skip


def evaluate_clusterings(
    features: pd.DataFrame,
    schema,
    configs: Sequence[ClusterConfig],
    *,
    resamples: int,
    silhouette_sample: int,
    seed: int,
    backend: Backend,
    known: np.ndarray | None = None,
    on_result: Callable[[ClusterFit], None] | None = None,
) -> list[ClusterFit]:
    """Fit every clustering on the table and on ``resamples`` bootstrap draws, in order."""
    shared = ClusterShared(
        features=features.reset_index(drop=True), schema=schema, configs=tuple(configs),
        resamples=resamples, silhouette_sample=silhouette_sample, seed=seed, known=known,
    )  # fmt: skip
    notify = None if on_result is None else (lambda _index, fit: on_result(fit))
    return backend.map(fit_clustering, list(range(len(configs))), shared=shared, on_result=notify)


def compare_with_known(
    known: np.ndarray, labels: np.ndarray, *, column: str, seed: int, shuffles: int = SHUFFLES
) -> dict:
    """The adjusted Rand index of the clusters against known groups, beside its chance baseline:
    the same index against the known labels shuffled ``shuffles`` times (mean and 95th
    percentile)."""
    known = np.asarray(known)
    rng = np.random.default_rng(seed)
    shuffled = np.array([adjusted_rand_score(rng.permutation(known), labels) for _ in range(
        shuffles)])  # fmt: skip
    ari = float(adjusted_rand_score(known, labels))
    high = float(np.quantile(shuffled, 0.95))
    return {
        "column": column,
        "groups": len(np.unique(known)),
        "adjusted_rand": ari,
        "shuffled_mean": float(shuffled.mean()),
        "shuffled_high": high,
        "shuffles": shuffles,
        "beats_chance": ari > high,
    }


def _with_k(name: str, k: int) -> str:
    if name.endswith("]"):
        return f"{name[:-1]},k={k}]"
    return f"{name}[k={k}]"
