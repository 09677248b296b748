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
6. The training window is searched too, unless one is given: an expanding window hides
   frequent drift (its every-period model already trails the data, so waiting seems to cost
   nothing), which only a short sliding window reveals. :func:`plan_windows` plans the
   expanding window and a few sliding ones on the same periods, and every (interval, window)
   pair is compared with the best window retrained every period (``_cadence_summary.py``).

Fitting is a hook: :func:`plan_cadence` (one window) or :func:`plan_windows` lists the fits
(:class:`RetrainTask`), the caller runs them where it likes (a backend), and
:func:`summarise_cadence` or :func:`summarise_windows` turns the scores into a
:class:`CadenceReport`. :func:`backtest_cadence` does all three here, with a callable.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from learnburn.errors import CadenceError
from learnburn.monitoring._cadence_checks import (
    check_intervals,
    check_periods,
    check_tolerance,
    parse_window,
    parse_windows,
    search_widths,
    window_text,
)
from learnburn.monitoring._cadence_plan import CadencePlan, RetrainTask
from learnburn.monitoring._cadence_report import CadenceReport
from learnburn.monitoring._cadence_summary import summarise_cadence, summarise_windows

__all__ = [
    "CadencePlan",
    "RetrainTask",
    "WindowSearch",
    "backtest_cadence",
    "plan_cadence",
    "plan_windows",
    "summarise_cadence",
]

FitAndScore = Callable[[np.ndarray, Sequence[np.ndarray]], Sequence[float]]
"""``fit_and_score(train_rows, test_row_groups) -> one metric per group``."""


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


@dataclass(frozen=True, eq=False)
class WindowSearch:
    """The plans of every training window backtested (the same periods, intervals and first
    retrain), and a note for each window left out. A retrain whose training rows two windows
    share (a sliding window longer than the history so far is the expanding one) is one task."""

    plans: tuple[CadencePlan, ...]
    notes: tuple[str, ...] = ()

    @cached_property
    def tasks(self) -> tuple[RetrainTask, ...]:
        """Every distinct fit, in order of first use."""
        unique = {(t.period, t.train): t for plan in self.plans for t in plan.tasks}
        return tuple(unique.values())

    def scores(self, plan: CadencePlan, results: Mapping) -> dict[tuple[int, int], float]:
        """One window's ``scores[(retrain period, scored period)]`` from ``results[(period,
        train)]``, each a mapping of scored period to its metric."""
        return {
            (t.period, p): value
            for t in plan.tasks
            for p, value in results.get((t.period, t.train), {}).items()
        }


def plan_windows(
    periods,
    intervals: Sequence[int],
    *,
    windows: str | int | Sequence | None = "auto",
    label_delay: int = 0,
    warmup: int | None = None,
    labels: Sequence[str] | None = None,
) -> WindowSearch:
    """The fits of a backtest over several training windows (see ``_cadence_summary.py``).

    ``windows="auto"`` searches the expanding window and the sliding ones of
    :func:`~learnburn.monitoring._cadence_checks.search_widths` (2 periods up to a quarter of
    the data's periods); ``"expanding,sliding:8"`` (or a list) backtests those. One window is
    planned as :func:`plan_cadence` plans it. With several, ``warmup`` defaults to the longest
    interval for every window (so they are compared on the same periods, and the search needs
    no more data than the expanding window alone); a sliding window longer than the history
    at a retrain learns from all of it. A window that leaves a retrain nothing to learn from
    is left out with a note, unless every window does.
    """
    widths = parse_windows(windows)
    if widths is None:
        n_periods = int(check_periods(periods).max()) + 1
        widths = (None, *search_widths(n_periods))
    settings = {"label_delay": label_delay, "labels": labels}
    if len(widths) == 1:
        return WindowSearch((plan_cadence(periods, intervals, window=widths[0], warmup=warmup,
                                          **settings),))  # fmt: skip
    warmup = max(check_intervals(intervals)) if warmup is None else warmup
    plans, errors = [], []
    for width in widths:
        try:
            plans.append(plan_cadence(periods, intervals, window=width, warmup=warmup, **settings))
        except CadenceError as error:
            errors.append((width, error))
    if not plans:
        raise errors[0][1]
    notes = tuple(f"{window_text(w)} window left out: {error}" for w, error in errors)
    return WindowSearch(tuple(plans), notes)


def backtest_cadence(
    periods,
    intervals: Sequence[int],
    fit_and_score: FitAndScore,
    *,
    tolerance: float,
    label_delay: int = 0,
    window: str | int | Sequence | None = "auto",
    warmup: int | None = None,
    labels: Sequence[str] | None = None,
    metric: str = "metric",
    greater_is_better: bool = True,
    unit: str = "period",
    confidence: float = 0.95,
    resamples: int = 2000,
    seed: int = 0,
) -> CadenceReport:
    """Plan, fit in this process with ``fit_and_score``, and summarise (see the module);
    ``window`` as :func:`plan_windows` reads it (default: search)."""
    check_tolerance(tolerance)
    search = plan_windows(
        periods, intervals, windows=window, label_delay=label_delay, warmup=warmup, labels=labels
    )
    plan = search.plans[0]  # any plan finds the rows: they do not depend on the window
    results = {}
    for task in search.tasks:
        values = list(fit_and_score(plan.train_rows(task), plan.test_rows(task)))
        if len(values) != len(task.tests):
            raise CadenceError(
                f"fit_and_score returned {len(values)} scores for {len(task.tests)} periods",
                hint="return one metric value per group of test rows, in order",
            )
        results[(task.period, task.train)] = dict(zip(task.tests, values, strict=True))
    return summarise_windows(
        [(p, search.scores(p, results)) for p in search.plans], tolerance=tolerance,
        metric=metric, greater_is_better=greater_is_better, unit=unit, confidence=confidence,
        resamples=resamples, seed=seed, notes=search.notes,
    )  # fmt: skip


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
