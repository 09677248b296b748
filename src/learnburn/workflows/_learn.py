"""The order of the stages: the only module that knows it.

The CLI and the notebook front end both call these functions, so neither holds logic the other
lacks. Each function takes plain arguments, returns a record, and never prints; progress is
reported through an optional callback that the front end renders.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from learnburn.backends import Backend, LocalBackend
from learnburn.data import Dataset, SourceRead, infer_schema, read_table
from learnburn.errors import DataError, SpecError, SpecProblem
from learnburn.evaluation import (
    ClusteringResult,
    ExperimentResult,
    FoldScore,
    OutOfFold,
    compare_candidates,
    evaluate_candidates,
    get_metric,
    make_splits,
    predict_proba_aligned,
    record_splits,
    refit_on_development,
    score_holdout,
)
from learnburn.runs import (
    describe_environment,
)
from learnburn.spec import ExperimentSpec, relative_data_path, starter_spec
from learnburn.thresholds import CostError, choose_decision, cost_matrix, expected_cost
from learnburn.workflows._sources import load_spec_data, prepare_spec_data

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
    read: SourceRead | None = None,
) -> ExperimentResult | ClusteringResult:
    """Read the data (or take ``read``, the spec's table already read), evaluate every
    candidate on the same folds, compare them, choose one by the spec's policy, refit it, choose
    the decision threshold on out-of-fold predictions, score the holdout once, and return the
    full record.

    A clustering spec (task "clustering") instead fits every candidate over the range of k with
    bootstrap refits and returns a ``ClusteringResult`` (``workflows/_cluster.py``)."""
    notify = progress or (lambda _event: None)
    backend = backend or LocalBackend(jobs)
    evaluation = spec.evaluation
    timings: dict[str, float] = {}
    started = time.perf_counter()

    notify(ProgressEvent("stage", "reading data"))
    dataset = _load(spec) if read is None else prepare_spec_data(spec, read)
    if spec.task == "clustering":
        from learnburn.workflows._cluster import run_clustering  # it reads this module

        return run_clustering(spec, dataset, backend=backend, notify=notify)
    splits = make_splits(dataset.target, evaluation, time=dataset.time)
    cost = _cost_matrix(spec, dataset)
    timings["read"] = time.perf_counter() - started

    candidates = spec.expanded_candidates()
    n_tasks = len(candidates) * len(splits.folds)
    notify(ProgressEvent("folds", "evaluating candidates", total=n_tasks))
    mark = time.perf_counter()
    cv = evaluate_candidates(
        dataset.features, dataset.target, dataset.schema, dataset.classes, candidates, splits,
        metric=evaluation.metric, seed=evaluation.seed, backend=backend,
        on_fold=lambda fold: notify(ProgressEvent("fold", fold=fold)),
    )  # fmt: skip
    summaries, comparison = compare_candidates(
        cv.summaries, cv.folds, metric=evaluation.metric, rope=evaluation.effective_rope,
        policy=evaluation.choose,
    )  # fmt: skip
    timings["cross_validation"] = time.perf_counter() - mark

    policy = None
    if comparison.chosen is not None and cost is not None:
        notify(ProgressEvent("stage", "choosing the decision threshold on out-of-fold rows"))
        mark = time.perf_counter()
        policy = _decide(spec, dataset, cv.oof[comparison.chosen], cost)
        timings["decision"] = time.perf_counter() - mark

    model, holdout, holdout_proba = None, None, None
    if comparison.chosen is not None:
        notify(ProgressEvent("stage", f"refitting {comparison.chosen} on all training rows"))
        mark = time.perf_counter()
        model, holdout, holdout_proba = _refit_and_score(
            spec, dataset, splits, candidates, summaries, comparison
        )
        if policy is not None and holdout is not None:
            holdout = _with_decision_cost(holdout, policy, model, dataset, splits, cost, spec)
        timings["refit_and_holdout"] = time.perf_counter() - mark
    timings["total"] = time.perf_counter() - started
    timings["peak_memory_mb"] = _peak_memory_mb()

    return ExperimentResult(
        experiment=spec.name,
        task=spec.task,
        metric=evaluation.metric,
        greater_is_better=get_metric(evaluation.metric).greater_is_better,
        seed=evaluation.seed,
        spec_hash=spec.content_hash(),
        spec_text=spec.text,
        data=_describe_data(dataset),
        splits=record_splits(
            splits, evaluation, n_rows=dataset.n_rows, dropped_rows=dataset.dropped_rows
        ),
        candidates=summaries,
        folds=cv.folds,
        winner=comparison.chosen,
        best=comparison.best,
        comparison=asdict(comparison),
        holdout=holdout,
        decision=policy.to_dict() if policy is not None else None,
        timings=timings,
        environment=describe_environment(),
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        model=model,
        check_rows=_check_rows(dataset, splits) if model is not None else None,
        check_target=_check_rows(dataset, splits, dataset.target) if model is not None else None,
        training_rows=dataset.features.iloc[splits.development] if model is not None else None,
        decision_policy=policy,
        predictions=_predictions(cv.oof.get(comparison.chosen), holdout_proba, dataset, splits),
    )


def _cost_matrix(spec: ExperimentSpec, dataset: Dataset):
    """The spec's costs as a matrix over the data's classes (None when the spec sets none)."""
    if spec.decision is None:
        return None
    decision = spec.decision
    if decision.matrix is None and len(dataset.classes) != 2:
        raise SpecError(
            [SpecProblem(
                "decision.costs",
                f"binary costs need a target with 2 classes, got {len(dataset.classes)}",
                "give a multiclass cost matrix: matrix = [[...], ...] under [decision], "
                f"rows and columns in class order {list(dataset.classes)}",
            )],
            file=spec.source,
        )  # fmt: skip
    matrix = [list(row) for row in decision.matrix] if decision.matrix is not None else None
    try:
        return cost_matrix(dataset.classes, costs=decision.costs or None, matrix=matrix)
    except CostError as error:
        problem = SpecProblem("decision", error.message, error.hint)
        raise SpecError([problem], file=spec.source) from error


def _decide(spec: ExperimentSpec, dataset: Dataset, oof: OutOfFold, cost):
    return choose_decision(
        oof.target, oof.proba, dataset.classes, cost, groups=oof.repeats, row_ids=oof.rows,
        seed=spec.evaluation.seed, calibration=spec.decision.calibration,
    )  # fmt: skip


def _refit_and_score(spec, dataset, splits, candidates, summaries, comparison):
    """Refit the chosen candidate (and the runner-up, to test against) and score the holdout."""
    by_name = {c.name: c for c in candidates}
    seed, metric = spec.evaluation.seed, spec.evaluation.metric

    def refit(name: str):
        return refit_on_development(
            dataset.features, dataset.target, dataset.schema, by_name[name], splits, seed=seed
        )

    model, fit_time = refit(comparison.chosen)
    runner_up = _runner_up(summaries, comparison.chosen)
    other = None
    if runner_up is not None and len(splits.holdout):
        other = (runner_up, refit(runner_up)[0])
    holdout, proba = score_holdout(
        model, dataset.features, dataset.target, dataset.classes, splits, name=comparison.chosen,
        metric=metric, fit_time=fit_time, seed=seed, runner_up=other,
    )  # fmt: skip
    return model, holdout, proba


def _predictions(oof, holdout_proba, dataset, splits) -> pd.DataFrame | None:
    """The chosen model's probabilities, for the report's curves: out of fold on the
    development rows (once per repeat) and on the holdout. ``row`` indexes the whole table;
    ``proba_i`` is the i-th class of ``dataset.classes``; the target is text."""
    if oof is None:
        return None
    parts = [
        _prediction_frame("out-of-fold", oof.repeats, splits.development[oof.rows], oof.target,
                          oof.proba),
    ]  # fmt: skip
    if holdout_proba is not None and len(splits.holdout):
        truth = dataset.target.to_numpy()[splits.holdout]
        repeats = np.full(len(splits.holdout), -1)
        parts.append(_prediction_frame("holdout", repeats, splits.holdout, truth, holdout_proba))
    return pd.concat(parts, ignore_index=True)


def _prediction_frame(split, repeats, rows, target, proba) -> pd.DataFrame:
    frame = pd.DataFrame({
        "split": split, "repeat": np.asarray(repeats, dtype=np.int32),
        "row": np.asarray(rows, dtype=np.int64), "target": [str(v) for v in target],
    })  # fmt: skip
    for index in range(proba.shape[1]):
        frame[f"proba_{index}"] = np.asarray(proba[:, index], dtype=np.float64)
    return frame


def _check_rows(dataset, splits, table=None):
    """The rows a bundle's fast path is proven on (and its drift reference scored on): the
    holdout, else the training rows; from ``table`` (the features by default)."""
    rows = splits.holdout if len(splits.holdout) else np.arange(len(dataset.features))
    table = dataset.features if table is None else table
    return table.iloc[rows[:2000]]


def _runner_up(summaries, chosen: str) -> str | None:
    ranked = sorted((s for s in summaries if s.rank is not None), key=lambda s: s.rank)
    return next((s.name for s in ranked if s.name != chosen), None)


def _with_decision_cost(holdout, policy, model, dataset, splits, cost, spec):
    """The decision policy applied once to the holdout: its realised cost per 1,000 decisions."""
    rows = splits.holdout
    proba = predict_proba_aligned(model, dataset.features.iloc[rows], dataset.classes)
    decisions = policy.apply(proba)
    realised = expected_cost(
        dataset.target.to_numpy()[rows], decisions, cost, dataset.classes,
        seed=spec.evaluation.seed,
    )  # fmt: skip
    return replace(holdout, decision_cost=asdict(realised))


def check_experiment(spec: ExperimentSpec) -> dict:
    """Read the data and make the splits without fitting anything: a fast pre-flight check."""
    dataset = _load(spec)
    if spec.task == "clustering":
        from learnburn.workflows._cluster import check_clustering

        return check_clustering(spec, dataset)
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
    encoding: str = "utf-8",
    delimiter: str | None = None,
) -> str:
    """The text of a commented starter spec for a data file (``learnburn init``).

    With ``spec_file``, a relative data path is written relative to that file's folder;
    ``encoding`` and ``delimiter`` read the file and are written into the spec."""
    frame = read_table(data_path, encoding=encoding, delimiter=delimiter)
    if target is not None and target not in frame.columns:
        raise DataError(
            f"target column {target!r} is not in {data_path}",
            hint=f"choose one of: {', '.join(map(str, frame.columns))}",
        )
    target = target or _guess_target(frame.columns)
    schema = infer_schema(frame)
    written_path = data_path if spec_file is None else relative_data_path(data_path, spec_file)
    name = name or default_experiment_name(data_path)
    return starter_spec(
        written_path, schema, target=target, name=name, encoding=encoding, delimiter=delimiter
    )


def _load(spec: ExperimentSpec) -> Dataset:
    return load_spec_data(spec)


def _describe_data(dataset: Dataset) -> dict:
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


def _peak_memory_mb() -> float:
    """Peak resident memory of this process and of its finished worker processes, in MiB."""
    import resource  # Unix only; learnburn runs on Linux and macOS

    peak = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    )
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024  # bytes there, KiB here


def _guess_target(columns) -> str | None:
    lowered = {str(c).lower(): str(c) for c in columns}
    return next((lowered[n] for n in _TARGET_NAMES if n in lowered), None)


def default_experiment_name(data_path: str) -> str:
    """The experiment name ``init`` proposes for a data file: its stem."""
    stem = Path(data_path.split("://")[-1]).name.split(".")[0]
    return stem or "experiment"
