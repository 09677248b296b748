"""Recorded runs: provenance first, the run recorded as it starts and ends, and reproduction
from git (the run's commit in a temporary worktree, its diff re-applied, the data checked)."""

from __future__ import annotations

import json
import math
import os
import time
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from learnburn.backends import Backend
from learnburn.bundles import import_in_background
from learnburn.data import SourceRead
from learnburn.errors import ProvenanceError, ProvenanceWarning
from learnburn.evaluation import ExperimentResult
from learnburn.runs import (
    Provenance,
    RunDetail,
    RunStore,
    capture_diff,
    checkout_worktree,
    collect_provenance,
    compare_environments,
    default_store_location,
    describe_environment,
)
from learnburn.spec import DataSpec, ExperimentSpec, load_spec
from learnburn.workflows._bundle import PREDICTIONS, ShippedBundle, ship_bundle, store_bundle
from learnburn.workflows._decided import decision_differences
from learnburn.workflows._drift import SAMPLE_ROWS
from learnburn.workflows._learn import run_experiment
from learnburn.workflows._snapshots import (
    changes_under_runs,
    data_for_reproduction,
    keep_snapshot,
    warn_no_snapshot,
)
from learnburn.workflows._sources import read_spec_data, with_window
from learnburn.workflows._stages import ProgressCallback, ProgressEvent, peak_memory_mb

HEARTBEAT_SECONDS = 10.0


@dataclass(frozen=True)
class RunOrigin:
    """What started a run besides its spec, e.g. the notebook a run was made in.

    ``provenance`` is recorded with the run's provenance (under its own keys); ``artifacts``
    (name, content, kind) are stored with the run; ``read_files`` are read by the run, so an
    untracked one makes it dirty (and goes into its diff); changes to the ``ignored`` paths
    (repository-relative: a notebook saved with new outputs but committed code) do not."""

    provenance: Mapping[str, Any] = field(default_factory=dict)
    artifacts: tuple[tuple[str, bytes, str], ...] = ()
    read_files: tuple[str, ...] = ()
    ignored: tuple[str, ...] = ()


@dataclass(frozen=True)
class RecordedRun:
    """A run recorded in the store: its id, the result, and the provenance it was recorded with."""

    run_id: str
    result: ExperimentResult
    provenance: dict
    store: str
    bundle: ShippedBundle | None = None  # the bundle written out, when one was asked for


def open_store(url: str | None = None, *, start: str | os.PathLike | None = None) -> RunStore:
    """The run store at ``url``, or the default one: ``.learnburn/`` at the root of the git
    repository holding ``start`` (a spec file or folder; default the cwd). An SQLite file keeps
    its artifacts beside it; a PostgreSQL store keeps them in that default folder."""
    return RunStore.open(url, default_folder=default_store_folder(start))


def default_store_folder(start: str | os.PathLike | None = None) -> Path:
    """``.learnburn`` at the root of the git repository holding ``start`` (default: the cwd)."""
    return default_store_location(Path(start or Path.cwd()).resolve())


