"""The registered clustering candidates: short name -> clusterer, preprocessing, k, row limit.

A separate table from the classifiers' registry (``_registry.py``): a clustering spec picks from
this one, a classification spec from that one, and each says so when given a name of the other.
Every family is distance or density based, so each uses the ``linear`` preprocessing (numeric
columns imputed and standardised, categories one-hot encoded): one unit of distance means one
standard deviation on every numeric column.

``k_param`` names the parameter the spec's range of k sets (None: the family finds the number of
clusters itself, as HDBSCAN does). ``max_rows`` is the largest table a family is fitted on:
agglomerative clustering keeps a distance structure quadratic in the rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sklearn.pipeline import Pipeline

from learnburn.candidates._build import _estimator_class, _make_estimator, _preprocessing_kind
from learnburn.candidates._check import (
    CandidateProblem,
    ModelLoadFailure,
    _rule_hint,
    _unknown_param,
    closest_model,
    import_param_names,
    is_import_path,
)
from learnburn.candidates._preprocess import make_preprocessor
from learnburn.candidates._registry import CandidateInfo, _Entry, find_entry
from learnburn.candidates._rules import BOOLEAN, NONE, Float, Integer, Options, Rule, check_value
from learnburn.data import Schema
from learnburn.errors import CandidateError

AGGLOMERATIVE_ROWS = 20_000  # ward linkage holds O(n^2) memory: ~3 GB at 20,000 rows


@dataclass(frozen=True)
class _Clusterer:
    entry: _Entry
    k_param: str | None
    max_rows: int | None = None
    probabilistic: bool = False  # membership probabilities from the model itself


def clusterer_names() -> tuple[str, ...]:
    """The registered clustering candidates' short names, in listing order."""
    return tuple(c.entry.name for c in _CLUSTERERS)


def describe_clusterers() -> tuple[CandidateInfo, ...]:
    """One record per registered clustering candidate, in listing order."""
    return tuple(c.entry.info() for c in _CLUSTERERS)


def k_parameter(model: str) -> str | None:
    """The parameter that sets the number of clusters (None when the family finds it)."""
    found = _find(model)
    if found is not None:
        return found.k_param
    if is_import_path(model):
        names = import_param_names(model)
        return next((n for n in ("n_clusters", "n_components") if n in names), None)
    return None


def check_clusterer(model: str, params: Mapping[str, Any]) -> list[CandidateProblem]:
    """Every problem with a clustering candidate's model and params (empty when all is well)."""
    found = _find(model)
    if found is None and not is_import_path(model):
        return [_unknown_clusterer(model)]
    if found is None:
        try:
            names = import_param_names(model)
        except ModelLoadFailure as failure:
            return [failure.problem]
        rules: Mapping[str, Rule] = {}
    else:
        names, rules = found.entry.param_names, found.entry.rules
    problems = []
    for key, value in params.items():
        if key not in names:
            problems.append(_unknown_param(model, str(key), names))
        elif key in rules and (message := check_value(rules[key], value)):
            problems.append(CandidateProblem(key, message, hint=_rule_hint(key, rules[key])))
    return problems


def build_clusterer(
    model: str,
    params: Mapping[str, Any],
    schema: Schema,
    *,
    seed: int,
    rows: int,
    preprocessing: str = "auto",
) -> Pipeline:
    """An unfitted ``Pipeline([("preprocess", ...), ("model", ClusterAssigner(clusterer))])``.

    ``rows`` is the size of the table it will be fitted on: a family with a row limit refuses a
    larger one with a hint."""
    from learnburn.candidates._assign import ClusterAssigner

    problems = check_clusterer(model, params)
    if problems:
        parts = [f"{p.key}: {p.message}" if p.key else p.message for p in problems]
        hint = "; ".join(p.hint for p in problems if p.hint)
        raise CandidateError(f"bad clustering candidate '{model}': " + "; ".join(parts), hint=hint)
    found = _find(model)
    _check_rows(model, found, rows)
    entry = found.entry if found is not None else None
    kind = _preprocessing_kind(preprocessing, entry)
    settings = {**(entry.defaults if entry else {}), **params}
    clusterer = _make_estimator(model, _estimator_class(model, entry), settings)
    if "random_state" not in params and "random_state" in clusterer.get_params(deep=False):
        clusterer.set_params(random_state=seed)
    preprocessor = make_preprocessor(kind, schema)
    steps = [] if preprocessor is None else [("preprocess", preprocessor)]
    return Pipeline([*steps, ("model", ClusterAssigner(clusterer))])


def _check_rows(model: str, found: _Clusterer | None, rows: int) -> None:
    if found is None or found.max_rows is None or rows <= found.max_rows:
        return
    raise CandidateError(
        f"candidate '{model}' is limited to {found.max_rows:,} rows, and the table has "
        f"{rows:,}: its memory grows with the square of the rows",
        hint="cluster a sample of the table, or use 'minibatch_kmeans' or 'birch', which scale "
        "to large tables",
    )


def _find(model: str) -> _Clusterer | None:
    return next((c for c in _CLUSTERERS if c.entry.name == model), None)


