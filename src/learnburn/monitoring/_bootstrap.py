"""The moving-block bootstrap of a mean over an autocorrelated series (Künsch 1989).

H. R. Künsch, "The jackknife and the bootstrap for general stationary observations", Annals of
Statistics 17(3):1217-1241, 1989. Successive periods of a backtest are not independent (a stale
model is stale for several periods in a row), so resampling single periods understates the
spread of their mean. The moving-block bootstrap resamples runs of ``L`` consecutive values
instead: each resample joins ``ceil(n / L)`` blocks whose starts are drawn uniformly from the
``n - L + 1`` possible starts, cut to ``n`` values. The default block length is
``ceil(n ** (1/3))``, the order that minimises the error of the variance estimate for a mean
(Hall, Horowitz and Jing 1995). The bound is the percentile of the resampled means.
"""

from __future__ import annotations

import math

import numpy as np

from learnburn.errors import CadenceError


def block_length(n: int) -> int:
    """The default block length for ``n`` values: ``ceil(n ** (1/3))``, at least 1."""
    return max(1, math.ceil(round(n ** (1.0 / 3.0), 9)))


def moving_block_means(
    values, *, resamples: int = 2000, seed: int = 0, length: int | None = None
) -> np.ndarray:
    """``resamples`` moving-block bootstrap means of ``values`` (seeded, reproducible)."""
    series = np.asarray(values, dtype=float)
    n = len(series)
    if n < 1 or not np.all(np.isfinite(series)):
        raise CadenceError(
            f"the moving-block bootstrap needs at least one finite value, got {n} values "
            f"({int(np.sum(~np.isfinite(series)))} not finite)",
            hint="drop the periods whose metric is undefined before resampling",
        )
    length = block_length(n) if length is None else length
    if not 1 <= length <= n:
        raise CadenceError(
            f"block length must be between 1 and the {n} values, got {length}",
            hint="leave the block length out to use ceil(n ** (1/3))",
        )
    rng = np.random.default_rng(seed)
    blocks = math.ceil(n / length)
    starts = rng.integers(0, n - length + 1, size=(resamples, blocks))
    rows = (starts[:, :, None] + np.arange(length)).reshape(resamples, blocks * length)[:, :n]
    return series[rows].mean(axis=1)


def moving_block_upper(
    values,
    *,
    confidence: float = 0.95,
    resamples: int = 2000,
    seed: int = 0,
    length: int | None = None,
) -> float:
    """The one-sided ``confidence`` upper bound of the mean of ``values``: the ``confidence``
    quantile of its moving-block bootstrap means."""
    if not 0 < confidence < 1:
        raise CadenceError(
            f"confidence must be between 0 and 1, got {confidence!r}",
            hint="0.95 gives a one-sided 95% upper bound",
        )
    means = moving_block_means(values, resamples=resamples, seed=seed, length=length)
    return float(np.quantile(means, confidence))
