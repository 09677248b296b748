"""The PyTorch half of ``TabularMLPClassifier``: training, and scoring on a CUDA device.

Imported only by ``fit`` (and by ``predict_proba`` with ``device="cuda"``), so that a fitted
network scores, and its bundle loads, without PyTorch.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import torch
from sklearn.model_selection import train_test_split
from torch import nn

DEVICES = ("auto", "cpu", "cuda")


class NetworkSettings(Protocol):
    """What training reads of a ``TabularMLPClassifier``: its constructor arguments."""

    hidden_units: int
    hidden_layers: int
    dropout: float
    learning_rate: float
    weight_decay: float
    batch_size: int
    max_epochs: int
    patience: int
    validation_fraction: float
    device: str
    n_jobs: int
    random_state: int | None


@dataclass(frozen=True)
class Trained:
    coefs: list[np.ndarray]
    intercepts: list[np.ndarray]
    loss_curve: list[float]
    validation_curve: list[float]
    best_epoch: int
    device: str


def train(settings: NetworkSettings, X: np.ndarray, codes: np.ndarray, n_classes: int) -> Trained:
    """Fit the network that ``settings`` describes on ``X`` (float32) and class codes."""
    _check(settings)
    device = resolve_device(settings.device)
    seed = 0 if settings.random_state is None else int(settings.random_state)
    X_fit, X_val, y_fit, y_val = _validation_split(X, codes, settings.validation_fraction, seed)
    devices = [] if device == "cpu" else None  # the RNGs restored afterwards, CUDA's too
    with _threads(settings.n_jobs), _deterministic(), torch.random.fork_rng(devices=devices):
        generator = torch.Generator().manual_seed(seed)
        torch.manual_seed(seed)  # the layers' initial weights
        network = _network(X.shape[1], n_classes, settings).to(device)
        optimiser = torch.optim.Adam(
            network.parameters(), lr=settings.learning_rate, weight_decay=settings.weight_decay
        )
        loss_fn = nn.CrossEntropyLoss()
        fit_x = torch.from_numpy(X_fit).to(device)
        fit_y = torch.from_numpy(y_fit).to(device)
        val_x = torch.from_numpy(X_val).to(device) if len(X_val) else None
        val_y = torch.from_numpy(y_val).to(device) if len(y_val) else None
        losses: list[float] = []
        validation: list[float] = []
        best = (float("inf"), 0, _weights(network))
        for epoch in range(settings.max_epochs):
            network.train()
            order = torch.randperm(len(fit_x), generator=generator).to(device)
            total = 0.0
            for start in range(0, len(order), settings.batch_size):
                batch = order[start : start + settings.batch_size]
                optimiser.zero_grad()
                loss = loss_fn(network(fit_x[batch]), fit_y[batch])
                loss.backward()
                optimiser.step()
                total += float(loss.detach()) * len(batch)
            losses.append(total / len(order))
            score = _validation_loss(network, loss_fn, val_x, val_y, losses[-1])
            validation.append(score)
            if score < best[0] - 1e-6:
                best = (score, epoch, _weights(network))
            elif epoch - best[1] >= settings.patience:
                break
    coefs, intercepts = best[2]
    return Trained(coefs, intercepts, losses, validation, best[1], device)


def forward_on_device(
    coefs: list[np.ndarray], intercepts: list[np.ndarray], X: np.ndarray, device: str
) -> np.ndarray:
    """The class probabilities for ``X`` computed by torch on ``device``."""
    with torch.inference_mode():
        hidden = torch.from_numpy(X).to(device)
        for index, (weights, bias) in enumerate(zip(coefs, intercepts, strict=True)):
            hidden = hidden @ torch.from_numpy(weights).to(device) + torch.from_numpy(bias).to(
                device
            )
            if index < len(coefs) - 1:
                hidden = torch.relu(hidden)
        return torch.softmax(hidden, dim=1).double().cpu().numpy()


def resolve_device(device: str) -> str:
    """``"cuda"`` or ``"cpu"`` for the ``device`` setting when fitting: ``"auto"`` is CUDA when
    torch sees a device."""
    if device not in DEVICES:
        raise ValueError(f"device must be one of {', '.join(DEVICES)}, got {device!r}")
    if device == "cpu":
        return "cpu"
    import torch

    if torch.cuda.is_available():
        return "cuda"
    if device == "cuda":
        raise ValueError("device='cuda' was asked for, but torch sees no CUDA device")
    return "cpu"


def _check(settings: NetworkSettings) -> None:
    whole = {
        "hidden_units": 1, "hidden_layers": 0, "batch_size": 1, "max_epochs": 1, "patience": 1,
        "n_jobs": 1,
    }  # fmt: skip
    for name, low in whole.items():
        value = getattr(settings, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
    if not 0.0 <= settings.dropout < 1.0:
        raise ValueError(f"dropout must be in [0, 1), got {settings.dropout!r}")
    if not 0.0 <= settings.validation_fraction < 1.0:
        raise ValueError(
            f"validation_fraction must be in [0, 1), got {settings.validation_fraction!r}"
        )
    for name in ("learning_rate", "weight_decay"):
        if getattr(settings, name) < 0:
            raise ValueError(f"{name} must be >= 0, got {getattr(settings, name)!r}")


def _validation_split(
    X: np.ndarray, codes: np.ndarray, fraction: float, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A stratified validation share for early stopping; none when it would be too small."""
    n_classes = len(np.unique(codes))
    if fraction == 0 or round(len(X) * fraction) < 2 * n_classes:
        empty = np.empty((0, X.shape[1]), dtype=X.dtype)
        return X, empty, codes, np.empty(0, dtype=codes.dtype)
    stratify = codes if np.bincount(codes).min() >= 2 else None
    return train_test_split(X, codes, test_size=fraction, random_state=seed, stratify=stratify)


