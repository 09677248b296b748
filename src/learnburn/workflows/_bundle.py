"""Bundles from runs: a recorded run keeps its chosen model as a packed bundle, and
``learnburn bundle RUN`` hands it out, verified."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
import warnings
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from learnburn.bundles import (
    compile_model,
    dump_model,
    save_bundle,
    saved_scoring_summary,
    sign_bundle,
    unpack_bundle,
)
from learnburn.errors import BundleError, LearnburnWarning
from learnburn.evaluation import ExperimentResult
from learnburn.runs import RunStore
from learnburn.workflows._cluster import cluster_meta
from learnburn.workflows._drift import SAMPLE_ROWS, importances_for, reference_for
from learnburn.workflows._registry import (
    ARTIFACT,
    bundle_artifact,
    is_model_reference,
    resolve_model,
)

# the parts of the bundle step in a run's timings, each as "bundle_PART": compiling and proving
# the fast path, the permutation importances, the rest of the drift profile, the skops file,
# packing the bundle (documents, manifest, archive) and keeping it in the artifact store
BUNDLE_TIMINGS = ("fast_path", "importances", "reference", "model", "write", "store")
PREDICTIONS = "predictions.parquet"  # the chosen model's out-of-fold and holdout probabilities


def store_bundle(
    store: RunStore,
    run_id: str,
    result: ExperimentResult,
    provenance: dict,
    *,
    reference_rows: int = SAMPLE_ROWS,
) -> dict[str, float]:
    """Pack the run's chosen model as a bundle and keep it with the run as an artifact; return
    the seconds the step took, whole ("bundle") and by part (see ``BUNDLE_TIMINGS``).

    The bundle carries the training data's drift profile and ``reference_rows`` training rows
    (at most) for the multivariate drift check; 0 leaves the rows out. The fast path is compiled
    once, before the profile, so that the permutation importances are scored by it. The skops
    file is written on a thread meanwhile (it needs neither), so the parts' seconds may add up
    to more than the whole.

    A model that cannot be bundled (an estimator skops cannot save) leaves the run intact: the
    run is recorded without a bundle, with a warning."""
    if result.model is None:
        return {}
    started = time.perf_counter()
    parts: dict[str, float] = {}
    with ThreadPoolExecutor(1, thread_name_prefix="learnburn-skops") as pool:
        dumping = pool.submit(_dump_timed, result.model)  # deflating lets go of the GIL
        with _timed(parts, "fast_path"):
            check = result.check_rows
            scores = callable(getattr(result.model, "predict_proba", None))  # else save says
            compiled = compile_model(result.model, check) if check is not None and scores else None
        with _timed(parts, "importances"):
            importances = importances_for(result, compiled)
        with _timed(parts, "reference"):
            reference, sample = reference_for(
                result, sample_rows=reference_rows, importances=importances
            )
    with tempfile.TemporaryDirectory(prefix="learnburn-bundle-") as folder:
        path = Path(folder) / ARTIFACT
        try:
            model_file, parts["model"] = dumping.result()
            save_bundle(
                result.model, path, schema=result.data["schema"], classes=_classes(result),
                meta=_meta(run_id, result, provenance), decision=_decision(result),
                calibrator=_calibrator(result), check_rows=check, compiled=compiled,
                reference=reference, reference_sample=sample, timings=parts,
                model_file=model_file,
            )  # fmt: skip
        except BundleError as error:
            warnings.warn(
                f"run {run_id} is recorded without a bundle: {error}",
                LearnburnWarning,
                stacklevel=2,
            )
            return {}
        with _timed(parts, "store"):
            sha, size = store.artifacts.put_file(path)
    store.add_artifact(run_id, ARTIFACT, sha, size, "bundle")
    timings = {"bundle": time.perf_counter() - started}
    return timings | {f"bundle_{name}": parts.get(name, 0.0) for name in BUNDLE_TIMINGS}


def _dump_timed(model: Any) -> tuple[bytes, float]:
    """The model's skops bytes and the seconds they took."""
    started = time.perf_counter()
    return dump_model(model), time.perf_counter() - started