def run_and_record(
    spec: ExperimentSpec,
    *,
    store: RunStore,
    jobs: int = 1,
    backend: Backend | None = None,
    progress: ProgressCallback | None = None,
    allow_dirty: bool = False,
    origin: RunOrigin | None = None,
    reference_rows: int = SAMPLE_ROWS,
    bundle: str | os.PathLike | None = None,
    signing_key: Any = None,
    time_budget: float | None = None,
    snapshot: bool = True,
) -> RecordedRun:
    """Check provenance, record the run as running, run it, record how it ended, and write
    the chosen model's bundle to ``bundle`` when asked (``learnburn run --bundle``).

    A dirty tree is refused unless ``allow_dirty``; then the full diff is stored with the run.
    A run that fails is recorded as failed, one that is interrupted as interrupted; nothing is
    lost either way. ``origin`` adds what started the run (a notebook) to its record.
    The run's bundle carries at most ``reference_rows`` training rows for the multivariate
    drift check (0: none, only the aggregate profile). The bundle written to ``bundle`` (a
    NAME.lbm file or a directory, replaced) is signed with ``signing_key`` when one is given;
    nothing is written when no candidate was chosen. ``time_budget`` caps the
    seconds spent tuning (``run_experiment``).
    A table read from a database or from S3 is stored with the run as its snapshot
    (``_snapshots.py``) unless ``snapshot`` is False, which warns that the run then reproduces
    only while its source is unchanged.
    """
    origin = origin or RunOrigin()
    provenance = _provenance(spec, allow_dirty=allow_dirty, origin=origin)
    recorded = provenance.to_dict() | _spec_location(spec, provenance) | dict(origin.provenance)
    window = {key: getattr(spec.data, key) for key in ("since", "until")}
    if any(window.values()):  # --since/--until may replace the spec's: reproduce reads these
        recorded["data_window"] = window
    run_id = store.start_run(
        experiment=spec.name, spec_text=spec.text, spec_hash=spec.content_hash(),
        seed=spec.evaluation.seed, provenance=recorded, environment=describe_environment(),
        source=spec.source,
    )  # fmt: skip
    if provenance.dirty:
        sha, size = store.artifacts.put_bytes(capture_diff(provenance))
        store.add_artifact(run_id, "diff.patch", sha, size, "diff")
    for name, content, kind in origin.artifacts:
        sha, size = store.artifacts.put_bytes(content)
        store.add_artifact(run_id, name, sha, size, kind)
    with recording(store, run_id):
        notify = _with_heartbeat(store, run_id, progress)
        # folds run in other processes: this one imports what the bundle needs meanwhile
        warming = import_in_background() if _folds_elsewhere(backend, jobs) else None
        read = _read_and_keep(spec, store, run_id, snapshot=snapshot, notify=notify)
        result = run_experiment(
            spec, jobs=jobs, backend=backend, progress=notify, time_budget=time_budget, read=read
        )
        if warming is not None:
            warming.join()
        if result.predictions is not None:
            sha, size = store.artifacts.put_bytes(result.predictions.to_parquet(index=False))
            store.add_artifact(run_id, PREDICTIONS, sha, size, "predictions")
        if result.model is not None:
            notify(ProgressEvent("stage", "writing the bundle"))
        bundled = store_bundle(
            store, run_id, result, provenance.to_dict(), reference_rows=reference_rows
        )
        result = _with_bundle_timings(result, bundled)
        record = result.to_dict()
        sha, size = store.artifacts.put_bytes(json.dumps(record, allow_nan=False).encode())
        store.add_artifact(run_id, "result.json", sha, size, "record")
        store.finish_run(run_id, record)
    shipped = None
    if bundle is not None and result.winner is not None:
        shipped = ship_bundle(store, run_id, bundle, signing_key=signing_key)
    return RecordedRun(run_id, result, provenance.to_dict(), store.url, shipped)


def _read_and_keep(spec, store, run_id, *, snapshot: bool, notify) -> SourceRead | None:
    """The spec's table, read here and kept as the run's snapshot when its source can change
    without a commit; None (run_experiment reads it) for a local file."""
    if not changes_under_runs(spec):
        return None
    notify(ProgressEvent("stage", "reading data"))
    read = read_spec_data(spec)
    if snapshot:
        notify(ProgressEvent("stage", "keeping a snapshot of the data read"))
        keep_snapshot(store, run_id, read)
    else:
        warn_no_snapshot(spec, read.source)
    return read


def _folds_elsewhere(backend: Backend | None, jobs: int) -> bool:
    """Whether the folds run in other processes (worker processes, a cluster), leaving this
    one idle; a local backend of one job runs them here."""
    return getattr(backend, "jobs", None) != 1 if backend is not None else jobs != 1


def _with_bundle_timings(result: ExperimentResult, bundled: Mapping[str, float]):
    """The result with the bundle step's seconds (and its parts) in its timings; "total" and
    "peak_memory_mb" then cover the step too."""
    if not bundled:
        return result
    timings = dict(result.timings)
    peak = timings.pop("peak_memory_mb", None)
    timings.update(bundled)
    timings["total"] = timings.get("total", 0.0) + bundled["bundle"]
    if peak is not None:
        timings["peak_memory_mb"] = max(peak, peak_memory_mb())
    return replace(result, timings=timings)


def _provenance(spec: ExperimentSpec, *, allow_dirty: bool, origin: RunOrigin):
    read_files = [Path(spec.source)] if spec.source else []
    data_path = spec.resolve_data_path()
    if spec.data.sql_file is not None:
        read_files.append(Path(spec.resolve_sql_file() or ""))
    elif data_path and "://" not in data_path:
        read_files.append(Path(data_path))
    return check_provenance(
        Path(spec.source or Path.cwd()),
        read_files=[*read_files, *map(Path, origin.read_files)],
        ignored=origin.ignored,
        allow_dirty=allow_dirty,
        what=spec.source or "this experiment",
    )


