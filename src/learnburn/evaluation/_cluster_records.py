"""Clustering records: plain values that print, compare and serialise to JSON.

``ClusteringResult.to_dict()`` has the keys the run store reads from a classification record
(``metric``, ``winner``, ``candidates`` with ``mean``, ``folds``...), so a clustering run is
stored, listed and shown like any other: a candidate's ``mean`` is its quality on the spec's
metric and its folds are the bootstrap resamples, scored by the adjusted Rand index.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from html import escape
from typing import Any

import numpy as np

from learnburn._frames import Records
from learnburn._records import Record
from learnburn.evaluation._records import FoldScore, _finite, _plain


@dataclass(frozen=True)
class ClusterScore:
    """One clustering (a candidate at one k): quality, stability and how it ranks.

    ``stability`` is the mean adjusted Rand index between the whole-table clustering and its
    refits on ``resamples`` bootstrap draws, ``stability_low``/``stability_high`` its 95% t
    interval; ``known_groups_ari`` the adjusted Rand index against the spec's known groups."""

    name: str
    model: str
    params: dict[str, Any]
    preprocessing: str
    k: int | None
    status: str  # "ok" | "failed"
    n_clusters: int = 0
    smallest_share: float = 0.0  # the share of the rows in the smallest cluster
    noise_share: float = 0.0
    silhouette: float | None = None
    silhouette_rows: int = 0
    calinski_harabasz: float | None = None
    davies_bouldin: float | None = None
    bic: float | None = None
    stability: float | None = None
    stability_low: float | None = None
    stability_high: float | None = None
    resamples: int = 0
    known_groups_ari: float | None = None
    fit_time: float = 0.0
    rank: int | None = None
    verdict: str = ""
    error: str | None = None
    warnings: tuple[str, ...] = ()

    def quality(self, metric: str) -> float | None:
        """The value of ``metric`` ("silhouette", "calinski_harabasz" or "davies_bouldin")."""
        return getattr(self, metric)


@dataclass(frozen=True)
class Segment:
    """One cluster as a person reads it: its size, its share, and the features that set it apart
    from the whole table (largest standardised difference first)."""

    cluster: int  # -1: noise (rows HDBSCAN left out of every cluster)
    size: int
    share: float
    traits: tuple[dict[str, Any], ...]
    summary: str


@dataclass(frozen=True)
class ClusteringResult(Record):
    """Everything one clustering run produced. ``model`` (the chosen clustering, as a pipeline
    that assigns rows to clusters) and ``labels`` (its training clusters) are not serialised."""

    experiment: str
    task: str
    metric: str
    greater_is_better: bool
    seed: int
    spec_hash: str
    spec_text: str
    data: dict[str, Any]
    splits: dict[str, Any]  # how the resamples were drawn
    candidates: tuple[ClusterScore, ...]
    folds: tuple[FoldScore, ...]  # one per clustering and resample: its adjusted Rand index
    winner: str | None
    best: str | None  # the best quality among all clusterings, stable or not
    comparison: dict[str, Any]  # the choice rule and the sentence that explains it
    segments: tuple[Segment, ...]
    known_groups: dict[str, Any] | None
    timings: dict[str, float]
    environment: dict[str, Any]
    created_at: str
    holdout: None = None
    decision: None = None
    model: Any = field(default=None, compare=False, repr=False)
    labels: Any = field(default=None, compare=False, repr=False)
    check_rows: Any = field(default=None, compare=False, repr=False)  # rows to prove a bundle on
    training_rows: Any = field(default=None, compare=False, repr=False)  # the drift reference
    check_target: Any = field(default=None, compare=False, repr=False)
    decision_policy: Any = field(default=None, compare=False, repr=False)
    predictions: Any = field(default=None, compare=False, repr=False)  # none for clustering

    def __post_init__(self) -> None:  # tables of records: .to_frame() gives a DataFrame
        for name in ("candidates", "folds", "segments"):
            object.__setattr__(self, name, Records(getattr(self, name)))

    @property
    def explanation(self) -> str:
        """The sentence that explains the choice."""
        return self.comparison.get("reason", "")

    @property
    def runner_up(self) -> dict[str, Any] | None:
        """The k that other quality measures prefer to the chosen one, and why it was not
        chosen (None when they agree): ``comparison["runner_up"]``."""
        return self.comparison.get("runner_up")

    @property
    def chosen(self) -> ClusterScore | None:
        return next((c for c in self.candidates if c.name == self.winner), None)

    def leaderboard(self) -> Records:
        """Clusterings in rank order; failed ones last (``.to_frame()``: a DataFrame)."""
        return Records(sorted(self.candidates, key=lambda c: (c.rank is None, c.rank or 0)))

    def fold_scores(self, candidate: str) -> np.ndarray:
        """The clustering's adjusted Rand index on each resample, in order."""
        rows = sorted((f.fold, f.score) for f in self.folds if f.candidate == candidate)
        return np.array([score for _, score in rows])

    def to_dict(self) -> dict[str, Any]:
        content = {
            f.name: _plain(getattr(self, f.name))
            for f in fields(self)
            if f.name not in _NOT_SERIALISED
        }
        content["candidates"] = [self._candidate(c) for c in self.candidates]
        return _finite(content)

    def _candidate(self, score: ClusterScore) -> dict[str, Any]:
        """A score with the keys the run store reads: ``mean`` is the quality on the metric."""
        row = asdict(score)
        row.update(
            mean=score.quality(self.metric), std=None, ci_low=None, ci_high=None,
            n_folds=score.resamples, predict_time=0.0,
        )  # fmt: skip
        return row

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, allow_nan=False)

    def _repr_html_(self) -> str:  # Jupyter: the choice in words, then the leaderboard
        return f"<p>{escape(self.explanation)}</p>" + self.leaderboard()._repr_html_()


_NOT_SERIALISED = (
    "model", "labels", "check_rows", "training_rows", "check_target", "decision_policy",
    "predictions",
)  # fmt: skip
