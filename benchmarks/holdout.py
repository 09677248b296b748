"""Benchmark: the holdout interval on 1,000,000 rows, against scipy's BCa bootstrap.

learnburn's holdout interval is DeLong's for a binary ROC AUC (the default metric) and, for the
other metrics, a bootstrap with a bounded number of resamples scored in chunks, its BCa
acceleration from a grouped jackknife (``evaluation/_bootstrap.py``). Each is measured on
synthetic holdout predictions in a fresh child process: wall time, and the peak of
Python-tracked allocations (tracemalloc, which sees numpy's buffers) in a second, traced call.

Baseline, measured in the same run: the method learnburn used before,
``scipy.stats.bootstrap(vectorized=False)`` with BCa, whose jackknife computes n leave-one-out
statistics of n - 1 rows (an n x (n - 1) index matrix). It is timed and its allocations are
measured at a few small sizes and extrapolated to 1,000,000 rows by its structure: 2000 + n
metric calls costing a + b·n each, and c·n + d·n² bytes of index matrices (least squares).

Agreement with the exact method on small cases: on 200 rows the bootstrap equals scipy's BCa
with the same seed (same row draws); on 1,000 rows DeLong's AUC interval is compared with
scipy's BCa interval (two different methods: ends within 10% of the width).

Targets: at 1,000,000 rows each interval in < 10 s and < 1 GB peak; the agreements above.

    PYTHONPATH=src .venv/bin/python benchmarks/holdout.py [--rows 1000000]
"""

from __future__ import annotations

import argparse
import multiprocessing
import time
import tracemalloc
import warnings

import numpy as np
from scipy import stats

GOAL_SECONDS = 10.0
GOAL_MB = 1024.0
BASELINE_SIZES = (500, 1000, 2000)


def predictions(rows: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """A binary target and a fair model's probabilities (AUC about 0.84)."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, rows)
    p1 = np.clip(0.3 * y + 0.7 * rng.random(rows), 1e-6, 1 - 1e-6)
    return y, np.column_stack([1 - p1, p1])


def _measure(kind: str, metric: str, rows: int, queue) -> None:
    """In a child: (seconds, tracemalloc peak MB, interval). The time is taken untraced, then
    the peak of a second, traced call (tracing slows Python-heavy code such as scikit-learn's
    metrics many times over). scipy's peak is traced with a cheap statistic of the same shape (the
    mean of per-row losses): its memory is the index matrices', whatever the statistic costs."""
    from learnburn.evaluation._holdout import holdout_interval

    y, proba = predictions(rows)
    if kind == "learnburn":

        def call(traced: bool):
            result = holdout_interval(metric, y, proba, [0, 1], seed=0)
            return result.low, result.high, result.method, result.n_resamples
    else:

        def call(traced: bool):
            low, high = scipy_bca(metric, y, proba, cheap=traced)
            return low, high, "scipy BCa", 2000

    start = time.perf_counter()
    interval = call(False)
    seconds = time.perf_counter() - start
    tracemalloc.start()
    call(True)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    queue.put((seconds, peak, interval))


def scipy_bca(metric: str, y, proba, n_resamples: int = 2000, seed: int = 0, cheap=False):
    """The old holdout interval: scipy's BCa, one metric call per resample and jackknife row."""
    from learnburn.evaluation import get_metric

    score, classes = get_metric(metric).score, np.array([0, 1])
    losses = -np.log(proba[np.arange(len(y)), y])
    statistic = (lambda rows: losses[rows].mean()) if cheap else (
        lambda rows: score(y[rows], proba[rows], classes)
    )  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = stats.bootstrap(
            (np.arange(len(y)),), statistic, n_resamples=n_resamples, vectorized=False,
            rng=np.random.default_rng(seed),
        )  # fmt: skip
    return float(result.confidence_interval.low), float(result.confidence_interval.high)


def in_child(kind: str, metric: str, rows: int):
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_measure, args=(kind, metric, rows, queue))
    process.start()
    result = queue.get()
    process.join()
    return result


