"""The SEA concepts stream (Street & Kim 2001), with known abrupt or gradual drift points.

W. N. Street and Y. Kim, "A streaming ensemble algorithm (SEA) for large-scale classification",
Proceedings of KDD 2001, pp. 377-382, doi:10.1145/502512.502568. Three features drawn uniformly
from [0, 10]; only the first two matter. A point's class is whether ``f1 + f2 <= theta``; the
four concepts use ``theta = 8, 9, 7, 9.5``. The paper adds 10% class noise.

Labels: ``label = 1`` when ``f1 + f2 <= theta`` (the relation holds). MOA's ``SEAGenerator``
encodes the same case as class index 0 ("groupA"), and river's ``SEA`` as ``False``
(``y = f1 + f2 > theta``); the concepts are the same, only the 0/1 coding differs.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from learnburn.errors import DataError
from learnburn.testing._streams import (
    LABEL_COLUMN,
    TIME_COLUMN,
    check_concepts,
    check_drift_points,
    check_probability,
    check_rows,
    concept_of_rows,
    describe_drifts,
    flip,
    timestamps,
)

SEA_THRESHOLDS = (8.0, 9.0, 7.0, 9.5)
"""theta of SEA concepts 0, 1, 2 and 3 (Street & Kim 2001; MOA functions 1-4)."""


def sea_concept(f1, f2, variant: int) -> np.ndarray:
    """The noiseless SEA label: 1 where ``f1 + f2 <= theta`` of ``variant`` (0-3), else 0."""
    _check_variant("sea_concept", variant)
    total = np.asarray(f1, dtype=float) + np.asarray(f2, dtype=float)
    return (total <= SEA_THRESHOLDS[variant]).astype(np.int64)


def sea_stream(
    n: int,
    *,
    drift_points: Sequence[int] = (),
    variants: Sequence[int] | None = None,
    noise: float = 0.1,
    width: float = 0,
    seed: int = 0,
    start: str = "2024-01-01",
    freq: str = "h",
) -> pd.DataFrame:
    """A SEA stream of ``n`` rows: columns ``time``, ``f1``, ``f2``, ``f3`` and ``label``.

    The stream follows ``variants[0]`` until ``drift_points[0]`` (a row position), then
    ``variants[1]``, and so on; by default the variants cycle 0, 1, 2, 3. ``width`` spreads
    each drift over about that many rows (0: abrupt). Each label is flipped with probability
    ``noise`` (the paper's 10% by default). Row ``i`` is stamped ``start + i * freq``.

    The known truth is in ``frame.attrs``: ``drift_points``, ``drift_times`` (ISO timestamps)
    and ``concepts`` (the variant of each segment).
    """
    check_rows("sea_stream", n)
    check_drift_points("sea_stream", n, drift_points, width)
    check_probability("sea_stream", "noise", noise)
    if variants is None:
        variants = [i % len(SEA_THRESHOLDS) for i in range(len(drift_points) + 1)]
    check_concepts("sea_stream", "variants", variants, drift_points)
    for variant in variants:
        _check_variant("sea_stream", variant)
    rng = np.random.default_rng(seed)
    features = rng.uniform(0.0, 10.0, size=(n, 3))
    segment = concept_of_rows(n, drift_points, width, rng)
    thresholds = np.asarray([SEA_THRESHOLDS[v] for v in variants])[segment]
    labels = (features[:, 0] + features[:, 1] <= thresholds).astype(np.int64)
    frame = pd.DataFrame(
        {
            TIME_COLUMN: timestamps(n, start, freq),
            "f1": features[:, 0],
            "f2": features[:, 1],
            "f3": features[:, 2],
            LABEL_COLUMN: flip(labels, noise, rng),
        }
    )
    describe_drifts(frame, drift_points, [int(v) for v in variants])
    return frame


def _check_variant(function: str, variant) -> None:
    if isinstance(variant, bool) or variant not in range(len(SEA_THRESHOLDS)):
        raise DataError(
            f"A SEA variant in {function} must be 0, 1, 2 or 3. Got {variant!r} instead.",
            hint="variants 0-3 use theta = 8, 9, 7 and 9.5",
        )
