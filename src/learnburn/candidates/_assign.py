"""``ClusterAssigner``: a clusterer made into an estimator that assigns new rows to clusters.

Fitting clones and fits the clusterer, then keeps only what assignment needs: the cluster
centres (the mean of each cluster's rows) and, for a mixture, the fitted mixture. Clusters are
numbered by size, largest first (``0`` is the largest), so labels read the same across refits.

- ``predict_proba``: for a mixture, its membership probabilities. For every other family, a soft
  assignment from the distances to the centres: ``p_j ∝ exp(-d_j² / (2 · temperature · σ²))``,
  where ``σ²`` is the pooled within-cluster variance per dimension on the training rows (the
  mean squared distance of a row to its own centre, divided by the number of dimensions). That
  is the posterior of an equal-weight isotropic Gaussian mixture with that variance, so a row
  half-way between two centres gets 0.5 each and a row at its centre nearly 1.
- ``predict``: the most probable cluster (for k-means, the nearest centre, as ``KMeans.predict``).
- ``transform``: the Euclidean distance to each centre.

Families without a ``predict`` of their own (agglomerative, HDBSCAN) assign new rows to the
nearest centre of their clusters; HDBSCAN's noise (label ``-1`` in training) is never assigned
to a new row. ``fit_predict`` returns the training labels, noise included.

Saved (skops or pickle), a fitted assigner keeps what assignment needs and drops its unfitted
``clusterer`` parameter (see ``__getstate__``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.utils.validation import check_is_fitted

NOISE = -1


class ClusterAssigner(ClassifierMixin, BaseEstimator):
    """Fit ``clusterer`` and assign rows to its clusters with membership probabilities."""

    def __init__(self, clusterer: Any = None, temperature: float = 1.0) -> None:
        self.clusterer = clusterer
        self.temperature = temperature

    def __getstate__(self) -> dict:
        """A fitted assigner is saved without its (unfitted) ``clusterer``: assignment needs
        only the centres or the mixture, and skops cannot store every clusterer (Birch). A
        loaded assigner assigns rows; it is not refitted."""
        state = super().__getstate__()
        if "centres_" in state:
            state = {**state, "clusterer": None}
        return state

    def fit(self, X: Any, y: Any = None) -> ClusterAssigner:
        self.fit_predict(X)
        return self

    def fit_predict(self, X: Any, y: Any = None) -> np.ndarray:
        """Fit, and return each training row's cluster (``-1``: noise)."""
        if self.clusterer is None:
            raise ValueError("ClusterAssigner needs a clusterer, got None")
        matrix = _dense(X)
        fitted = clone(self.clusterer).fit(matrix)
        raw = getattr(fitted, "labels_", None)
        raw = np.asarray(fitted.predict(matrix) if raw is None else raw)
        is_mixture = callable(getattr(fitted, "predict_proba", None))
        found = np.arange(fitted.n_components) if is_mixture else np.unique(raw[raw != NOISE])
        sizes = np.array([np.sum(raw == label) for label in found])
        order = found[np.argsort(-sizes, kind="stable")]  # order[new] = old label
        labels = np.full(len(raw), NOISE)
        for new, old in enumerate(order):
            labels[raw == old] = new
        self.classes_ = np.arange(len(order))
        self.n_features_in_ = matrix.shape[1]
        self.centres_ = self._centres(matrix, labels, fitted, order)
        self.scale_ = _within_variance(matrix, labels, self.centres_)
        self.mixture_ = fitted if is_mixture else None
        self.order_ = order
        self.bic_ = float(fitted.bic(matrix)) if hasattr(fitted, "bic") else None
        return labels

    def _centres(self, matrix, labels, fitted, order) -> np.ndarray:
        if hasattr(fitted, "means_"):
            return np.asarray(fitted.means_, dtype=float)[order]
        if len(order) == 0:
            return np.zeros((0, matrix.shape[1]))
        return np.vstack([matrix[labels == new].mean(axis=0) for new in range(len(order))])

    def transform(self, X: Any) -> np.ndarray:
        """The Euclidean distance of each row to each cluster's centre."""
        return np.sqrt(self._squared_distances(X))

    def predict_proba(self, X: Any) -> np.ndarray:
        """Membership probabilities, one column per cluster of ``classes_``."""
        check_is_fitted(self, "centres_")
        if self.mixture_ is not None:
            return self.mixture_.predict_proba(_dense(X))[:, self.order_]
        logits = -self._squared_distances(X) / (2.0 * self.temperature * self.scale_)
        logits -= logits.max(axis=1, keepdims=True)
        weights = np.exp(logits)
        return weights / weights.sum(axis=1, keepdims=True)

    def predict(self, X: Any) -> np.ndarray:
        """The most probable cluster of each row."""
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def _squared_distances(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "centres_")
        matrix = _dense(X)
        if len(self.classes_) == 0:
            raise ValueError("the clusterer found no cluster, so no row can be assigned")
        centres = self.centres_
        squared = (
            np.sum(matrix**2, axis=1)[:, None]
            - 2.0 * matrix @ centres.T
            + np.sum(centres**2, axis=1)[None, :]
        )
        return np.maximum(squared, 0.0)


def _dense(X: Any) -> np.ndarray:
    matrix = X.toarray() if sparse.issparse(X) else np.asarray(X)
    return matrix.astype(float, copy=False)


def _within_variance(matrix: np.ndarray, labels: np.ndarray, centres: np.ndarray) -> float:
    """Mean squared distance of a clustered row to its centre, per dimension (> 0)."""
    kept = labels != NOISE
    if not kept.any() or matrix.shape[1] == 0:
        return 1.0
    gaps = matrix[kept] - centres[labels[kept]]
    variance = float(np.mean(np.sum(gaps**2, axis=1))) / matrix.shape[1]
    return variance if variance > 1e-12 else 1e-12
