"""Calibrators: fitted maps from a model's probabilities to calibrated probabilities.

``sigmoid`` is Platt scaling on logit(p): a logistic regression of the outcome on logit(p), with
Platt's smoothed targets so that separable data still give finite parameters. ``isotonic`` is
scikit-learn's IsotonicRegression (non-decreasing, clipped to [0, 1] and outside the fitted
range). Binary: one map on the positive class. Multiclass: one one-vs-rest map per class, then
each row is renormalised (a row the maps send to all zeros keeps its input probabilities).

A fitted calibrator holds only plain numbers, so it round-trips through ``to_dict`` and
``from_dict`` without pickle. SciPy and scikit-learn are imported by the code that fits or applies
a map, not with this module: a server that loads a bundle without a sigmoid calibrator never
imports them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

from learnburn._records import Record
from learnburn.thresholds._rows import check_classes, check_length, check_proba, encode_labels

CALIBRATIONS = ("none", "sigmoid", "isotonic")
_EPS = 1e-6  # probabilities are clipped to [_EPS, 1 - _EPS] before logit


@dataclass(frozen=True)
class SigmoidMap:
    """q = expit(slope * logit(p) + intercept)."""

    slope: float
    intercept: float

    def __call__(self, scores: np.ndarray) -> np.ndarray:
        from scipy.special import expit, logit

        return expit(self.slope * logit(np.clip(scores, _EPS, 1.0 - _EPS)) + self.intercept)


@dataclass(frozen=True)
class IsotonicMap:
    """Piecewise-linear through the points (x, y), constant outside them."""

    x: tuple[float, ...]
    y: tuple[float, ...]

    def __call__(self, scores: np.ndarray) -> np.ndarray:
        return np.interp(scores, self.x, self.y)


_MAPS = {"sigmoid": SigmoidMap, "isotonic": IsotonicMap}


@dataclass(frozen=True)
class Calibrator(Record):
    """A fitted calibration: its method and one map per calibrated column."""

    method: str
    maps: tuple[SigmoidMap | IsotonicMap, ...]

    def transform(self, proba) -> np.ndarray:
        """Calibrated probabilities, same shape as ``proba``."""
        n_classes = 2 if len(self.maps) == 1 else len(self.maps)
        proba = check_proba(proba, n_classes)
        if len(self.maps) == 1:
            positive = self.maps[0](proba[:, 1])
            return np.column_stack([1.0 - positive, positive])
        mapped = np.column_stack([m(proba[:, k]) for k, m in enumerate(self.maps)])
        total = mapped.sum(axis=1, keepdims=True)
        return np.where(total > 0, mapped / np.where(total > 0, total, 1.0), proba)

    def to_dict(self) -> dict:
        return {"method": self.method, "maps": [asdict(m) for m in self.maps]}

    @classmethod
    def from_dict(cls, data: dict) -> Calibrator:
        if data.get("method") not in _MAPS:
            raise ValueError(f"'method' must be one of {tuple(_MAPS)}, got {data.get('method')!r}.")
        kind = _MAPS[data["method"]]
        maps = tuple(kind(**{k: _plain(v) for k, v in m.items()}) for m in data["maps"])
        return cls(method=data["method"], maps=maps)


def fit_calibrator(method: str, y, proba, classes: Sequence) -> Calibrator:
    """Fit a ``sigmoid`` or ``isotonic`` calibrator on labels ``y`` and probabilities ``proba``."""
    classes = check_classes(classes)
    proba = check_proba(proba, len(classes))
    truth = encode_labels(y, classes, name="y")
    check_length(len(truth), proba=proba)
    return fit_codes(method, truth, proba)


def fit_codes(method: str, truth: np.ndarray, proba: np.ndarray) -> Calibrator:
    """``fit_calibrator`` on class positions ``truth`` (already checked)."""
    if method not in _MAPS:
        raise ValueError(f"'method' must be one of {tuple(_MAPS)}, got {method!r}.")
    fit = _fit_sigmoid if method == "sigmoid" else _fit_isotonic
    columns = [1] if proba.shape[1] == 2 else range(proba.shape[1])
    return Calibrator(method, tuple(fit(proba[:, k], truth == k) for k in columns))


def _fit_sigmoid(scores: np.ndarray, outcome: np.ndarray) -> SigmoidMap:
    from scipy.optimize import minimize
    from scipy.special import expit, logit

    z = logit(np.clip(scores, _EPS, 1.0 - _EPS))
    n_positive = int(outcome.sum())
    n_negative = len(outcome) - n_positive
    target = np.where(outcome, (n_positive + 1.0) / (n_positive + 2.0), 1.0 / (n_negative + 2.0))

    def loss(params: np.ndarray) -> tuple[float, np.ndarray]:
        f = params[0] * z + params[1]
        residual = (expit(f) - target) / len(z)
        value = float(np.mean(np.logaddexp(0.0, f) - target * f))
        return value, np.array([residual @ z, residual.sum()])

    result = minimize(loss, x0=np.array([1.0, 0.0]), jac=True, method="L-BFGS-B")
    return SigmoidMap(slope=float(result.x[0]), intercept=float(result.x[1]))


def _fit_isotonic(scores: np.ndarray, outcome: np.ndarray) -> IsotonicMap:
    from sklearn.isotonic import IsotonicRegression

    model = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip")
    model.fit(scores, outcome.astype(float))
    return IsotonicMap(x=tuple(model.X_thresholds_.tolist()), y=tuple(model.y_thresholds_.tolist()))


def _plain(value):
    return tuple(value) if isinstance(value, list) else value
