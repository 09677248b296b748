"""The drift report: plain, inspectable records with a JSON form (no NaN: None instead)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from learnburn._records import Record


@dataclass(frozen=True)
class ColumnDrift(Record):
    """Drift of one column (or of the predicted scores) against its reference profile.

    ``effect`` is the normalised Wasserstein distance (numeric) or the Jensen-Shannon distance,
    natural log (categorical); ``psi_null`` the PSI that no-drift data exceeds with probability
    ``alpha``; ``p_value`` the chi-square homogeneity p-value and ``p_adjusted`` its value after
    the correction across columns. ``test``, ``statistic`` and ``threshold`` are what the preset
    decided on.
    """

    name: str
    kind: str
    rows_reference: int
    rows_current: int
    effect: float | None
    effect_name: str
    ks_d: float | None
    psi: float
    psi_null: float
    p_value: float
    p_adjusted: float | None
    missing_reference: float
    missing_current: float
    unknown: int
    new_categories: tuple[str, ...]
    test: str
    statistic: float | None
    threshold: float
    drifted: bool

    @property
    def psi_exceeds_null(self) -> bool:
        """PSI above what no drift would give with probability 1 - alpha."""
        return self.psi > self.psi_null

    def to_dict(self) -> dict:
        data = {key: finite_json(value) for key, value in self.__dict__.items()}
        data["new_categories"] = list(self.new_categories)
        data["psi_exceeds_null"] = self.psi_exceeds_null
        return data


@dataclass(frozen=True)
class RankedFeature(Record):
    """A drifted feature's effect weighted by its share of the model's importance."""

    name: str
    effect: float | None
    importance: float
    weighted: float

    def to_dict(self) -> dict:
        return {key: finite_json(value) for key, value in self.__dict__.items()}


@dataclass(frozen=True)
class DriftReport(Record):
    """Drift of current data against a reference profile, under one preset's rule.

    ``drifted`` is the dataset verdict; ``columns`` the features in reference order; ``scores``
    the predicted scores (None when not given); ``multivariate`` the domain-classifier record
    (None when no reference sample was given); ``ranking`` the drifted features, most important
    drift first; ``clusters`` the shares of a clustering model's clusters, each listed in
    ``cluster_shares`` (None and empty for other models); ``scored_rows`` the current rows the
    scores and cluster shares were computed on when that is a seeded sample of fewer than
    ``rows_current`` (None: every row).
    """

    preset: str
    rule: str
    alpha: float
    correction: str | None
    rows_reference: int
    rows_current: int
    drifted: bool
    columns: tuple[ColumnDrift, ...]
    scores: ColumnDrift | None
    multivariate: dict | None
    ranking: tuple[RankedFeature, ...]
    clusters: ColumnDrift | None = None  # a clustering bundle's cluster shares
    cluster_shares: tuple[dict, ...] = ()  # each cluster's share: reference, current, change
    scored_rows: int | None = None  # scores on a seeded sample of this many current rows

    @property
    def drifted_columns(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns if column.drifted)

    @property
    def share_drifted(self) -> float:
        return len(self.drifted_columns) / len(self.columns) if self.columns else 0.0

    def summary(self) -> str:
        """One paragraph a person can read: verdict, what drifted, and under which rule."""
        verdict = "Drift" if self.drifted else "No drift"
        names = ", ".join(self.drifted_columns) or "none"
        parts = [
            f"{verdict} ({self.preset} rule: {self.rule}).",
            f"{len(self.drifted_columns)} of {len(self.columns)} features drifted: {names}.",
        ]
        sampled = (
            f" (on a seeded sample of {self.scored_rows:,} of the {self.rows_current:,} rows)"
            if self.scored_rows is not None
            else ""
        )
        if self.scores is not None:
            verdict = "drifted" if self.scores.drifted else "stable"
            parts.append(f"Predicted scores {verdict}{sampled}.")
        if self.clusters is not None:
            moved = max(self.cluster_shares, key=lambda c: abs(c["change"]), default=None)
            detail = (
                f" (largest change: cluster {moved['cluster']} {moved['reference']:.0%} -> "
                f"{moved['current']:.0%})"
                if moved
                else ""
            )
            parts.append(
                f"Cluster shares {'drifted' if self.clusters.drifted else 'stable'}{detail}"
                f"{sampled}."
            )
        if self.multivariate is not None and self.multivariate.get("auc") is not None:
            mv = self.multivariate
            parts.append(
                f"Domain classifier AUC {mv['auc']:.3f} [{mv['low']:.3f}, {mv['high']:.3f}]"
                f"{', drift' if mv['drifted'] else ''}."
            )
        parts.append(
            f"Reference {self.rows_reference} rows, current {self.rows_current} rows, "
            f"alpha {self.alpha}, correction {self.correction or 'none'}."
        )
        return " ".join(parts)

    def to_dict(self) -> dict:
        return {
            "preset": self.preset,
            "rule": self.rule,
            "alpha": self.alpha,
            "correction": self.correction,
            "rows_reference": self.rows_reference,
            "rows_current": self.rows_current,
            "drifted": self.drifted,
            "share_drifted": self.share_drifted,
            "drifted_columns": list(self.drifted_columns),
            "columns": [column.to_dict() for column in self.columns],
            "scores": None if self.scores is None else self.scores.to_dict(),
            "multivariate": None if self.multivariate is None else finite_json(self.multivariate),
            "ranking": [feature.to_dict() for feature in self.ranking],
            "clusters": None if self.clusters is None else self.clusters.to_dict(),
            "cluster_shares": [finite_json(share) for share in self.cluster_shares],
            "scored_rows": self.scored_rows,
        }


def finite_json(value):
    """``value`` with NaN and infinite floats as None (JSON has neither), tuples as lists and
    dict keys as text."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(key): finite_json(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite_json(item) for item in value]
    return value
