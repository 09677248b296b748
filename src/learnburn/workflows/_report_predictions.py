"""What a run's stored predictions show, for its report: the chosen model's curves (ROC,
precision-recall, reliability), the confusion matrix at its decision rule and the expected cost
at each threshold. Pure functions of the predictions frame and the run's bundle."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from learnburn._report_records import Confusion, CostCurve, Curves


def curves_of(predictions: pd.DataFrame, classes: list[str]) -> Curves:
    """The curves of each split present; empty where a split holds a single class."""
    from sklearn.metrics import average_precision_score, precision_recall_curve, roc_curve

    roc, pr, calibration = {}, {}, {}
    base = None
    for split in ("out-of-fold", "holdout"):
        part = predictions[predictions["split"] == split]
        if part.empty:
            continue
        truth, score = _binary_view(part, classes)
        if len(np.unique(truth)) < 2:
            continue
        fpr, tpr, _ = roc_curve(truth, score)
        roc[split] = (fpr, tpr, float(np.trapezoid(tpr, fpr)))
        precision, recall, _ = precision_recall_curve(truth, score)
        pr[split] = (recall, precision, float(average_precision_score(truth, score)))
        calibration[split] = _reliability(truth, score)
        base = float(np.mean(truth)) if base is None else base
    return Curves(roc, pr, calibration, base_rate=base or 0.0, pooled=len(classes) > 2)


def confusion_of(predictions: pd.DataFrame, classes: list[str], bundle: Any) -> Confusion:
    """Counts at the bundle's decision rule (the most probable class without a bundle) on the
    holdout rows, else on the first repeat out of fold."""
    where = "holdout" if (predictions["split"] == "holdout").any() else "out-of-fold"
    part = predictions[predictions["split"] == where]
    if where == "out-of-fold":
        part = part[part["repeat"] == part["repeat"].min()]
    proba = part[[f"proba_{i}" for i in range(len(classes))]].to_numpy()
    decided = _decide(bundle, proba, classes)
    truth = part["target"].to_numpy()
    matrix = np.array([[int(np.sum((truth == t) & (decided == d))) for d in classes]
                       for t in classes])  # fmt: skip
    return Confusion(matrix, tuple(classes), split=where, rows=len(part))


def cost_curve_of(
    predictions: pd.DataFrame, classes: list[str], decision: dict, bundle: Any
) -> CostCurve:
    """Expected cost per 1,000 out-of-fold decisions at thresholds 0, 0.01, ..., 1 on the
    (calibrated) probability of the second class."""
    oof = predictions[predictions["split"] == "out-of-fold"]
    score = _calibrated(bundle, oof[["proba_0", "proba_1"]].to_numpy())[:, 1]
    thresholds = np.linspace(0.0, 1.0, 101)
    cost = np.asarray(decision["cost"], dtype=float)
    truth_index = (oof["target"].to_numpy() == classes[1]).astype(int)
    costs = [1000 * float(np.mean(cost[truth_index, (score >= t).astype(int)])) for t in thresholds]
    return CostCurve(thresholds, np.asarray(costs), decision["threshold"])


def _binary_view(part: pd.DataFrame, classes: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(truth 0/1, score) for curves: the positive class for two classes; for more, every
    class one-vs-rest, pooled."""
    proba = part[[f"proba_{i}" for i in range(len(classes))]].to_numpy()
    target = part["target"].to_numpy()
    if len(classes) == 2:
        return (target == classes[1]).astype(int), proba[:, 1]
    onehot = np.column_stack([(target == c).astype(int) for c in classes])
    return onehot.ravel(), proba.ravel()


def _reliability(truth: np.ndarray, score: np.ndarray, bins: int = 10):
    edges = np.unique(np.quantile(score, np.linspace(0, 1, bins + 1)))
    index = np.clip(np.searchsorted(edges, score, side="right") - 1, 0, max(len(edges) - 2, 0))
    predicted, observed = [], []
    for b in np.unique(index):
        mask = index == b
        predicted.append(float(score[mask].mean()))
        observed.append(float(truth[mask].mean()))
    return np.asarray(predicted), np.asarray(observed)


def _decide(bundle: Any, proba: np.ndarray, classes: list[str]) -> np.ndarray:
    if bundle is None:
        return np.asarray(classes)[np.argmax(proba, axis=1)]
    return np.asarray([str(v) for v in bundle.decide_proba(proba)])


def _calibrated(bundle: Any, proba: np.ndarray) -> np.ndarray:
    if bundle is None or bundle.calibrator is None:
        return proba
    return bundle.calibrator.transform(proba)
