"""What every flow (learning, clustering, the cadence backtest, recording) shares: the progress
events it sends a front end, reading the spec's data, describing that data for the record, and
the run's peak memory."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass

from learnburn.data import Dataset
from learnburn.evaluation import FoldScore
from learnburn.spec import ExperimentSpec
from learnburn.workflows._sources import load_spec_data


@dataclass(frozen=True)
class ProgressEvent:
    """What a front end needs to draw progress: a stage starting, or one fold finishing."""

    kind: str  # "stage" | "folds" | "fold" | "trials" (a search inside a fold finished)
    message: str = ""
    total: int = 0  # "trials": how many trials that search ran
    fold: FoldScore | None = None


ProgressCallback = Callable[[ProgressEvent], None]


def read_data(spec: ExperimentSpec) -> Dataset:
    """The spec's data table (a file, a query or an object in S3), read and checked."""
    return load_spec_data(spec)


def describe_data(dataset: Dataset) -> dict:
    """The data part of a result record."""
    return {
        "source": dataset.source,
        **({"origin": dataset.origin} if dataset.origin else {}),
        "fingerprint": dataset.fingerprint.to_dict(),
        "rows": dataset.n_rows,
        "dropped_rows": dataset.dropped_rows,
        "target": dataset.target_name,
        "classes": list(dataset.classes),
        "features": list(dataset.schema.names),
        "excluded": dict(dataset.excluded),
        "warnings": list(dataset.warnings),
        "schema": dataset.schema.to_dict(),
    }


def peak_memory_mb() -> float:
    """Peak resident memory of this process and of its finished worker processes, in MiB."""
    import resource  # Unix only; learnburn runs on Linux and macOS

    peak = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    )
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024  # bytes there, KiB here