def extrapolate_time(sizes, seconds, rows: int, resamples: int = 2000) -> float:
    """scipy's BCa makes ``resamples + n`` metric calls (resamples, then the jackknife), each
    costing a + b·n: fit a and b by least squares and evaluate at ``rows``."""
    n = np.asarray(sizes, dtype=float)
    per_call = np.asarray(seconds) / (resamples + n)
    (a, b), *_ = np.linalg.lstsq(np.column_stack([np.ones_like(n), n]), per_call, rcond=None)
    return float((resamples + rows) * (max(a, 0.0) + max(b, 0.0) * rows))


def extrapolate_memory(sizes, megabytes, rows: int) -> float:
    """Index matrices of resamples x n and n x (n - 1): fit c·n + d·n² and evaluate at ``rows``."""
    n = np.asarray(sizes, dtype=float)
    (c, d), *_ = np.linalg.lstsq(np.column_stack([n, n**2]), np.asarray(megabytes), rcond=None)
    return float(max(c, 0.0) * rows + max(d, 0.0) * rows**2)


def agreement() -> tuple[float, float]:
    """(largest end difference, bootstrap vs scipy BCa on 200 rows, over three metrics;
    largest end difference over the width, DeLong vs scipy BCa on 1,000 rows)."""
    from learnburn.evaluation import metric_interval
    from learnburn.evaluation._holdout import holdout_interval

    y, proba = predictions(200, seed=7)
    exact = 0.0
    for metric in ("log_loss", "average_precision", "roc_auc"):
        ours = metric_interval(metric, y, proba, [0, 1], seed=0)
        low, high = scipy_bca(metric, y, proba)
        exact = max(exact, abs(ours.low - low), abs(ours.high - high))
    y, proba = predictions(1000, seed=8)
    delong = holdout_interval("roc_auc", y, proba, [0, 1], seed=0)
    low, high = scipy_bca("roc_auc", y, proba)
    relative = max(abs(delong.low - low), abs(delong.high - high)) / (high - low)
    return exact, relative


def target(name: str, measured: float, op: str, goal: float, unit: str = "") -> str:
    met = measured < goal if op == "<" else measured <= goal
    return f"target {name}: {measured:.3g}{unit} (goal {op} {goal:g}{unit}) " + (
        "met" if met else "missed"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    rows = args.rows

    print(f"baseline: scipy.stats.bootstrap BCa (vectorized=False) at {BASELINE_SIZES} rows")
    times, peaks = [], []
    for size in BASELINE_SIZES:
        seconds, peak, _ = in_child("scipy", "log_loss", size)
        times.append(seconds)
        peaks.append(peak)
        print(f"  {size:>6} rows: {seconds:7.2f} s, peak {peak:8.1f} MB")
    base_s = extrapolate_time(BASELINE_SIZES, times, rows)
    base_mb = extrapolate_memory(BASELINE_SIZES, peaks, rows)
    print(f"  extrapolated to {rows:,} rows: {base_s:,.0f} s ((2000 + n) calls of a + b·n), "
          f"{base_mb:,.0f} MB (c·n + d·n²)")  # fmt: skip

    lines = []
    for metric, label in (("roc_auc", "auc"), ("log_loss", "log_loss")):
        seconds, peak, (low, high, method, resamples) = in_child("learnburn", metric, rows)
        print(f"learnburn {metric} at {rows:,} rows: {method} [{low:.5f}, {high:.5f}] "
              f"({resamples} resamples), {seconds:.2f} s, peak {peak:.1f} MB; "
              f"{base_s / seconds:,.0f}x faster and "
              f"{base_mb / peak:,.0f}x less memory than the extrapolated baseline")  # fmt: skip
        lines.append(target(f"holdout_{label}_interval_seconds", seconds, "<", GOAL_SECONDS))
        lines.append(target(f"holdout_{label}_interval_peak_mb", peak, "<", GOAL_MB))

    exact, relative = agreement()
    print(f"agreement: bootstrap vs scipy BCa on 200 rows, largest end difference {exact:.2e}; "
          f"DeLong vs scipy BCa on 1,000 rows, largest end difference {relative:.1%} of the "
          "width")  # fmt: skip
    lines.append(target("bootstrap_vs_scipy_bca_200_rows", exact, "<=", 1e-9))
    lines.append(target("delong_vs_scipy_bca_1000_rows_share_of_width", relative, "<=", 0.10))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
