"""Choose a decision policy: calibration (or none), then a threshold or the least-cost rule.

Every option is judged on the out-of-fold rows without optimism from calibration: calibrators
are cross-fitted (5 folds over units, see ``_crossfit``), the threshold is chosen on the
cross-fitted probabilities, and the mean realised cost decides. "none" is kept unless another
option is lower by more than ``tolerance`` (relative). The final calibrator is fitted on all
rows; the threshold stays the one chosen on the cross-fitted probabilities.

With a binary decision the threshold is chosen on these very rows, so a monotone
miscalibration is already absorbed by it: calibration rarely lowers the cost there. It matters
for the multiclass least-cost rule, which reads the probabilities at face value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from learnburn._records import Record
from learnburn.thresholds._calibrators import CALIBRATIONS, Calibrator, fit_codes
from learnburn.thresholds._costs import as_cost
from learnburn.thresholds._crossfit import assign_folds, cross_fit
from learnburn.thresholds._expected import ExpectedCost, summarise_costs
from learnburn.thresholds._reliability import Calibration, calibration_report
from learnburn.thresholds._rows import (
    check_classes,
    check_length,
    check_proba,
    encode_labels,
    row_units,
)
from learnburn.thresholds._threshold import choose_threshold, decide, least_cost


@dataclass(frozen=True, kw_only=True)
class DecisionPolicy(Record):
    """How to turn a model's probabilities into decisions, and what that is expected to cost."""

    kind: str  # "threshold" (binary) | "least-cost" (multiclass)
    classes: tuple
    cost: tuple[tuple[float, ...], ...]  # truth x decision
    threshold: float | None  # binary only: decide classes[1] when calibrated p1 >= threshold
    calibration: str  # "none" | "sigmoid" | "isotonic"
    calibrator: Calibrator | None = field(default=None, compare=False, repr=False)
    expected_cost: ExpectedCost  # on the out-of-fold rows, cross-fitted calibration
    uncalibrated_cost: ExpectedCost  # on the out-of-fold rows, no calibration
    calibration_before: Calibration
    calibration_after: Calibration  # of the cross-fitted calibrated probabilities
    options: tuple[tuple[str, float], ...]  # each option tried: cost per 1,000 decisions
    reason: str

    def calibrate(self, proba) -> np.ndarray:
        """``proba`` after the calibrator (a copy, unchanged, for "none")."""
        proba = check_proba(proba, len(self.classes))
        return proba.copy() if self.calibrator is None else self.calibrator.transform(proba)

    def apply(self, proba) -> np.ndarray:
        """The decided label of each row of ``proba`` (columns in the order of ``classes``)."""
        return decide(self.calibrate(proba), self.cost, self.classes, threshold=self.threshold)

    def to_dict(self) -> dict:
        return {
            "kind": self.kind,
            "classes": list(self.classes),
            "cost": [list(row) for row in self.cost],
            "threshold": self.threshold,
            "calibration": self.calibration,
            "expected_cost": self.expected_cost.to_dict(),
            "uncalibrated_cost": self.uncalibrated_cost.to_dict(),
            "calibration_before": self.calibration_before.to_dict(),
            "calibration_after": self.calibration_after.to_dict(),
            "options": dict(self.options),
            "reason": self.reason,
        }


@dataclass(frozen=True)
class _Option:
    method: str
    proba: np.ndarray
    threshold: float | None
    per_row: np.ndarray  # realised cost of each decision

    @property
    def per_1000(self) -> float:
        return 1000.0 * float(self.per_row.mean())


def choose_decision(
    y,
    proba,
    classes: Sequence,
    cost,
    *,
    groups=None,
    row_ids=None,
    seed: int = 0,
    calibration: str = "auto",
    folds: int = 5,
    tolerance: float = 0.01,
    n_resamples: int = 1000,
) -> DecisionPolicy:
    """The decision policy with the least expected cost on out-of-fold predictions ``proba``."""
    classes = check_classes(classes)
    c = as_cost(cost, len(classes))
    proba = check_proba(proba, len(classes))
    truth = encode_labels(y, classes, name="y")
    check_length(len(truth), proba=proba)
    units = row_units(len(truth), groups=groups, row_ids=row_ids)
    if len(truth) == 0 or units.max() < 1:
        raise ValueError("choose_decision needs at least two distinct rows.")
    if calibration not in ("auto", *CALIBRATIONS):
        raise ValueError(
            f"'calibration' must be 'auto' or one of {CALIBRATIONS}, got {calibration!r}."
        )
    methods = CALIBRATIONS if calibration == "auto" else tuple(dict.fromkeys(("none", calibration)))
    fold = assign_folds(truth, units, folds, seed)
    options = {m: _evaluate(m, truth, proba, c, fold) for m in methods}
    chosen = _pick(options, calibration, tolerance)
    best, none = options[chosen], options["none"]
    calibrator = None if chosen == "none" else fit_codes(chosen, truth, proba)
    codes = tuple(range(len(classes)))
    return DecisionPolicy(
        kind="threshold" if len(classes) == 2 else "least-cost",
        classes=classes,
        cost=tuple(tuple(float(v) for v in row) for row in c),
        threshold=best.threshold,
        calibration=chosen,
        calibrator=calibrator,
        expected_cost=summarise_costs(best.per_row, units, n_resamples, seed, 0.95),
        uncalibrated_cost=summarise_costs(none.per_row, units, n_resamples, seed, 0.95),
        calibration_before=calibration_report(truth, proba, codes),
        calibration_after=calibration_report(truth, best.proba, codes),
        options=tuple((m, option.per_1000) for m, option in options.items()),
        reason=_reason(options, chosen, calibration, tolerance),
    )


def _evaluate(method: str, truth, proba, c, fold) -> _Option:
    calibrated = proba if method == "none" else cross_fit(method, truth, proba, fold)
    if proba.shape[1] == 2:
        threshold = choose_threshold(truth, calibrated[:, 1], c, positive=1)
        made = (calibrated[:, 1] >= threshold).astype(np.intp)
    else:
        threshold, made = None, least_cost(calibrated, c)
    return _Option(method, calibrated, threshold, c[truth, made])


def _pick(options: dict[str, _Option], calibration: str, tolerance: float) -> str:
    if calibration != "auto":
        return calibration
    none = options["none"].per_1000
    best = min(("sigmoid", "isotonic"), key=lambda m: options[m].per_1000)
    return best if options[best].per_1000 < none - tolerance * abs(none) else "none"


def _reason(options: dict[str, _Option], chosen: str, calibration: str, tolerance: float) -> str:
    none = _number(options["none"].per_1000)
    if calibration == "none":
        return f"calibration was turned off; the scores cost {none} per 1,000 decisions as they are"
    cost = _number(options[chosen].per_1000)
    if calibration != "auto":
        return (
            f"{chosen} calibration was requested; the expected cost is {cost} per 1,000 "
            f"decisions with it and {none} without"
        )
    if chosen != "none":
        return (
            f"{chosen} calibration lowered the expected cost from {none} to {cost} per 1,000 "
            "decisions, so it is used"
        )
    tried = ", ".join(f"{m} {_number(o.per_1000)}" for m, o in options.items())
    return (
        f"calibration did not lower the expected cost by more than {tolerance:.0%} ({tried} per "
        "1,000 decisions), so the scores are used as they are"
    )


def _number(value: float) -> str:
    return f"{value:,.1f}" if abs(value) >= 1 else f"{value:.3g}"