@contextmanager
def _timed(timings: dict[str, float], name: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        timings[name] = timings.get(name, 0.0) + time.perf_counter() - started


def export_bundle(
    store: RunStore, run_id: str, output: str | os.PathLike, *, overwrite: bool = False
) -> Path:
    """Write the bundle of a recorded run (or of a model version: ``models:/NAME@ALIAS``,
    ``models:/NAME/VERSION``) to ``output``: a packed file when it ends in ".lbm", else a
    directory. The artifact's sha256 is verified on the way out."""
    if is_model_reference(run_id):
        data = store.artifacts.read_bytes(resolve_model(store, run_id).bundle_sha256)
    else:
        detail = store.get_run(run_id)
        artifact = bundle_artifact(detail)
        if artifact is None:
            raise BundleError(
                f"run {detail.summary.id} ({detail.summary.status}) has no bundle",
                hint="only finished runs keep one; `learnburn show RUN` lists a run's artifacts",
            )
        data = store.artifacts.read_bytes(artifact.sha256)
    target = Path(output)
    if target.exists() and not overwrite:
        raise BundleError(
            f"{target} already exists", hint="pass --force to replace it, or choose another path"
        )
    with tempfile.TemporaryDirectory(prefix="learnburn-bundle-") as folder:
        packed = Path(folder) / ARTIFACT
        packed.write_bytes(data)
        if target.name.endswith(".lbm"):
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(packed, target)
            return target
        return unpack_bundle(packed, target, overwrite=overwrite)


@dataclass(frozen=True)
class ShippedBundle:
    """A run's bundle written out: where, and what scores it (its scoring summary)."""

    path: Path
    scoring: str


def ship_bundle(
    store: RunStore, run_id: str, output: str | os.PathLike, *, signing_key: Any = None
) -> ShippedBundle:
    """Write the run's bundle to ``output`` (replaced; see ``export_bundle``), signed with
    ``signing_key`` (a private key, ``bundles.read_private_key``) when one is given. Its scoring
    summary is the one its fast path was proven with when the run saved it (that bundle, just
    saved: its proof is not run a second time)."""
    written = export_bundle(store, run_id, output, overwrite=True)
    if signing_key is not None:
        sign_bundle(written, signing_key)
    return ShippedBundle(written, saved_scoring_summary(written))


def _meta(run_id: str, result: ExperimentResult, provenance: dict) -> dict[str, Any]:
    record = result.to_dict()  # JSON-ready: undefined numbers are null
    chosen = next((c for c in record["candidates"] if c["name"] == result.winner), {})
    return {
        "run_id": run_id,
        "experiment": result.experiment,
        "commit": provenance.get("commit"),
        "dirty": bool(provenance.get("dirty")),
        "target": record["data"]["target"],
        "data_fingerprint": record["data"]["fingerprint"],
        "metric": result.metric,
        "candidate": {k: chosen.get(k) for k in ("name", "model", "params", "preprocessing")},
        "cross_validation": {k: chosen.get(k) for k in ("mean", "ci_low", "ci_high", "n_folds")},
        "holdout": record["holdout"],
        "choice": record["comparison"].get("reason"),
        "training": _training(record),
    } | (cluster_meta(result) if result.task == "clustering" else {})


def _classes(result: ExperimentResult) -> list:
    """The labels the model predicts: the target's classes, or a clustering's clusters."""
    if result.task == "clustering":
        return [int(label) for label in result.model.classes_]
    return result.data["classes"]


def _training(record: dict[str, Any]) -> dict[str, Any]:
    """What fitting the chosen model cost, for sizing retraining: the final fit's seconds and
    rows, and the run's peak memory (resident set, MB)."""
    holdout = record.get("holdout") or {}
    splits = record.get("splits") or {}
    return {
        "fit_seconds": holdout.get("fit_time"),
        "rows": splits.get("development_rows"),
        "peak_memory_mb": (record.get("timings") or {}).get("peak_memory_mb"),
    }


def _decision(result: ExperimentResult) -> dict | None:
    return result.decision


def _calibrator(result: ExperimentResult) -> dict | None:
    policy = result.decision_policy
    if policy is None or policy.calibrator is None:
        return None
    return policy.calibrator.to_dict()
