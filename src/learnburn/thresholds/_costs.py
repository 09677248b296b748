"""Cost matrices (truth x decision) from the spec's outcome costs, and the Bayes threshold.

``cost[i, j]`` is the cost of deciding class j when the truth is class i. For a binary decision
the positive class is ``classes[1]``, so the matrix is ``[[TN, FP], [FN, TP]]``. Negative costs
are benefits.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from learnburn.errors import DecisionCostError

COST_KEYS = ("true_positive", "false_positive", "true_negative", "false_negative")


def cost_matrix(
    classes: Sequence, *, costs: Mapping[str, float] | None = None, matrix=None
) -> np.ndarray:
    """The K x K cost matrix (truth x decision) from binary outcome ``costs`` or a ``matrix``."""
    if (costs is None) == (matrix is None):
        got = "both" if costs is not None else "neither"
        raise DecisionCostError(
            f"cost_matrix needs exactly one of 'costs' or 'matrix', got {got}.",
            hint="Give 'costs' (a dict of outcome costs) for a binary decision, or 'matrix' "
            "(K x K, truth x decision) for any number of classes.",
        )
    if costs is not None:
        return _from_outcomes(costs, len(classes))
    return as_cost(matrix, len(classes))


def as_cost(matrix, n_classes: int) -> np.ndarray:
    """``matrix`` as a finite float array of shape (n_classes, n_classes), else a
    DecisionCostError."""
    try:
        array = np.array(matrix, dtype=float)
    except (TypeError, ValueError) as error:
        raise DecisionCostError(
            f"The cost matrix must hold numbers, got {matrix!r}.",
            hint="Write each cost as a number; negative numbers are benefits.",
        ) from error
    if array.shape != (n_classes, n_classes):
        raise DecisionCostError(
            f"The cost matrix must be {n_classes} x {n_classes} (one row per true class, one "
            f"column per decided class), got shape {array.shape}.",
            hint="Give one row and one column per class, in the order of the sorted classes.",
        )
    bad = np.argwhere(~np.isfinite(array))
    if bad.size:
        cells = ", ".join(f"[{i}][{j}]" for i, j in bad[:5])
        raise DecisionCostError(
            f"The cost matrix holds values that are not finite numbers at {cells}.",
            hint="Replace NaN and infinite costs with finite numbers.",
        )
    return array


def bayes_threshold(cost) -> float | None:
    """The threshold of a calibrated binary decision, (c_FP - c_TN) / ((c_FP - c_TN) + (c_FN -
    c_TP)); None when that denominator is <= 0 (deciding positive never gets more attractive as
    the probability grows). The value may fall outside [0, 1]: below 0 means always positive,
    above 1 never."""
    c = as_cost(cost, 2)
    regret_fp = c[0, 1] - c[0, 0]
    denominator = regret_fp + (c[1, 0] - c[1, 1])
    if denominator <= 0:
        return None
    return float(regret_fp / denominator)


def _from_outcomes(costs: Mapping[str, float], n_classes: int) -> np.ndarray:
    if n_classes != 2:
        raise DecisionCostError(
            f"Outcome costs describe a binary decision, but there are {n_classes} classes.",
            hint="Give a K x K cost matrix (truth x decision) for a multiclass decision.",
        )
    unknown = sorted(set(costs) - set(COST_KEYS))
    if unknown:
        raise DecisionCostError(
            f"Unknown outcome cost keys {unknown}.",
            hint=f"Use only {', '.join(COST_KEYS)}; a missing key costs 0.",
        )
    values = {key: _number(key, costs.get(key, 0.0)) for key in COST_KEYS}
    return np.array(
        [
            [values["true_negative"], values["false_positive"]],
            [values["false_negative"], values["true_positive"]],
        ]
    )


def _number(key: str, value) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number):
        raise DecisionCostError(
            f"The cost '{key}' must be a finite number, got {value!r}.",
            hint="Write each cost as a number; negative numbers are benefits.",
        )
    return number
