"""The monitor's records: one per window, and the report over all windows with its verdict."""

from __future__ import annotations

from dataclasses import dataclass

from learnburn._records import Record
from learnburn.monitoring._performance import METRICS, Estimate
from learnburn.monitoring._report import DriftReport, finite_json


@dataclass(frozen=True)
class WindowReport(Record):
    """One window of captured rows: drift against the reference, the share of each decision,
    the estimated and realised performance, and the alerts raised (one sentence each)."""

    start: str  # ISO time, UTC, inclusive
    end: str  # exclusive
    rows: int
    events: int
    decision_shares: dict[str, float]
    drift: DriftReport | None
    estimated: dict[str, Estimate]
    realised: dict[str, Estimate]
    labelled_rows: int
    alerts: tuple[str, ...]

    @property
    def drifted_features(self) -> tuple[str, ...]:
        return () if self.drift is None else self.drift.drifted_columns

    def gap(self, metric: str) -> float | None:
        """Estimated minus realised (None until both are known)."""
        estimated, realised = self.estimated[metric], self.realised[metric]
        if estimated.known and realised.known:
            return estimated.value - realised.value
        return None

    def to_dict(self) -> dict:
        drift = self.drift
        return {
            "start": self.start,
            "end": self.end,
            "rows": self.rows,
            "events": self.events,
            "decision_shares": finite_json(self.decision_shares),
            "drifted": None if drift is None else drift.drifted,
            "drifted_features": list(self.drifted_features),
            "feature_effects": {}
            if drift is None
            else {c.name: finite_json(c.effect) for c in drift.columns},
            "score_drift": None if drift is None or drift.scores is None
            else {"effect": finite_json(drift.scores.effect), "drifted": drift.scores.drifted},
            "estimated": {m: finite_json(self.estimated[m].to_dict()) for m in METRICS},
            "realised": {m: finite_json(self.realised[m].to_dict()) for m in METRICS},
            "gap": {m: finite_json(self.gap(m)) for m in METRICS},
            "labelled_rows": self.labelled_rows,
            "alerts": list(self.alerts),
        }  # fmt: skip


@dataclass(frozen=True)
class MonitorReport(Record):
    """Every window of a capture, the reference performance they are held to, and whether the
    evidence calls for retraining now (``retrain``, with ``reason`` in one sentence)."""

    window: str
    tolerance: float
    classes: tuple[str, ...]
    reference: dict[str, float | None]
    windows: tuple[WindowReport, ...]
    labels_given: bool
    retrain: bool
    reason: str

    @property
    def alerted(self) -> bool:
        """Whether any window raised an alert."""
        return any(window.alerts for window in self.windows)

    def summary(self) -> str:
        rows = sum(window.rows for window in self.windows)
        flagged = sum(bool(window.alerts) for window in self.windows)
        return (
            f"{len(self.windows)} windows of {self.window}, {rows:,} rows, {flagged} with "
            f"alerts; {self.reason}"
        )

    def to_dict(self) -> dict:
        return {
            "format": "learnburn-monitor",
            "version": 1,
            "window": self.window,
            "tolerance": self.tolerance,
            "classes": list(self.classes),
            "reference": finite_json(self.reference),
            "labels_given": self.labels_given,
            "retrain": self.retrain,
            "reason": self.reason,
            "windows": [window.to_dict() for window in self.windows],
        }
