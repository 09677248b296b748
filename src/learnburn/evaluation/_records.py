"""Frozen result records: plain values that print, compare and serialise to JSON."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from typing import Any

import numpy as np

from learnburn._frames import Records
from learnburn._html import result_html
from learnburn._records import Record


@dataclass(frozen=True)
class FoldScore:
    """One candidate on one fold: its score, every metric, and how long fit and predict took."""

    candidate: str
    repeat: int
    fold: int
    score: float
    scores: dict[str, float]
    fit_time: float
    predict_time: float
    n_train: int
    n_test: int
    model_bytes: int | None = None  # measured on each candidate's first fold only
    error: str | None = None
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class CandidateSummary:
    """One candidate across all folds: mean score with a 95% interval, timings, status, and how
    it compares with the best candidate (probabilities from the Bayesian correlated t-test with
    the ROPE; ``p_value``: corrected t-test, two-sided, Holm-adjusted)."""

    name: str
    model: str
    params: dict[str, Any]
    preprocessing: str
    status: str  # "ok" | "failed"
    mean: float
    std: float
    ci_low: float
    ci_high: float
    n_folds: int
    fit_time: float  # mean seconds per fold
    predict_time: float  # mean seconds per fold
    model_bytes: int | None = None
    rank: int | None = None
    p_better: float | None = None
    p_equivalent: float | None = None
    p_worse: float | None = None
    p_value: float | None = None
    p_value_raw: float | None = None
    verdict: str = ""
    error: str | None = None
    warnings: tuple[str, ...] = ()
    interval: str = "95% t interval with the Nadeau-Bengio corrected variance"


@dataclass(frozen=True)
class HoldoutScore:
    """The refit winner scored once on the untouched holdout rows."""

    candidate: str
    rows: int
    score: float
    scores: dict[str, float]
    fit_time: float
    predict_time: float
    interval: dict[str, Any] | None = None  # bootstrap, conditional on the fitted model
    versus: tuple[dict[str, Any], ...] = ()  # DeLong / McNemar against the runner-up
    decision_cost: dict[str, Any] | None = None  # realised cost of the decision policy


@dataclass(frozen=True)
class ExperimentResult(Record):
    """Everything one experiment run produced. ``model`` (the refit winner) is not serialised."""

    experiment: str
    task: str
    metric: str
    greater_is_better: bool
    seed: int
    spec_hash: str
    spec_text: str
    data: dict[str, Any]
    splits: dict[str, Any]
    candidates: tuple[CandidateSummary, ...]
    folds: tuple[FoldScore, ...]
    winner: str | None  # the chosen candidate (by the spec's policy), refit on development rows
    best: str | None  # the candidate with the best mean score
    comparison: dict[str, Any]
    holdout: HoldoutScore | None
    decision: dict[str, Any] | None  # threshold or rule, costs, calibration (when costs are set)
    timings: dict[str, float]
    environment: dict[str, Any]
    created_at: str
    model: Any = field(default=None, compare=False, repr=False)
    check_rows: Any = field(default=None, compare=False, repr=False)  # rows to prove a bundle on
    check_target: Any = field(default=None, compare=False, repr=False)  # their labels
    training_rows: Any = field(default=None, compare=False, repr=False)  # the drift reference
    predictions: Any = field(default=None, compare=False, repr=False)  # for the report's curves
    decision_policy: Any = field(default=None, compare=False, repr=False)
    # every search of the tuned candidates, trials and importances (workflows/_tuning.py)
    tuning: dict[str, Any] | None = None

    def __post_init__(self) -> None:  # tables of records: .to_frame() gives a DataFrame
        object.__setattr__(self, "candidates", Records(self.candidates))
        object.__setattr__(self, "folds", Records(self.folds))

    def leaderboard(self) -> Records:
        """Candidates best first; failed ones last (``.to_frame()``: a DataFrame)."""
        return Records(sorted(self.candidates, key=lambda c: (c.rank is None, c.rank or 0)))

    def fold_scores(self, candidate: str) -> np.ndarray:
        """The candidate's primary scores, in (repeat, fold) order."""
        rows = sorted((f.repeat, f.fold, f.score) for f in self.folds if f.candidate == candidate)
        return np.array([score for _, _, score in rows])

    def to_dict(self) -> dict[str, Any]:
        content = {
            f.name: _plain(getattr(self, f.name))
            for f in fields(self)
            if f.name not in _NOT_SERIALISED
        }
        if content["tuning"] is None:  # records without tuned candidates read as they always did
            del content["tuning"]
        return _finite(content)

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, allow_nan=False)

    def _repr_html_(self) -> str:
        return result_html(self)  # Jupyter shows the leaderboard


_NOT_SERIALISED = (  # live objects, not records
    "model", "check_rows", "check_target", "training_rows", "decision_policy", "predictions",
)  # fmt: skip


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _finite(value: Any) -> Any:
    """JSON has no NaN: undefined numbers become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    if isinstance(value, np.generic):
        return _finite(value.item())
    return value
