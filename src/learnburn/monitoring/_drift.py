"""Check current data against a reference profile: per-column statistics, the preset's verdicts,
score drift, the multivariate check and the importance-weighted ranking (``check_drift``).

The p-values of the feature columns form one family, adjusted by Holm (default, family-wise
error) or Benjamini-Hochberg (false discovery rate, ``scipy.stats.false_discovery_control``);
the predicted scores are tested alone. Ranking: each drifted feature's effect times its share
of the summed positive importances (equal shares when the reference has no importances; 0 for
a feature the importances leave out). Numeric and categorical effects are on different scales
(normalised Wasserstein vs Jensen-Shannon distance), so read the ranking within a kind first.
"""

from __future__ import annotations

import difflib
import numbers
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import numpy as np
import pandas as pd
from scipy import stats

from learnburn.errors import DriftError
from learnburn.evaluation import holm
from learnburn.monitoring._compare import (
    categorical_cells,
    category_counts,
    core_statistics,
    numeric_cells,
)
from learnburn.monitoring._multivariate import domain_classifier
from learnburn.monitoring._presets import PRESETS, Column, Preset
from learnburn.monitoring._reference_check import check_reference
from learnburn.monitoring._report import ColumnDrift, DriftReport, RankedFeature
from learnburn.monitoring._shares import cluster_series, share_changes
from learnburn.monitoring._values import numeric_values, score_values

CORRECTIONS = (None, "holm", "bh")
PARALLEL_ROWS = 100_000  # tables this tall are checked on threads
MAX_THREADS = 4


def check_drift(
    reference: dict,
    current: pd.DataFrame,
    *,
    current_scores: np.ndarray | None = None,
    current_clusters: np.ndarray | None = None,
    reference_sample: pd.DataFrame | None = None,
    preset: str = "learnburn",
    alpha: float = 0.05,
    correction: str | None = "holm",
    seed: int = 0,
) -> DriftReport:
    """Compare ``current`` with the ``reference`` profile under ``preset``'s rule.

    ``current_clusters`` (a clustering bundle's cluster of each current row) are compared with
    the reference's cluster shares; the verdict counts them where the rule counts the scores."""
    reference = check_reference(reference, "the reference profile")
    return compare_with_reference(
        reference, current, current_scores=current_scores, current_clusters=current_clusters,
        reference_sample=reference_sample, preset=preset, alpha=alpha, correction=correction,
        seed=seed,
    )  # fmt: skip


def compare_with_reference(
    reference: dict,
    current: pd.DataFrame,
    *,
    current_scores: np.ndarray | None = None,
    current_clusters: np.ndarray | None = None,
    reference_sample: pd.DataFrame | None = None,
    preset: str = "learnburn",
    alpha: float = 0.05,
    correction: str | None = "holm",
    seed: int = 0,
) -> DriftReport:
    """``check_drift`` on a reference already checked by ``check_reference`` (a monitor
    compares many windows with one reference and checks it once)."""
    rule = _preset(preset)
    _check_settings(alpha, correction)
    profiles = reference["columns"]
    _check_current(current, profiles)
    samples = _samples(reference_sample, profiles)
    # a million rows of 50 columns: each column's values are dropped once its statistics are
    # drawn, unless the rule reads them; on a big table the columns are drawn on threads (the
    # sorts and counts release the GIL) beside the multivariate check
    keep = rule.reads_values
    workers = min(os.cpu_count() or 1, MAX_THREADS) if len(current) >= PARALLEL_ROWS else 1
    with ThreadPoolExecutor(max_workers=workers) as pool:
        multivariate_run = None
        if reference_sample is not None:
            multivariate_run = pool.submit(
                domain_classifier,
                reference_sample,
                current,
                numeric=[n for n, p in profiles.items() if p["kind"] == "numeric"],
                categorical=[n for n, p in profiles.items() if p["kind"] == "categorical"],
                seed=seed,
                confidence=1 - alpha,
            )
        drawn = pool.map(lambda name: _column(profiles[name], current[name], alpha, keep), profiles)
        prepared = dict(zip(profiles, drawn, strict=True))
        multivariate = None if multivariate_run is None else multivariate_run.result()
    adjusted = _adjust([item.core.p_value for item in prepared.values()], correction)
    rows = reference["rows"]
    columns = tuple(
        _judge(rule, name, replace(item, p_adjusted=p, sample=samples.get(name)), rows)
        for (name, item), p in zip(prepared.items(), adjusted, strict=True)
    )
    scores = _score_drift(rule, reference, current_scores, alpha)
    clusters, shares = _cluster_drift(rule, reference, current_clusters, alpha)
    return DriftReport(
        preset=rule.name,
        rule=rule.description,
        alpha=alpha,
        correction=correction,
        rows_reference=rows,
        rows_current=len(current),
        drifted=_dataset_verdict(rule, columns, scores, multivariate)
        or bool(rule.counts_scores and clusters is not None and clusters.drifted),
        columns=columns,
        scores=scores,
        clusters=clusters,
        cluster_shares=shares,
        multivariate=multivariate,
        ranking=_ranking(columns, reference["importances"]),
    )


