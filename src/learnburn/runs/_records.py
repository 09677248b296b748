"""What the store returns (plain frozen values) and how a run's record becomes table rows."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from learnburn._frames import Records
from learnburn._html import run_html, runs_html
from learnburn.errors import RunStoreError


@dataclass(frozen=True)
class RunSummary:
    """One line of ``learnburn runs``: what a run was and how it ended."""

    id: str
    experiment: str
    status: str  # running | finished | failed | interrupted
    started_at: str  # UTC, ISO-8601
    finished_at: str | None
    metric: str | None
    winner: str | None
    score: float | None  # the winner's mean cross-validated score
    holdout: float | None  # the winner's holdout score
    commit: str | None
    dirty: bool
    data_hash: str | None

    def _repr_html_(self) -> str:
        return runs_html([self])


@dataclass(frozen=True)
class ArtifactRef:
    """A file stored with a run: its name (a label) and the sha256 that locates its content."""

    name: str
    sha256: str
    size: int
    kind: str = ""


@dataclass(frozen=True)
class RunDetail:
    """Everything recorded about one run."""

    summary: RunSummary
    spec_text: str
    spec_hash: str
    seed: int | None
    provenance: dict
    environment: dict
    record: dict | None  # the full result record; None until the run finished
    error: str | None
    artifacts: tuple[ArtifactRef, ...]
    folds: tuple[dict, ...]  # rows of the folds table, in (candidate, repeat, fold) order

    def _repr_html_(self) -> str:
        return run_html(self)


class RunList(list):
    """What ``RunStore.list_runs`` returns: a list of :class:`RunSummary` that Jupyter shows as
    a table; ``to_frame()`` gives them as a pandas DataFrame."""

    def _repr_html_(self) -> str:
        return runs_html(self)

    def to_frame(self) -> Any:
        """A pandas DataFrame: one row per run, one column per ``RunSummary`` field."""
        return Records(self).to_frame()


def to_json(value: Any, what: str) -> str:
    """Compact JSON, refusing what would not read back as the same value (NaN, objects)."""
    try:
        return json.dumps(value, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError) as error:
        raise RunStoreError(
            f"the {what} cannot be stored as JSON: {error}",
            hint="pass plain values (ExperimentResult.to_dict() is JSON-ready; NaN becomes None)",
        ) from error


def from_json(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def summary_values(record: dict) -> dict[str, Any]:
    """The runs-table columns a finished run's record fills in."""
    data = record.get("data") or {}
    fingerprint = data.get("fingerprint") or {}
    winner = record.get("winner")
    chosen = next((c for c in record.get("candidates") or () if c.get("name") == winner), None)
    holdout = record.get("holdout") or {}
    return {
        "metric": record.get("metric"),
        "winner": winner,
        "best": record.get("best"),
        "score": _number(chosen.get("mean")) if chosen else None,
        "holdout": _number(holdout.get("score")),
        "data_hash": fingerprint.get("content_hash"),
        "data_rows": fingerprint.get("rows"),
        "data_schema_hash": fingerprint.get("schema_hash"),
        "data_source": data.get("source"),
    }


def candidate_rows(run_id: str, record: dict) -> list[dict[str, Any]]:
    return [
        {
            "run_id": run_id,
            "name": c["name"],
            "model": c.get("model"),
            "status": c.get("status"),
            "mean": _number(c.get("mean")),
            "std": _number(c.get("std")),
            "ci_low": _number(c.get("ci_low")),
            "ci_high": _number(c.get("ci_high")),
            "n_folds": c.get("n_folds"),
            "rank": c.get("rank"),
            "fit_time": _number(c.get("fit_time")),
            "predict_time": _number(c.get("predict_time")),
            "verdict": c.get("verdict") or None,
            "error": c.get("error"),
        }
        for c in record.get("candidates") or ()
    ]


def fold_rows(run_id: str, record: dict) -> list[dict[str, Any]]:
    return [
        {
            "run_id": run_id,
            "candidate": f["candidate"],
            "repeat": f["repeat"],
            "fold": f["fold"],
            "score": _number(f.get("score")),
            "scores": to_json(f.get("scores") or {}, "fold scores"),
            "fit_time": _number(f.get("fit_time")),
            "predict_time": _number(f.get("predict_time")),
            "n_train": f.get("n_train"),
            "n_test": f.get("n_test"),
            "error": f.get("error"),
        }
        for f in record.get("folds") or ()
    ]


def fold_from_row(row) -> dict[str, Any]:
    fold = dict(row._mapping)
    fold.pop("run_id", None)
    fold["scores"] = from_json(fold["scores"]) or {}
    return fold


def summary_from_row(row) -> RunSummary:
    """A RunSummary from a row selected with :data:`SUMMARY_COLUMNS` (in that order)."""
    return RunSummary(*row[:10], bool(row[10]), row[11])


SUMMARY_COLUMNS = (
    "id",
    "experiment",
    "status",
    "started_at",
    "finished_at",
    "metric",
    "winner",
    "score",
    "holdout",
    "commit_sha",
    "dirty",
    "data_hash",
)


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None
