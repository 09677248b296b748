"""Learning, end to end: read the data, evaluate every candidate on the same folds, compare them,
choose one, choose the decision threshold, refit and score the holdout once (``run_experiment``),
and the same checks without fitting (``check_experiment``)."""

from __future__ import annotations

import time
from dataclasses import asdict, replace
from datetime import UTC, datetime

import numpy as np
import pandas as pd

from learnburn.backends import Backend, LocalBackend
from learnburn.data import Dataset, SourceRead
from learnburn.errors import SpecError, SpecProblem
from learnburn.evaluation import (
    ClusteringResult,
    ExperimentResult,
    OutOfFold,
    compare_candidates,
    evaluate_candidates,
    get_metric,
    make_splits,
    record_splits,
    refit_on_development,
    score_holdout,
)
from learnburn.runs import (
    describe_environment,
)
from learnburn.spec import ExperimentSpec
from learnburn.thresholds import DecisionCostError, choose_decision, cost_matrix, expected_cost
from learnburn.workflows._cluster import check_clustering, run_clustering
from learnburn.workflows._sources import prepare_spec_data
from learnburn.workflows._stages import (
    ProgressCallback,
    ProgressEvent,
    describe_data,
    peak_memory_mb,
    read_data,
)
from learnburn.workflows._tuning import search_budget, tune_for_refit, tuning_record


