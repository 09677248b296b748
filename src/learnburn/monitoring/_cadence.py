"""Backtest retraining intervals on time-ordered data and recommend a cadence.

The design follows the proposed backtest of ``reference/statistics.md`` 3.4, with the aging
curve of Vela et al. (2022) as re-implemented in ``ageml``:

1. Rows are numbered by period (0, 1, ...). The walk starts at period ``t0 = label_delay +
   warmup``. A model "retrained at period r" is fitted at the start of period ``r`` on the rows
   whose labels are known by then: periods ``< r - label_delay``, all of them (``expanding``)
   or the last ``W`` (``sliding:W``). It is scored on each later period separately.
2. Retraining every ``every`` periods from an origin ``t0 + phase`` retrains at ``t0 + phase,
   t0 + phase + every, ...``, and period ``p`` is scored by the latest of those models. The
   same retrain period gives the same training rows whatever the interval, so one fit per
   period from ``t0`` serves every interval and every phase; each model is scored on the
   periods up to the longest interval after it. Which phase of its cycle a change in the data
   falls in is luck, not a property of the interval, so ``m_every(p)`` is the mean over the
   ``every`` phases: the mean of ``m(p - a, p)`` over the ages ``a = 0 .. every - 1``. Every
   interval is compared on the same periods: from ``t0 + max(intervals) - 1``, the first that
   every phase of the longest interval reaches; the data must hold two cycles of the longest
   interval after that.
3. Interval 1 (retrain every period) is the baseline, on the same periods. The degradation of
   an interval in period ``p`` is ``d(p) = m_1(p) - m_every(p)`` (the other way round for a
   loss), so positive means worse. Its mean gets a one-sided upper bound from a moving-block
   bootstrap over periods (``_bootstrap.py``), because successive periods are correlated. The
   blocks are ``max(ceil(n ** (1/3)), every)`` periods long: at least one retrain cycle, since
   the periods a model serves share that model's luck (a good or a bad fit), and shorter
   blocks would cut that dependence and understate the spread.
4. The recommendation is the longest interval whose upper bound is within the tolerance.
5. The aging curve pools every model at every age ``a`` (``m(r, r + a)``) with quantiles, and
   the paired degradation against the model retrained for that very period.

Fitting is a hook: :func:`plan_cadence` lists the fits (:class:`RetrainTask`), the caller runs
them where it likes (a backend), and :func:`summarise_cadence` turns the scores into a
:class:`CadenceReport`. :func:`backtest_cadence` does all three here, with a callable.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from learnburn.errors import CadenceError
from learnburn.monitoring._bootstrap import block_length, moving_block_upper
from learnburn.monitoring._cadence_checks import (
    check_intervals,
    check_periods,
    check_tolerance,
    parse_window,
    window_text,
)
from learnburn.monitoring._cadence_report import (
    QUANTILES,
    AgePoint,
    CadenceReport,
    IntervalResult,
)

FitAndScore = Callable[[np.ndarray, Sequence[np.ndarray]], Sequence[float]]
"""``fit_and_score(train_rows, test_row_groups) -> one metric per group``."""


@dataclass(frozen=True)
class RetrainTask:
    """One fit: the model retrained at the start of ``period``, on the rows of periods
    ``train[0] <= q < train[1]``, scored on each period of ``tests`` separately (in order)."""

    period: int
    train: tuple[int, int]
    tests: tuple[int, ...]


@dataclass(frozen=True, eq=False)
class CadencePlan:
    """Every fit a backtest needs, the settings that chose them, and the rows of each period
    (held once: a task names periods, not rows, so it stays small on its way to a worker)."""

    intervals: tuple[int, ...]
    label_delay: int
    window: int | None  # None: expanding
    warmup: int
    first: int  # t0: the first retrain period
    n_periods: int
    tasks: tuple[RetrainTask, ...]
    labels: tuple[str, ...]
    order: np.ndarray  # row positions sorted by period
    bounds: np.ndarray  # rows of period p: order[bounds[p] : bounds[p + 1]]

    @property
    def scored(self) -> range:
        """The periods every interval is compared on: from the first that every phase of the
        longest interval reaches, ``t0 + max(intervals) - 1``, to the last."""
        return range(self.first + max(self.intervals) - 1, self.n_periods)

    def rows(self, start: int, end: int | None = None) -> np.ndarray:
        """Positions of the rows in periods ``start <= p < end`` (default: period ``start``),
        in table order."""
        end = start + 1 if end is None else end
        return np.sort(self.order[self.bounds[start] : self.bounds[end]])

    def train_rows(self, task: RetrainTask) -> np.ndarray:
        return self.rows(*task.train)

    def test_rows(self, task: RetrainTask) -> list[np.ndarray]:
        return [self.rows(p) for p in task.tests]


def plan_cadence(
    periods,
    intervals: Sequence[int],
    *,
    label_delay: int = 0,
    window: str | int | None = "expanding",
    warmup: int | None = None,
    labels: Sequence[str] | None = None,
) -> CadencePlan:
    """The fits a backtest of ``intervals`` needs over rows numbered by period.

    ``periods`` gives each row's period (0 = the first). ``warmup`` is how many periods of
    labels the first model learns from (default: the sliding window, or the longest interval
    for an expanding window). Interval 1 is always added: it is the baseline.
    """
    period_of_row = check_periods(periods)
    intervals = check_intervals(intervals)
    width = parse_window(window)
    delay = _check_count("label_delay", label_delay, minimum=0, hint="--label-delay 2")
    warmup = (width or max(intervals)) if warmup is None else warmup
    warmup = _check_count("warmup", warmup, minimum=1, hint="--warmup 8")
    n_periods = int(period_of_row.max()) + 1
    first = delay + warmup
    _check_enough(n_periods, first, intervals, delay, warmup)
    order = np.argsort(period_of_row, kind="stable")
    bounds = np.searchsorted(period_of_row[order], np.arange(n_periods + 1))
    counts = np.diff(bounds)
    tasks = []
    for r in range(first, n_periods):
        end = r - delay
        start = 0 if width is None else max(0, end - width)
        if not counts[start:end].any():
            raise CadenceError(
                f"no labelled rows to learn from at period {r}: periods {start}-{end - 1} are "
                "empty",
                hint="use a longer --window, a shorter --label-delay or a longer --unit",
            )
        ages = range(r, min(r + max(intervals), n_periods))
        tasks.append(RetrainTask(r, (start, end), tuple(p for p in ages if counts[p])))
    names = tuple(labels) if labels is not None else tuple(str(p) for p in range(n_periods))
    return CadencePlan(
        intervals, delay, width, warmup, first, n_periods, tuple(tasks), names, order, bounds
    )


def summarise_cadence(
    plan: CadencePlan,
    scores: Mapping[tuple[int, int], float],
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
    tolerance = check_tolerance(tolerance)
    sign = 1.0 if greater_is_better else -1.0
    evaluation = plan.scored

    def score(r: int, p: int) -> float:
        return float(scores.get((r, p), math.nan))

    results = []
    for every in plan.intervals:
        metric_of = np.array([_over_phases(score, every, p) for p in evaluation])
        baseline = np.array([score(p, p) for p in evaluation])
        results.append(
            _interval(plan, every, metric_of, sign * (baseline - metric_of), tolerance,
                      confidence, resamples, seed)
        )  # fmt: skip
    passing = [r.every for r in results if r.within_tolerance]
    recommended = max(passing) if passing else 1
    aging = _aging(plan, score, sign)
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
        periods=plan.labels[plan.scored.start :],
        intervals=tuple(results),
        recommended=recommended,
        aging=aging,
        crossing_age=next((a.age for a in aging if a.degradation["0.5"] > tolerance), None),
        notes=_notes(results, recommended, tolerance, unit),
    )


def backtest_cadence(
    periods,
    intervals: Sequence[int],
    fit_and_score: FitAndScore,
    *,
    tolerance: float,
    label_delay: int = 0,
    window: str | int | None = "expanding",
    warmup: int | None = None,
    labels: Sequence[str] | None = None,
    metric: str = "metric",
    greater_is_better: bool = True,
    unit: str = "period",
    confidence: float = 0.95,
    resamples: int = 2000,
    seed: int = 0,
) -> CadenceReport:
    """Plan, fit in this process with ``fit_and_score``, and summarise (see the module)."""
    check_tolerance(tolerance)
    plan = plan_cadence(
        periods, intervals, label_delay=label_delay, window=window, warmup=warmup, labels=labels
    )
    scores = {}
    for task in plan.tasks:
        values = list(fit_and_score(plan.train_rows(task), plan.test_rows(task)))
        if len(values) != len(task.tests):
            raise CadenceError(
                f"fit_and_score returned {len(values)} scores for {len(task.tests)} periods",
                hint="return one metric value per group of test rows, in order",
            )
        scores.update({(task.period, p): v for p, v in zip(task.tests, values, strict=True)})
    return summarise_cadence(
        plan, scores, tolerance=tolerance, metric=metric, greater_is_better=greater_is_better,
        unit=unit, confidence=confidence, resamples=resamples, seed=seed,
    )  # fmt: skip


def _over_phases(score, every: int, period: int) -> float:
    """The metric in ``period`` averaged over the ``every`` phases of the retrain schedule."""
    return float(np.mean([score(period - age, period) for age in range(every)]))


def _interval(plan, every, metric_of, degradation, tolerance, confidence, resamples, seed):
    paired = np.isfinite(degradation)
    retrains = len(range(plan.scored.start, plan.n_periods, every))
    if paired.sum() < 2:
        mean, upper = math.nan, math.nan
    elif every == 1:
        mean, upper = 0.0, 0.0  # the baseline against itself
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


def _check_count(name: str, value, *, minimum: int, hint: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise CadenceError(
            f"{name} must be a whole number of periods >= {minimum}, got {value!r}",
            hint=f"e.g. {hint}",
        )
    return int(value)


def _check_enough(n_periods: int, first: int, intervals, delay: int, warmup: int) -> None:
    longest = max(intervals)
    needed = first + 3 * longest - 1
    if n_periods < needed:
        raise CadenceError(
            f"the data spans {n_periods} periods; testing intervals up to {longest} needs at "
            f"least {needed}: {warmup} to learn from and {delay} of label delay, {longest - 1} "
            f"until every phase of the longest interval has a model, then two of its retrain "
            f"cycles ({2 * longest}) to compare on",
            hint="test shorter intervals, use a shorter --unit or --warmup, or add data",
        )
