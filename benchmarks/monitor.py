"""Benchmark: ``learnburn monitor`` over a month of capture.

A calibrated logistic regression on 50 numeric features (20,000 training rows, 20,000 holdout
rows for the calibration and the reference scores) is saved as a bundle with its reference
profile and its fast path proven on holdout rows, as ``learnburn run`` saves one. Thirty days
of traffic, 100,000 rows a day (3,000,000 rows x 50 features), are scored and written as
learnburn capture files (one Parquet file a day, the layout ``learnburn serve --capture``
writes); from day 21 the first feature (three tenths of the importance) moves by half a
standard deviation. Labels arrive for the first 20 days (2,000,000 rows, joined by event id).

Timed: ``workflows.run_monitor`` with 1-day windows and the labels, from the bundle and the
folder to the report record (reading, drift of 50 features and the scores per window, the
performance estimate, the label join and the realised performance). Target: under 30 s.
The HTML report is rendered afterwards, timed for information.

    .venv/bin/python benchmarks/monitor.py
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from learnburn.bundles import load_bundle, save_bundle
from learnburn.candidates import build_pipeline
from learnburn.data import infer_schema
from learnburn.monitoring import build_reference
from learnburn.reports import monitor_report
from learnburn.thresholds import choose_decision
from learnburn.workflows import run_monitor

FEATURES = 50
DAYS = 30
LABELLED_DAYS = 20
SHIFT_FROM = 20  # the first day (0-based) whose first feature has moved
GOAL_S = 30.0
SEED = 7


def draw(rng: np.random.Generator, n: int, shift: float = 0.0) -> tuple[pd.DataFrame, np.ndarray]:
    x = rng.normal(size=(n, FEATURES))
    x[:, 0] += shift
    weights = np.linspace(1.5, 0.0, FEATURES)
    logit = x @ weights * 0.6
    y = np.where(rng.random(n) < 1 / (1 + np.exp(-logit)), "yes", "no")
    return pd.DataFrame(x, columns=[f"x{i}" for i in range(FEATURES)]), y


def build(folder: Path, rng: np.random.Generator) -> Path:
    train, target = draw(rng, 20_000)
    holdout, truth = draw(rng, 20_000)
    schema = infer_schema(train)
    model = build_pipeline("logistic_regression", {}, schema, seed=SEED).fit(train, target)
    proba = model.predict_proba(holdout)
    policy = choose_decision(
        truth, proba, ["no", "yes"], [[0, 1], [5, 0]], calibration="isotonic", n_resamples=20
    )
    importances = dict(zip(train.columns, np.r_[0.3, np.full(FEATURES - 1, 0.7 / 49)], strict=True))
    reference = build_reference(
        train, numeric=list(train.columns), categorical=[], scores=proba[:, 1],
        importances=importances,
    )  # fmt: skip
    return save_bundle(
        model, folder / "bundle", schema=schema.to_dict(), classes=["no", "yes"],
        meta={"run_id": "bench"}, decision=policy.to_dict(),
        calibrator=policy.calibrator.to_dict(), reference=reference, check_rows=holdout[:2000],
    )  # fmt: skip


def write_capture(folder: Path, bundle_path: Path, rows: int, rng) -> tuple[int, pd.DataFrame]:
    """Thirty days of capture files and the labels of the first twenty."""
    bundle = load_bundle(bundle_path)
    labels = []
    start = pd.Timestamp("2024-01-01", tz="UTC").value // 1000
    day_us = 86_400 * 1_000_000
    for day in range(DAYS):
        x, y = draw(rng, rows, shift=0.5 if day >= SHIFT_FROM else 0.0)
        proba = bundle.predict_proba(x)
        decisions = np.asarray(bundle.decide_proba(proba)).astype(str)
        ids = np.char.add(f"{day:08x}", np.char.zfill(np.arange(rows).astype(str), 24))
        times = start + day * day_us + np.sort(rng.integers(0, day_us, rows))
        columns = {
            "event_id": pa.array(ids), "row": pa.array(np.zeros(rows, np.int32)),
            "time": pa.array(times.astype("datetime64[us]"), pa.timestamp("us", tz="UTC")),
            "bundle_id": pa.array(["bench"] * rows).dictionary_encode(),
            **{f"input.{c}": pa.array(x[c].to_numpy()) for c in x.columns},
            "proba.no": pa.array(proba[:, 0]), "proba.yes": pa.array(proba[:, 1]),
            "decision": pa.array(decisions),
        }  # fmt: skip
        path = folder / "capture" / f"2024/01/{day + 1:02d}" / "capture.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.table(columns), path, compression="zstd")
        if day < LABELLED_DAYS:
            labels.append(pd.DataFrame({"event_id": ids, "label": y}))
    return DAYS * rows, pd.concat(labels, ignore_index=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="rows a day")
    args = parser.parse_args()
    rng = np.random.default_rng(SEED)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        bundle_path = build(folder, rng)
        started = time.perf_counter()
        total, labels = write_capture(folder, bundle_path, args.rows, rng)
        labels_path = folder / "labels.parquet"
        labels.to_parquet(labels_path, index=False)
        print(
            f"wrote {total:,} rows x {FEATURES} features in {time.perf_counter() - started:.1f} s"
        )
        started = time.perf_counter()
        report = run_monitor(bundle_path, folder / "capture", labels=labels_path, window="1d")
        seconds = time.perf_counter() - started
        started = time.perf_counter()
        page = monitor_report(report)
        render = time.perf_counter() - started
    flagged = [w.start[:10] for w in report.windows if w.alerts]
    print(
        f"monitor: {len(report.windows)} windows, {seconds:.1f} s ({total / seconds:,.0f} "
        f"rows/s); HTML report {render:.1f} s, {len(page):,} bytes"
    )
    print(f"windows with alerts: {len(flagged)} (first {flagged[:1]}); {report.reason}")
    print()
    met = seconds < GOAL_S
    print(
        f"target monitor_30_windows_100k_x_50: {seconds:.1f} s (goal < {GOAL_S:g} s) "
        f"{'met' if met else 'missed'}"
    )


if __name__ == "__main__":
    main()
