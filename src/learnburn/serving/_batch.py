"""Score a table file with a bundle, chunk by chunk, into a CSV or Parquet file.

Memory stays bounded by ``chunk_rows`` (a few chunks at once: one per worker thread): each
chunk is read, checked against the bundle's schema, scored and appended to a temporary file
beside the output, which is renamed into place only when every chunk is written, so an error
never leaves a half-written output.

Speed: a CSV is read with pyarrow (``_tables.py``); chunks are scored on a thread per core
while the main thread reads the next chunk and writes the last one (the runtimes release the
GIL); and the runtime is chosen for the file (``_runtime.py``): the fast path that suits one
row is not always the fastest for a million.
"""

from __future__ import annotations

import contextlib
import os
import time
import warnings
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from learnburn._atomic import install, remove, staged
from learnburn.bundles import Bundle
from learnburn.errors import DataError, DataWarning
from learnburn.serving._checks import (
    check_columns,
    coerce_numeric,
    ignored_columns,
    unexpected_columns,
)
from learnburn.serving._runtime import Scorer, choose_scorer
from learnburn.serving._tables import (
    READ_ERRORS,
    ChunkWriter,
    Unreadable,
    check_output,
    read_chunks,
    total_rows,
)

if TYPE_CHECKING:
    import pandas as pd

Progress = Callable[[int, "int | None"], None]
RUNTIMES = ("auto", "measure", "fast", "native")
WORKERS = max(1, min(4, os.cpu_count() or 1))  # chunks scored at once
_TEXT_DTYPES = ("str", "string", "object", "bool", "boolean", "category")


@dataclass(frozen=True)
class BatchSummary:
    """What a batch scoring did: rows and chunks scored, where, how long, what it left out,
    and which runtime scored the rows ("fast" or "native")."""

    rows: int
    chunks: int
    output: str
    seconds: float
    ignored_columns: tuple[str, ...]
    runtime: str = "native"


def predict_file(
    bundle: Bundle,
    data: str | Path,
    output: str | Path,
    *,
    id_column: str | None = None,
    chunk_rows: int = 100_000,
    progress: Progress | None = None,
    runtime: str = "auto",
) -> BatchSummary:
    """Score the table ``data`` (CSV, also compressed, or Parquet) with ``bundle`` and write
    ``output`` (``.csv`` or ``.parquet``): the id column if given, ``proba_<class>`` for every
    class in bundle order, then ``decision`` (``cluster`` for a clustering bundle). An existing
    ``output`` is replaced.

    The id column is copied as read: its Parquet type, or its text from a CSV (so ids keep
    leading zeros and one type in every chunk). Columns the bundle does not use are ignored
    with one DataWarning (the bundle's target column silently: a training table has it); a
    missing or mistyped feature column is a SchemaError.
    ``progress(rows_done, total_rows or None)`` is called after each chunk.

    ``runtime`` is "auto" (the fast path when the bundle has one, else the native model: the
    same answers on every run), "measure" (the fast path for a file of one chunk; for longer files
    whichever of the fast path and the native model scored a sample of the first chunk faster),
    "fast" or "native" (the fitted pipeline itself).
    """
    if runtime not in RUNTIMES:
        raise DataError(
            f"runtime must be one of {RUNTIMES}, got {runtime!r}",
            hint="pass runtime='auto' to let learnburn choose",
        )
    if isinstance(chunk_rows, bool) or not isinstance(chunk_rows, int) or chunk_rows < 1:
        raise DataError(
            f"chunk_rows must be a positive integer, got {chunk_rows!r}",
            hint="pass the number of rows to score at a time, e.g. 100_000",
        )
    source, target = Path(data), Path(output)
    kind = check_output(target)
    if not source.is_file():
        raise DataError(f"data file not found: {source}", hint="check the path")
    started = time.perf_counter()
    target.parent.mkdir(parents=True, exist_ok=True)
    job = _Job(bundle, source, id_column, chunk_rows, progress, runtime)
    with staged(target.parent, f".{target.name}.") as staging:
        for arrow in (True, False):  # pandas reads what pyarrow cannot, and is the reference
            try:
                with contextlib.closing(ChunkWriter(staging, kind)) as writer:
                    rows, chunks, ignored, used = _score_chunks(job, writer, arrow)
            except Unreadable:
                remove(staging)
                continue
            install(staging, target)
            break
    seconds = time.perf_counter() - started
    return BatchSummary(rows, chunks, str(target), seconds, ignored, used)


@dataclass(frozen=True)
class _Job:
    bundle: Bundle
    source: Path
    id_column: str | None
    chunk_rows: int
    progress: Progress | None
    runtime: str
    warned: list = field(default_factory=list)  # the unused columns were warned about


