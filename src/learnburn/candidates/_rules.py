"""Rules for parameter values, checked without importing the estimator's library.

A rule is a tuple of alternatives; a value passes when any alternative accepts it, and a
failure reads like scikit-learn's: ``must be an integer >= 1 or None, got -3``.
``bool`` is never taken for a number, and numbers are never taken for booleans.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any


@dataclass(frozen=True)
class Integer:
    """An integer in ``[low, high]`` (``high`` None: no upper bound)."""

    low: int
    high: int | None = None

    def accepts(self, value: Any) -> bool:
        if isinstance(value, bool) or not isinstance(value, Integral):
            return False
        return value >= self.low and (self.high is None or value <= self.high)

    def summary(self) -> str:
        if self.high is None:
            return f"an integer >= {self.low}"
        return f"an integer in [{self.low}, {self.high}]"


@dataclass(frozen=True)
class Float:
    """A finite real number between ``low`` and ``high``; ``closed`` says which ends are in."""

    low: float | None = None
    high: float | None = None
    closed: str = "neither"  # "neither", "left", "right" or "both"

    def accepts(self, value: Any) -> bool:
        if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
            return False
        left = self.closed in ("left", "both")
        right = self.closed in ("right", "both")
        above = self.low is None or value > self.low or (left and value == self.low)
        below = self.high is None or value < self.high or (right and value == self.high)
        return above and below

    def summary(self) -> str:
        left = self.closed in ("left", "both")
        right = self.closed in ("right", "both")
        if self.high is None:
            return f"a float {'>=' if left else '>'} {self.low:g}"
        if self.low is None:
            return f"a float {'<=' if right else '<'} {self.high:g}"
        return (
            f"a float in {'[' if left else '('}{self.low:g}, {self.high:g}{']' if right else ')'}"
        )


@dataclass(frozen=True)
class Options:
    """One of a few exact values (compared with their type, so ``1`` is not ``True``)."""

    values: tuple[Any, ...]

    def accepts(self, value: Any) -> bool:
        return any(type(value) is type(option) and value == option for option in self.values)

    def summary(self) -> str:
        shown = [repr(v) if isinstance(v, str) else str(v) for v in self.values]
        if len(shown) == 1:
            return shown[0]
        return "one of " + ", ".join(shown)


@dataclass(frozen=True)
class Table:
    """A mapping, such as ``class_weight = {yes = 5, no = 1}``; its content is the estimator's."""

    def accepts(self, value: Any) -> bool:
        return isinstance(value, Mapping)

    def summary(self) -> str:
        return "a table"


BOOLEAN = Options((True, False))
NONE = Options((None,))

Alternative = Integer | Float | Options | Table
Rule = tuple[Alternative, ...]


def describe_rule(rule: Rule) -> str:
    """What the rule accepts, in words: ``an integer >= 1 or None``."""
    parts = ["a boolean" if alt == BOOLEAN else alt.summary() for alt in rule]
    return " or ".join(parts)


def check_value(rule: Rule, value: Any) -> str | None:
    """``None`` when the value passes, else the message saying what was expected and what came."""
    if any(alt.accepts(value) for alt in rule):
        return None
    return f"must be {describe_rule(rule)}, got {value!r}"
