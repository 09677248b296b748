"""Does a GPU pay off? The same models fitted and scored on the CPU and on a CUDA device.

``compare_devices`` fits XGBoost (``device="cuda"``) and learnburn's tabular MLP on a numeric
table, on each device asked for, and times scoring by batch size; ``speedups`` turns the
records into CPU-time / GPU-time ratios (above 1: the GPU is faster). ``learnburn profile``
runs it on rows drawn from the bundle's schema when a CUDA device is present;
``benchmarks/gpu_check.sh`` runs it on a larger generated table.

``cuda_devices`` says which model libraries can reach a CUDA device here and why not, so a CPU
machine (or a CPU build of torch) is reported in words rather than failing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from learnburn.profiling._timing import time_calls

MODELS = ("xgboost", "mlp")
BATCH_SIZES = (1, 100, 10_000)


def cuda_devices() -> dict[str, str | None]:
    """For each model, None when it can run on CUDA here, else the reason it cannot."""
    reasons: dict[str, str | None] = {}
    try:
        import torch

        has_torch_cuda = torch.cuda.is_available()
        torch_reason = None if has_torch_cuda else f"torch {torch.__version__} sees no CUDA device"
    except ImportError:
        torch_reason = "torch is not installed (pip install 'learnburn[torch]')"
    reasons["mlp"] = torch_reason
    try:
        import xgboost

        built = xgboost.build_info().get("USE_CUDA", False)
        reasons["xgboost"] = None if built else "this xgboost build has no CUDA support"
        if built and not gpu_listing():
            reasons["xgboost"] = "no CUDA device was found (nvidia-smi -L)"
    except ImportError:
        reasons["xgboost"] = "xgboost is not installed (pip install 'learnburn[boosting]')"
    return reasons


def compare_devices(
    X: np.ndarray,
    y: np.ndarray,
    *,
    devices: Sequence[str] = ("cpu", "cuda"),
    models: Sequence[str] = MODELS,
    batch_sizes: Sequence[int] = BATCH_SIZES,
    seed: int = 0,
    budget_s: float = 1.0,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Fit and score each model on each device: fit seconds, scoring latency by batch size,
    and the holdout AUC (a quarter of the rows), so a faster device that learns worse shows."""
    say = progress or (lambda message: None)
    X = np.ascontiguousarray(X, dtype=np.float32)
    codes = np.unique(y, return_inverse=True)[1]
    cut = len(X) * 3 // 4
    records = []
    for model in models:
        for device in devices:
            say(f"fitting {model} on {device} ({cut:,} rows)")
            estimator = _estimator(model, device, seed)
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # xgboost: data copied between devices
                estimator.fit(X[:cut], codes[:cut])
            fit_s = time.perf_counter() - start
            say(f"scoring {model} on {device}")
            scoring = [_latency(estimator, X[cut:], size, budget_s) for size in batch_sizes]
            proba = _proba(estimator, X[cut:])
            auc = _auc(codes[cut:], proba)
            records.append({
                "model": model, "device": device, "fit_rows": cut, "fit_s": round(fit_s, 4),
                "scoring": scoring, "holdout_auc": auc,
            })  # fmt: skip
    return {
        "rows": len(X),
        "features": X.shape[1],
        "records": records,
        "speedups": speedups(records),
    }


def speedups(records: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per model: CPU time / CUDA time for fitting and for each batch size (above 1: the GPU
    is faster)."""
    by = {(r["model"], r["device"]): r for r in records}
    out = []
    for model in dict.fromkeys(r["model"] for r in records):
        cpu, gpu = by.get((model, "cpu")), by.get((model, "cuda"))
        if cpu is None or gpu is None:
            continue
        scoring = {
            str(c["batch_rows"]): round(c["p50_ms"] / g["p50_ms"], 3)
            for c, g in zip(cpu["scoring"], gpu["scoring"], strict=True)
            if g["p50_ms"] > 0
        }
        out.append({
            "model": model,
            "fit": round(cpu["fit_s"] / gpu["fit_s"], 3) if gpu["fit_s"] > 0 else None,
            "scoring_by_batch_rows": scoring,
        })  # fmt: skip
    return out


def numeric_table(frame: pd.DataFrame) -> np.ndarray:
    """A float32 matrix for any table: numbers with missing values at the median, everything
    else one-hot encoded."""
    parts = []
    for name in frame.columns:
        column = frame[name]
        if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
            values = column.astype(float)
            parts.append(values.fillna(values.median() if values.notna().any() else 0.0))
        else:
            parts.append(pd.get_dummies(column.astype("string"), prefix=str(name), dtype=float))
    joined = pd.concat(parts, axis=1) if parts else pd.DataFrame(index=frame.index)
    return joined.to_numpy(dtype=np.float32)


def _estimator(model: str, device: str, seed: int) -> Any:
    if model == "xgboost":
        from xgboost import XGBClassifier

        return XGBClassifier(
            n_estimators=200, max_depth=6, tree_method="hist", device=device,
            random_state=seed, n_jobs=os.cpu_count(),
        )  # fmt: skip
    if model == "mlp":
        from learnburn.candidates._mlp import TabularMLPClassifier

        # a fixed number of epochs (no early stopping), so both devices do the same work
        return TabularMLPClassifier(
            hidden_units=256, hidden_layers=3, batch_size=1024, max_epochs=10,
            patience=10, validation_fraction=0.0, device=device, n_jobs=os.cpu_count() or 1,
            random_state=seed,
        )  # fmt: skip
    raise ValueError(f"unknown model {model!r}: choose from {', '.join(MODELS)}")


def _proba(estimator: Any, X: np.ndarray) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return estimator.predict_proba(X)


def _latency(estimator: Any, X: np.ndarray, size: int, budget_s: float) -> dict[str, Any]:
    """The median and p99 time to score ``size`` rows (the rows repeated when fewer)."""
    batch = np.resize(X, (size, X.shape[1])) if len(X) < size else X[:size]
    return time_calls(lambda: _proba(estimator, batch), size, budget_s, at_least=3, at_most=500)


def _auc(codes: np.ndarray, proba: np.ndarray) -> float | None:
    if len(np.unique(codes)) < 2:
        return None
    if proba.shape[1] == 2:
        return round(float(roc_auc_score(codes, proba[:, 1])), 4)
    return round(float(roc_auc_score(codes, proba, multi_class="ovr")), 4)


def gpu_listing() -> list[str]:
    """The CUDA devices ``nvidia-smi -L`` lists (empty without the tool or a device)."""
    tool = shutil.which("nvidia-smi")
    if tool is None:
        return []
    try:
        listing = subprocess.run([tool, "-L"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return []
    if listing.returncode != 0:
        return []
    return [line for line in listing.stdout.splitlines() if line.startswith("GPU ")]