def _score_chunks(job: _Job, writer: ChunkWriter, arrow: bool) -> tuple[int, int, tuple, str]:
    """Read, check, score and write every chunk: (rows, chunks, ignored columns, runtime).
    Chunks are scored on worker threads, at most one per core ahead of the one being written,
    and written in input order; reading (with pyarrow when ``arrow``), checks and writing stay
    here."""
    bundle, source, id_column = job.bundle, job.source, job.id_column
    where = f"'{source}'"
    numeric = [c["name"] for c in bundle.schema["columns"] if c["kind"] == "numeric"]
    text = [c["name"] for c in bundle.schema["columns"] if _is_text(c)]
    if id_column is not None and id_column not in bundle.columns:
        text.append(id_column)  # an id is written back as it was read
    rows = chunks = 0
    ignored: tuple[str, ...] = ()
    first = True
    pending: deque = deque()
    workers = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="learnburn-batch")
    scorer: Scorer | None = None
    try:
        total = total_rows(source)
        types = _arrow_types(bundle.schema, numeric, text) if arrow else None
        for chunk in read_chunks(source, job.chunk_rows, text, types):
            if first:
                ignored = _check_first(chunk, bundle, id_column, where, warn=not job.warned)
                job.warned.append(True)
                first = False
            if chunk.empty:
                continue
            ids = chunk[id_column] if id_column is not None else None
            chunk = coerce_numeric(chunk, numeric, rows + chunks_rows(pending) + 1, where)
            if scorer is None:
                scorer = choose_scorer(bundle, chunk, job.runtime, job.chunk_rows)
            pending.append(
                (len(chunk), workers.submit(_predictions, bundle, chunk, id_column, ids, scorer))
            )
            while len(pending) > WORKERS:
                rows, chunks = _write_next(pending, writer, rows, chunks, job.progress, total)
        while pending:
            rows, chunks = _write_next(pending, writer, rows, chunks, job.progress, total)
    except DataError:
        raise
    except READ_ERRORS as exc:
        raise DataError(
            f"cannot score {where}: {type(exc).__name__}: {exc}",
            hint="check that the file is a complete CSV (UTF-8) or Parquet file, and that the "
            "output folder is writable",
        ) from exc
    finally:
        for _, future in pending:
            future.cancel()
        workers.shutdown(wait=True)
    if rows == 0:
        raise DataError(f"{where} has no rows", hint="give a table with at least one data row")
    return rows, chunks, ignored, scorer.runtime if scorer is not None else "native"


def chunks_rows(pending: deque) -> int:
    """The rows of the chunks read but not yet written."""
    return sum(size for size, _ in pending)


def _write_next(
    pending: deque, writer: ChunkWriter, rows: int, chunks: int, progress, total
) -> tuple[int, int]:
    """Write the oldest scored chunk: the new (rows, chunks) done."""
    size, future = pending.popleft()
    writer.write(future.result())
    rows, chunks = rows + size, chunks + 1
    if progress is not None:
        progress(rows, total)
    return rows, chunks


def _check_first(
    chunk: pd.DataFrame, bundle: Bundle, id_column: str | None, where: str, warn: bool
) -> tuple[str, ...]:
    """Check the columns (the same in every chunk) and warn once about the unused ones."""
    names = [str(name) for name in chunk.columns]
    if id_column is not None and id_column not in names:
        raise DataError(
            f"{where} has no id column {id_column!r}",
            hint=f"choose one of its columns: {names}",
        )
    check_columns(names, bundle.columns, where)
    ignored = ignored_columns(names, bundle.columns, id_column)
    unexpected = unexpected_columns(ignored, bundle.meta.get("target"))
    if unexpected and warn:
        warnings.warn(
            f"{where}: the bundle does not use the columns {unexpected}; they are ignored",
            DataWarning,
            stacklevel=4,
        )
    return ignored


def _predictions(
    bundle: Bundle,
    chunk: pd.DataFrame,
    id_column: str | None,
    ids: pd.Series | None,
    scorer: Scorer | None = None,
) -> pd.DataFrame:
    """The output rows of one chunk: id, one probability per class, the decision. ``scorer``
    is the runtime chosen for the file; ``bundle.predict_proba`` without one."""
    score = bundle.predict_proba if scorer is None else scorer.predict_proba
    import pandas as pd

    proba = score(chunk[list(bundle.columns)])
    columns: dict = {}
    if id_column is not None:
        columns[id_column] = ids
    for index, label in enumerate(bundle.classes):
        columns[f"proba_{label}"] = proba[:, index]
    columns[output_column(bundle)] = bundle.decide_proba(proba)
    return pd.DataFrame(columns, index=chunk.index)


def output_column(bundle: Bundle) -> str:
    """The column of the decided label: ``cluster`` for a clustering bundle, else ``decision``."""
    return "cluster" if bundle.meta.get("task") == "clustering" else "decision"


def _arrow_types(schema: dict, numeric: list[str], text: list[str]) -> dict[str, str] | None:
    """The type pyarrow reads each column as: the numeric ones as float64 (pandas' values once
    coerced), text as text, integer or float codes of a categorical column as pandas would read
    them; None (read with pandas) when a column is of another type."""
    types = dict.fromkeys(numeric, "float64") | dict.fromkeys(text, "string")
    for column in schema["columns"]:
        if column["name"] in types:
            continue
        dtype = str(column["dtype"])
        if not dtype.startswith(("int", "uint", "float")):
            return None
        types[column["name"]] = "float64" if dtype.startswith("float") else "int64"
    return types


def _is_text(column: dict) -> bool:
    """A categorical or boolean column that was text (or bool) in training: read as strings."""
    return column["kind"] in ("categorical", "boolean") and column["dtype"] in _TEXT_DTYPES
