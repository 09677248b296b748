"""Timing a call repeatedly, within a time budget."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np


def time_calls(
    call: Callable[[], Any], size: int, budget_s: float, *, at_least: int, at_most: int
) -> dict[str, Any]:
    """Call once to warm up, then at least ``at_least`` and at most ``at_most`` times within
    ``budget_s``: the number of calls and the p50 and p99 in milliseconds of one call that
    scores ``size`` rows."""
    call()  # warm: caches filled, kernels compiled, weights moved to their device
    times = []
    deadline = time.perf_counter() + budget_s
    while len(times) < at_least or (time.perf_counter() < deadline and len(times) < at_most):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    seconds = np.asarray(times)
    return {
        "batch_rows": size,
        "calls": len(times),
        "p50_ms": round(float(np.percentile(seconds, 50)) * 1e3, 4),
        "p99_ms": round(float(np.percentile(seconds, 99)) * 1e3, 4),
    }