def check_provenance(
    start: str | os.PathLike,
    *,
    read_files: Sequence[str | os.PathLike] = (),
    ignored: Sequence[str] = (),
    allow_dirty: bool = False,
    what: str = "",
) -> Provenance:
    """The git state of the repository holding ``start``, refused when it is dirty unless
    ``allow_dirty``; changes to the ``ignored`` (repository-relative) paths do not count."""
    provenance = collect_provenance(Path(start), read_files=read_files)
    if ignored:
        changed = tuple(p for p in provenance.changed if p not in ignored)
        untracked = tuple(p for p in provenance.untracked_read if p not in ignored)
        provenance = replace(
            provenance, changed=changed, untracked_read=untracked, dirty=bool(changed or untracked)
        )
    if not provenance.in_git:
        warnings.warn(
            f"{what or start} is not in a git repository: the run is recorded, "
            "but it cannot be reproduced from git",
            ProvenanceWarning,
            stacklevel=4,
        )
    elif provenance.dirty and not allow_dirty:
        changed = [*provenance.changed, *provenance.untracked_read]
        listing = ", ".join(changed[:5]) + (
            f" and {len(changed) - 5} more" if len(changed) > 5 else ""
        )
        raise ProvenanceError(
            f"the repository at {provenance.root} has uncommitted changes: {listing}",
            hint="commit them first (if it is not checked in, it does not exist), or pass "
            "--allow-dirty to run anyway: the diff is stored with the run and it is marked dirty",
        )
    return provenance


def _spec_location(spec: ExperimentSpec, provenance) -> dict:
    """Where the spec and the data are, relative to the repository root where possible."""
    location = {"spec_path": spec.source, "data_path": spec.resolve_data_path()}
    if provenance.in_git and spec.source:
        root = Path(provenance.root).resolve()
        try:
            location["spec_path"] = Path(spec.source).resolve().relative_to(root).as_posix()
        except ValueError:
            location["spec_path"] = str(Path(spec.source).resolve())
    data = location["data_path"]
    if data and "://" not in data:
        location["data_path"] = str(Path(data).resolve())
    return location


@contextmanager
def recording(store: RunStore, run_id: str) -> Iterator[None]:
    """Inside the block, an exception marks the run failed (interrupted for Ctrl+C), then
    propagates: a run never stays 'running' after its work stopped."""
    try:
        yield
    except KeyboardInterrupt:
        store.fail_run(run_id, status="interrupted", error="interrupted by the user")
        raise
    except BaseException as error:
        store.fail_run(run_id, status="failed", error=f"{type(error).__name__}: {error}")
        raise


def _with_heartbeat(store: RunStore, run_id: str, progress: ProgressCallback | None):
    last = [time.monotonic()]

    def on_event(event: ProgressEvent) -> None:
        now = time.monotonic()
        if now - last[0] >= HEARTBEAT_SECONDS:
            store.heartbeat(run_id)
            last[0] = now
        if progress is not None:
            progress(event)

    return on_event


@dataclass(frozen=True)
class Reproduction:
    """The outcome of re-running a recorded run from its commit (and diff): exact when every
    per-fold score and every decision (``workflows/_decided.py``) is the same."""

    run_id: str
    commit: str
    dirty: bool
    exact: bool
    folds_compared: int
    max_difference: float
    worst: dict | None  # the fold with the largest difference
    environment_differences: tuple[str, ...]
    differences: tuple[str, ...]  # each decision that came out otherwise: "what: recorded -> now"
    result: ExperimentResult = field(compare=False, repr=False)
    data_from: str = "source"  # "source", or "snapshot" when the source no longer matches
    data_note: str = ""  # why the snapshot was used, in one sentence


