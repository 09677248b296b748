"""``run_cadence``: backtest retraining intervals of one candidate of a spec on its time column.

The spec gives the data, the time column, the metric and the seed. The candidate is the one
named, else the spec's first (after grids are expanded): a cadence is a property of the model
you ship, so name the one a run chose with ``candidate=``. Every row is used (the spec's holdout
and folds play no part: the walk forward is the evaluation). Each retrain is one task on the
backend: fit on the labelled rows of its window, score each later period separately.

With a cost profile (the ``profile.json`` of ``learnburn profile``), each interval is priced
as ``learnburn cost --retrain-every`` prices one: the measured fit time of the profiled bundle's
training, on the cheapest CPU SageMaker training instance whose memory holds its measured peak
(plus 25%), times the retrains a month. That fit time is the profiled run's, on its training
rows; container start and data download are not counted.
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from learnburn.backends import Backend, LocalBackend
from learnburn.candidates import build_pipeline
from learnburn.costs import HOURS_PER_MONTH, Quantity, instance_spec, load_prices, price_retraining
from learnburn.errors import CadenceError, CandidateError
from learnburn.evaluation import get_metric, predict_proba_aligned
from learnburn.monitoring._cadence import (
    CadencePlan,
    RetrainTask,
    WindowSearch,
    plan_windows,
    summarise_windows,
)
from learnburn.monitoring._cadence_checks import (
    check_intervals,
    check_tolerance,
    parse_windows,
    window_text,
)
from learnburn.monitoring._cadence_periods import UNIT_HOURS, assign_periods, check_unit
from learnburn.monitoring._cadence_report import CadenceReport
from learnburn.profiling import read_measurements
from learnburn.spec import CandidateSpec, ExperimentSpec
from learnburn.workflows._stages import ProgressCallback, ProgressEvent, read_data

MEMORY_MARGIN = 1.25  # as `learnburn cost` sizes a training instance: measured peak + 25%


@dataclass(frozen=True)
class _Shared:
    features: pd.DataFrame
    target: np.ndarray
    schema: object
    classes: tuple
    candidate: CandidateSpec
    metric: str
    seed: int
    plan: CadencePlan


def run_cadence(
    spec: ExperimentSpec,
    *,
    every: tuple[int, ...] | list[int] = (1, 2, 4, 8, 13),
    unit: str = "week",
    tolerance: float = 0.01,
    label_delay: int = 0,
    window: str = "auto",
    warmup: int | None = None,
    candidate: str | None = None,
    jobs: int = 1,
    backend: Backend | None = None,
    progress: ProgressCallback | None = None,
    cost_profile: str | Path | None = None,
    prices: str | Path | None = None,
    confidence: float = 0.95,
    resamples: int = 2000,
) -> CadenceReport:
    """Walk forward through the spec's time column, retraining one candidate every ``every``
    periods of ``unit`` on each training window, and recommend the (interval, window) pair: the
    longest interval whose loss against retraining every period on the best window stays within
    ``tolerance`` (see :mod:`learnburn.monitoring._cadence`).

    ``label_delay`` and ``warmup`` are in periods; ``window`` is ``auto`` (search the expanding
    window and sliding ones), ``expanding``, ``sliding:W``, or several separated by commas (the
    search is restricted to them). With ``cost_profile`` (a ``profile.json``) each interval is
    priced a month.
    """
    notify = progress or (lambda _event: None)
    check_unit(unit)
    check_intervals(every)
    check_tolerance(tolerance)
    parse_windows(window)
    chosen = _candidate(spec, candidate)
    measurements = read_measurements(cost_profile) if cost_profile is not None else None

    if spec.data.time_column is None:  # known before the data is read
        raise CadenceError(
            f"{spec.source or 'the spec'} has no time column: a cadence backtest walks forward "
            "in time",
            hint='name the column of timestamps under [data]: time_column = "applied_at"',
        )
    notify(ProgressEvent("stage", "reading data"))
    dataset = read_data(spec)
    periods, labels = assign_periods(dataset.time, unit)
    search = plan_windows(
        periods.to_numpy(), every, windows=window, label_delay=label_delay, warmup=warmup,
        labels=labels,
    )  # fmt: skip
    shared = _Shared(
        dataset.features, dataset.target.to_numpy(), dataset.schema, tuple(dataset.classes),
        chosen, spec.evaluation.metric, spec.evaluation.seed, search.plans[0],
    )  # fmt: skip
    notify(ProgressEvent("folds", f"retraining {chosen.name}", total=len(search.tasks)))
    outcomes = _backend(backend, jobs).map(
        _fit_and_score, search.tasks, shared=shared,
        on_result=lambda _index, _outcome: notify(ProgressEvent("fold")),
    )  # fmt: skip
    searched, left_out, fit_seconds, caught = _collect(outcomes, search, chosen)
    metric = spec.evaluation.metric
    report = summarise_windows(
        searched, tolerance=tolerance, metric=metric,
        greater_is_better=get_metric(metric).greater_is_better, unit=unit,
        confidence=confidence, resamples=resamples, seed=spec.evaluation.seed,
        notes=search.notes + left_out,
    )  # fmt: skip
    cost, monthly = _retraining_cost(measurements, report, unit, prices, cost_profile)
    intervals = tuple(
        replace(
            r,
            retrains_per_month=HOURS_PER_MONTH / (r.every * UNIT_HOURS[unit]),
            monthly_cost_usd=monthly.get(r.every),
        )
        for r in report.intervals
    )
    notes = report.notes + tuple(f"while fitting: {w}" for w in caught)
    return replace(
        report, intervals=intervals, fit_seconds=fit_seconds, candidate=chosen.name, cost=cost,
        notes=notes,
    )  # fmt: skip


def _backend(backend: Backend | None, jobs: int) -> Backend:
    return backend if backend is not None else LocalBackend(jobs)


def _candidate(spec: ExperimentSpec, name: str | None) -> CandidateSpec:
    if spec.task != "classification":
        raise CadenceError(
            f"a cadence backtest scores a classifier; {spec.name!r} is a {spec.task} spec",
            hint="use a classification spec with a target and a time column",
        )
    candidates = spec.expanded_candidates()
    if name is None:
        return candidates[0]
    found = next((c for c in candidates if c.name == name), None)
    if found is None:
        raise CandidateError(
            f"the spec has no candidate {name!r}",
            hint=f"choose one of: {', '.join(c.name for c in candidates)}",
        )
    return found


def _fit_and_score(shared: _Shared, task: RetrainTask) -> tuple:
    """Fit on the task's training rows and score each of its test periods (a backend task)."""
    metric = get_metric(shared.metric)
    labels = np.asarray(shared.classes)
    train = shared.plan.train_rows(task)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            pipeline = build_pipeline(
                shared.candidate.model, shared.candidate.params, shared.schema,
                seed=shared.seed, preprocessing=shared.candidate.preprocessing,
            )  # fmt: skip
            started = time.perf_counter()
            pipeline.fit(shared.features.iloc[train], shared.target[train])
            fit_seconds = time.perf_counter() - started
            scores = _score_periods(shared, pipeline, task, metric, labels)
        except Exception as exc:  # a user's estimator may raise anything: say where
            return task.period, None, (), f"{type(exc).__name__}: {exc}", ()
    seen = tuple(sorted({f"{w.category.__name__}: {w.message}" for w in caught}))
    return task.period, fit_seconds, tuple(scores), None, seen


