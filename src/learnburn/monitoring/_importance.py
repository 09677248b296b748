"""Permutation importance, cheaply: every shuffled copy of the rows scored in a few big calls.

A feature's importance is the mean rise in log-loss when its values are shuffled among the
rows, over ``repeats`` shuffles; negatives count as 0 and the importances are scaled to sum to
1 (as the reference profile stores them). Every feature is shuffled with the same ``repeats``
orders, drawn from ``seed``, so the same rows and seed give the same importances.

The rows are a table (a DataFrame, whose groups are column names) or a model's float matrix
(whose groups are the matrix columns one input column became, e.g. its one-hot block): shuffling
the rows of a block is shuffling the input column, as encoding works row by row. The shuffled
copies are stacked and scored together, at most ``BATCH_CELLS`` values a call, rather than one
call per feature and repeat: a pipeline's fixed cost per call is paid a few times, not hundreds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

BATCH_CELLS = 4_000_000  # values (rows x columns) scored in one call

Table = Any  # a DataFrame or a 2-D float array


def permutation_importances(
    predict_proba: Callable[[Table], np.ndarray],
    rows: Table,
    labels: np.ndarray,
    groups: Mapping[str, Sequence[Any]],
    *,
    repeats: int = 3,
    seed: int = 0,
) -> dict[str, float]:
    """The share of each group's permutation importance: ``groups`` maps a feature's name to
    its columns in ``rows``; ``labels`` is each row's class as its column in ``predict_proba``'s
    output (rows whose class the model does not know are -1 and left out)."""
    labels = np.asarray(labels, dtype=np.intp)
    known = labels >= 0
    if len(labels) != len(rows) or not known.any() or not groups:
        return dict.fromkeys(groups, 1 / max(len(groups), 1))
    base = _log_loss(predict_proba(rows), labels, known)
    rng = np.random.default_rng(seed)
    orders = [rng.permutation(len(labels)) for _ in range(repeats)]
    copies = [(name, cols, order) for name, cols in groups.items() for order in orders]
    rises: dict[str, list[float]] = {name: [] for name in groups}
    per_call = max(1, BATCH_CELLS // max(len(labels) * _width(rows), 1))
    for start in range(0, len(copies), per_call):
        batch = copies[start : start + per_call]
        proba = predict_proba(_stack([_shuffled(rows, cols, order) for _, cols, order in batch]))
        for index, (name, _, _) in enumerate(batch):
            part = proba[index * len(labels) : (index + 1) * len(labels)]
            rises[name].append(_log_loss(part, labels, known) - base)
    drops = np.clip(np.nan_to_num([np.mean(rises[name]) for name in groups]), 0, None)
    total = drops.sum()
    shares = drops / total if total > 0 else np.full(len(drops), 1 / len(drops))
    return {str(name): float(share) for name, share in zip(groups, shares, strict=True)}


def _log_loss(proba: np.ndarray, labels: np.ndarray, known: np.ndarray) -> float:
    """Mean negative log of the probability given to each row's class, clipped away from 0."""
    proba = np.asarray(proba, dtype=np.float64)
    given = proba[np.flatnonzero(known), labels[known]]
    return float(-np.mean(np.log(np.clip(given, np.finfo(np.float64).eps, 1.0))))


def _width(rows: Table) -> int:
    return rows.shape[1] if rows.ndim == 2 else 1


def _shuffled(rows: Table, columns: Sequence[Any], order: np.ndarray) -> Table:
    copy = rows.copy()
    if isinstance(rows, pd.DataFrame):
        for name in columns:
            copy[name] = rows[name].iloc[order].set_axis(rows.index)  # keeps the dtype
    else:
        columns = list(columns)
        copy[:, columns] = rows[np.ix_(order, columns)]
    return copy


def _stack(tables: list[Table]) -> Table:
    if isinstance(tables[0], pd.DataFrame):
        return pd.concat(tables, ignore_index=True)
    return np.concatenate(tables)
