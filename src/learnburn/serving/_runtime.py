"""Choose the runtime that scores a file: the bundle's fast path or its native model.

The fast path (a feature plan and a compiled model, ``bundles/_fast.py``) is chosen for one row:
it skips pandas and scikit-learn's validation, which cost milliseconds a call. Over a hundred
thousand rows that overhead vanishes and what is left is the arithmetic, where the native model
(scikit-learn's forests, LightGBM's own predictor, a dense dot product) may be as fast or faster.

``runtime="auto"`` (the default) is the fast path whenever the bundle has one: a choice that is
the same on every run, so the same file always gets the same answers. The two runtimes were proven
to agree within the bundle's tolerance on its check rows, but rows elsewhere (values right beside
a split, where a float32 comparison differs from the native float64 one) may differ by more, and
a timing-based choice would make the answers depend on how busy the machine was.

``runtime="measure"`` opts into speed over that guarantee, once per file: a file that fits in one
chunk is scored with the fast path (the choice would cost more than it saves); otherwise a sample
of the first chunk is scored both ways, each on one thread after a warm-up, and the faster per row
scores every chunk; the native model is loaded for the sample only then. ``runtime="fast"`` or
``"native"`` pins one.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from learnburn.bundles import Bundle

if TYPE_CHECKING:
    import pandas as pd

SAMPLE_ROWS = 5_000  # rows each runtime scores to decide: enough to see per-row costs
WARM_ROWS = 50  # scored first, so the sample's time leaves out loading and first-call costs
REPEATS = 2  # the faster of this many timings of the sample, for each runtime


@dataclass(frozen=True)
class Scorer:
    """The runtime chosen for a file: ``predict_proba`` as ``Bundle.predict_proba`` gives it."""

    bundle: Bundle
    runtime: str  # "fast" or "native"
    predict_proba: Callable[[pd.DataFrame], np.ndarray]


def choose_scorer(bundle: Bundle, chunk: pd.DataFrame, runtime: str, chunk_rows: int) -> Scorer:
    """The scorer for a file whose first chunk (numbers coerced) is ``chunk``."""
    if bundle.fast is None or runtime == "native":
        return Scorer(bundle, "native", bundle.predict_proba_native)
    fast = Scorer(bundle, "fast", bundle.predict_proba)
    if runtime in ("auto", "fast") or len(chunk) < chunk_rows or len(chunk) < 2 * SAMPLE_ROWS:
        return fast
    native = Scorer(bundle, "native", bundle.predict_proba_native)
    sample = chunk.iloc[:SAMPLE_ROWS][list(bundle.columns)]
    return min((fast, native), key=lambda scorer: _seconds(scorer, sample))


def _seconds(scorer: Scorer, sample: pd.DataFrame) -> float:
    """The time ``scorer`` takes for ``sample``, after a warm-up call."""
    scorer.predict_proba(sample.iloc[:WARM_ROWS])
    best = float("inf")
    for _ in range(REPEATS):
        started = time.perf_counter()
        scorer.predict_proba(sample)
        best = min(best, time.perf_counter() - started)
    return best
