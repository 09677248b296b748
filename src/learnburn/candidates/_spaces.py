"""Search spaces: the text a spec writes for one hyperparameter, and each family's default space.

A distribution is written as one string, as in ``learning_rate = "log-uniform(0.01, 0.3)"``:

- ``uniform(a, b)``: a float in [a, b]; ``log-uniform(a, b)``: the same on a log scale (a > 0);
- ``int(a, b)``: an integer in [a, b]; ``log-int(a, b)``: the same on a log scale (a >= 1);
- ``choice(x, y, ...)``: one of the values (numbers, true/false, none, or words).

``DEFAULT_SPACES`` gives a space for every registered classifier; clustering candidates are not
tuned (a clustering spec already searches the number of clusters over its range of k and ranks
the clusterings by stability, so there is no supervised score to tune against).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

KINDS = ("uniform", "log-uniform", "int", "log-int", "choice")
_CALL = re.compile(r"^\s*([a-z-]+)\s*\((.*)\)\s*$", re.DOTALL)
EXAMPLE = '"log-uniform(0.01, 0.3)"'


class SpaceSyntaxError(ValueError):
    """A distribution string that does not parse; ``hint`` says how to write it."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.hint = hint


@dataclass(frozen=True)
class Distribution:
    """One hyperparameter's distribution: ``kind`` from KINDS, bounds or choices."""

    kind: str
    low: float | int | None = None
    high: float | int | None = None
    choices: tuple[Any, ...] = ()

    @property
    def log(self) -> bool:
        return self.kind.startswith("log-")

    def extremes(self) -> tuple[Any, ...]:
        """The values that stand for the whole range when checked against a parameter's rule."""
        if self.kind == "choice":
            return self.choices
        if self.kind.endswith("uniform"):  # sampled as floats, whatever the bounds look like
            return (float(self.low), float(self.high))
        return (self.low, self.high)


def parse_distribution(text: str) -> Distribution:
    """The distribution a string describes; raises ``SpaceSyntaxError`` saying what is wrong."""
    match = _CALL.match(text) if isinstance(text, str) else None
    if match is None or match[1] not in KINDS:
        kinds = ", ".join(f"{kind}(...)" for kind in KINDS)
        raise SpaceSyntaxError(
            f"must be a distribution such as {EXAMPLE}, got {text!r}", f"write one of {kinds}"
        )
    kind, items = match[1], [item.strip() for item in match[2].split(",")]
    if kind == "choice":
        if not items or items == [""] or "" in items:
            raise SpaceSyntaxError(
                "choice() needs at least one value", 'e.g. "choice(gini, entropy)"'
            )
        return Distribution(kind, choices=tuple(_literal(item) for item in items))
    return _bounded(kind, items, text)


def _bounded(kind: str, items: list[str], text: str) -> Distribution:
    integer = kind.endswith("int")
    example = f'"{kind}(1, 100)"' if integer else f'"{kind}(0.01, 1.0)"'
    if len(items) != 2:
        raise SpaceSyntaxError(f"{kind}() takes two bounds, got {text!r}", f"e.g. {example}")
    low, high = (_literal(item) for item in items)
    numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (low, high))
    if not numbers or not all(math.isfinite(v) for v in (low, high)):
        raise SpaceSyntaxError(
            f"{kind}() bounds must be finite numbers, got {text!r}", f"e.g. {example}"
        )
    if integer and not all(isinstance(v, int) for v in (low, high)):
        raise SpaceSyntaxError(f"{kind}() bounds must be integers, got {text!r}", f"e.g. {example}")
    if low >= high:
        raise SpaceSyntaxError(
            f"{kind}() needs low < high, got {text!r}",
            f'write the smaller bound first: "{kind}({high}, {low})"',
        )
    if kind.startswith("log-") and low <= 0:
        raise SpaceSyntaxError(
            f"{kind}() needs a positive low bound, got {text!r}",
            f"use a low bound > 0, or {'int' if integer else 'uniform'}(...) for a linear scale",
        )
    return Distribution(kind, low=low, high=high)


def _literal(item: str) -> Any:
    """A choice or bound as written: an integer, a float, true/false, none, or a word."""
    if len(item) >= 2 and item[0] == item[-1] and item[0] in "'\"":
        return item[1:-1]
    lowered = item.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered in ("none", "null"):
        return None
    for number in (int, float):
        try:
            return number(item)
        except ValueError:
            pass
    return item


def default_space(model: str) -> dict[str, str] | None:
    """The registered classifier's default search space; None for an unregistered model."""
    space = DEFAULT_SPACES.get(model)
    return dict(space) if space is not None else None


_BOOSTING_RATE = "log-uniform(0.01, 0.3)"

DEFAULT_SPACES: dict[str, dict[str, str]] = {
    # The baseline has little to tune: which constant prediction it makes.
    "dummy": {"strategy": "choice(prior, stratified, uniform)"},
    "logistic_regression": {
        "C": "log-uniform(0.001, 100)",
        "class_weight": "choice(none, balanced)",
    },
    "knn": {
        "n_neighbors": "log-int(3, 100)",
        "weights": "choice(uniform, distance)",
        "p": "choice(1, 2)",
    },
    "decision_tree": {
        "max_depth": "int(2, 16)",
        "min_samples_leaf": "log-int(1, 50)",
        "criterion": "choice(gini, entropy)",
    },
    "random_forest": {
        "n_estimators": "log-int(50, 400)",
        "max_features": "uniform(0.1, 1.0)",
        "min_samples_leaf": "log-int(1, 20)",
    },
    "extra_trees": {
        "n_estimators": "log-int(50, 400)",
        "max_features": "uniform(0.1, 1.0)",
        "min_samples_leaf": "log-int(1, 20)",
    },
    "hist_gradient_boosting": {
        "learning_rate": _BOOSTING_RATE,
        "max_iter": "log-int(50, 500)",
        "max_leaf_nodes": "log-int(7, 127)",
        "min_samples_leaf": "log-int(5, 100)",
        "l2_regularization": "log-uniform(0.000001, 10)",
    },
    "lightgbm": {
        "learning_rate": _BOOSTING_RATE,
        "n_estimators": "log-int(50, 500)",
        "num_leaves": "log-int(7, 127)",
        "min_child_samples": "log-int(5, 100)",
        "colsample_bytree": "uniform(0.5, 1.0)",
        "reg_lambda": "log-uniform(0.001, 10)",
    },
    "xgboost": {
        "learning_rate": _BOOSTING_RATE,
        "n_estimators": "log-int(50, 500)",
        "max_depth": "int(2, 10)",
        "min_child_weight": "log-uniform(0.5, 20)",
        "subsample": "uniform(0.5, 1.0)",
        "colsample_bytree": "uniform(0.5, 1.0)",
        "reg_lambda": "log-uniform(0.001, 10)",
    },
    "mlp": {
        "hidden_units": "log-int(16, 256)",
        "hidden_layers": "int(1, 3)",
        "dropout": "uniform(0.0, 0.5)",
        "learning_rate": "log-uniform(0.0001, 0.01)",
        "weight_decay": "log-uniform(0.000001, 0.01)",
    },
}
