"""Score a table file with a bundle, chunk by chunk, into a CSV or Parquet file.

Memory stays bounded by ``chunk_rows``: each chunk is read, checked against the bundle's schema,
scored and appended to a temporary file beside the output, which is renamed into place only when
every chunk is written, so an error never leaves a half-written output.
"""

from __future__ import annotations

import os
import time
import uuid
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from learnburn.bundles import Bundle
from learnburn.errors import DataError, DataWarning
from learnburn.serving._checks import (
    check_columns,
    coerce_numeric,
    ignored_columns,
    unexpected_columns,
)
from learnburn.serving._tables import (
    READ_ERRORS,
    ChunkWriter,
    check_output,
    read_chunks,
    total_rows,
)

Progress = Callable[[int, "int | None"], None]
_TEXT_DTYPES = ("str", "string", "object", "bool", "boolean", "category")


@dataclass(frozen=True)
class BatchSummary:
    """What a batch scoring did: rows and chunks scored, where, how long, what it left out."""

    rows: int
    chunks: int
    output: str
    seconds: float
    ignored_columns: tuple[str, ...]


def predict_file(
    bundle: Bundle,
    data: str | Path,
    output: str | Path,
    *,
    id_column: str | None = None,
    chunk_rows: int = 100_000,
    progress: Progress | None = None,
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
    """
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
    staging = target.with_name(f".{target.name}.{uuid.uuid4().hex}.partial")
    writer = ChunkWriter(staging, kind)
    try:
        rows, chunks, ignored = _score_chunks(
            bundle, source, writer, id_column, chunk_rows, progress
        )
        writer.close()
        os.replace(staging, target)
    except BaseException:
        writer.close()
        staging.unlink(missing_ok=True)
        raise
    return BatchSummary(rows, chunks, str(target), time.perf_counter() - started, ignored)


def _score_chunks(
    bundle: Bundle,
    source: Path,
    writer: ChunkWriter,
    id_column: str | None,
    chunk_rows: int,
    progress: Progress | None,
) -> tuple[int, int, tuple[str, ...]]:
    """Read, check, score and write every chunk: (rows, chunks, ignored columns)."""
    where = f"'{source}'"
    numeric = [c["name"] for c in bundle.schema["columns"] if c["kind"] == "numeric"]
    text = [c["name"] for c in bundle.schema["columns"] if _is_text(c)]
    if id_column is not None and id_column not in bundle.columns:
        text.append(id_column)  # an id is written back as it was read
    rows = chunks = 0
    ignored: tuple[str, ...] = ()
    try:
        total = total_rows(source)
        for chunk in read_chunks(source, chunk_rows, text):
            if chunks == 0:
                ignored = _check_first(chunk, bundle, id_column, where)
            if chunk.empty:
                continue
            ids = chunk[id_column] if id_column is not None else None
            chunk = coerce_numeric(chunk, numeric, rows + 1, where)
            writer.write(_predictions(bundle, chunk, id_column, ids))
            rows, chunks = rows + len(chunk), chunks + 1
            if progress is not None:
                progress(rows, total)
    except DataError:
        raise
    except READ_ERRORS as exc:
        raise DataError(
            f"cannot score {where}: {type(exc).__name__}: {exc}",
            hint="check that the file is a complete CSV (UTF-8) or Parquet file, and that the "
            "output folder is writable",
        ) from exc
    if rows == 0:
        raise DataError(f"{where} has no rows", hint="give a table with at least one data row")
    return rows, chunks, ignored


def _check_first(
    chunk: pd.DataFrame, bundle: Bundle, id_column: str | None, where: str
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
    if unexpected:
        warnings.warn(
            f"{where}: the bundle does not use the columns {unexpected}; they are ignored",
            DataWarning,
            stacklevel=4,
        )
    return ignored


def _predictions(
    bundle: Bundle, chunk: pd.DataFrame, id_column: str | None, ids: pd.Series | None
) -> pd.DataFrame:
    """The output rows of one chunk: id, one probability per class, the decision."""
    proba = bundle.predict_proba(chunk[list(bundle.columns)])
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


def _is_text(column: dict) -> bool:
    """A categorical or boolean column that was text (or bool) in training: read as strings."""
    return column["kind"] in ("categorical", "boolean") and column["dtype"] in _TEXT_DTYPES
