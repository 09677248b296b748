"""Splits: the untouched holdout first, then the same folds for every candidate.

Row positions in ``Splits.holdout`` and ``Splits.development`` index the whole dataset; fold
positions index the development rows (``X.iloc[splits.development]``), as scikit-learn's ``cv``
argument expects. With a time column nothing is shuffled: the holdout is the latest rows and
the folds walk forward, each training only on rows no later than any row it is tested on.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.model_selection import RepeatedKFold, RepeatedStratifiedKFold, train_test_split

from learnburn.errors import DataError
from learnburn.spec import EvaluationSpec


@dataclass(frozen=True)
class Fold:
    """One train/test split of the development rows."""

    repeat: int
    fold: int
    train: np.ndarray
    test: np.ndarray


@dataclass(frozen=True)
class Splits:
    """The holdout rows, the development rows and the folds over the development rows."""

    method: str
    holdout: np.ndarray
    development: np.ndarray
    folds: tuple[Fold, ...]
    notes: tuple[str, ...] = ()

    def as_cv(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """The folds as scikit-learn's ``cv`` argument takes them."""
        return [(f.train, f.test) for f in self.folds]

    def summary_dict(self) -> dict:
        """What a run records about the splits: method, row counts, folds, repeats, notes."""
        return {
            "method": self.method,
            "holdout_rows": len(self.holdout),
            "development_rows": len(self.development),
            "folds": len({f.fold for f in self.folds}),
            "repeats": len({f.repeat for f in self.folds}),
            "notes": list(self.notes),
        }


def make_splits(
    target: pd.Series | None,
    evaluation: EvaluationSpec,
    *,
    time: pd.Series | None = None,
) -> Splits:
    """Set the holdout aside, then split the rest into folds (the spec's splitter and seed)."""
    method = evaluation.splitter
    if method == "auto":
        method = "walk-forward" if time is not None else "stratified-kfold"
    if method == "walk-forward":
        if time is None:
            raise DataError(
                "the walk-forward splitter needs a time column",
                hint="set data.time_column in the spec, or choose another evaluation.splitter",
            )
        return _walk_forward(time, evaluation)
    if method == "stratified-kfold" and target is None:
        method = "kfold"
    return _shuffled(target, evaluation, method)


def _shuffled(target: pd.Series | None, evaluation: EvaluationSpec, method: str) -> Splits:
    n_rows = len(target) if target is not None else 0
    positions = np.arange(n_rows)
    stratify = target.to_numpy() if method == "stratified-kfold" else None
    if evaluation.holdout > 0:
        _check_class_counts(target, 2, "the holdout split", "lower evaluation.holdout")
        development, holdout = train_test_split(
            positions,
            test_size=evaluation.holdout,
            random_state=evaluation.seed,
            stratify=stratify,
        )
        development, holdout = np.sort(development), np.sort(holdout)
    else:
        development, holdout = positions, np.array([], dtype=int)
    if method == "stratified-kfold":
        _check_class_counts(
            target.iloc[development], evaluation.folds, "stratified folds", "lower evaluation.folds"
        )
        splitter = RepeatedStratifiedKFold(
            n_splits=evaluation.folds, n_repeats=evaluation.repeats, random_state=evaluation.seed
        )
    else:
        splitter = RepeatedKFold(
            n_splits=evaluation.folds, n_repeats=evaluation.repeats, random_state=evaluation.seed
        )
    dev_target = stratify[development] if stratify is not None else None
    folds = tuple(
        Fold(i // evaluation.folds, i % evaluation.folds, train, test)
        for i, (train, test) in enumerate(splitter.split(development, dev_target))
    )
    return Splits(method, holdout, development, folds)


def _check_class_counts(target: pd.Series | None, needed: int, what: str, fix: str) -> None:
    if target is None:
        return
    counts = target.value_counts()
    rare = counts[counts < needed]
    if len(rare):
        listing = ", ".join(f"{label!r} ({count} rows)" for label, count in rare.items())
        raise DataError(
            f"{what} need at least {needed} rows of every class; too few: {listing}",
            hint=f"{fix}, or add rows of the rare classes",
        )


def _walk_forward(time: pd.Series, evaluation: EvaluationSpec) -> Splits:
    order = np.argsort(time.to_numpy(), kind="stable")
    sorted_times = time.to_numpy()[order]
    notes = []
    cut = _time_boundary(sorted_times, round(len(order) * (1 - evaluation.holdout)))
    development, holdout = np.sort(order[:cut]), np.sort(order[cut:])
    dev_times = time.to_numpy()[development]
    dev_order = np.argsort(dev_times, kind="stable")
    dev_sorted = dev_times[dev_order]
    n_blocks = evaluation.folds + 1
    edges = [
        _time_boundary(dev_sorted, round(len(dev_order) * k / n_blocks)) for k in range(1, n_blocks)
    ]
    edges = [0, *edges, len(dev_order)]
    folds = []
    for k in range(1, n_blocks):
        train, test = dev_order[: edges[k]], dev_order[edges[k] : edges[k + 1]]
        if len(train) and len(test):
            folds.append(Fold(0, len(folds), np.sort(train), np.sort(test)))
    if len(folds) < evaluation.folds:
        notes.append(f"only {len(folds)} walk-forward folds: too few distinct times")
    if not folds:
        raise DataError(
            "walk-forward splits found no fold with rows both before and after a time boundary",
            hint="the time column needs more distinct values; lower evaluation.folds",
        )
    if evaluation.repeats > 1:
        notes.append("walk-forward splits are not repeated: evaluation.repeats is ignored")
    return Splits("walk-forward", holdout, development, tuple(folds), tuple(notes))


def _time_boundary(sorted_times: np.ndarray, position: int) -> int:
    """Move a cut to the first row of its time, so one time never straddles train and test."""
    position = min(max(position, 0), len(sorted_times))
    if position in (0, len(sorted_times)):
        return position
    return int(np.searchsorted(sorted_times, sorted_times[position], side="left"))
