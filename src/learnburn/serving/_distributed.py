"""Score a folder of Parquet files on a Dask cluster, partition by partition, into a folder of
Parquet files (``learnburn predict BUNDLE DIR_OR_GLOB -o OUT --cluster ...``).

dask.dataframe reads the inputs in partitions (a file, or some of its row groups, up to
``blocksize``), and each task reads one partition, scores it and writes it as
``part-NNNNN.parquet``: a worker holds one partition at a time per thread, whatever the size of
the whole. Each worker loads the bundle once, by path, verified as ``load_bundle`` verifies it
and checked to be the very bundle the caller loaded (its manifest digest): no model travels over
the wire. The parts are written to a hidden folder beside the output, which is renamed into
place only when every part is written, so an error never leaves a half-written output.

The paths must be readable (and the output folder's parent writable) under the same names on
the workers as here: a shared file system, or one machine. dask is imported only when called.
"""

from __future__ import annotations

import glob
import hashlib
import json
import threading
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from learnburn._atomic import install, staged
from learnburn.bundles import Bundle, load_bundle
from learnburn.errors import BundleError, DataError, DataWarning
from learnburn.serving._batch import BatchSummary, Progress, _is_text, _predictions
from learnburn.serving._checks import (
    check_columns,
    coerce_numeric,
    ignored_columns,
    unexpected_columns,
    with_columns,
)
from learnburn.serving._tables import PARQUET

if TYPE_CHECKING:
    import pandas as pd

DEFAULT_BLOCKSIZE = "128 MiB"


@dataclass(frozen=True)
class _Job:
    """What every partition task needs: the bundle (by path, digest and trusted types), the id
    column, the folder the parts go to, and the inputs' name for messages."""

    bundle: str
    digest: str
    trusted: tuple[str, ...]
    id_column: str | None
    staging: str
    where: str


_bundles: dict[tuple, Bundle] = {}  # in a worker: the bundles it has loaded, by path and digest
_bundles_lock = threading.Lock()


def predict_partitions(
    bundle_path: str | Path,
    inputs: str | Path,
    output: str | Path,
    client: Any,
    *,
    id_column: str | None = None,
    trusted: Sequence[str] = (),
    blocksize: str | int = DEFAULT_BLOCKSIZE,
    overwrite: bool = False,
    progress: Progress | None = None,
) -> BatchSummary:
    """Score the Parquet files ``inputs`` (a folder, a glob pattern or one file) with the bundle
    at ``bundle_path`` on the Dask cluster of ``client`` (a ``distributed.Client``), writing the
    folder ``output`` of ``part-NNNNN.parquet`` files, in input order: the id column if given,
    ``proba_<class>`` for every class in bundle order, then ``decision`` (``cluster`` for a
    clustering bundle; the columns of :func:`predict_file`).

    The columns are checked here, against the files' schemas, before any task runs; columns the
    bundle does not use are not read (one DataWarning). ``progress(rows_done, total_rows)`` is
    called as each partition is written. An existing ``output`` is replaced only with
    ``overwrite``.
    """
    started = time.perf_counter()
    files = parquet_files(inputs)
    bundle = load_bundle(bundle_path, trusted=trusted, lazy=True)
    target = _check_target(Path(output), overwrite)
    where = f"'{inputs}'"
    columns, ignored, total = _check_inputs(files, bundle, id_column, where)
    target.parent.mkdir(parents=True, exist_ok=True)
    with staged(target.parent, f".{target.name}.", directory=True) as staging:
        job = _Job(
            str(bundle.path.resolve()),
            _digest(bundle),
            tuple(trusted),
            id_column,
            str(staging),
            where,
        )
        frame = _read(files, columns, blocksize)
        rows, parts = _score_on_cluster(client, frame, job, progress, total)
        install(staging, target)
    return BatchSummary(rows, parts, str(target), time.perf_counter() - started, ignored)


def parquet_files(inputs: str | Path) -> list[Path]:
    """The Parquet files named by ``inputs`` (a folder, a glob pattern or a file), sorted, as
    absolute paths."""
    text = str(inputs)
    source = Path(text)
    if source.is_dir():
        found = [p for p in source.iterdir() if p.suffix.lower() in PARQUET and p.is_file()]
    elif source.is_file():
        found = [source]
    else:
        found = [Path(p) for p in glob.glob(text, recursive=True) if Path(p).is_file()]
    if not found:
        raise DataError(f"no files found at '{text}'", hint="give a folder, a glob or a file")
    other = [p.name for p in found if p.suffix.lower() not in PARQUET]
    if other:
        raise DataError(
            f"scoring on a cluster reads Parquet files only, got {other[:3]}",
            hint="convert the files to Parquet, or score them one by one without --cluster",
        )
    return sorted(p.resolve() for p in found)


def _check_target(target: Path, overwrite: bool) -> Path:
    if target.suffix.lower() == ".csv":
        raise DataError(
            f"cannot write '{target}': scoring on a cluster writes a folder of Parquet files",
            hint="give a folder name for the output, e.g. -o predictions/",
        )
    if target.exists() and not (overwrite and target.is_dir()):
        raise DataError(
            f"'{target}' already exists",
            hint="choose another path, or pass --force to replace a folder",
        )
    return target.resolve()


