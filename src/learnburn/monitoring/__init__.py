"""Monitoring: drift of current data against the reference profile a bundle carries
(``check_drift``), and the retraining cadence backtested on time-ordered data."""

from learnburn.monitoring._cadence import (
    backtest_cadence,
    plan_cadence,
    plan_windows,
    summarise_cadence,
    summarise_windows,
)
from learnburn.monitoring._cadence_report import (
    AgePoint,
    CadenceReport,
    IntervalResult,
    WindowInterval,
    WindowResult,
)
from learnburn.monitoring._drift import check_drift
from learnburn.monitoring._importance import permutation_importances
from learnburn.monitoring._multivariate import domain_classifier
from learnburn.monitoring._presets import PRESETS
from learnburn.monitoring._reference import build_reference
from learnburn.monitoring._reference_check import check_reference
from learnburn.monitoring._report import ColumnDrift, DriftReport, RankedFeature

__all__ = [
    "PRESETS",
    "AgePoint",
    "CadenceReport",
    "ColumnDrift",
    "DriftReport",
    "IntervalResult",
    "RankedFeature",
    "WindowInterval",
    "WindowResult",
    "backtest_cadence",
    "build_reference",
    "check_drift",
    "check_reference",
    "domain_classifier",
    "permutation_importances",
    "plan_cadence",
    "plan_windows",
    "summarise_cadence",
    "summarise_windows",
]
