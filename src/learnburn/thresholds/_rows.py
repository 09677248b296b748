"""Shared input checks: classes, labels as class positions, probability matrices, resampling units.

A *unit* is what a bootstrap or a cross-fit resamples or keeps together. Stacked out-of-fold
predictions hold each development row once per CV repeat, and the copies of one row must move
together: ``row_ids`` names the row of each prediction; without it, ``groups`` (the repeat of each
prediction) makes the k-th prediction of every repeat one unit, which is right when each repeat
lists the rows in the same order; without either, every prediction is its own unit.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def check_classes(classes: Sequence) -> tuple:
    """The classes as a tuple of plain Python values; at least two, all distinct."""
    plain = tuple(label.item() if isinstance(label, np.generic) else label for label in classes)
    if len(plain) < 2 or len(set(plain)) != len(plain):
        raise ValueError(f"'classes' must hold at least two distinct labels, got {plain!r}.")
    return plain


def encode_labels(values, classes: Sequence, *, name: str = "y") -> np.ndarray:
    """The position in ``classes`` of each label; a label outside ``classes`` is a ValueError."""
    values = np.asarray(values)
    if values.ndim != 1:
        raise ValueError(f"'{name}' must be one-dimensional, got shape {values.shape}.")
    index = {label: i for i, label in enumerate(classes)}
    unique, inverse = np.unique(values, return_inverse=True)
    unknown = [label for label in unique.tolist() if label not in index]
    if unknown:
        raise ValueError(f"'{name}' holds labels {unknown[:5]!r} that are not in {tuple(classes)}.")
    codes = np.array([index[label] for label in unique.tolist()], dtype=np.intp)
    return codes[inverse.reshape(-1)]


def check_proba(proba, n_classes: int) -> np.ndarray:
    """A float matrix of shape (n, n_classes) with every value a probability in [0, 1]."""
    proba = np.asarray(proba, dtype=float)
    if proba.ndim != 2 or proba.shape[1] != n_classes:
        raise ValueError(
            f"'proba' must have shape (n, {n_classes}), one column per class, "
            f"got shape {proba.shape}."
        )
    return check_scores(proba, name="proba")


def check_scores(scores, *, name: str = "proba_positive") -> np.ndarray:
    """Probabilities as floats; NaN or values outside [0, 1] are a ValueError."""
    scores = np.asarray(scores, dtype=float)
    if not np.all((scores >= 0.0) & (scores <= 1.0)):
        raise ValueError(f"'{name}' must hold probabilities in [0, 1] (no NaN).")
    return scores


def check_length(n: int, **arrays) -> None:
    """Every named array has ``n`` rows."""
    for name, array in arrays.items():
        if array is not None and len(array) != n:
            raise ValueError(f"'{name}' must have {n} rows like 'y', got {len(array)}.")


def row_units(n: int, *, groups=None, row_ids=None) -> np.ndarray:
    """The unit (0 .. m-1) of each of ``n`` predictions; see the module docstring."""
    check_length(n, groups=groups, row_ids=row_ids)
    if row_ids is not None:
        return np.unique(np.asarray(row_ids), return_inverse=True)[1].reshape(-1)
    if groups is None:
        return np.arange(n)
    group = np.unique(np.asarray(groups), return_inverse=True)[1].reshape(-1)
    order = np.argsort(group, kind="stable")
    starts = np.searchsorted(group[order], group[order])  # first position of each row's group
    position = np.empty(n, dtype=np.intp)
    position[order] = np.arange(n) - starts
    return position
