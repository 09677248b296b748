"""Turn a backtest's scores into a :class:`CadenceReport`: each interval's degradation with its
bootstrap bound, on each training window, the recommended (interval, window) pair with the
sentence that explains it, and the aging curve (steps 2-5 of ``_cadence.py``).

With several windows (a window search), every window is compared with one reference: retraining
every period on the window whose every-period model has the best mean metric over the compared
periods. The degradation of (interval, window) in period ``p`` is the reference's metric minus
the pair's, so a window that trails the data loses even when retrained every period; with one
window the reference is its own every-period model, as in ``_cadence.py``. The recommendation is
the longest interval that some window keeps within the tolerance (its bound), on the window that
loses least at that interval. Choosing the reference as the best of the windows on the same
periods makes it slightly optimistic, so the comparison errs toward shorter intervals.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from learnburn.monitoring._bootstrap import block_length, moving_block_upper
from learnburn.monitoring._cadence_checks import check_tolerance, window_text
from learnburn.monitoring._cadence_plan import CadencePlan
from learnburn.monitoring._cadence_report import (
    QUANTILES,
    AgePoint,
    CadenceReport,
    IntervalResult,
    WindowInterval,
    WindowResult,
)

Scores = Mapping[tuple[int, int], float]


def summarise_cadence(
    plan: CadencePlan,
    scores: Scores,
    *,
    tolerance: float,
    metric: str = "metric",
    greater_is_better: bool = True,
    unit: str = "period",
    confidence: float = 0.95,
    resamples: int = 2000,
    seed: int = 0,
) -> CadenceReport:
    """Per-interval degradation with its bootstrap bound, the recommendation and the aging
    curve, from ``scores[(retrain period, scored period)]`` (missing or NaN: undefined)."""
    return summarise_windows(
        [(plan, scores)], tolerance=tolerance, metric=metric,
        greater_is_better=greater_is_better, unit=unit, confidence=confidence,
        resamples=resamples, seed=seed,
    )  # fmt: skip


def summarise_windows(
    searched: Sequence[tuple[CadencePlan, Scores]],
    *,
    tolerance: float,
    metric: str = "metric",
    greater_is_better: bool = True,
    unit: str = "period",
    confidence: float = 0.95,
    resamples: int = 2000,
    seed: int = 0,
    notes: Sequence[str] = (),
) -> CadenceReport:
    """The report of a backtest over one or more windows: ``searched`` pairs each window's plan
    (the same periods, intervals and first retrain) with its scores."""
    tolerance = check_tolerance(tolerance)
    sign = 1.0 if greater_is_better else -1.0
    plans = [plan for plan, _ in searched]
    evaluation = plans[0].scored
    lookups = [_lookup(scores) for _, scores in searched]
    baselines = [np.array([score(p, p) for p in evaluation]) for score in lookups]
    reference = _reference(baselines, sign)
    table = []
    for index, (plan, score) in enumerate(zip(plans, lookups, strict=True)):
        results = []
        for every in plan.intervals:
            metric_of = np.array([_over_phases(score, every, p) for p in evaluation])
            loss = sign * (baselines[reference] - metric_of)
            results.append(
                _interval(plan, every, metric_of, loss, tolerance, confidence, resamples, seed,
                          baseline=index == reference and every == 1)
            )  # fmt: skip
        table.append(tuple(results))
    chosen, recommended = _choose(table, reference)
    plan, results = plans[chosen], table[chosen]
    aging = _aging(plan, lookups[chosen], sign)
    windows = tuple(_window(p, r, b) for p, r, b in zip(plans, table, baselines, strict=True))
    settings = (metric, unit, tolerance, confidence)
    return CadenceReport(
        metric=metric,
        greater_is_better=greater_is_better,
        unit=unit,
        tolerance=tolerance,
        label_delay=plan.label_delay,
        window=window_text(plan.window),
        warmup=plan.warmup,
        confidence=confidence,
        resamples=resamples,
        seed=seed,
        periods=plan.labels[evaluation.start :],
        intervals=results,
        recommended=recommended,
        aging=aging,
        crossing_age=next((a.age for a in aging if a.degradation["0.5"] > tolerance), None),
        notes=(
            *notes,
            *_notes(results, recommended, tolerance, unit),
            *_window_notes(windows, chosen, reference, settings),
        ),
        reference_window=windows[reference].window,
        windows=windows,
        reason=_reason(windows, chosen, reference, recommended, settings),
    )


def _lookup(scores: Scores):
    def score(r: int, p: int) -> float:
        return float(scores.get((r, p), math.nan))

    return score


def _reference(baselines: list[np.ndarray], sign: float) -> int:
    """The window whose every-period model has the best mean metric (the first on a tie)."""
    means = [_mean(b) for b in baselines]
    ranked = [sign * m if math.isfinite(m) else -math.inf for m in means]
    return int(np.argmax(ranked))


def _choose(table, reference: int) -> tuple[int, int]:
    """(window, interval): the longest interval some window keeps within the tolerance, on the
    window that loses least at it (then the first); the reference every period when none."""
    passing = [
        (result.every, -result.mean_degradation, -index)
        for index, results in enumerate(table)
        for result in results
        if result.within_tolerance
    ]
    if not passing:
        return reference, 1
    every, _, index = max(passing)
    return -index, every


def _mean(values: np.ndarray) -> float:
    finite = values[np.isfinite(values)]
    return float(finite.mean()) if len(finite) else math.nan


def _window(plan: CadencePlan, results, baseline: np.ndarray) -> WindowResult:
    passing = [r.every for r in results if r.within_tolerance]
    return WindowResult(
        window=window_text(plan.window),
        mean_metric=_mean(baseline),
        recommended=max(passing) if passing else None,
        intervals=tuple(
            WindowInterval(r.every, r.mean_metric, r.mean_degradation, r.upper_bound,
                           r.within_tolerance)
            for r in results
        ),
    )  # fmt: skip


def _over_phases(score, every: int, period: int) -> float:
    """The metric in ``period`` averaged over the ``every`` phases of the retrain schedule."""
    return float(np.mean([score(period - age, period) for age in range(every)]))


def _interval(plan, every, metric_of, degradation, tolerance, confidence, resamples, seed, *,
              baseline: bool) -> IntervalResult:  # fmt: skip
    paired = np.isfinite(degradation)
    retrains = len(range(plan.scored.start, plan.n_periods, every))
    if paired.sum() < 2:
        mean, upper = math.nan, math.nan
    elif baseline:
        mean, upper = 0.0, 0.0  # the reference against itself
    else:
        mean = float(degradation[paired].mean())
        values = degradation[paired]
        upper = moving_block_upper(
            values, confidence=confidence, resamples=resamples, seed=seed + every,
            length=min(len(values), max(block_length(len(values)), every)),
        )  # fmt: skip
    return IntervalResult(
        every=every,
        retrains=retrains,
        periods=int(paired.sum()),
        mean_metric=float(metric_of[paired].mean()) if paired.any() else math.nan,
        mean_degradation=mean,
        upper_bound=upper,
        within_tolerance=bool(upper <= tolerance),
        metric=tuple(float(v) for v in metric_of),
        degradation=tuple(float(v) for v in degradation),
    )


def _aging(plan: CadencePlan, score, sign: float) -> tuple[AgePoint, ...]:
    points = []
    for age in range(max(plan.intervals)):
        pairs = [(p - age, p) for p in range(plan.first + age, plan.n_periods)]
        metric = np.array([score(r, p) for r, p in pairs])
        loss = np.array([sign * (score(p, p) - score(r, p)) for r, p in pairs])
        metric, loss = metric[np.isfinite(loss)], loss[np.isfinite(loss)]
        if not len(metric):
            continue
        points.append(
            AgePoint(
                age=age,
                count=len(metric),
                mean_metric=float(metric.mean()),
                metric=_quantiles(metric),
                mean_degradation=float(loss.mean()),
                degradation=_quantiles(loss),
            )
        )
    return tuple(points)


def _quantiles(values: np.ndarray) -> dict[str, float]:
    return {
        str(q): float(v) for q, v in zip(QUANTILES, np.quantile(values, QUANTILES), strict=True)
    }


def _notes(results, recommended: int, tolerance: float, unit: str) -> tuple[str, ...]:
    notes = []
    failing = [r.every for r in results if not r.within_tolerance and r.every < recommended]
    if failing:
        notes.append(
            f"not monotone: retraining every {', '.join(map(str, failing))} {unit}(s) exceeded "
            f"the tolerance while every {recommended} did not; how retrain times fall against "
            "the changes in the data matters more than the interval here"
        )
    undefined = [r.every for r in results if r.periods < 2]
    if undefined:
        notes.append(
            f"intervals {', '.join(map(str, undefined))}: the metric is undefined in nearly "
            "every period (too few rows or one class per period): use a longer --unit"
        )
    if recommended == 1 and len(results) > 1:
        notes.append(
            f"every interval longer than 1 {unit} loses more than {tolerance:g}: retrain every "
            f"{unit}, or test a shorter --unit"
        )
    return tuple(notes)


def _window_notes(windows, chosen: int, reference: int, settings) -> tuple[str, ...]:
    """Say when the expanding window trails the data even retrained every period: alone, it
    would have hidden what waiting costs."""
    metric, unit, tolerance, _ = settings
    expanding = next((w for w in windows if w.window == "expanding"), None)
    if expanding is None or len(windows) < 2 or windows[chosen] is expanding:
        return ()
    loss = expanding.intervals[0].mean_degradation
    if not loss > tolerance:
        return ()
    return (
        f"the expanding window loses {loss:.4f} {metric} to {windows[reference].window} even "
        f"retrained every {unit}: the data changes faster than its whole history reflects, "
        "and backtested alone it would understate what waiting costs",
    )


def _reason(windows, chosen: int, reference: int, recommended: int, settings) -> str:
    """The sentence that explains the recommended (interval, window) pair."""
    metric, unit, tolerance, confidence = settings
    every = _periods(recommended, unit)
    pick, best = windows[chosen], windows[reference]
    head = f"retrain every {every} on {_window_phrase(pick.window, unit)}"
    bound = f"{confidence:.0%} upper bound of mean {metric} loss"
    if len(windows) == 1:
        return (
            f"{head}: the longest interval whose {bound} against retraining every {unit} is "
            f"within {tolerance:g} (the only window backtested)."
        )
    others = [w.mean_metric for w in windows if w is not best and math.isfinite(w.mean_metric)]
    spread = f", against {min(others):.4f} to {max(others):.4f} for the others" if others else ""
    scores_best = (
        f"of the {len(windows)} windows backtested, {best.window} retrained every {unit} scores "
        f"best (mean {metric} {best.mean_metric:.4f}{spread})"
    )
    if chosen == reference and recommended == 1:
        return (
            f"{head}: {scores_best}, and no longer interval on any window stays within "
            f"{tolerance:g} of it."
        )
    if chosen == reference:
        return (
            f"{head}: {scores_best}, and every {every} is the longest interval whose {bound} "
            f"against it is within {tolerance:g}."
        )
    upper = next(i.upper_bound for i in pick.intervals if i.every == recommended)
    return (
        f"{head}: {scores_best}; {pick.window} every {every} stays within {tolerance:g} of it "
        f"({bound} {upper:+.4f}), the longest interval any window keeps within the tolerance."
    )


def _window_phrase(window: str, unit: str) -> str:
    if window == "expanding":
        return "the expanding window (all labelled history)"
    width = int(window.split(":")[1])
    return f"a {window} window (the last {_periods(width, unit)} of labels)"


def _periods(count: int, unit: str) -> str:
    return f"{count} {unit}" + ("" if count == 1 else "s")
