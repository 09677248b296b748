"""The report of one recorded run: the leaderboard, the comparison, the chosen model's curves and
decision, and the provenance, from the run store alone (the result record, the stored
predictions and the run's bundle)."""

from __future__ import annotations

import io
import tempfile
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from learnburn.reports import _charts as charts
from learnburn.reports._page import Section, number, page, significant, size
from learnburn.runs import RunDetail, RunStore
from learnburn.workflows import export_bundle
from learnburn.workflows._bundle import PREDICTIONS


def run_report(store: RunStore, run_id: str) -> str:
    """The HTML report of the run ``run_id`` (an id or a unique prefix)."""
    detail = store.get_run(run_id)
    summary = detail.summary
    title = f"{summary.experiment}: run {summary.id[:12]}"
    lead = (
        f"{summary.status} · started {summary.started_at} · metric {summary.metric or '–'} · "
        f"chosen {summary.winner or '–'}"
    )
    return page(title, lead, run_sections(store, detail))


def run_sections(store: RunStore, detail: RunDetail) -> list[Section]:
    """The run's sections, for the run report and the bundle report."""
    record = detail.record
    if not record or record.get("task", "classification") != "classification":
        return [_summary_only(detail), provenance(detail)]
    predictions = _artifact_frame(store, detail, PREDICTIONS)
    classes = [str(c) for c in record["data"]["classes"]]
    bundle = _bundle(store, detail)
    return [
        _summary(detail, record),
        _leaderboard(record),
        _comparison(record),
        _curves(predictions, classes),
        _decision(record, predictions, classes, bundle),
        provenance(detail),
    ]


# -- sections -------------------------------------------------------------------------------------


def _summary_only(detail: RunDetail) -> Section:
    section = Section("summary", "Summary")
    section.text(f"Run {detail.summary.id} is {detail.summary.status}.")
    if detail.error:
        section.text(f"Error: {detail.error}", css="bad")
    if detail.record is None:
        section.text("The run has no result record (it did not finish, or is a notebook run).")
    return section


def _summary(detail: RunDetail, record: dict) -> Section:
    section = Section("summary", "Summary")
    comparison = record.get("comparison") or {}
    data = record["data"]
    section.text(
        f"{data['rows']:,} rows of {data['source']}, target '{data['target']}' "
        f"({len(data['classes'])} classes); {record['splits']['method']} with "
        f"{record['splits']['folds']} folds x {record['splits']['repeats']} repeats; "
        f"{record['splits']['holdout_rows']:,} rows held out."
    )
    if comparison.get("reason"):
        section.text(comparison["reason"])
    holdout = record.get("holdout")
    if holdout:
        interval = holdout.get("interval") or {}
        band = (
            f" (95% interval {interval['low']:.4f} to {interval['high']:.4f})"
            if interval.get("low") is not None
            else ""
        )
        section.text(
            f"On the {holdout['rows']:,} holdout rows, {holdout['candidate']} scored "
            f"{record['metric']} {holdout['score']:.4f}{band}."
        )
    if detail.summary.dirty:
        section.text(
            "The run was recorded from uncommitted changes (dirty); its diff is stored with it.",
            css="bad",
        )
    return section


def _leaderboard(record: dict) -> Section:
    section = Section("leaderboard", "Leaderboard")
    ranked = sorted(record["candidates"], key=lambda c: (c["rank"] is None, c["rank"] or 0))
    comparison = record.get("comparison") or {}
    sizes = comparison.get("costs") or {}
    rows = [
        (
            c["rank"], c["name"], c["mean"], f"{number(c['ci_low'])} to {number(c['ci_high'])}",
            c.get("p_better"), c.get("p_equivalent"), c.get("p_worse"),
            c.get("verdict") or c.get("error") or "", significant(c["fit_time"]),
            significant(_milliseconds(c.get("predict_time"))),
            size(c.get("model_bytes") if c.get("model_bytes") is not None
                 else sizes.get(c["name"])),
        )
        for c in ranked
    ]  # fmt: skip
    chosen_by = comparison.get("cost")
    section.table(
        ["rank", "candidate", f"mean {record['metric']}", "95% interval", "P(better)",
         "P(equivalent)", "P(worse)", "verdict against the best", "fit s per fold",
         "predict ms per fold", "model size"],
        rows, numeric=(0, 2, 4, 5, 6, 8, 9, 10),
        caption=f"Candidates on the same folds; probabilities against the best "
        f"(ROPE ±{comparison.get('rope', 0)})",
    )  # fmt: skip
    if chosen_by and comparison.get("policy") == "simplest-equivalent":
        section.text(
            "Simplest-equivalent choice: among the candidates practically equivalent to the best, "
            f"the smallest model is chosen (model size column; {chosen_by}).",
            css="note",
        )
    ok = [c for c in ranked if c["status"] == "ok"]
    if ok:
        section.charts(
            charts.leaderboard(
                [c["name"] for c in ok], [c["mean"] for c in ok], [c["ci_low"] for c in ok],
                [c["ci_high"] for c in ok], record.get("winner"), record["metric"],
            )
        )  # fmt: skip
    return section


def _comparison(record: dict) -> Section:
    section = Section("comparison", "Comparison")
    comparison = record.get("comparison") or {}
    if comparison.get("method"):
        section.text(f"Method: {comparison['method']}.", css="note")
    ranked = sorted(
        (c for c in record["candidates"] if c["status"] == "ok"), key=lambda c: c["rank"] or 0
    )
    names = [c["name"] for c in ranked]
    matrix = comparison.get("p_better") or {}
    scores: dict[str, list[float]] = {name: [] for name in names}
    for fold in record.get("folds", []):
        if fold["candidate"] in scores and fold.get("error") is None:
            scores[fold["candidate"]].append(fold["score"])
    section.charts(
        charts.probability_matrix(names, matrix) if len(names) > 1 and matrix else None,
        charts.fold_scores({n: np.asarray(v) for n, v in scores.items() if v}, record["metric"])
        if any(scores.values())
        else None,
    )
    return section


