"""Monitoring: drift of current data against the reference profile a bundle carries
(``check_drift``), captured traffic monitored window by window with estimated and realised
performance (``monitor_capture``), and the retraining cadence backtested on time-ordered data."""

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
from learnburn.monitoring._captured import CaptureFiles, capture_windows, find_capture
from learnburn.monitoring._drift import check_drift
from learnburn.monitoring._importance import permutation_importances
from learnburn.monitoring._monitor import TOLERANCE, monitor_capture
from learnburn.monitoring._monitor_report import MonitorReport, WindowReport
from learnburn.monitoring._multivariate import domain_classifier
from learnburn.monitoring._performance import Estimate, estimate_performance, realised_performance
from learnburn.monitoring._presets import PRESETS
from learnburn.monitoring._reference import build_reference
from learnburn.monitoring._reference_check import check_reference
from learnburn.monitoring._report import ColumnDrift, DriftReport, RankedFeature

__all__ = [
    "PRESETS",
    "TOLERANCE",
    "AgePoint",
    "CadenceReport",
    "CaptureFiles",
    "ColumnDrift",
    "DriftReport",
    "Estimate",
    "IntervalResult",
    "MonitorReport",
    "RankedFeature",
    "WindowInterval",
    "WindowReport",
    "WindowResult",
    "backtest_cadence",
    "build_reference",
    "capture_windows",
    "check_drift",
    "check_reference",
    "domain_classifier",
    "estimate_performance",
    "find_capture",
    "monitor_capture",
    "permutation_importances",
    "plan_cadence",
    "plan_windows",
    "realised_performance",
    "summarise_cadence",
    "summarise_windows",
]
