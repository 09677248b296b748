"""The order of the stages: the only module that knows it.

The CLI and the notebook front end both call these functions, so neither holds logic the other
lacks. Each function takes plain arguments, returns a record, and never prints; progress is
reported through an optional callback that the front end renders.
"""

from __future__ import annotations

import importlib.metadata
import os
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from learnburn.backends import Backend, LocalBackend
from learnburn.data import Dataset, infer_schema, load_dataset, read_table
from learnburn.errors import DataError
from learnburn.evaluation import (
    ExperimentResult,
    FoldScore,
    evaluate_candidates,
    get_metric,
    make_splits,
    refit_on_development,
)
from learnburn.spec import ExperimentSpec, relative_data_path, starter_spec

_LIBRARIES = (
    "learnburn",
    "scikit-learn",
    "numpy",
    "pandas",
    "pyarrow",
    "scipy",
    "lightgbm",
    "xgboost",
)
_TARGET_NAMES = ("target", "label", "y", "class", "outcome")


@dataclass(frozen=True)
class ProgressEvent:
    """What a front end needs to draw progress: a stage starting, or one fold finishing."""

    kind: str  # "stage" | "folds" | "fold"
    message: str = ""
    total: int = 0
    fold: FoldScore | None = None


ProgressCallback = Callable[[ProgressEvent], None]


def run_experiment(
    spec: ExperimentSpec,
    *,
    jobs: int = 1,
    backend: Backend | None = None,
    progress: ProgressCallback | None = None,
) -> ExperimentResult:
    """Read the data, evaluate every candidate on the same folds, refit the winner, score the
    holdout once, and return the full record."""
    notify = progress or (lambda _event: None)
    backend = backend or LocalBackend(jobs)
    timings: dict[str, float] = {}
    started = time.perf_counter()

    notify(ProgressEvent("stage", "reading data"))
    dataset = _load(spec)
    splits = make_splits(dataset.target, spec.evaluation, time=dataset.time)
    timings["read"] = time.perf_counter() - started

    candidates = spec.expanded_candidates()
    notify(
        ProgressEvent("folds", "evaluating candidates", total=len(candidates) * len(splits.folds))
    )
    mark = time.perf_counter()
    summaries, folds = evaluate_candidates(
        dataset.features, dataset.target, dataset.schema, dataset.classes, candidates, splits,
        metric=spec.evaluation.metric, seed=spec.evaluation.seed, backend=backend,
        on_fold=lambda fold: notify(ProgressEvent("fold", fold=fold)),
    )  # fmt: skip
    timings["cross_validation"] = time.perf_counter() - mark

    winner = next((s.name for s in sorted(summaries, key=_rank_key) if s.rank is not None), None)
    model, holdout = None, None
    if winner is not None:
        notify(ProgressEvent("stage", f"refitting {winner} on all training rows"))
        mark = time.perf_counter()
        chosen = next(c for c in candidates if c.name == winner)
        model, holdout = refit_on_development(
            dataset.features, dataset.target, dataset.schema, dataset.classes, chosen, splits,
            metric=spec.evaluation.metric, seed=spec.evaluation.seed,
        )  # fmt: skip
        timings["refit_and_holdout"] = time.perf_counter() - mark
    timings["total"] = time.perf_counter() - started

    return ExperimentResult(
        experiment=spec.name,
        task=spec.task,
        metric=spec.evaluation.metric,
        greater_is_better=get_metric(spec.evaluation.metric).greater_is_better,
        seed=spec.evaluation.seed,
        spec_hash=spec.content_hash(),
        spec_text=spec.text,
        data=_describe_data(dataset),
        splits=splits.describe(),
        candidates=summaries,
        folds=folds,
        winner=winner,
        holdout=holdout,
        timings=timings,
        environment=describe_environment(),
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        model=model,
    )


def check_experiment(spec: ExperimentSpec) -> dict:
    """Read the data and make the splits without fitting anything: a fast pre-flight check."""
    dataset = _load(spec)
    splits = make_splits(dataset.target, spec.evaluation, time=dataset.time)
    return {
        "data": _describe_data(dataset),
        "splits": splits.describe(),
        "candidates": [c.name for c in spec.expanded_candidates()],
    }


def init_spec(
    data_path: str,
    *,
    target: str | None = None,
    name: str | None = None,
    spec_file: str | os.PathLike | None = None,
) -> str:
    """The text of a commented starter spec for a data file (``learnburn init``).

    With ``spec_file``, a relative data path is written relative to that file's folder."""
    frame = read_table(data_path)
    if target is not None and target not in frame.columns:
        raise DataError(
            f"target column {target!r} is not in {data_path}",
            hint=f"choose one of: {', '.join(map(str, frame.columns))}",
        )
    target = target or _guess_target(frame.columns)
    schema = infer_schema(frame)
    written_path = data_path if spec_file is None else relative_data_path(data_path, spec_file)
    name = name or default_experiment_name(data_path)
    return starter_spec(written_path, schema, target=target, name=name)


def describe_environment() -> dict:
    """Python, platform and the versions of the libraries a run used."""
    versions = {}
    for library in _LIBRARIES:
        try:
            versions[library] = importlib.metadata.version(library)
        except importlib.metadata.PackageNotFoundError:
            continue
    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "machine": platform.machine(),
        "packages": versions,
    }


def _load(spec: ExperimentSpec) -> Dataset:
    return load_dataset(
        spec.resolve_data_path(),
        target=spec.data.target,
        task=spec.task,
        drop=spec.data.drop,
        id_column=spec.data.id_column,
        time_column=spec.data.time_column,
    )


def _describe_data(dataset: Dataset) -> dict:
    return {
        "source": dataset.source,
        "fingerprint": dataset.fingerprint.to_dict(),
        "rows": dataset.n_rows,
        "dropped_rows": dataset.dropped_rows,
        "target": dataset.target_name,
        "classes": list(dataset.classes),
        "features": list(dataset.schema.names),
        "excluded": dict(dataset.excluded),
        "schema": dataset.schema.to_dict(),
    }


def _rank_key(summary) -> tuple[bool, int]:
    return (summary.rank is None, summary.rank or 0)


def _guess_target(columns) -> str | None:
    lowered = {str(c).lower(): str(c) for c in columns}
    return next((lowered[n] for n in _TARGET_NAMES if n in lowered), None)


def default_experiment_name(data_path: str) -> str:
    """The experiment name ``init`` proposes for a data file: its stem."""
    stem = Path(data_path.split("://")[-1]).name.split(".")[0]
    return stem or "experiment"