def _curves(predictions: pd.DataFrame | None, classes: list[str]) -> Section:
    section = Section("curves", "The chosen model's curves")
    if predictions is None or predictions.empty:
        return section.text("This run has no stored predictions (recorded by an older learnburn).")
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
    if not roc:
        return section.text("The stored predictions hold a single class: no curves to draw.")
    if len(classes) > 2:
        section.text(
            "More than two classes: the curves pool every class one-vs-rest (micro-average); "
            "calibration is that of the most probable class.",
            css="note",
        )
    section.charts(
        charts.roc(roc), charts.precision_recall(pr, base or 0.0), charts.calibration(calibration)
    )
    return section


def _decision(
    record: dict, predictions: pd.DataFrame | None, classes: list[str], bundle: Any
) -> Section:
    section = Section("decision", "Decision")
    decision = record.get("decision")
    if decision is None:
        section.text("No costs were set: the decision is the most probable class.")
    else:
        expected = decision.get("expected_cost") or {}
        rule = (
            f"threshold {decision['threshold']:.4f} on P({classes[-1]})"
            if decision.get("kind") == "threshold"
            else "the least expected cost class"
        )
        section.text(
            f"Decision: {rule}, calibration {decision.get('calibration', 'none')}; expected cost "
            f"{number(expected.get('per_1000'), 1)} per 1,000 decisions out of fold "
            f"(95% interval {number(expected.get('low'), 1)} to {number(expected.get('high'), 1)})."
        )
        section.table(
            ["truth \\ decision", *classes],
            [(classes[i], *map(significant, row)) for i, row in enumerate(decision["cost"])],
            caption="Cost of each decision for each true class", numeric=range(1, len(classes) + 1),
        )  # fmt: skip
    if predictions is None or predictions.empty:
        return section
    where = "holdout" if (predictions["split"] == "holdout").any() else "out-of-fold"
    part = predictions[predictions["split"] == where]
    if where == "out-of-fold":
        part = part[part["repeat"] == part["repeat"].min()]
    proba = part[[f"proba_{i}" for i in range(len(classes))]].to_numpy()
    decided = _decide(bundle, proba, classes)
    truth = part["target"].to_numpy()
    matrix = np.array([[int(np.sum((truth == t) & (decided == d))) for d in classes]
                       for t in classes])  # fmt: skip
    section.charts(charts.confusion(matrix, classes, f"{where}, {len(part):,} rows"))
    if decision is not None and decision.get("kind") == "threshold" and len(classes) == 2:
        oof = predictions[predictions["split"] == "out-of-fold"]
        score = _calibrated(bundle, oof[["proba_0", "proba_1"]].to_numpy())[:, 1]
        thresholds = np.linspace(0.0, 1.0, 101)
        cost = np.asarray(decision["cost"], dtype=float)
        truth_index = (oof["target"].to_numpy() == classes[1]).astype(int)
        costs = [
            1000 * float(np.mean(cost[truth_index, (score >= t).astype(int)])) for t in thresholds
        ]
        section.charts(charts.cost_curve(thresholds, np.asarray(costs), decision["threshold"]))
    return section


def provenance(detail: RunDetail) -> Section:
    """Where the run came from: commit, dirty mark, data fingerprint, spec, environment."""
    section = Section("provenance", "Provenance")
    p = detail.provenance or {}
    record = detail.record or {}
    fingerprint = (record.get("data") or {}).get("fingerprint") or {}
    libraries = (detail.environment or {}).get("libraries") or {}
    rows = [
        ("run", detail.summary.id),
        ("commit", p.get("commit") or "not in git"),
        ("branch", p.get("branch") or "–"),
        ("dirty", "yes: uncommitted changes (diff stored)" if detail.summary.dirty else "no"),
        ("spec", p.get("spec_path") or "–"),
        ("spec hash", detail.spec_hash),
        ("data", p.get("data_path") or (record.get("data") or {}).get("source") or "–"),
        ("data fingerprint", fingerprint.get("sha256") or detail.summary.data_hash or "–"),
        ("seed", detail.seed),
        ("python", (detail.environment or {}).get("python", "–")),
        ("platform", (detail.environment or {}).get("platform", "–")),
        ("artifacts", ", ".join(a.name for a in detail.artifacts) or "–"),
    ]
    section.table(["", "value"], rows, caption="How to reproduce this run")
    if libraries:
        section.table(["library", "version"], sorted(libraries.items()), caption="Library versions")
    return section


def _milliseconds(seconds: float | None) -> float | None:
    return None if seconds is None else 1000 * seconds


# -- data -----------------------------------------------------------------------------------------


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


def _artifact_frame(store: RunStore, detail: RunDetail, name: str) -> pd.DataFrame | None:
    ref = next((a for a in detail.artifacts if a.name == name), None)
    if ref is None:
        return None
    return pd.read_parquet(io.BytesIO(store.artifacts.read_bytes(ref.sha256)))


def _bundle(store: RunStore, detail: RunDetail) -> Any:
    """The run's own bundle, verified (for its decision rule and calibrator), or None."""
    from learnburn.bundles import load_bundle
    from learnburn.errors import BundleError

    with tempfile.TemporaryDirectory(prefix="learnburn-report-") as folder:
        try:
            path = export_bundle(store, detail.summary.id, Path(folder) / "bundle.lbm")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # another library version: the rule still reads
                return load_bundle(path, lazy=True)
        except BundleError:  # no bundle (the model could not be saved), or a damaged one
            return None