def run_experiment(
    spec: ExperimentSpec,
    *,
    jobs: int = 1,
    backend: Backend | None = None,
    progress: ProgressCallback | None = None,
    time_budget: float | None = None,
    read: SourceRead | None = None,
) -> ExperimentResult | ClusteringResult:
    """Read the data (or take ``read``, the spec's table already read), evaluate every
    candidate on the same folds, compare them, choose one by the spec's policy, refit it, choose
    the decision threshold on out-of-fold predictions, score the holdout once, and return the
    full record.

    Tuned candidates (a ``search``) are tuned inside each outer fold on its training rows, and
    once more on all development rows before the refit; ``time_budget`` (seconds) caps the
    searches of the whole run, spread over the backend's width (``workflows/_tuning.py``).

    A clustering spec (task "clustering") instead fits every candidate over the range of k with
    bootstrap refits and returns a ``ClusteringResult`` (``workflows/_cluster.py``)."""
    notify = progress or (lambda _event: None)
    backend = backend or LocalBackend(jobs)
    evaluation = spec.evaluation
    timings: dict[str, float] = {}
    started = time.perf_counter()

    notify(ProgressEvent("stage", "reading data"))
    dataset = read_data(spec) if read is None else prepare_spec_data(spec, read)
    if spec.task == "clustering":
        return run_clustering(spec, dataset, backend=backend, notify=notify)
    splits = make_splits(dataset.target, evaluation, time=dataset.time)
    cost = _cost_matrix(spec, dataset)
    timings["read"] = time.perf_counter() - started

    candidates = spec.expanded_candidates()
    n_tasks = len(candidates) * len(splits.folds)
    per_search = search_budget(time_budget, backend, candidates, len(splits.folds))
    notify(ProgressEvent("folds", _evaluating(candidates), total=n_tasks))
    mark = time.perf_counter()
    cv = evaluate_candidates(
        dataset.features, dataset.target, dataset.schema, dataset.classes, candidates, splits,
        metric=evaluation.metric, seed=evaluation.seed, backend=backend,
        on_fold=lambda fold: notify(ProgressEvent("fold", fold=fold)),
        on_search=lambda found: notify(ProgressEvent("trials", found.candidate,
                                                     total=len(found.trials))),
        time_budget=per_search,
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

    model, holdout, holdout_proba, refits = None, None, None, {}
    if comparison.chosen is not None:
        notify(ProgressEvent("stage", f"refitting {comparison.chosen} on all training rows"))
        mark = time.perf_counter()
        model, holdout, holdout_proba = _refit_and_score(
            spec, dataset, splits, candidates, summaries, comparison, refits, per_search,
            jobs=backend.jobs if isinstance(backend, LocalBackend) else 1,
        )  # fmt: skip
        if policy is not None and holdout is not None:
            holdout = _with_decision_cost(holdout, policy, holdout_proba, dataset, splits, cost,
                                          spec)  # fmt: skip
        timings["refit_and_holdout"] = time.perf_counter() - mark
    timings["total"] = time.perf_counter() - started
    timings["peak_memory_mb"] = peak_memory_mb()

    return ExperimentResult(
        experiment=spec.name,
        task=spec.task,
        metric=evaluation.metric,
        greater_is_better=get_metric(evaluation.metric).greater_is_better,
        seed=evaluation.seed,
        spec_hash=spec.content_hash(),
        spec_text=spec.text,
        data=describe_data(dataset),
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
        tuning=tuning_record(
            candidates, cv.searches, refits, time_budget=time_budget, per_search=per_search
        ),
    )


def _evaluating(candidates) -> str:
    tuned = [c.search for c in candidates if c.search is not None]
    if not tuned:
        return "evaluating candidates"
    trials = sum(search.n_trials for search in tuned)
    return f"evaluating candidates ({len(tuned)} tuned, up to {trials} trials per fold)"


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
    except DecisionCostError as error:
        problem = SpecProblem("decision", error.message, error.hint)
        raise SpecError([problem], file=spec.source) from error


def _decide(spec: ExperimentSpec, dataset: Dataset, oof: OutOfFold, cost):
    return choose_decision(
        oof.target, oof.proba, dataset.classes, cost, groups=oof.repeats, row_ids=oof.rows,
        seed=spec.evaluation.seed, calibration=spec.decision.calibration,
    )  # fmt: skip


def _refit_and_score(
    spec, dataset, splits, candidates, summaries, comparison, refits, budget, *, jobs: int
):
    """Refit the chosen candidate (and the runner-up, to test against) and score the holdout.

    A tuned candidate is tuned once more on the development rows first (its search goes into
    ``refits``); the holdout rows reach neither the search nor the fit. A local backend's
    ``jobs`` cores are free by then: a forest's refit grows its trees on them
    (``refit_on_development``)."""
    by_name = {c.name: c for c in candidates}
    seed, metric = spec.evaluation.seed, spec.evaluation.metric

    def refit(name: str):
        candidate, search = tune_for_refit(
            by_name[name], dataset, splits.development, metric=metric, seed=seed,
            walk_forward=splits.method == "walk-forward", time_budget=budget,
        )  # fmt: skip
        if search is not None:
            refits[name] = search
        return refit_on_development(
            dataset.features, dataset.target, dataset.schema, candidate, splits, seed=seed,
            jobs=jobs,
        )  # fmt: skip

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


def _with_decision_cost(holdout, policy, proba, dataset, splits, cost, spec):
    """The decision policy applied once to the holdout (``proba``: the refit model's holdout
    probabilities, as scored for the holdout score): its realised cost per 1,000 decisions."""
    rows = splits.holdout
    decisions = policy.apply(proba)
    realised = expected_cost(
        dataset.target.to_numpy()[rows], decisions, cost, dataset.classes,
        seed=spec.evaluation.seed,
    )  # fmt: skip
    return replace(holdout, decision_cost=asdict(realised))


def check_experiment(spec: ExperimentSpec) -> dict:
    """Read the data and make the splits without fitting anything: a fast pre-flight check."""
    dataset = read_data(spec)
    if spec.task == "clustering":
        return check_clustering(spec, dataset)
    splits = make_splits(dataset.target, spec.evaluation, time=dataset.time)
    return {
        "data": describe_data(dataset),
        "splits": splits.summary_dict(),
        "candidates": [c.name for c in spec.expanded_candidates()],
    }
