"""The records a cadence backtest returns: one per interval, one per model age, the report."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from learnburn._records import Record
from learnburn.monitoring._report import finite_json

QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9)


@dataclass(frozen=True)
class IntervalResult:
    """Retraining every ``every`` periods, compared with retraining every period.

    ``metric`` and ``degradation`` hold one value per compared period (the report's
    ``periods``), averaged over the ``every`` phases of the schedule (NaN where the metric is
    undefined); ``degradation`` is how much worse
    than the every-period model it is (positive: worse, in the metric's units). ``mean_*`` and
    ``upper_bound`` are over the ``periods`` periods where both are defined; ``upper_bound`` is
    the moving-block bootstrap bound of the mean degradation. ``retrains`` counts the fits one
    schedule makes over the compared periods. ``retrains_per_month`` and
    ``monthly_cost_usd`` are filled in by the caller that knows the period's length and a cost
    profile.
    """

    every: int
    retrains: int
    periods: int
    mean_metric: float
    mean_degradation: float
    upper_bound: float
    within_tolerance: bool
    metric: tuple[float, ...]
    degradation: tuple[float, ...]
    retrains_per_month: float | None = None
    monthly_cost_usd: float | None = None


@dataclass(frozen=True)
class AgePoint:
    """The metric of models ``age`` periods after their retrain, pooled over every retrain.

    ``metric`` maps each quantile of :data:`QUANTILES` (as text, ``"0.5"``) to the metric's
    quantile over the ``count`` (retrain, period) pairs; ``degradation`` the same for the
    paired loss against the model retrained for that very period (0 at age 0).
    """

    age: int
    count: int
    mean_metric: float
    metric: dict[str, float]
    mean_degradation: float
    degradation: dict[str, float]


@dataclass(frozen=True)
class WindowInterval:
    """One (interval, window) pair of a window search, against the reference: retraining
    every period on the window whose every-period model scores best."""

    every: int
    mean_metric: float
    mean_degradation: float
    upper_bound: float
    within_tolerance: bool


@dataclass(frozen=True)
class WindowResult:
    """One training window backtested: ``mean_metric`` of its every-period model, each
    interval against the reference, and its longest interval within the tolerance (None:
    none, not even every period)."""

    window: str
    mean_metric: float
    recommended: int | None
    intervals: tuple[WindowInterval, ...]


@dataclass(frozen=True)
class CadenceReport(Record):
    """What a retraining-cadence backtest found, and the interval it recommends.

    The recommendation is the pair (``recommended``, ``window``): the longest interval that
    some window backtested keeps within ``tolerance`` of the reference (the bootstrap upper
    bound of its mean degradation), on the window that loses least at that interval. The
    reference, ``reference_window``, is retraining every period on the window whose
    every-period model scores best; with one window it is that window's own. ``intervals``,
    ``aging`` and ``crossing_age`` are the chosen window's; ``windows`` holds every window
    backtested (a table of both), ``reason`` the sentence that explains the pair.
    ``aging`` is the aging curve against the window's every-period model; ``crossing_age``
    the first age whose median degradation exceeds the tolerance (None: never within the
    ages tested). ``periods`` labels the periods every interval is compared on (their
    starts).
    """

    metric: str
    greater_is_better: bool
    unit: str
    tolerance: float
    label_delay: int
    window: str
    warmup: int
    confidence: float
    resamples: int
    seed: int
    periods: tuple[str, ...]
    intervals: tuple[IntervalResult, ...]
    recommended: int
    aging: tuple[AgePoint, ...]
    crossing_age: int | None
    notes: tuple[str, ...] = ()
    reference_window: str | None = None
    windows: tuple[WindowResult, ...] = ()
    reason: str = ""
    fit_seconds: float | None = None
    candidate: str | None = None
    cost: dict | None = None

    def interval(self, every: int) -> IntervalResult:
        """The result of one interval."""
        return next(i for i in self.intervals if i.every == every)

    def to_dict(self) -> dict:
        """A JSON-ready dict: tuples become lists, NaN becomes None."""
        return finite_json(asdict(self))