def _network(n_features: int, n_classes: int, settings: NetworkSettings) -> nn.Sequential:
    layers: list[nn.Module] = []
    width = n_features
    for _ in range(settings.hidden_layers):
        layers += [nn.Linear(width, settings.hidden_units), nn.ReLU()]
        if settings.dropout > 0:
            layers.append(nn.Dropout(settings.dropout))
        width = settings.hidden_units
    layers.append(nn.Linear(width, n_classes))
    return nn.Sequential(*layers)


def _validation_loss(network, loss_fn, val_x, val_y, training_loss: float) -> float:
    """The loss on the validation rows (the training loss when there are none)."""
    if val_x is None:
        return training_loss
    network.eval()
    with torch.inference_mode():
        return float(loss_fn(network(val_x), val_y))


def _weights(network: nn.Sequential) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The linear layers' weights as scikit-learn lays them out: (in, out) and (out,)."""
    linear = [layer for layer in network if isinstance(layer, nn.Linear)]
    coefs = [layer.weight.detach().cpu().numpy().T.copy() for layer in linear]
    intercepts = [layer.bias.detach().cpu().numpy().copy() for layer in linear]
    return coefs, intercepts


@contextlib.contextmanager
def _threads(count: int) -> Iterator[None]:
    """torch uses ``count`` CPU threads inside the block (folds already run in parallel)."""
    before = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(before)


@contextlib.contextmanager
def _deterministic() -> Iterator[None]:
    """Deterministic kernels inside the block, and denormal floats flushed to zero (Adam's
    second moments of tiny gradients become denormal, which made CPU training ~10x slower);
    both as they were afterwards (torch cannot report the denormal setting: off, its
    default)."""
    before = torch.are_deterministic_algorithms_enabled()
    torch.use_deterministic_algorithms(True, warn_only=True)
    torch.set_flush_denormal(True)
    try:
        yield
    finally:
        torch.set_flush_denormal(False)
        torch.use_deterministic_algorithms(before)