def _column(profile: dict, series: pd.Series, alpha: float, keep: bool = True) -> Column:
    """A column's values (with ``keep``), cells and core statistics (p-value not yet
    adjusted)."""
    unknown, names = 0, ()
    if profile["kind"] == "numeric":
        # sorted once (NaN last): no statistic depends on the order, and each then counts
        # by binary search instead of a pass per statistic over a million values
        values = numeric_values(series, str(series.name), "the current data")
        values.sort()  # in place: the array is a fresh copy
        cells = numeric_cells(profile, values)
    else:
        values, counts, missing = category_counts(series)
        cells, unknown, names = categorical_cells(profile, counts, missing)
    core = core_statistics(profile, values, cells, alpha)
    core = replace(core, unknown=unknown, new_categories=names)
    rows = int(values.size)
    kept = values if keep else None
    return Column(profile["kind"], profile, kept, cells, core, None, alpha, 0, None, rows)


def _judge(rule: Preset, name: str, column: Column, rows_reference: int) -> ColumnDrift:
    column = replace(column, rows_reference=rows_reference)
    verdict = rule.judge(column)
    core = column.core
    return ColumnDrift(
        name=name,
        kind=column.kind,
        rows_reference=rows_reference,
        rows_current=column.rows_current,
        effect=core.effect,
        effect_name="wasserstein_normed" if column.kind == "numeric" else "jensen_shannon",
        ks_d=core.ks_d,
        psi=core.psi,
        psi_null=core.psi_null,
        p_value=core.p_value,
        p_adjusted=column.p_adjusted,
        missing_reference=core.missing_reference,
        missing_current=core.missing_current,
        unknown=core.unknown,
        new_categories=core.new_categories,
        test=verdict.test,
        statistic=verdict.statistic,
        threshold=verdict.threshold,
        drifted=bool(verdict.drifted),
    )


def _score_drift(rule: Preset, reference: dict, scores, alpha: float) -> ColumnDrift | None:
    if scores is None:
        return None
    profile = reference["scores"]
    if profile is None:
        raise DriftError(
            "Current scores were given, but the reference profile holds no scores to compare.",
            hint="Rebuild the bundle with scores, or check drift without current scores.",
        )
    series = pd.Series(score_values(scores, "current_scores"), name="scores")
    column = _column(profile, series, alpha)
    return _judge(rule, "scores", column, profile["count"] + profile["missing"])


def _cluster_drift(rule: Preset, reference: dict, labels, alpha: float):
    if labels is None:
        return None, ()
    profile = reference.get("clusters")
    if profile is None:
        raise DriftError(
            "Current clusters were given, but the reference profile holds no cluster shares.",
            hint="Check cluster drift against a clustering bundle's reference.",
        )
    series = cluster_series(labels)
    column = _column(profile, series, alpha)
    drift = _judge(rule, "clusters", column, profile["count"] + profile["missing"])
    return drift, share_changes(profile, series)


