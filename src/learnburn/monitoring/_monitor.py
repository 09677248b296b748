"""Monitor captured traffic window by window (``monitor_capture``): drift of each feature and of
the scores against the bundle's reference (``check_drift``, sample-size-aware), the decision
rate, the estimated performance (CBPE, ``_performance.py``), the realised performance on rows
whose labels have arrived, and the alerts each window raises.

The reference performance is the CBPE estimate on the reference's own score distribution (the
holdout scores the bundle profiled, rebuilt from their quantiles, ``REFERENCE_ROWS`` of them):
what the model expects of rows like those it was checked on. A window raises an alert when

- a metric (estimated or realised ROC AUC or accuracy) has its whole interval more than
  ``tolerance`` below the reference, or the decision cost has its interval more than
  ``tolerance`` x the largest cost above it: a loss beyond what the cadence accepts, with the
  window's sample size taken into account;
- a realised metric falls outside the estimated interval by more than the tolerance: the
  probabilities no longer hold on these rows (the concept changed), whatever the estimate says;
- a feature whose share of the model's importance is at least ``important_share`` drifted.

The verdict (``MonitorReport.retrain``) reads the evidence of now: the alerts of the latest
window, and the realised alerts of the latest window that has labels (labels arrive late).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd

from learnburn.bundles import Bundle
from learnburn.errors import DataError, DriftError
from learnburn.monitoring._drift import compare_with_reference
from learnburn.monitoring._monitor_report import MonitorReport, WindowReport
from learnburn.monitoring._performance import (
    METRICS,
    NONE,
    Estimate,
    estimate_performance,
    realised_performance,
)
from learnburn.monitoring._reference import PROBABILITIES
from learnburn.monitoring._reference_check import check_reference
from learnburn.serving._capture import PROBA_PREFIX

REFERENCE_ROWS = 20_000
TOLERANCE = 0.01  # as `learnburn cadence --tolerance`: the loss accepted, in metric units
IMPORTANT_SHARE = 0.1  # a feature with this share of the importance or more is important
HIGHER_IS_BETTER = {"roc_auc": True, "accuracy": True, "cost": False}

Windows = Iterable[tuple[pd.Timestamp, pd.Timestamp, pd.DataFrame]]


def monitor_capture(
    windows: Windows,
    bundle: Bundle,
    *,
    labels: pd.DataFrame | None = None,
    window: str = "1d",
    tolerance: float = TOLERANCE,
    important_share: float = IMPORTANT_SHARE,
    preset: str = "learnburn",
    alpha: float = 0.05,
    correction: str | None = "holm",
    confidence: float = 0.95,
    seed: int = 0,
    on_window: Callable[[WindowReport], None] | None = None,
) -> MonitorReport:
    """The report of every window of captured rows (``capture_windows``); ``labels`` has
    ``event_id``, ``label`` and optionally ``row`` (0 when absent)."""
    if bundle.reference is not None:
        check_reference(bundle.reference, f"the reference of bundle '{bundle.path}'")
    binary = len(bundle.classes) == 2 and bundle.reference is not None
    cost = _cost(bundle)
    reference = _reference_performance(bundle, cost, confidence) if binary else {}
    importance = _importances(bundle)
    labelled = _label_index(labels, bundle) if labels is not None else None
    reports = []
    for start, end, frame in windows:
        report = _window(
            start, end, frame, bundle, cost, reference, importance, labelled,
            tolerance=tolerance, important_share=important_share, preset=preset, alpha=alpha,
            correction=correction, confidence=confidence, seed=seed,
        )  # fmt: skip
        reports.append(report)
        if on_window is not None:
            on_window(report)
    retrain, reason = _verdict(reports)
    return MonitorReport(
        window=window,
        tolerance=tolerance,
        classes=tuple(str(c) for c in bundle.classes),
        reference={name: reference.get(name) for name in METRICS},
        windows=tuple(reports),
        labels_given=labels is not None,
        retrain=retrain,
        reason=reason,
    )


def _window(start, end, frame, bundle, cost, reference, importance, labelled, **options):
    classes = [str(c) for c in bundle.classes]
    proba = frame[[PROBA_PREFIX + c for c in classes]].to_numpy(dtype=float)
    chosen = {c: (frame["decision"] == c).to_numpy(dtype=bool) for c in classes}
    shares = {c: float(np.mean(chosen[c])) for c in classes}
    drift = None
    if bundle.reference is not None:
        drift = compare_with_reference(
            bundle.reference, frame[list(bundle.columns)], current_scores=_score(proba),
            preset=options["preset"], alpha=options["alpha"], correction=options["correction"],
        )  # fmt: skip
    estimated = realised = dict.fromkeys(METRICS, NONE)
    labelled_rows = 0
    if reference:
        positive = _calibrated(bundle, proba)
        decided = chosen[classes[1]]
        estimated = estimate_performance(
            proba[:, 1], positive, decided, cost,
            confidence=options["confidence"], seed=options["seed"],
        )  # fmt: skip
        if labelled is not None:
            truth = _join(frame, labelled)
            known = truth >= 0
            labelled_rows = int(known.sum())
            realised = realised_performance(
                proba[known, 1], truth[known] == 1, decided[known], cost,
                confidence=options["confidence"],
            )  # fmt: skip
    alerts = _alerts(
        estimated, realised, reference, drift, importance, cost,
        options["tolerance"], options["important_share"],
    )  # fmt: skip
    return WindowReport(
        start=start.isoformat(),
        end=end.isoformat(),
        rows=len(frame),
        events=int(np.count_nonzero(frame["row"].to_numpy() == 0)),  # each event has a row 0
        decision_shares=shares,
        drift=drift,
        estimated=estimated,
        realised=realised,
        labelled_rows=labelled_rows,
        alerts=tuple(alerts),
    )


def _alerts(estimated, realised, reference, drift, importance, cost, tolerance, share):
    alerts = []
    scale = {"roc_auc": 1.0, "accuracy": 1.0, "cost": float(np.abs(cost).max()) or 1.0}
    for kind, values in (("estimated", estimated), ("realised", realised)):
        for metric in METRICS:
            line = _loss(kind, metric, values[metric], reference.get(metric), tolerance, scale)
            if line:
                alerts.append(line)
    for metric in METRICS:
        got, expected = realised[metric], estimated[metric]
        margin = tolerance * scale[metric]
        if (
            got.known
            and expected.known
            and not (expected.low - margin <= got.value <= expected.high + margin)
        ):
            alerts.append(
                f"realised {_name(metric)} {got.value:.3f} lies outside the estimated "
                f"[{expected.low:.3f}, {expected.high:.3f}]: the probabilities no longer hold "
                "(the concept changed)"
            )
    if drift is not None:
        for name in drift.drifted_columns:
            weight = importance.get(name, 0.0)
            if weight >= share:
                alerts.append(f"important feature {name} drifted (importance share {weight:.2f})")
    return alerts


def _loss(kind, metric, value: Estimate, reference, tolerance, scale) -> str | None:
    if not value.known or reference is None:
        return None
    margin = tolerance * scale[metric]
    if HIGHER_IS_BETTER[metric]:
        if value.high < reference - margin:
            return (
                f"{kind} {_name(metric)} {value.value:.3f} [{value.low:.3f}, {value.high:.3f}] "
                f"is below the reference {reference:.3f} by more than {margin:g}"
            )
        return None
    if value.low > reference + margin:
        return (
            f"{kind} {_name(metric)} {value.value:.3f} [{value.low:.3f}, {value.high:.3f}] "
            f"is above the reference {reference:.3f} by more than {margin:g}"
        )
    return None


def _verdict(reports: list[WindowReport]) -> tuple[bool, str]:
    if not reports:
        return False, "no captured rows to judge"
    latest = reports[-1]
    labelled = [r for r in reports if r.labelled_rows]
    evidence = [(latest, a) for a in latest.alerts if not a.startswith("realised")]
    if labelled:
        last = labelled[-1]
        evidence += [(last, a) for a in last.alerts if a.startswith("realised")]
    if not evidence:
        where = f"; labels up to {labelled[-1].start[:10]}" if labelled else "; no labels"
        when = latest.start[:16].replace("T", " ")
        return False, f"no retraining needed: the window of {when} UTC raised no alert{where}"
    window, alert = evidence[0]
    more = f" (and {len(evidence) - 1} more)" if len(evidence) > 1 else ""
    when = window.start[:16].replace("T", " ")
    return True, f"retrain: in the window of {when} UTC, {alert}{more}"


def _reference_performance(bundle: Bundle, cost, confidence: float) -> dict[str, float]:
    profile = bundle.reference.get("scores")
    if not profile or not profile.get("quantiles"):
        return {}
    rows = min(int(profile["count"]), REFERENCE_ROWS)
    grid = (np.arange(rows) + 0.5) / rows
    scores = np.interp(grid, PROBABILITIES, np.asarray(profile["quantiles"], dtype=float))
    proba = np.column_stack([1.0 - scores, scores])
    decided = np.asarray(bundle.decide_proba(proba)).astype(str) == str(bundle.classes[1])
    values = estimate_performance(
        scores, _calibrated(bundle, proba), decided, cost, confidence=confidence
    )
    return {name: value.value for name, value in values.items() if value.known}


def _calibrated(bundle: Bundle, proba: np.ndarray) -> np.ndarray:
    if bundle.calibrator is None:
        return proba[:, 1]
    return bundle.calibrator.transform(proba)[:, 1]


def _score(proba: np.ndarray) -> np.ndarray:
    return proba[:, 1] if proba.shape[1] == 2 else proba.max(axis=1)


def _cost(bundle: Bundle) -> np.ndarray:
    decision = bundle.decision or {}
    if decision.get("cost") is not None:
        return np.asarray(decision["cost"], dtype=float)
    k = len(bundle.classes)
    return 1.0 - np.eye(k)  # no costs given: every mistake costs 1 (cost = error rate)


def _importances(bundle: Bundle) -> dict[str, float]:
    given = (bundle.reference or {}).get("importances")
    if given:
        total = sum(max(v, 0.0) for v in given.values())
        return {k: max(v, 0.0) / total if total else 0.0 for k, v in given.items()}
    columns = list(bundle.columns)
    return dict.fromkeys(columns, 1 / max(len(columns), 1))


def _label_index(labels: pd.DataFrame, bundle: Bundle) -> pd.Series:
    """Each labelled row's class index (0, 1, ...), indexed by its key (``_keys``)."""
    if "event_id" not in labels.columns or "label" not in labels.columns:
        raise DataError(
            f"the labels have columns {list(labels.columns)[:10]}, not event_id and label",
            hint="give a CSV or Parquet file with columns event_id, label (and row for "
            "requests of several rows)",
        )
    classes = [str(c) for c in bundle.classes]
    values = labels["label"]
    if pd.api.types.is_float_dtype(values) and (values.dropna() % 1 == 0).all():
        values = values.astype("Int64")  # 1.0 read from a CSV column with gaps is class 1
    missing = values.isna().to_numpy()
    text = values.astype(str).to_numpy(dtype=object)
    codes = pd.Index(classes).get_indexer(text)
    unknown = sorted(set(text[(codes < 0) & ~missing]))
    if unknown:
        raise DataError(
            f"the labels hold {unknown[:5]}, which are not the bundle's classes {classes}",
            hint="give each event's true class as the model names it",
        )
    rows = labels["row"].to_numpy() if "row" in labels.columns else None
    keys = _keys(labels["event_id"], rows)
    truth = pd.Series(codes.astype(np.int64), index=pd.Index(keys))[~missing]
    return truth[~truth.index.duplicated(keep="last")]


