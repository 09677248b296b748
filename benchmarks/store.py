"""Benchmark: what recording a run in the run store costs, and listing 10,000 runs.

1. Record overhead. The demo (``examples/loans/loans.toml``, 6 candidates x 5 x 5 folds) is run
   once with ``run_experiment(..., jobs=2)``; its record is then written to a fresh SQLite store
   (``start_run`` + ``finish_run``) 5 times. The median write time is compared with the baseline:
   the demo run's own wall time (``result.timings["total"]``). Target: at most 2%. Without the
   example (or with ``--fake``), a made-up record of the same shape is written and the baseline
   is a nominal 30 s run, said as such.
2. Listing. 10,000 runs (summary columns, spec, provenance, environment and a 4 KB record each)
   are inserted into a fresh SQLite store in one transaction; ``list_runs()`` is timed, best of 5,
   against the goal of 0.5 s, and against a named baseline: a raw ``sqlite3`` SELECT of the same
   columns in the same order (the ratio is what SQLAlchemy and the records add).

    .venv/bin/python benchmarks/store.py [--fake]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import tempfile
import time
import uuid
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from learnburn.errors import LearnburnWarning
from learnburn.runs import RunStore
from learnburn.runs._engine import writing
from learnburn.runs._records import SUMMARY_COLUMNS
from learnburn.runs._schema import runs

SPEC = Path(__file__).resolve().parent.parent / "examples" / "loans" / "loans.toml"
RECORD_GOAL = 0.02
LIST_GOAL_S = 0.5
N_RUNS = 10_000
NOMINAL_RUN_S = 30.0


def demo_record(fake: bool) -> tuple[dict, float, str]:
    """The record to write, the baseline wall time, and what the baseline is."""
    if not fake and SPEC.exists():
        from learnburn.spec import load_spec
        from learnburn.workflows import run_experiment

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", LearnburnWarning)  # the demo's notes about its data
            result = run_experiment(load_spec(SPEC), jobs=2)
        return result.to_dict(), result.timings["total"], "the demo run's own wall time"
    return fake_record(6, 25), NOMINAL_RUN_S, "a nominal 30 s run (no demo spec: fake record)"


def fake_record(n_candidates: int, n_folds: int) -> dict:
    names = [f"candidate_{i}" for i in range(n_candidates)]
    folds = [
        {"candidate": n, "repeat": k // 5, "fold": k % 5, "score": 0.8, "n_train": 1273,
         "n_test": 318, "scores": {m: 0.8 for m in ("roc_auc", "accuracy", "log_loss", "f1")},
         "fit_time": 0.2, "predict_time": 0.01, "model_bytes": None, "error": None,
         "warnings": []}
        for n in names for k in range(n_folds)
    ]  # fmt: skip
    summaries = [
        {"name": n, "model": n, "params": {}, "status": "ok", "mean": 0.8, "std": 0.01,
         "ci_low": 0.78, "ci_high": 0.82, "n_folds": n_folds, "fit_time": 0.2,
         "predict_time": 0.01, "rank": i + 1, "verdict": "", "error": None}
        for i, n in enumerate(names)
    ]  # fmt: skip
    fingerprint = {"content_hash": "a" * 64, "rows": 1989, "columns": 40, "schema_hash": "b" * 64}
    return {
        "experiment": "loans", "metric": "roc_auc", "winner": names[0], "best": names[0],
        "data": {"source": "loans.csv", "fingerprint": fingerprint}, "candidates": summaries,
        "folds": folds, "holdout": {"score": 0.81}, "timings": {"total": NOMINAL_RUN_S},
    }  # fmt: skip


def time_recording(record: dict, folder: Path, rounds: int = 5) -> float:
    """Median seconds of start_run + finish_run of ``record`` into a fresh SQLite store."""
    times = []
    with RunStore.open(folder / "record.db", folder=folder) as store:
        for _ in range(rounds):
            start = time.perf_counter()
            run_id = store.start_run(
                experiment=record.get("experiment", "loans"), spec_text=record.get("spec_text", ""),
                spec_hash=record.get("spec_hash", "0" * 64), seed=record.get("seed", 0),
                provenance={"in_git": True, "commit": "c" * 40, "dirty": False},
                environment=record.get("environment", {}), source=str(SPEC),
            )  # fmt: skip
            store.finish_run(run_id, record)
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def fill(store: RunStore, count: int) -> None:
    """Insert ``count`` runs with realistic column sizes, in one transaction."""
    record = json.dumps({"padding": "x" * 4000})
    started = datetime(2024, 1, 1, tzinfo=UTC)
    rows = []
    for i in range(count):
        at = (started + timedelta(seconds=37 * i)).isoformat(timespec="microseconds")
        rows.append(
            {"id": uuid.uuid4().hex, "experiment": f"experiment-{i % 12}",
             "status": ("finished", "finished", "finished", "failed")[i % 4], "started_at": at,
             "finished_at": at, "heartbeat_at": at, "spec_hash": "e" * 64, "seed": i,
             "metric": "roc_auc", "winner": "logistic_regression", "best": "logistic_regression",
             "score": 0.8, "holdout": 0.79, "commit_sha": "c" * 40, "dirty": bool(i % 2),
             "data_hash": "d" * 64, "data_rows": 1989, "spec_text": "[experiment]\n" + "#" * 400,
             "provenance": json.dumps({"commit": "c" * 40, "root": "/repo" * 8}),
             "environment": json.dumps({"python": "3.11", "packages": {"x": "1"} }),
             "record": record, "host": "bench", "pid": 1}
        )  # fmt: skip
    with writing(store._engine) as connection:
        connection.execute(insert(runs), rows)


def best_of(function, rounds: int = 5) -> tuple[float, object]:
    best, value = float("inf"), None
    for _ in range(rounds):
        start = time.perf_counter()
        value = function()
        best = min(best, time.perf_counter() - start)
    return best, value


def time_listing(folder: Path) -> tuple[float, float]:
    path = folder / "list.db"
    with RunStore.open(path, folder=folder) as store:
        fill(store, N_RUNS)
        listed, runs_listed = best_of(store.list_runs)
    assert len(runs_listed) == N_RUNS
    columns = ", ".join(SUMMARY_COLUMNS)
    query = f"SELECT {columns} FROM runs ORDER BY started_at DESC, id DESC"
    connection = sqlite3.connect(path)
    try:
        raw, rows = best_of(lambda: connection.execute(query).fetchall())
    finally:
        connection.close()
    assert len(rows) == N_RUNS
    return listed, raw


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--fake", action="store_true", help="Write a made-up record, skip the demo."
    )
    args = parser.parse_args()

    record, baseline, what = demo_record(args.fake)
    n_folds = len(record["folds"])
    with tempfile.TemporaryDirectory() as temp:
        recording = time_recording(record, Path(temp))
        listed, raw = time_listing(Path(temp))
    overhead = recording / baseline
    size = len(json.dumps(record)) / 1024
    print(
        f"record a run ({len(record['candidates'])} candidates, {n_folds} fold rows, "
        f"{size:.0f} KiB of JSON): start_run + finish_run {recording * 1000:.1f} ms (median of 5)"
    )
    print(f"baseline: {what}: {baseline:.2f} s")
    print(
        f"list {N_RUNS:,} runs: list_runs() {listed:.3f} s (best of 5); baseline raw sqlite3 "
        f"SELECT of the same columns {raw:.3f} s; ratio {listed / raw:.1f}x"
    )
    record_met = "met" if overhead <= RECORD_GOAL else "missed"
    list_met = "met" if listed < LIST_GOAL_S else "missed"
    print(f"target record_overhead: {overhead:.3%} (goal <= 2%) {record_met}")
    print(f"target list_10000_runs: {listed:.3f} s (goal < 0.5 s) {list_met}")


if __name__ == "__main__":
    main()
