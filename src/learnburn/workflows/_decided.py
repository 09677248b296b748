"""What a run decided, read from its record, and how two records differ in it.

``reproduce`` and ``diff`` both use it: a reproduction is exact only when every per-fold score
and every decision below is the same; ``diff`` names each decision that changed. Numbers are
compared exactly (a reproduction must give the same bits), undefined ones (null) equal each other.
"""

from __future__ import annotations

import math
from typing import Any

from learnburn.workflows._tuning import tuning_outcome

_SPLITS = "splits (row assignment)"
_TUNING = "tuning (every trial and the refit's parameters)"


def decisions_of(record: dict[str, Any] | None) -> dict[str, Any]:
    """The choices a classification run made, by name (None where the run made none)."""
    record = record or {}
    decision = record.get("decision") or {}
    holdout = record.get("holdout") or {}
    splits = record.get("splits") or {}
    metric = record.get("metric") or "score"
    expected = decision.get("expected_cost") or {}
    calibrated = decision.get("calibration_after") or {}
    return {
        "chosen candidate": record.get("winner"),
        "best candidate": record.get("best"),
        _SPLITS: splits.get("assignment"),
        "decision threshold": decision.get("threshold"),
        "calibration": decision.get("calibration"),
        "calibrated Brier score (out of fold)": calibrated.get("brier"),
        "expected cost per 1,000 decisions": expected.get("per_1000"),
        f"holdout {metric}": holdout.get("score"),
        "holdout rows": holdout.get("rows"),
        _TUNING: tuning_outcome(record.get("tuning")),
    }


def decision_differences(a: dict[str, Any] | None, b: dict[str, Any] | None) -> tuple[str, ...]:
    """One line per decision that differs between records ``a`` and ``b``: 'what: a -> b'."""
    left, right = decisions_of(a), decisions_of(b)
    if left[_SPLITS] is None or right[_SPLITS] is None:  # an older record did not keep them
        del left[_SPLITS], right[_SPLITS]
    return tuple(
        _tuning_line(left[name], right[name], a) if name == _TUNING else
        _line(name, left[name], right[name])
        for name in left if not _same(left[name], right[name])
    )  # fmt: skip


def _tuning_line(a: dict | None, b: dict | None, record: dict | None) -> str:
    """Which search came out otherwise, and whether the recorded run's time budget explains it."""
    a, b = a or {}, b or {}
    first = next((key for key in sorted(set(a) | set(b)) if a.get(key) != b.get(key)), "")
    tuning = (record or {}).get("tuning") or {}
    budget = tuning.get("time_budget_s")
    why = (
        f" (the run had a {budget:g} s time budget: its trials depend on the clock)"
        if budget
        else ""
    )
    return f"{_TUNING}: {first} differs{why}"


def _line(name: str, a: Any, b: Any) -> str:
    if isinstance(a, dict) or isinstance(b, dict):
        return f"{name}: differs"  # the row assignment: too long to print
    exact = _shown(a, exact=False) == _shown(b, exact=False)  # else six digits tell them apart
    return f"{name}: {_shown(a, exact=exact)} -> {_shown(b, exact=exact)}"


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


def _shown(value: Any, *, exact: bool) -> str:
    if value is None:
        return "none"
    if isinstance(value, float):
        return repr(value) if exact else f"{value:.6g}"
    return str(value)
