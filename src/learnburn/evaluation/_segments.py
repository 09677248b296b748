"""Segments people can read: each cluster's size and share, and the features that set it apart.

A trait compares a cluster with the whole table on one feature, on one scale for every kind:

- numeric: the standardised difference of means, ``(mean in cluster - mean overall) / sd
  overall``;
- categorical or boolean: the category whose share rises most in the cluster, with the
  standardised difference of that share, ``(p cluster - p overall) / sqrt(p overall (1 - p
  overall))`` (the same formula applied to the category's 0/1 indicator).

A segment lists its ``TRAITS`` largest traits by absolute effect; traits under ``MIN_EFFECT`` (a
fifth of a standard deviation) are not worth reading and are left out.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from learnburn.evaluation._cluster_records import Segment

TRAITS = 3
MIN_EFFECT = 0.2
NOISE = -1


def profile_segments(
    features: pd.DataFrame, schema, labels: np.ndarray, *, traits: int = TRAITS
) -> tuple[Segment, ...]:
    """One segment per cluster (largest first), and the noise rows last when there are any."""
    labels = np.asarray(labels)
    numeric = list(schema.names_of("numeric"))
    categorical = list(schema.names_of("categorical", "boolean"))
    clusters = sorted(set(labels.tolist()) - {NOISE}, key=lambda c: (-np.sum(labels == c), c))
    if NOISE in labels:
        clusters.append(NOISE)
    segments = []
    for cluster in clusters:
        inside = labels == cluster
        found = [*_numeric_traits(features, numeric, inside), *_category_traits(
            features, categorical, inside)]  # fmt: skip
        found = [t for t in found if abs(t["effect"]) >= MIN_EFFECT]
        found.sort(key=lambda t: (-abs(t["effect"]), t["feature"]))
        segments.append(_segment(cluster, inside, tuple(found[:traits])))
    return tuple(segments)


def _segment(cluster: int, inside: np.ndarray, traits: tuple[dict, ...]) -> Segment:
    size, share = int(inside.sum()), float(inside.mean())
    name = "noise" if cluster == NOISE else f"cluster {cluster}"
    described = "; ".join(t["text"] for t in traits) or "close to the whole table on every feature"
    summary = f"{name}: {size} rows ({share:.0%}): {described}"
    return Segment(cluster=cluster, size=size, share=share, traits=traits, summary=summary)


def _numeric_traits(features: pd.DataFrame, columns: list[str], inside: np.ndarray) -> list:
    traits = []
    for name in columns:
        values = pd.to_numeric(features[name], errors="coerce").to_numpy(dtype=float)
        overall, spread = np.nanmean(values), np.nanstd(values)
        within = values[inside]
        if not spread > 0 or np.all(np.isnan(within)):
            continue
        mean = float(np.nanmean(within))
        effect = float((mean - overall) / spread)
        direction = "high" if effect > 0 else "low"
        text = f"{name} {direction} ({_short(mean)} vs {_short(overall)}, {effect:+.1f} sd)"
        traits.append({
            "feature": name, "kind": "numeric", "value": mean, "overall": float(overall),
            "effect": effect, "text": text,
        })  # fmt: skip
    return traits


def _category_traits(features: pd.DataFrame, columns: list[str], inside: np.ndarray) -> list:
    traits = []
    for name in columns:
        values = features[name].astype("string").fillna("(missing)").to_numpy(dtype=object)
        overall = pd.Series(values).value_counts(normalize=True)
        within = pd.Series(values[inside]).value_counts(normalize=True)
        lift = (within.reindex(overall.index, fill_value=0.0) - overall).sort_values()
        category = lift.index[-1]
        base = float(overall[category])
        if not 0 < base < 1:
            continue
        share = float(within.get(category, 0.0))
        effect = (share - base) / math.sqrt(base * (1 - base))
        text = f"{name} = {category} ({share:.0%} vs {base:.0%})"
        traits.append({
            "feature": name, "kind": "categorical", "value": str(category), "share": share,
            "overall": base, "effect": float(effect), "text": text,
        })  # fmt: skip
    return traits


def _short(value: float) -> str:
    return f"{value:.3g}" if abs(value) < 1e4 else f"{value:,.0f}"
