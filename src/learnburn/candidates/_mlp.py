"""A tabular multilayer perceptron, trained with PyTorch, that behaves like a scikit-learn
classifier.

It is here so that "does this model need a GPU?" can be measured for the kind of model where
it might: the same candidate trains on the CPU or on a CUDA device (``device="auto"`` picks
the device when ``fit`` runs), and ``learnburn profile`` / ``benchmarks/gpu_check.sh`` compare
the two.

What a fitted model holds is plain: ``coefs_`` and ``intercepts_`` (float32 numpy arrays, as
scikit-learn's ``MLPClassifier`` names them), ``classes_``, the loss curve and the device used.
Saving it with skops therefore stores no torch objects, and scoring on the CPU is a numpy
forward pass: a bundle of this model loads and serves without PyTorch installed. Only ``fit``
(and scoring on a CUDA device) imports torch.

Training: ReLU hidden layers with dropout, a softmax output (two units for two classes), Adam
with weight decay on the cross-entropy, mini-batches shuffled by a generator seeded from
``random_state``, and early stopping on a stratified validation share (the weights of the best
epoch are kept). The same seed, data and thread count give the same weights on the CPU.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted


class TabularMLPClassifier(ClassifierMixin, BaseEstimator):
    """A feed-forward network for tables: ``hidden_layers`` layers of ``hidden_units`` ReLU
    units with ``dropout``, trained with Adam (``learning_rate``, ``weight_decay``) in
    mini-batches of ``batch_size`` for at most ``max_epochs`` epochs, stopping after
    ``patience`` epochs without a better validation loss on ``validation_fraction`` of the rows.
    ``device`` is ``"auto"`` (fit on CUDA when present), ``"cpu"`` or ``"cuda"``. Scoring runs
    in numpy on the CPU unless ``device="cuda"`` (set it on a fitted model to score on the GPU).
    ``n_jobs`` is the number of CPU threads torch uses while fitting."""

    def __init__(
        self,
        hidden_units: int = 64,
        hidden_layers: int = 2,
        dropout: float = 0.1,
        learning_rate: float = 1e-3,
        weight_decay: float = 1e-4,
        batch_size: int = 256,
        max_epochs: int = 100,
        patience: int = 8,
        validation_fraction: float = 0.1,
        device: str = "auto",
        n_jobs: int = 1,
        random_state: int | None = None,
    ) -> None:
        self.hidden_units = hidden_units
        self.hidden_layers = hidden_layers
        self.dropout = dropout
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.patience = patience
        self.validation_fraction = validation_fraction
        self.device = device
        self.n_jobs = n_jobs
        self.random_state = random_state

    def fit(self, X: Any, y: Any) -> TabularMLPClassifier:
        from learnburn.candidates._mlp_torch import train

        features = _dense(X)
        labels, codes = np.unique(np.asarray(y), return_inverse=True)
        if len(labels) < 2:
            raise ValueError(f"the target needs at least two classes, got {len(labels)}")
        result = train(self, features, codes.astype(np.int64), len(labels))
        self.classes_ = labels
        self.n_features_in_ = features.shape[1]
        self.coefs_ = result.coefs
        self.intercepts_ = result.intercepts
        self.loss_curve_ = result.loss_curve
        self.validation_curve_ = result.validation_curve
        self.best_epoch_ = result.best_epoch
        self.n_epochs_ = len(result.loss_curve)
        self.device_ = result.device
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "coefs_")
        features = _dense(X)
        if features.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {features.shape[1]} features, but the network was fitted on "
                f"{self.n_features_in_}"
            )
        if self.device == "cuda":
            from learnburn.candidates._mlp_torch import forward_on_device

            return forward_on_device(self.coefs_, self.intercepts_, features, "cuda")
        return forward(self.coefs_, self.intercepts_, features)

    def predict(self, X: Any) -> np.ndarray:
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


def forward(coefs: list[np.ndarray], intercepts: list[np.ndarray], X: np.ndarray) -> np.ndarray:
    """The network's class probabilities for ``X``, in numpy (float32 inside, float64 out)."""
    hidden = X
    for weights, bias in zip(coefs[:-1], intercepts[:-1], strict=True):
        hidden = np.maximum(hidden @ weights + bias, 0.0)
    logits = hidden @ coefs[-1] + intercepts[-1]
    logits = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(logits)
    return (exp / exp.sum(axis=1, keepdims=True)).astype(np.float64)


def _dense(X: Any) -> np.ndarray:
    """``X`` as a C-ordered float32 array (sparse one-hot output is made dense)."""
    if hasattr(X, "toarray"):
        X = X.toarray()
    array = np.ascontiguousarray(np.asarray(X, dtype=np.float32))
    if array.ndim != 2:
        raise ValueError(f"X must be two-dimensional, got shape {array.shape}")
    if not np.isfinite(array).all():
        raise ValueError("X holds NaN or infinite values; impute them before the network")
    return array
