"""Benchmark: the Dask backend's fold tasks, against itself on one worker and against the local
backend at the same parallelism.

The demo's spec (``examples/loans/loans.toml``: six candidates, loans table) with ``repeats``
lowered to 2 (``--repeats``): 6 candidates x 5 folds x 2 repeats = 60 fold tasks. What is timed
is the cross-validation stage of ``run_experiment`` (``timings["cross_validation"]``: every fold
task through the backend, then the comparison), the part a backend runs. Three backends, each
warmed by one untimed run, then timed in alternating rounds (medians compared):

- ``local, 2 processes``: ``LocalBackend(2)``, the default backend, the overhead baseline;
- ``dask, 1 worker`` and ``dask, 2 workers``: ``DaskBackend`` on LocalClusters started by this
  script (worker processes with one thread each, on 127.0.0.1), the speed-up pair.

Targets: 2 workers over 1 worker, speed-up >= 1.6x; the Dask backend over the local backend at
the same parallelism (2), overhead <= 1.2x. Every backend's per-fold scores are checked equal.

    .venv/bin/python benchmarks/dask.py [--rounds 3] [--repeats 2]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import warnings
from dataclasses import astuple, replace
from pathlib import Path

# This file is called dask.py: with its folder on the import path, `import dask` (in
# distributed, in the worker processes) would find this file instead of the library.
HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != HERE]

SPEC = HERE.parent / "examples" / "loans" / "loans.toml"
SPEEDUP_GOAL = 1.6
OVERHEAD_GOAL = 1.2


def spec_with_repeats(repeats: int):
    """The demo spec with ``repeats`` repeats, written beside nothing else (its data is a pkg://
    path, so the copy reads the same table)."""
    text = re.sub(r"(?m)^repeats = \d+", f"repeats = {repeats}", SPEC.read_text())
    copy = Path(tempfile.mkdtemp(prefix="learnburn-bench-")) / SPEC.name
    copy.write_text(text)
    from learnburn.spec import load_spec

    return load_spec(copy)


def cross_validation(spec, backend) -> tuple[float, list]:
    """Seconds of the cross-validation stage, and the folds without their timings."""
    from learnburn.workflows import run_experiment

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the demo data's own notes, the same every run
        result = run_experiment(spec, backend=backend)
    folds = [
        astuple(replace(f, fit_time=0.0, predict_time=0.0, model_bytes=None)) for f in result.folds
    ]
    return result.timings["cross_validation"], folds


def target(name: str, measured: float, op: str, goal: float) -> str:
    met = measured >= goal if op == ">=" else measured <= goal
    return f"target {name}: {measured:.3f} (goal {op} {goal:g}) {'met' if met else 'missed'}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    from learnburn.backends import DaskBackend, LocalBackend, start_local_cluster

    spec = spec_with_repeats(args.repeats)
    tasks = len(spec.expanded_candidates()) * spec.evaluation.folds * spec.evaluation.repeats
    print(f"spec: {SPEC.name} with repeats = {args.repeats}: {tasks} fold tasks, "
          f"rounds={args.rounds}")  # fmt: skip
    with (
        start_local_cluster(1) as one,
        start_local_cluster(2) as two,
        DaskBackend(one.scheduler_address) as dask_one,
        DaskBackend(two.scheduler_address) as dask_two,
    ):
        backends = {
            "local, 2 processes": LocalBackend(2),
            "dask, 1 worker": dask_one,
            "dask, 2 workers": dask_two,
        }
        reference = {name: cross_validation(spec, b)[1] for name, b in backends.items()}
        same = all(folds == reference["local, 2 processes"] for folds in reference.values())
        times: dict[str, list[float]] = {name: [] for name in backends}
        for round_ in range(args.rounds):
            for name, backend in backends.items():
                seconds, _ = cross_validation(spec, backend)
                times[name].append(seconds)
                print(f"round {round_ + 1}: {name:<20} {seconds:7.2f} s")
    medians = {name: statistics.median(values) for name, values in times.items()}
    print("median: " + ", ".join(f"{name} {s:.2f} s" for name, s in medians.items()))
    print(f"per-fold scores identical across the three backends: {'yes' if same else 'NO'}")
    speedup = medians["dask, 1 worker"] / medians["dask, 2 workers"]
    overhead = medians["dask, 2 workers"] / medians["local, 2 processes"]
    print(target("dask_speedup_2_over_1_workers", speedup, ">=", SPEEDUP_GOAL))
    print(target("dask_overhead_over_local", overhead, "<=", OVERHEAD_GOAL))


if __name__ == "__main__":
    main()
