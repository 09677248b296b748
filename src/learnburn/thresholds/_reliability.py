"""How well probabilities are calibrated: Brier score, expected calibration error (ECE) and the
reliability curve.

Binary: on the probability of the positive class ``classes[1]``. Multiclass: ECE and the curve
on the top label (its probability against whether it was right); the Brier score sums over
classes. Bins are equal-width on [0, 1] (1.0 falls in the last bin); ECE weights each bin's gap
between mean predicted probability and observed frequency by its share of rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from learnburn._records import Record
from learnburn.thresholds._rows import check_classes, check_length, check_proba, encode_labels


@dataclass(frozen=True)
class Calibration(Record):
    """Brier score, ECE, and the reliability curve: (mean predicted, observed frequency, count)
    per non-empty bin."""

    brier: float
    ece: float
    bins: int
    curve: tuple[tuple[float, float, int], ...]

    def to_dict(self) -> dict:
        return {
            "brier": self.brier,
            "ece": self.ece,
            "bins": self.bins,
            "curve": [list(point) for point in self.curve],
        }


def calibration_report(y, proba, classes: Sequence, *, bins: int = 10) -> Calibration:
    """The calibration of ``proba`` (columns in the order of ``classes``) against labels ``y``."""
    classes = check_classes(classes)
    proba = check_proba(proba, len(classes))
    truth = encode_labels(y, classes, name="y")
    check_length(len(truth), proba=proba)
    if len(truth) == 0:
        raise ValueError("calibration_report needs at least one row, got none.")
    if int(bins) != bins or bins < 1:
        raise ValueError(f"'bins' must be a positive integer, got {bins!r}.")
    onehot = truth[:, None] == np.arange(len(classes))
    if len(classes) == 2:
        brier = np.mean((proba[:, 1] - onehot[:, 1]) ** 2)
        confidence, hit = proba[:, 1], onehot[:, 1]
    else:
        brier = np.mean(np.sum((proba - onehot) ** 2, axis=1))
        top = np.argmax(proba, axis=1)
        confidence, hit = proba[np.arange(len(top)), top], top == truth
    curve, ece = _reliability(confidence, hit.astype(float), int(bins))
    return Calibration(brier=float(brier), ece=ece, bins=int(bins), curve=curve)


def _reliability(confidence: np.ndarray, hit: np.ndarray, bins: int):
    which = np.minimum((confidence * bins).astype(np.intp), bins - 1)
    counts = np.bincount(which, minlength=bins)
    filled = counts > 0
    predicted = np.bincount(which, weights=confidence, minlength=bins)[filled] / counts[filled]
    observed = np.bincount(which, weights=hit, minlength=bins)[filled] / counts[filled]
    ece = float(np.sum(counts[filled] * np.abs(predicted - observed)) / len(confidence))
    curve = tuple(
        (float(p), float(o), int(n))
        for p, o, n in zip(predicted, observed, counts[filled], strict=True)
    )
    return curve, ece
