"""What a report shows, gathered: a run's report record from the run store (its result record,
its stored predictions and its own bundle), and a bundle's from the bundle, its run when the
store holds it, and the JSON records other commands wrote. ``reports`` renders them."""

from __future__ import annotations

import io
import json
import os
import tempfile
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from learnburn._report_records import BundleFacts, BundleReport, RunFacts, RunLine, RunReport
from learnburn.bundles import load_bundle
from learnburn.errors import BundleError, LearnburnError, RunStoreError
from learnburn.runs import RunDetail, RunStore, RunSummary
from learnburn.workflows._bundle import PREDICTIONS, export_bundle
from learnburn.workflows._notebook import notebook_results
from learnburn.workflows._report_predictions import confusion_of, cost_curve_of, curves_of


def gather_run_report(store: RunStore, run_id: str) -> RunReport:
    """The report record of the run ``run_id`` (an id or a unique prefix)."""
    return report_of(store, store.get_run(run_id))


def report_of(store: RunStore, detail: RunDetail, *, notebook: bool = False) -> RunReport:
    """The report record of a run read from ``store``; with ``notebook``, a notebook run's
    results too."""
    facts = run_facts(detail)
    results = notebook_results(store, detail) if notebook else None
    report = RunReport(facts, notebook=results)
    if not report.classification:
        return report
    predictions = _artifact_frame(store, detail, PREDICTIONS)
    if predictions is None or predictions.empty:
        return report
    record = detail.record
    classes = [str(c) for c in record["data"]["classes"]]
    bundle = _bundle(store, detail)
    decision = record.get("decision")
    threshold = decision is not None and decision.get("kind") == "threshold"
    return RunReport(
        facts,
        predictions=True,
        curves=curves_of(predictions, classes),
        confusion=confusion_of(predictions, classes, bundle),
        cost_curve=cost_curve_of(predictions, classes, decision, bundle)
        if threshold and len(classes) == 2
        else None,
        notebook=results,
    )


def gather_bundle_report(
    path: str | os.PathLike,
    *,
    store: RunStore | None = None,
    profile: Mapping[str, Any] | None = None,
    cost: Mapping[str, Any] | None = None,
    drift: Mapping[str, Any] | None = None,
    cadence: Mapping[str, Any] | None = None,
    trusted: tuple[str, ...] = (),
) -> BundleReport:
    """The report record of the bundle at ``path``, with its run's report when ``store`` holds
    the run it came from, and the other records given."""
    bundle = load_bundle(path, trusted=trusted, lazy=True)
    facts = bundle_facts(bundle, Path(path))
    run, missing = None, None
    if store is not None and isinstance(facts.run_id, str):
        try:
            detail = store.get_run(facts.run_id)
        except (RunStoreError, BundleError):
            missing = store.url
        else:
            run = report_of(store, detail)
    return BundleReport(
        facts, run=run, run_missing_from=missing, profile=_given(profile), cost=_given(cost),
        drift=_given(drift), cadence=_given(cadence),
    )  # fmt: skip


def read_record(path: str | os.PathLike | None, what: str) -> dict | None:
    """A JSON record written by another learnburn command, or None when ``path`` is None."""
    if path is None:
        return None
    source = Path(path)
    if not source.is_file():
        raise LearnburnError(f"no {what} file at '{source}'", hint="check the path")
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LearnburnError(
            f"{source} is not a JSON {what} record: {exc}",
            hint=f"pass the file `learnburn {what} ... --json` (or -o) wrote",
        ) from exc
    if not isinstance(data, dict):
        raise LearnburnError(f"{source} is not a JSON object", hint="pass the record as written")
    return data


def run_line(summary: RunSummary) -> RunLine:
    """The run list's line of a run."""
    return RunLine(
        id=summary.id, experiment=summary.experiment, status=summary.status,
        started_at=summary.started_at, metric=summary.metric, winner=summary.winner,
        score=summary.score, holdout=summary.holdout, commit=summary.commit,
        dirty=summary.dirty, data_hash=summary.data_hash,
    )  # fmt: skip


def run_facts(detail: RunDetail) -> RunFacts:
    """What a page shows of a recorded run."""
    return RunFacts(
        line=run_line(detail.summary), spec_text=detail.spec_text, spec_hash=detail.spec_hash,
        seed=detail.seed, provenance=detail.provenance, environment=detail.environment,
        record=detail.record, error=detail.error,
        artifacts=tuple(a.name for a in detail.artifacts),
    )  # fmt: skip


def bundle_facts(bundle: Any, path: Path) -> BundleFacts:
    """What a loaded bundle holds, for its report."""
    meta = bundle.meta
    training = meta.get("training") or {}
    return BundleFacts(
        file=path.name,
        size_bytes=_size(path),
        version=bundle.manifest.get("version"),
        classes=tuple(str(c) for c in bundle.classes),
        columns=len(bundle.columns),
        scoring=bundle.scoring_summary,
        scoring_path=bundle.scoring_path,
        decision=(bundle.decision or {}).get("kind", "most probable class"),
        reference=bool(bundle.reference),
        fit_seconds=training.get("fit_seconds"),
        saved_with=dict(meta.get("saved_with") or {}),
        importances=dict((bundle.reference or {}).get("importances") or {}),
        experiment=meta.get("experiment"),
        candidate=(meta.get("candidate") or {}).get("name"),
        run_id=meta.get("run_id"),
    )


def _given(record: Mapping[str, Any] | None) -> dict | None:
    return dict(record) if record else None


def _artifact_frame(store: RunStore, detail: RunDetail, name: str) -> pd.DataFrame | None:
    ref = next((a for a in detail.artifacts if a.name == name), None)
    if ref is None:
        return None
    return pd.read_parquet(io.BytesIO(store.artifacts.read_bytes(ref.sha256)))


def _bundle(store: RunStore, detail: RunDetail) -> Any:
    """The run's own bundle, verified (for its decision rule and calibrator), or None."""
    with tempfile.TemporaryDirectory(prefix="learnburn-report-") as folder:
        try:
            path = export_bundle(store, detail.summary.id, Path(folder) / "bundle.lbm")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # another library version: the rule still reads
                return load_bundle(path, lazy=True)
        except BundleError:  # no bundle (the model could not be saved), or a damaged one
            return None


def _size(path: Path) -> int:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.iterdir() if p.is_file())
    return path.stat().st_size