def reproduce_run(
    store: RunStore, run_id: str, *, jobs: int = 1, progress: ProgressCallback | None = None
) -> Reproduction:
    """Check out the run's commit in a temporary worktree, re-apply its diff, check the data
    fingerprint, re-run, and compare every per-fold score and every decision (the splits, the
    chosen candidate, the threshold and calibration, the holdout score, every tuning trial and
    the refit's tuned parameters) with the recorded ones.

    When the data no longer matches the run's fingerprint (a table changed) or cannot be read,
    the run's snapshot is used instead, and the Reproduction says so."""
    detail = store.get_run(run_id)
    provenance = detail.provenance
    if not provenance.get("spec_path"):
        raise ProvenanceError(
            f"run {detail.summary.id} was not run from a spec file (it was made in Python or "
            "is an executed notebook)",
            hint="write its spec with Experiment.to_toml(PATH), commit it and `learnburn run` it",
        )
    if not provenance.get("in_git") or not provenance.get("commit"):
        raise ProvenanceError(
            f"run {detail.summary.id} was not made in a git repository with a commit",
            hint="only runs recorded inside a git repository can be reproduced from git",
        )
    if detail.record is None:
        raise ProvenanceError(
            f"run {detail.summary.id} did not finish ({detail.summary.status}): no scores to match",
            hint="reproduce a finished run (`learnburn runs --status finished`)",
        )
    diff = _stored_diff(store, detail)
    with checkout_worktree(provenance["root"], provenance["commit"], diff=diff) as tree:
        spec = with_window(_spec_in(tree, detail), **provenance.get("data_window", {}))
        read, note = data_for_reproduction(store, spec, detail)
        tuning = detail.record.get("tuning") or {}  # the recorded run's budget, if it had one
        result = run_experiment(
            spec, jobs=jobs, progress=progress, read=read, time_budget=tuning.get("time_budget_s")
        )
    outcome = _compare_reproduction(detail, result)
    return replace(outcome, data_from="snapshot" if note else "source", data_note=note)


def _stored_diff(store: RunStore, detail: RunDetail) -> bytes:
    if not detail.summary.dirty:
        return b""
    patch = next((a for a in detail.artifacts if a.name == "diff.patch"), None)
    if patch is None:
        raise ProvenanceError(
            f"run {detail.summary.id} is marked dirty but its diff is missing from the store",
            hint="`learnburn runs --verify` checks the artifacts",
        )
    return store.artifacts.read_bytes(patch.sha256)


def _spec_in(tree: Path, detail: RunDetail) -> ExperimentSpec:
    """The recorded spec, read from the worktree; data the tree lacks is read where it was."""
    spec_path = tree / detail.provenance["spec_path"]
    spec = load_spec(spec_path) if spec_path.exists() else None
    if spec is None or spec.text != detail.spec_text:
        raise ProvenanceError(
            f"the spec of run {detail.summary.id} is not at {detail.provenance['spec_path']} "
            "in its commit, or differs from the recorded text",
            hint="the run's commit (and diff) must hold the spec it ran",
        )
    local = not spec.data.is_query and "://" not in spec.data.path
    if local and not Path(spec.resolve_data_path()).exists():
        data = DataSpec(**{**asdict(spec.data), "path": detail.provenance["data_path"]})
        spec = replace(spec, data=data, source="")  # an ignored data file: read it where it was
    return spec


def _compare_reproduction(detail: RunDetail, result: ExperimentResult) -> Reproduction:
    recorded = {_fold_key(f): f["score"] for f in detail.record["folds"]}
    again = {_fold_key(asdict(f)): f.score for f in result.folds}
    worst, largest = None, 0.0
    for key in sorted(set(recorded) | set(again)):
        a, b = recorded.get(key), again.get(key)
        difference = _difference(a, b)
        if difference > largest or (worst is None and difference > 0):
            worst, largest = {"candidate": key[0], "repeat": key[1], "fold": key[2], "recorded": a,
                              "reproduced": b}, difference  # fmt: skip
    differences = decision_differences(detail.record, result.to_dict())
    return Reproduction(
        run_id=detail.summary.id,
        commit=detail.provenance["commit"],
        dirty=detail.summary.dirty,
        exact=largest == 0.0 and not differences,
        folds_compared=len(recorded),
        max_difference=largest,
        worst=worst,
        environment_differences=tuple(
            compare_environments(detail.environment, describe_environment())
        ),
        differences=differences,
        result=result,
    )


def _fold_key(fold: dict) -> tuple:
    return (fold["candidate"], fold["repeat"], fold["fold"])


def _difference(a: float | None, b: float | None) -> float:
    if a is None and b is None:
        return 0.0
    if a is None or b is None:
        return float("inf")
    if math.isnan(a) and math.isnan(b):
        return 0.0
    return abs(a - b) if not (math.isnan(a) or math.isnan(b)) else float("inf")
