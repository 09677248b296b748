"""Cluster shares: how the mix of a clustering model's clusters moved from training to now.

The clusters of the current rows are judged as one categorical column against the reference's
``clusters`` profile (chi-square homogeneity, PSI and the Jensen-Shannon distance, under the
preset's rule); ``share_changes`` lists each cluster's share then and now.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from learnburn.errors import DriftError
from learnburn.monitoring._values import category_keys


def cluster_series(labels: np.ndarray) -> pd.Series:
    """Current clusters as the series drift reads; DriftError when they are not 1-D labels."""
    values = np.asarray(labels)
    if values.ndim != 1 or values.size == 0:
        raise DriftError(
            f"current_clusters must be a non-empty 1-D array of cluster labels. Got shape "
            f"{values.shape} instead.",
            hint="Pass the cluster the bundle assigns to each current row.",
        )
    return pd.Series(values, name="clusters")


def share_changes(profile: dict, labels: pd.Series) -> tuple[dict, ...]:
    """Each cluster's share of the reference rows and of the current rows, largest first."""
    keys = pd.Series(category_keys(labels), dtype=object).dropna()
    current = keys.value_counts(normalize=True)
    total = max(profile["count"], 1)
    then = {key: n / total for key, n in profile["counts"].items()}
    names = sorted(set(then) | set(current.index), key=lambda k: (-then.get(k, 0.0), k))
    return tuple(
        {
            "cluster": name,
            "reference": float(then.get(name, 0.0)),
            "current": float(current.get(name, 0.0)),
            "change": float(current.get(name, 0.0) - then.get(name, 0.0)),
        }
        for name in names
    )
