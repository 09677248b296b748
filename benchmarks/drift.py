"""Benchmark: a drift check of 1,000,000 rows x 50 columns against a bundle's reference, and a
``scipy.stats.ks_2samp`` loop over the same columns.

A synthetic table of 50 columns (40 numeric, some with missing values; 10 categorical of 4 to
12 categories) stands for the training data: 100,000 reference rows. A logistic regression is
fitted on them and saved as a bundle the way ``learnburn run`` saves one: the fast path proven
on 5,000 held-out rows, the reference profile of the training rows (with the held-out rows'
scores) and a sample of 2,000 of them. The current data is 1,000,000 new rows in which 4
numeric columns shift and 2 categorical columns change their shares.

- learnburn: ``check_bundle_drift`` as ``learnburn drift`` runs it (defaults: the learnburn
  preset, Holm's correction, the model's scores on a seeded sample of 100,000 of the current
  rows (prediction drift on a sample; every feature sees every row), the multivariate check);
  the data is already in memory, as it is once ``learnburn drift`` has read its file.
  Target: < 5 s (median of 3), and faster than the baseline.
- Baseline: ``scipy.stats.ks_2samp`` of each of the 50 columns against the 100,000 reference
  rows (categories as codes, missing values left out): the loop a hand-written check runs.

Peak memory of each: the peak of Python-tracked allocations (tracemalloc, which sees numpy's
buffers) in a second, traced call, beside the size of the current table itself.

    PYTHONPATH=src .venv/bin/python benchmarks/drift.py [--rows 1000000]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import tracemalloc
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from learnburn.bundles import save_bundle
from learnburn.candidates import build_pipeline
from learnburn.data import infer_schema
from learnburn.monitoring import build_reference
from learnburn.workflows import check_bundle_drift
from learnburn.workflows._drift import score_of

REFERENCE_ROWS = 100_000
CHECK_ROWS = 5_000
SAMPLE_ROWS = 2_000
NUMERIC, CATEGORICAL = 40, 10
GOAL_SECONDS = 5.0
SEED = 7


def make_table(rows: int, seed: int, drifted: bool = False) -> pd.DataFrame:
    """``rows`` rows of the 50 columns; ``drifted`` shifts columns x0-x3 and reweights c0, c1."""
    rng = np.random.default_rng(seed)
    columns: dict[str, object] = {}
    for i in range(NUMERIC):
        values = rng.normal(i % 7, 1 + i % 3, rows)
        if drifted and i < 4:
            values += 0.2 * (i + 1)
        if i % 5 == 0:
            values[rng.random(rows) < 0.02] = np.nan
        columns[f"x{i}"] = values
    for i in range(CATEGORICAL):
        levels = np.array([f"level {k}" for k in range(4 + i % 9)], dtype=object)
        weights = np.linspace(1, 2, len(levels))
        if drifted and i < 2:
            weights = weights[::-1]
        columns[f"c{i}"] = rng.choice(levels, rows, p=weights / weights.sum())
    return pd.DataFrame(columns)


def build(folder: Path) -> tuple[Path, pd.DataFrame]:
    """The bundle (fast path, reference profile and sample) and its reference rows."""
    table = make_table(REFERENCE_ROWS + CHECK_ROWS, SEED)
    score = table["x0"].fillna(0) - table["x5"].fillna(0) + (table["c0"] == "level 0")
    target = np.where(score + np.random.default_rng(SEED).normal(0, 1, len(table)) > 0, 1, 0)
    train, check = table.iloc[:REFERENCE_ROWS], table.iloc[REFERENCE_ROWS:]
    schema = infer_schema(train)
    numeric = [f"x{i}" for i in range(NUMERIC)]
    categorical = [f"c{i}" for i in range(CATEGORICAL)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = build_pipeline("logistic_regression", {}, schema, seed=SEED)
        model.fit(train, target[:REFERENCE_ROWS])
    reference = build_reference(
        train, numeric=numeric, categorical=categorical,
        scores=score_of(model.predict_proba(check)),
    )  # fmt: skip
    path = save_bundle(
        model, folder / "model.lbm", schema=schema.to_dict(), classes=[0, 1], meta={},
        check_rows=check, reference=reference,
        reference_sample=train.sample(SAMPLE_ROWS, random_state=SEED),
    )  # fmt: skip
    return path, train


def ks_loop(reference: pd.DataFrame, current: pd.DataFrame) -> list[float]:
    """The baseline: one two-sample KS test per column, categories compared as codes."""
    p_values = []
    for name in reference.columns:
        ours, theirs = reference[name], current[name]
        if ours.dtype == object:
            levels = pd.Index(pd.unique(ours.dropna()))
            ours = pd.Series(levels.get_indexer(ours.dropna()), dtype=float)
            theirs = pd.Series(levels.get_indexer(theirs.dropna()), dtype=float)
        a, b = ours.dropna().to_numpy(), theirs.dropna().to_numpy()
        p_values.append(float(stats.ks_2samp(a, b).pvalue))
    return p_values


def timed(function: Callable[[], object], repeats: int) -> tuple[list[float], object]:
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return times, result


def peak_mb(function: Callable[[], object]) -> float:
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def verdict(name: str, value: float, op: str, goal: float, text: str) -> str:
    met = value <= goal if op == "<=" else value >= goal
    return f"target {name}: {text} (goal {op} {goal:g}) {'met' if met else 'missed'}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="Current rows.")
    parser.add_argument("--repeats", type=int, default=3, help="Timed calls of each side.")
    args = parser.parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as temp:
        path, reference = build(Path(temp))
        current = make_table(args.rows, SEED + 1, drifted=True)
        size_mb = current.memory_usage(deep=True).sum() / 2**20
        print(
            f"reference: {len(reference):,} rows x {reference.shape[1]} columns (bundle built in "
            f"{time.perf_counter() - started:.1f} s); current: {len(current):,} rows, "
            f"{size_mb:,.0f} MB in memory"
        )

        def ours():
            return check_bundle_drift(path, current)

        def theirs():
            return ks_loop(reference, current)

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ours_times, report = timed(ours, args.repeats)
            theirs_times, p_values = timed(theirs, args.repeats)
            ours_mb, theirs_mb = peak_mb(ours), peak_mb(theirs)
    ours_s, theirs_s = statistics.median(ours_times), statistics.median(theirs_times)
    flagged = [c.name for c in report.columns if c.drifted]
    below = [n for n, p in zip(reference.columns, p_values, strict=True) if p < 0.05 / 50]
    print(f"\n{'':<36} {'median s':>9} {'runs':>24} {'peak MB':>9}")
    for label, times, median, mb in (
        ("learnburn check_bundle_drift", ours_times, ours_s, ours_mb),
        ("ks_2samp loop over 50 columns", theirs_times, theirs_s, theirs_mb),
    ):
        runs = ", ".join(f"{t:.2f}" for t in times)
        print(f"{label:<36} {median:>9.2f} {runs:>24} {mb:>9.0f}")
    scored = report.scored_rows or args.rows
    print(f"scores: prediction drift on a seeded sample of {scored:,} of {args.rows:,} rows")
    auc = (report.multivariate or {}).get("auc")
    print(
        f"\nlearnburn: drifted={report.drifted}, {len(flagged)} columns flagged {flagged}; "
        f"scores drifted={report.scores.drifted if report.scores else None}; multivariate AUC "
        f"{auc if auc is None else round(auc, 3)}"
    )
    print(f"ks_2samp loop: {len(below)} columns under p = 0.05 / 50 (Bonferroni) {below}")
    print(f"\nwall time: {time.perf_counter() - started:.0f} s")
    print(f"info drift_peak_mb: {ours_mb:.0f} (no goal; the current table is {size_mb:.0f} MB)")
    print(f"info ks_2samp_loop_peak_mb: {theirs_mb:.0f} (no goal)")
    print(verdict("drift_1m_x_50_seconds", ours_s, "<=", GOAL_SECONDS, f"{ours_s:.2f}"))
    ratio = ours_s / theirs_s
    print(verdict("drift_vs_ks_2samp_loop", ratio, "<=", 1.0, f"{ratio:.3f}"))


if __name__ == "__main__":
    main()