def _unknown_clusterer(model: str) -> CandidateProblem:
    names = clusterer_names()
    known = "clustering candidates: " + ", ".join(names)
    if find_entry(model) is not None:
        hint = f"'{model}' is a classifier; {known}"
        return CandidateProblem("", f"'{model}' is not a clustering candidate", hint=hint)
    suggestion = closest_model(model, names)
    hint = f"did you mean '{suggestion}'? {known}" if suggestion else known
    return CandidateProblem("", f"unknown clustering candidate '{model}'", hint=hint)


# -- the registry -------------------------------------------------------------------------------

_SEED: dict[str, Rule] = {"random_state": (Integer(0, 2**32 - 1), NONE)}
_K = (Integer(2),)
_KMEANS_RULES: dict[str, Rule] = {
    **_SEED,
    "n_clusters": _K,
    "n_init": (Integer(1), Options(("auto",))),
    "max_iter": (Integer(1),),
    "tol": (Float(0, closed="left"),),
    "init": (Options(("k-means++", "random")),),
}

_CLUSTERERS: tuple[_Clusterer, ...] = (
    _Clusterer(
        _Entry(
            name="kmeans",
            summary="k-means (Lloyd) on scaled, one-hot encoded features",
            family="centroid",
            estimator="sklearn.cluster:KMeans",
            preprocessing="linear",
            defaults={"n_init": 4},
            rules={**_KMEANS_RULES, "algorithm": (Options(("lloyd", "elkan")),)},
            other_params=("copy_x", "verbose"),
            tags=("clusterer", "takes-k"),
        ),
        k_param="n_clusters",
    ),
    _Clusterer(
        _Entry(
            name="minibatch_kmeans",
            summary="mini-batch k-means: k-means on batches, for large tables",
            family="centroid",
            estimator="sklearn.cluster:MiniBatchKMeans",
            preprocessing="linear",
            defaults={"n_init": 4, "batch_size": 1024},
            rules={**_KMEANS_RULES, "batch_size": (Integer(1),)},
            other_params=(
                "compute_labels",
                "init_size",
                "max_no_improvement",
                "reassignment_ratio",
                "verbose",
            ),
            tags=("clusterer", "takes-k", "large-tables"),
        ),
        k_param="n_clusters",
    ),
    _Clusterer(
        _Entry(
            name="gaussian_mixture",
            summary="Gaussian mixture (EM): membership probabilities and BIC",
            family="mixture",
            estimator="sklearn.mixture:GaussianMixture",
            preprocessing="linear",
            defaults={"n_init": 2, "reg_covar": 1e-4},
            rules={
                **_SEED,
                "n_components": _K,
                "covariance_type": (Options(("full", "tied", "diag", "spherical")),),
                "n_init": (Integer(1),),
                "max_iter": (Integer(1),),
                "reg_covar": (Float(0, closed="left"),),
                "tol": (Float(0, closed="left"),),
            },
            other_params=(
                "init_params",
                "means_init",
                "precisions_init",
                "verbose",
                "verbose_interval",
                "warm_start",
                "weights_init",
            ),
            tags=("clusterer", "takes-k", "probabilistic"),
        ),
        k_param="n_components",
        probabilistic=True,
    ),
    _Clusterer(
        _Entry(
            name="hdbscan",
            summary="HDBSCAN: density-based, finds the number of clusters and marks noise",
            family="density",
            estimator="sklearn.cluster:HDBSCAN",
            preprocessing="linear",
            defaults={"min_cluster_size": 15, "copy": True},
            rules={
                "min_cluster_size": (Integer(2),),
                "min_samples": (Integer(1), NONE),
                "cluster_selection_epsilon": (Float(0, closed="left"),),
                "cluster_selection_method": (Options(("eom", "leaf")),),
                "allow_single_cluster": (BOOLEAN,),
                "n_jobs": (Integer(-1), NONE),
            },
            other_params=(
                "algorithm",
                "alpha",
                "copy",
                "leaf_size",
                "max_cluster_size",
                "metric",
                "metric_params",
                "store_centers",
            ),
            tags=("clusterer", "finds-k", "noise"),
        ),
        k_param=None,
    ),
    _Clusterer(
        _Entry(
            name="agglomerative",
            summary=f"agglomerative clustering, Ward linkage (at most {AGGLOMERATIVE_ROWS:,} rows)",
            family="hierarchical",
            estimator="sklearn.cluster:AgglomerativeClustering",
            preprocessing="linear",
            rules={
                "n_clusters": _K,
                "linkage": (Options(("ward", "complete", "average", "single")),),
            },
            other_params=(
                "compute_distances",
                "compute_full_tree",
                "connectivity",
                "distance_threshold",
                "memory",
                "metric",
            ),
            tags=("clusterer", "takes-k"),
        ),
        k_param="n_clusters",
        max_rows=AGGLOMERATIVE_ROWS,
    ),
    _Clusterer(
        _Entry(
            name="birch",
            summary="BIRCH: a clustering-feature tree, then k clusters of its leaves",
            family="hierarchical",
            estimator="sklearn.cluster:Birch",
            preprocessing="linear",
            rules={
                "n_clusters": _K,
                "threshold": (Float(0),),
                "branching_factor": (Integer(2),),
            },
            other_params=("compute_labels",),
            tags=("clusterer", "takes-k", "large-tables"),
        ),
        k_param="n_clusters",
    ),
)