def _join(frame: pd.DataFrame, truth: pd.Series) -> np.ndarray:
    """Each captured row's class index from the labels, -1 when unlabelled."""
    where = truth.index.get_indexer(_keys(frame["event_id"], frame["row"].to_numpy()))
    return np.where(where >= 0, truth.to_numpy()[where], -1)


def _keys(event_ids: pd.Series, rows: np.ndarray | None) -> np.ndarray:
    """One 64-bit hash per row of its event id (row 0, as most requests are one row) or of
    ``event_id/row``: joining by hash is a join of integers, not of text."""
    text = event_ids.astype(str).reset_index(drop=True)
    if rows is not None:
        rows = np.asarray(rows).astype(np.int64)
        later = np.flatnonzero(rows != 0)
        if later.size:
            text = text.astype(object)
            text.iloc[later] = [f"{text.iloc[i]}/{rows[i]}" for i in later]
    return pd.util.hash_pandas_object(text, index=False).to_numpy()


def _name(metric: str) -> str:
    return {"roc_auc": "ROC AUC", "accuracy": "accuracy", "cost": "decision cost"}[metric]


def check_monitor_settings(tolerance: float, important_share: float) -> None:
    for name, value in (("tolerance", tolerance), ("important_share", important_share)):
        if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
            raise DriftError(
                f"{name} must be a number >= 0, got {value!r}",
                hint="the defaults: tolerance 0.01, important_share 0.1",
            )
