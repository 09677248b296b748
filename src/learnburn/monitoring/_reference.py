"""The reference profile: what drift needs to know about the training data, in plain JSON.

A bundle carries this document (``reference.json``) so that drift is checked against the bundle
alone, never the training data. Version 1::

    {"format": "learnburn-reference", "version": 1, "rows": N,
     "columns": {name: NUMERIC | CATEGORICAL},
     "scores": NUMERIC or null,          # predicted probability of the positive class
     "importances": {name: float} or null,
     "clusters": CATEGORICAL}              # only in a clustering bundle: the training rows'
                                           # clusters, whose shares drift is checked against

    NUMERIC = {"kind": "numeric", "count": n, "missing": k,   # n + k = rows
               "mean": float, "std": float,                 # std with ddof = 0, as numpy's
               "min": float, "max": float,
               "quantiles": [Q(p) for p in PROBABILITIES],   # 215 points, numpy's linear rule
               "bins": {"edges": [...], "counts": [...]},    # reference deciles, for PSI
               "histogram": {"edges": [...], "counts": [...]},  # Doane bins (NannyML's JS)
               "values": {"values": [...], "counts": [...]} or null}  # when <= 20 distinct

    CATEGORICAL = {"kind": "categorical", "count": n, "missing": k,
                   "counts": {category: n},   # the 200 most frequent, ties by name
                   "other": n}                # rows in the categories left out

``bins.edges`` are the distinct inner decile edges: value x falls in bin
``searchsorted(edges, x, side="right")``, so there is one more count than edges. ``histogram``
counts follow ``numpy.histogram`` (the last bin includes its right edge). A numeric column with
no value in the reference has empty quantiles, edges and histogram, ``bins.counts == [0]`` and
null mean, std, min and max. Missing means NaN, None or an infinite number. Category keys are
text (``learnburn.monitoring._values.category_key``). Each column is a few KB.

Changing the format: a key added that readers may ignore keeps the version; anything else bumps
``VERSION``, and ``check_reference`` learns to read (or upgrade) the old version, with a test
that an old document still loads.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from learnburn.errors import DriftError
from learnburn.monitoring._values import category_keys, numeric_values, score_values

FORMAT = "learnburn-reference"
VERSION = 1
DECILES = 10
MAX_CATEGORIES = 200
MAX_VALUES = 20
_TAILS = np.array([1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 3e-3, 4e-3])
# Version 1's quantile points: every 0.005, and 7 more in each tail, where a quantile function
# bends most (linear between the points, Wasserstein is then within ~0.005 sigma).
PROBABILITIES = np.unique(np.r_[np.linspace(0.0, 1.0, 201), _TAILS, 1.0 - _TAILS])


def build_reference(
    frame: pd.DataFrame,
    *,
    numeric: Sequence[str],
    categorical: Sequence[str],
    scores: np.ndarray | None = None,
    importances: Mapping[str, float] | None = None,
    clusters: np.ndarray | None = None,
) -> dict:
    """Profile ``frame`` (the training data) for later drift checks; returns plain JSON.

    ``clusters`` (a clustering model's cluster of each row of ``frame``) adds the profile of the
    cluster shares under "clusters"."""
    numeric, categorical = list(numeric), list(categorical)
    _check_columns(frame, numeric, categorical)
    columns: dict[str, dict] = {}
    for name in frame.columns:
        if name in numeric:
            columns[name] = numeric_profile(numeric_values(frame[name], name, "the reference"))
        elif name in categorical:
            columns[name] = categorical_profile(category_keys(frame[name]))
    profile = {
        "format": FORMAT,
        "version": VERSION,
        "rows": len(frame),
        "columns": columns,
        "scores": None
        if scores is None
        else numeric_profile(score_values(scores, "The scores given to build_reference")),
        "importances": None if importances is None else _importances(importances),
    }
    if clusters is not None:
        profile["clusters"] = categorical_profile(category_keys(pd.Series(np.asarray(clusters))))
    return profile


def numeric_profile(values: np.ndarray) -> dict:
    """Profile of float values, NaN meaning missing."""
    present = np.sort(values[~np.isnan(values)])
    missing = int(values.size - present.size)
    if present.size == 0:
        return {
            "kind": "numeric", "count": 0, "missing": missing, "mean": None, "std": None,
            "min": None, "max": None, "quantiles": [], "bins": {"edges": [], "counts": [0]},
            "histogram": {"edges": [], "counts": []}, "values": None,
        }  # fmt: skip
    edges = decile_edges(present)
    hist_edges = np.histogram_bin_edges(present, bins="doane")
    return {
        "kind": "numeric",
        "count": int(present.size),
        "missing": missing,
        "mean": float(np.mean(present)),
        "std": float(np.std(present)),
        "min": float(present[0]),
        "max": float(present[-1]),
        "quantiles": _floats(sorted_quantiles(present, PROBABILITIES)),
        "bins": {"edges": _floats(edges), "counts": _ints(bin_counts(edges, present))},
        "histogram": {
            "edges": _floats(hist_edges),
            "counts": _ints(np.histogram(present, hist_edges)[0]),
        },
        "values": _few_values(present),
    }


def categorical_profile(keys: np.ndarray) -> dict:
    """Profile of category keys, None meaning missing."""
    present = pd.Series(keys[pd.notna(keys)], dtype=object)
    counts = present.value_counts(sort=False)
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    kept = ordered[:MAX_CATEGORIES]
    return {
        "kind": "categorical",
        "count": int(present.size),
        "missing": int(keys.size - present.size),
        "counts": {str(key): int(n) for key, n in kept},
        "other": int(present.size - sum(n for _, n in kept)),
    }


def decile_edges(present: np.ndarray) -> np.ndarray:
    """Distinct inner decile edges of sorted values."""
    return np.unique(sorted_quantiles(present, np.arange(1, DECILES) / DECILES))


def sorted_quantiles(present: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """``numpy.quantile``'s default (linear) rule on values already sorted."""
    position = (present.size - 1) * probs
    low = np.floor(position).astype(int)
    high = np.minimum(low + 1, present.size - 1)
    return present[low] + (position - low) * (present[high] - present[low])


def bin_counts(edges: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Counts of values (no NaN) in the bins the inner ``edges`` make."""
    index = np.searchsorted(edges, values, side="right")
    return np.bincount(index, minlength=len(edges) + 1)


def _few_values(present: np.ndarray) -> dict | None:
    if np.count_nonzero(np.diff(present)) + 1 > MAX_VALUES:  # present is sorted
        return None
    values, counts = np.unique(present, return_counts=True)
    return {"values": _floats(values), "counts": _ints(counts)}


def _check_columns(frame: pd.DataFrame, numeric: list[str], categorical: list[str]) -> None:
    if not isinstance(frame, pd.DataFrame) or len(frame) == 0:
        raise DriftError(
            "The reference given to build_reference must be a non-empty DataFrame.",
            hint="Pass the training table the model was fitted on.",
        )
    both = sorted(set(numeric) & set(categorical))
    if both:
        raise DriftError(
            f"Columns {both} are given as both numeric and categorical to build_reference.",
            hint="List each column once, under the kind the model treats it as.",
        )
    if not numeric and not categorical:
        raise DriftError(
            "build_reference was given no column to profile.",
            hint="Pass the model's input columns as numeric=[...] and categorical=[...].",
        )
    absent = [name for name in numeric + categorical if name not in frame.columns]
    if absent:
        raise DriftError(
            f"Columns {absent} are not in the reference table given to build_reference.",
            hint=f"The table has columns {list(frame.columns)}.",
        )


def _importances(importances: Mapping[str, float]) -> dict[str, float]:
    result: dict[str, float] = {}
    for name, value in dict(importances).items():
        number = float(value) if isinstance(value, (int, float, np.number)) else math.nan
        if not isinstance(name, str) or not math.isfinite(number):
            raise DriftError(
                "Importances given to build_reference must map column names to finite "
                f"numbers. Got {name!r}: {value!r}.",
                hint="Pass the model's feature importances, e.g. permutation importances.",
            )
        result[name] = number
    return result


def _floats(values) -> list[float]:
    return [float(v) for v in values]


def _ints(values) -> list[int]:
    return [int(v) for v in values]
