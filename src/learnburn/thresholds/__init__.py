"""Cost matrix -> decision: a threshold (binary) or the least-cost rule (multiclass), its
expected cost with an interval, and calibration."""

from learnburn.thresholds._calibrators import CALIBRATIONS, Calibrator, fit_calibrator
from learnburn.thresholds._costs import COST_KEYS, DecisionCostError, bayes_threshold, cost_matrix
from learnburn.thresholds._expected import ExpectedCost, expected_cost
from learnburn.thresholds._policy import DecisionPolicy, choose_decision
from learnburn.thresholds._reliability import Calibration, calibration_report
from learnburn.thresholds._threshold import choose_threshold, decide

__all__ = [
    "CALIBRATIONS",
    "COST_KEYS",
    "Calibration",
    "Calibrator",
    "DecisionCostError",
    "DecisionPolicy",
    "ExpectedCost",
    "bayes_threshold",
    "calibration_report",
    "choose_decision",
    "choose_threshold",
    "cost_matrix",
    "decide",
    "expected_cost",
    "fit_calibrator",
]
