"""The records a report page renders: what ``workflows`` gathers from the run store and a bundle,
and ``reports`` turns into HTML without reading anything else.

They sit below both (they import nothing from learnburn but :class:`Record`), so ``reports``
never reaches into the runs, the bundles or the workflows. Arrays (the curves) stay numpy arrays
for the charts; ``to_dict`` gives every record as plain JSON.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np

from learnburn._records import Record


def _plain(value: Any) -> Any:
    """``value`` with numpy arrays and scalars as lists and numbers, tuples as lists."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Record):
        return value.to_dict()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


class _Fields(Record):
    """``to_dict`` of a dataclass record: its fields, made plain."""

    def to_dict(self) -> dict[str, Any]:
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self)}  # type: ignore[arg-type]


@dataclass(frozen=True)
class RunLine(_Fields, Record):
    """One line of the run list: what a run was and how it ended."""

    id: str
    experiment: str
    status: str
    started_at: str
    metric: str | None
    winner: str | None
    score: float | None
    holdout: float | None
    commit: str | None
    dirty: bool
    data_hash: str | None


@dataclass(frozen=True)
class RunFacts(_Fields, Record):
    """What a page shows of one recorded run: its line, spec, provenance, environment, the
    result record (None until it finished, and for a notebook run) and its artifacts' names."""

    line: RunLine
    spec_text: str
    spec_hash: str
    seed: int | None
    provenance: dict
    environment: dict
    record: dict | None
    error: str | None
    artifacts: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class Curves(_Fields, Record):
    """The chosen model's curves from its stored predictions, by split ("out-of-fold",
    "holdout"): ROC (false and true positive rates, area), precision-recall (recall, precision,
    average precision) and reliability (mean predicted and observed frequency per quantile bin).
    Empty when the stored predictions hold a single class."""

    roc: dict[str, tuple[np.ndarray, np.ndarray, float]]
    precision_recall: dict[str, tuple[np.ndarray, np.ndarray, float]]
    reliability: dict[str, tuple[np.ndarray, np.ndarray]]
    base_rate: float
    pooled: bool  # more than two classes: every class one-vs-rest, pooled


@dataclass(frozen=True, eq=False)
class Confusion(_Fields, Record):
    """Counts of (true class, decided class) at the run's decision rule on ``rows`` rows of
    ``split`` (the holdout, else the first repeat out of fold)."""

    matrix: np.ndarray
    classes: tuple[str, ...]
    split: str
    rows: int


@dataclass(frozen=True, eq=False)
class CostCurve(_Fields, Record):
    """Expected cost per 1,000 decisions out of fold at each threshold, and the chosen one."""

    thresholds: np.ndarray
    costs: np.ndarray
    chosen: float | None


@dataclass(frozen=True, eq=False)
class RunReport(_Fields, Record):
    """A run's report: its facts and, for a finished classification run, what its stored
    predictions show (``predictions`` False when it has none)."""

    run: RunFacts
    predictions: bool = False
    curves: Curves | None = None
    confusion: Confusion | None = None
    cost_curve: CostCurve | None = None
    notebook: dict | None = None  # a notebook run's results (the UI shows them)

    @property
    def classification(self) -> bool:
        """Whether the run has a classification result record (else: its summary only)."""
        record = self.run.record
        return bool(record) and record.get("task", "classification") == "classification"


@dataclass(frozen=True)
class BundleFacts(_Fields, Record):
    """What a bundle holds, as its report shows it."""

    file: str
    size_bytes: int
    version: Any
    classes: tuple[str, ...]
    columns: int
    scoring: str  # the scoring summary, e.g. "ONNX fast path (parity proven)"
    scoring_path: str
    decision: str
    reference: bool
    fit_seconds: float | None
    saved_with: dict
    importances: dict
    experiment: str | None
    candidate: str | None
    run_id: Any


@dataclass(frozen=True, eq=False)
class BundleReport(_Fields, Record):
    """A bundle's report: the bundle, its run's report when the store holds it (else the store
    that did not, in ``run_missing_from``), and the records given."""

    bundle: BundleFacts
    run: RunReport | None = None
    run_missing_from: str | None = None
    profile: dict | None = None
    cost: dict | None = None
    drift: dict | None = None
    cadence: dict | None = None


@dataclass(frozen=True)
class RunDiff(Record):
    """What differs between two recorded runs, and whether the difference in scores is real."""

    a: str
    b: str
    spec: tuple[str, ...]  # unified diff of the spec texts; empty when they are the same
    code: dict
    data: dict
    environment: tuple[str, ...]
    metrics: tuple[dict, ...]
    decisions: tuple[str, ...]  # each decision that differs: "what: a -> b"
    same_folds: bool
    comparisons: tuple[dict, ...]  # per candidate in both runs, when they used the same folds
    chosen: dict | None = None  # b's chosen candidate against a's, on the same folds

    def to_dict(self) -> dict[str, Any]:
        return _plain(asdict(self))


@dataclass(frozen=True)
class ComparedRuns(_Fields, Record):
    """Two runs for the compare page: ``a`` the older, ``b`` the newer, and their diff."""

    a: RunFacts
    b: RunFacts
    diff: RunDiff


@dataclass(frozen=True)
class ExperimentRuns(_Fields, Record):
    """An experiment's runs (newest first) and those with a result record that its chart draws
    (newest first)."""

    name: str
    runs: tuple[RunLine, ...]
    charted: tuple[RunFacts, ...]
