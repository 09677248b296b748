"""Snapshots of what a run read from a source that can change under it (a database query, an
object in S3): the table as read, stored as Parquet in the run store's artifact store.

The artifact store addresses files by the sha256 of their bytes, and the Parquet written here
is the same bytes for the same table, so runs that read the same data share one snapshot. A
run started with ``snapshot=False`` (tables too big to keep) records none, with a warning:
it reproduces only while its source is unchanged. ``reproduce`` reads the source first and
uses the snapshot only when the source's fingerprint no longer matches the run's (or the source
cannot be read), and says so.
"""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from learnburn.data import SourceRead, is_object_url
from learnburn.errors import DataError, ProvenanceError, ProvenanceWarning
from learnburn.runs import RunDetail, RunStore
from learnburn.spec import ExperimentSpec
from learnburn.workflows._sources import prepare_spec_data, read_spec_data

SNAPSHOT = "data-snapshot.parquet"
KIND = "snapshot"


def changes_under_runs(spec: ExperimentSpec) -> bool:
    """Whether the spec's source can change without a commit: a query or an s3:// location."""
    return spec.data.is_query or is_object_url(spec.data.path)


def keep_snapshot(store: RunStore, run_id: str, read: SourceRead) -> str:
    """Store the table ``read`` as the run's snapshot; return its sha256."""
    table = pa.Table.from_pandas(read.frame, preserve_index=False)
    with tempfile.TemporaryDirectory(prefix="learnburn-snapshot-") as folder:
        path = Path(folder) / SNAPSHOT
        pq.write_table(table, path, compression="zstd")
        sha, size = store.artifacts.put_file(path)
    store.add_artifact(run_id, SNAPSHOT, sha, size, KIND)
    return sha


def warn_no_snapshot(spec: ExperimentSpec, source: str) -> None:
    warnings.warn(
        f"{spec.source or 'this run'}: no snapshot is kept of the data read from {source}; "
        "the run reproduces only while that source returns the same data",
        ProvenanceWarning,
        stacklevel=3,
    )


def snapshot_of(store: RunStore, detail: RunDetail) -> tuple[SourceRead, str] | None:
    """The run's snapshot as a read table and its sha256, or None when it kept none."""
    artifact = next((a for a in detail.artifacts if a.kind == KIND), None)
    if artifact is None:
        return None
    data = store.artifacts.read_bytes(artifact.sha256)
    frame = pq.read_table(pa.BufferReader(data)).to_pandas()
    source = f"the snapshot of run {detail.summary.id} ({artifact.sha256[:12]})"
    return SourceRead(frame, source, dict(detail.record["data"].get("origin", {}))), artifact.sha256


def data_for_reproduction(
    store: RunStore, spec: ExperimentSpec, detail: RunDetail
) -> tuple[SourceRead, str]:
    """The table to reproduce the run on, and "" (its source still matches) or why the
    run's snapshot is used instead (read only then)."""
    recorded = detail.record["data"]["fingerprint"]
    kept = any(a.kind == KIND for a in detail.artifacts)
    try:
        read = read_spec_data(spec)
    except DataError as error:
        if not kept:
            raise
        why = f"the source could not be read ({error.message})"
        return _snapshot_instead(store, spec, detail, why)
    fingerprint = _fingerprint(spec, read)
    if fingerprint.content_hash == recorded["content_hash"]:
        return read, ""
    changed = (
        f"the data at {read.source} no longer matches run {detail.summary.id}: fingerprint "
        f"{fingerprint.content_hash[:12]} ({fingerprint.rows} rows), the run read "
        f"{recorded['content_hash'][:12]} ({recorded['rows']} rows)"
    )
    if not kept:
        hint = "restore the data the run read; learnburn will not reproduce on other data"
        if changes_under_runs(spec):
            hint += " (this run kept no snapshot of it: it was run with --no-snapshot)"
        raise ProvenanceError(changed, hint=hint)
    return _snapshot_instead(store, spec, detail, changed)


def _snapshot_instead(
    store: RunStore, spec: ExperimentSpec, detail: RunDetail, why: str
) -> tuple[SourceRead, str]:
    """The run's snapshot, checked against the recorded fingerprint, and the sentence saying
    why it is used."""
    read, sha = snapshot_of(store, detail) or (None, "")
    recorded = detail.record["data"]["fingerprint"]["content_hash"]
    if read is None or _fingerprint(spec, read).content_hash != recorded:
        raise ProvenanceError(
            f"the snapshot of run {detail.summary.id} ({sha[:12]}) does not match the "
            "fingerprint the run recorded",
            hint="`learnburn runs --verify` checks the artifacts; the snapshot may be damaged",
        )
    return read, f"{why}; reproduced on the run's snapshot ({sha[:12]})"


def _fingerprint(spec: ExperimentSpec, read: SourceRead):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the run itself reports what it has to say
        return prepare_spec_data(spec, read).fingerprint