def _check_inputs(files: list[Path], bundle: Bundle, id_column: str | None, where: str):
    """Check every file's columns here, from its footer: (columns to read, ignored, rows)."""
    import pyarrow.parquet as pq

    ignored: list[str] = []
    total = 0
    for file in files:
        try:
            metadata = pq.read_metadata(file)
        except (OSError, ValueError) as exc:
            raise DataError(
                f"cannot read '{file}': {type(exc).__name__}: {exc}",
                hint="check that every input is a complete Parquet file",
            ) from exc
        names = list(metadata.schema.to_arrow_schema().names)
        if id_column is not None and id_column not in names:
            raise DataError(
                f"'{file}' has no id column {id_column!r}", hint=f"choose one of: {names}"
            )
        check_columns(names, bundle.columns, f"'{file}'")
        ignored += [
            n for n in ignored_columns(names, bundle.columns, id_column) if n not in ignored
        ]
        total += metadata.num_rows
    if total == 0:
        raise DataError(f"{where} has no rows", hint="give files with at least one data row")
    if unexpected := unexpected_columns(ignored, bundle.meta.get("target")):
        warnings.warn(
            f"{where}: the bundle does not use the columns {unexpected}; they are ignored",
            DataWarning,
            stacklevel=3,
        )
    extra = [id_column] if id_column is not None and id_column not in bundle.columns else []
    return [*bundle.columns, *extra], tuple(ignored), total


def _read(files: list[Path], columns: list[str], blocksize: str | int):
    """The inputs as a dask DataFrame: the needed columns only, in partitions of a file or of
    some of its row groups (up to ``blocksize``)."""
    import dask.dataframe as dd

    return dd.read_parquet([str(f) for f in files], columns=columns, blocksize=blocksize)


def _score_on_cluster(client, frame, job: _Job, progress, total: int) -> tuple[int, int]:
    """One task per partition, reported as each ends; (rows, parts) once every part is written."""
    import pandas as pd
    from distributed import as_completed

    rows_meta = pd.DataFrame({"rows": pd.Series([], dtype="int64")})  # what each task returns
    scored = frame.map_partitions(_score_partition, job, meta=rows_meta, partition_info=True)
    futures = client.compute(scored.to_delayed())
    rows = 0
    try:
        for future in as_completed(futures, loop=client.loop):
            rows += int(future.result()["rows"].sum())
            if progress is not None:
                progress(rows, total)
    finally:
        client.cancel(futures)
    return rows, len(futures)


def _score_partition(
    chunk: pd.DataFrame, job: _Job, partition_info: dict | None = None
) -> pd.DataFrame:
    """On a worker: check, score and write one partition; its row count."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    number = partition_info["number"] if partition_info else 0
    if chunk.empty:
        return pd.DataFrame({"rows": [0]})
    bundle = _worker_bundle(job.bundle, job.digest, job.trusted)
    text = [c["name"] for c in bundle.schema["columns"] if _is_text(c)]
    chunk = _as_read(chunk, text)
    ids = chunk[job.id_column] if job.id_column is not None else None
    numeric = [c["name"] for c in bundle.schema["columns"] if c["kind"] == "numeric"]
    chunk = coerce_numeric(chunk, numeric, 1, f"{job.where} (partition {number})")
    scored = _predictions(bundle, chunk, job.id_column, ids)
    table = pa.Table.from_pandas(scored, preserve_index=False)
    pq.write_table(table, Path(job.staging) / f"part-{number:05d}.parquet")
    return pd.DataFrame({"rows": [len(chunk)]})


def _as_read(chunk: pd.DataFrame, text: list[str]) -> pd.DataFrame:
    """Text and boolean columns as :func:`predict_file` reads them from Parquet (Arrow-backed),
    so a partition scores exactly as the same rows do there."""
    import pandas as pd
    import pyarrow as pa

    columns = {
        name: pd.Series(
            pd.arrays.ArrowExtensionArray(pa.array(chunk[name], from_pandas=True)),
            index=chunk.index,
        )
        for name in text
        if name in chunk.columns and not isinstance(chunk[name].dtype, pd.ArrowDtype)
    }
    return with_columns(chunk, columns)


def _worker_bundle(path: str, digest: str, trusted: tuple[str, ...]) -> Bundle:
    """The bundle at ``path``, loaded once per worker process, and the caller's very bundle."""
    key = (path, digest, trusted)
    with _bundles_lock:
        if key not in _bundles:
            bundle = load_bundle(path, trusted=trusted, lazy=True)
            if _digest(bundle) != digest:
                raise BundleError(
                    f"the bundle at '{path}' on a Dask worker is not the one being scored",
                    hint="it changed while scoring, or the workers see another file at that "
                    "path: give them the same file (a shared file system)",
                )
            _bundles.clear()  # keep one: a worker holds one model in memory
            _bundles[key] = bundle
        return _bundles[key]


def _digest(bundle: Bundle) -> str:
    """The bundle's identity: the sha256 of its manifest (which lists every file's sha256)."""
    text = json.dumps(bundle.manifest, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()