def _adjust(p_values: list[float], correction: str | None) -> list[float | None]:
    if correction is None:
        return [None] * len(p_values)
    p = np.asarray(p_values, dtype=float)
    if correction == "holm":
        return [float(v) for v in holm(p)]
    return [float(v) for v in stats.false_discovery_control(p, method="bh")]


def _dataset_verdict(rule: Preset, columns, scores, multivariate) -> bool:
    drifted = [column.drifted for column in columns]
    if rule.drift_share is not None:
        verdict = bool(drifted) and sum(drifted) / len(drifted) >= rule.drift_share
    else:
        verdict = any(drifted)
    if rule.counts_scores and scores is not None:
        verdict = verdict or scores.drifted
    if rule.counts_multivariate and multivariate is not None:
        verdict = verdict or bool(multivariate["drifted"])
    return verdict


def _ranking(columns, importances: dict | None) -> tuple[RankedFeature, ...]:
    if importances is None:
        weights = {column.name: 1.0 for column in columns}
    else:
        weights = {column.name: max(importances.get(column.name, 0.0), 0.0) for column in columns}
    total = sum(weights.values())
    ranked = [
        RankedFeature(
            name=column.name,
            effect=column.effect,
            importance=weights[column.name] / total if total else 0.0,
            weighted=(column.effect or 0.0) * (weights[column.name] / total if total else 0.0),
        )
        for column in columns
        if column.drifted
    ]
    return tuple(sorted(ranked, key=lambda f: (-f.weighted, -(f.effect or 0.0), f.name)))


def _preset(name: str) -> Preset:
    if name not in PRESETS:
        close = difflib.get_close_matches(str(name), PRESETS, n=1)
        guess = f" Did you mean {close[0]!r}?" if close else ""
        raise DriftError(
            f"Unknown drift preset {name!r}.{guess}",
            hint=f"Choose one of {', '.join(PRESETS)}.",
        )
    return PRESETS[name]


def _check_settings(alpha: float, correction: str | None) -> None:
    if not isinstance(alpha, numbers.Real) or isinstance(alpha, bool) or not 0 < alpha < 1:
        raise DriftError(
            f"The 'alpha' parameter of check_drift must be in (0, 1). Got {alpha!r} instead.",
            hint="0.05 is the usual choice.",
        )
    if correction not in CORRECTIONS:
        raise DriftError(
            "The 'correction' parameter of check_drift must be 'holm', 'bh' or None. "
            f"Got {correction!r} instead.",
            hint="'holm' controls the chance of any false alarm; 'bh' the share of false ones.",
        )


def _check_current(current: pd.DataFrame, profiles: dict) -> None:
    if not isinstance(current, pd.DataFrame) or len(current) == 0:
        raise DriftError(
            "The current data given to check_drift must be a non-empty DataFrame.",
            hint="Pass the rows the model scored since the reference was taken.",
        )
    absent = [name for name in profiles if name not in current.columns]
    if absent:
        raise DriftError(
            f"Columns {absent} of the reference profile are not in the current data.",
            hint=f"The current data has columns {list(current.columns)}.",
        )


def _samples(sample: pd.DataFrame | None, profiles: dict) -> dict[str, np.ndarray]:
    """Present values of each numeric column of the reference sample (for Evidently's KS)."""
    if sample is None:
        return {}
    if not isinstance(sample, pd.DataFrame):
        raise DriftError(
            f"reference_sample must be a DataFrame. Got {type(sample).__name__} instead.",
            hint="Pass the reference rows the bundle carries, or None.",
        )
    result = {}
    for name, profile in profiles.items():
        if profile["kind"] == "numeric" and name in sample.columns:
            values = numeric_values(sample[name], name, "the reference sample")
            result[name] = np.sort(values[~np.isnan(values)])
    return result
