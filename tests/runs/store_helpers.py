"""Helpers for the run-store tests that also run in child processes (spawned workers and the
process killed with SIGKILL), so they live in a module those processes can import by name.

Run as a script (``python store_helpers.py hold URL FOLDER``) it starts a long run, prints its
id, then records small runs one after another until it is killed.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path

from learnburn.runs import RunStore

CANDIDATES = ("logistic_regression", "random_forest")
REPEATS, FOLDS = 2, 3


def fake_record(
    experiment: str = "loans",
    candidates: tuple[str, ...] = CANDIDATES,
    repeats: int = REPEATS,
    folds: int = FOLDS,
    seed: int = 0,
) -> dict:
    """A small record shaped like ExperimentResult.to_dict(): the first candidate wins."""
    fold_list = [
        {
            "candidate": name,
            "repeat": r,
            "fold": f,
            "score": 0.8 - 0.01 * c + 0.001 * f,
            "scores": {"roc_auc": 0.8 - 0.01 * c + 0.001 * f, "accuracy": 0.75},
            "fit_time": 0.01 * (c + 1),
            "predict_time": 0.001,
            "n_train": 160,
            "n_test": 80,
            "model_bytes": None,
            "error": None,
            "warnings": [],
        }
        for c, name in enumerate(candidates)
        for r in range(repeats)
        for f in range(folds)
    ]
    summaries = [
        {
            "name": name,
            "model": name,
            "params": {},
            "preprocessing": "auto",
            "status": "ok",
            "mean": 0.8 - 0.01 * c,
            "std": 0.01,
            "ci_low": 0.78 - 0.01 * c,
            "ci_high": 0.82 - 0.01 * c,
            "n_folds": repeats * folds,
            "fit_time": 0.01 * (c + 1),
            "predict_time": 0.001,
            "rank": c + 1,
            "verdict": "best" if c == 0 else "worse",
            "error": None,
        }
        for c, name in enumerate(candidates)
    ]
    fingerprint = {"content_hash": "ab" * 32, "rows": 240, "columns": 7, "schema_hash": "cd" * 32}
    return {
        "experiment": experiment,
        "task": "classification",
        "metric": "roc_auc",
        "seed": seed,
        "data": {"source": "table.csv", "fingerprint": fingerprint, "rows": 240},
        "candidates": summaries,
        "folds": fold_list,
        "winner": candidates[0] if candidates else None,
        "best": candidates[0] if candidates else None,
        "holdout": {"candidate": candidates[0], "rows": 60, "score": 0.79} if candidates else None,
        "timings": {"total": 1.0},
    }


def start(store: RunStore, experiment: str = "loans", **provenance) -> str:
    """Start a run with plain made-up inputs."""
    return store.start_run(
        experiment=experiment,
        spec_text=f'[experiment]\nname = "{experiment}"\n',
        spec_hash="e" * 64,
        seed=3,
        provenance=provenance or {"in_git": True, "commit": "c" * 40, "dirty": False},
        environment={"python": "3.11"},
        source="experiment.toml",
    )


def pause(seconds: float) -> int:
    """Keep a pool worker busy for a while (so that a pool starts all its processes)."""
    time.sleep(seconds)
    return os.getpid()


def write_runs(url: str, folder: str, worker: int, count: int, barrier=None) -> int:
    """One concurrent writer: its own store, ``count`` runs started, beaten and finished, after
    every writer reached ``barrier``; returns its pid."""
    if barrier is not None:
        barrier.wait(timeout=60)
    with RunStore.open(url, folder=Path(folder)) as store:
        for _ in range(count):
            run_id = start(store, f"worker-{worker}")
            store.heartbeat(run_id)
            store.finish_run(run_id, fake_record(f"worker-{worker}", seed=worker))
    return os.getpid()


def hold(url: str, folder: str) -> None:
    """Start a long run, say its id, then record small runs until killed."""
    with RunStore.open(url, folder=Path(folder)) as store:
        print(start(store, "long"), flush=True)
        while True:
            run_id = start(store, "busy")
            store.heartbeat(run_id)
            store.finish_run(run_id, fake_record("busy"))


def fill(folder: Path, leave: int = 0) -> None:
    """Write a filler file into ``folder`` until its device has at most ``leave`` bytes free."""
    with open(folder / "filler", "wb") as out:
        while shutil.disk_usage(folder).free > leave:
            try:
                out.write(b"\0" * min(4096, shutil.disk_usage(folder).free - leave or 1))
                out.flush()
            except OSError:
                break


if __name__ == "__main__":
    hold(sys.argv[2], sys.argv[3]) if sys.argv[1] == "hold" else sys.exit(2)