def _score_periods(shared: _Shared, pipeline, task: RetrainTask, metric, labels) -> list:
    """``(period, metric)`` of each test period: one prediction over them all, split."""
    groups = shared.plan.test_rows(task)
    if not groups:
        return []
    proba = predict_proba_aligned(pipeline, shared.features.iloc[np.concatenate(groups)], labels)
    parts = np.split(proba, np.cumsum([len(rows) for rows in groups])[:-1])
    return [
        (period, _score(metric, shared.target[rows], part, labels))
        for period, rows, part in zip(task.tests, groups, parts, strict=True)
    ]


def _score(metric, y_true: np.ndarray, proba: np.ndarray, classes: np.ndarray) -> float:
    """The metric on one period; NaN where it is undefined (e.g. AUC on one class)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return float(metric.score(y_true, proba, classes))
        except ValueError:
            return math.nan


def _collect(outcomes, search: WindowSearch, chosen: CandidateSpec):
    """Each window's (plan, scores), notes on the windows left out, the mean fit time and the
    warnings caught. A window with a fit that failed is left out (its note says where), unless
    every window has one: then the first failure is the error."""
    results, failed, fits, caught = {}, {}, [], set()
    for (period, fit_seconds, period_scores, error, seen), task in zip(
        outcomes, search.tasks, strict=True
    ):
        key = (period, task.train)
        if error is not None:
            failed[key] = _fit_error(chosen, search.plans[0], task, error)
            continue
        fits.append(fit_seconds)
        caught.update(seen)
        results[key] = dict(period_scores)
    searched, notes = [], []
    for plan in search.plans:
        errors = [failed[key] for t in plan.tasks if (key := (t.period, t.train)) in failed]
        if errors:
            notes.append(f"{window_text(plan.window)} window left out: {errors[0]}")
        else:
            searched.append((plan, search.scores(plan, results)))
    if not searched:
        raise next(iter(failed.values()))
    return searched, tuple(notes), float(np.mean(fits)), tuple(sorted(caught))


def _fit_error(chosen: CandidateSpec, plan: CadencePlan, task: RetrainTask, error: str):
    return CandidateError(
        f"{chosen.name} failed to fit at period {plan.labels[task.period]} on "
        f"{len(plan.train_rows(task))} rows: {error}",
        hint="check the candidate on this window (e.g. one class only), or use a "
        "longer --window or --unit",
    )


def _retraining_cost(measurements, report: CadenceReport, unit: str, prices, profile):
    """The cost record and each interval's monthly cost (empty when it cannot be priced)."""
    if measurements is None:
        return None, {}
    record = {"profile": str(profile), "fit_seconds": measurements.training_fit_s}
    if measurements.training_fit_s is None:
        record["note"] = "the profile has no training measurement (its bundle has no run)"
        return record, {}
    table = load_prices(prices)
    needed = (measurements.training_peak_mb or 0.0) * MEMORY_MARGIN
    fitting = [
        price
        for price in table.instances("sagemaker-training")
        if (hardware := instance_spec(price.item))
        and hardware.cpu_only
        and hardware.memory_mib >= needed
    ]
    if not fitting:
        record["note"] = f"no CPU training instance in {table.file} holds {needed:,.0f} MB"
        return record, {}
    price = min(fitting, key=lambda p: p.usd)
    monthly = {
        r.every: price_retraining(
            measurements.training_fit_s, r.every * UNIT_HOURS[unit], Quantity.of(price)
        ).value
        for r in report.intervals
    }
    record.update(
        instance=price.item,
        usd_per_hour=price.usd,
        price=price.summary(),
        note="fit time of the profiled bundle's training run; container start and data "
        "download are not counted",
    )
    return record, monthly
