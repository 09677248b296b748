"""Read a table in chunks and write one chunk at a time, in CSV or Parquet.

The format is chosen by the suffix: input CSV/TSV (optionally compressed; pandas infers the
compression) or Parquet; output ``.csv`` or ``.parquet``/``.pq``. pandas and pyarrow errors
become DataErrors naming the file, chained with ``from``.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO

import pandas as pd

from learnburn.errors import DataError

PARQUET = (".parquet", ".pq")
OUTPUT_SUFFIXES = (".csv", *PARQUET)
_COMPRESSIONS = (".gz", ".bz2", ".zip", ".xz")
READ_ERRORS = (ValueError, OSError, EOFError, NotImplementedError, zipfile.BadZipFile)


def suffix(path: Path) -> str:
    """The format suffix, lower case, without a compression suffix."""
    suffixes = [s.lower() for s in path.suffixes]
    if len(suffixes) >= 2 and suffixes[-1] in _COMPRESSIONS:
        return suffixes[-2]
    return suffixes[-1] if suffixes else ""


def check_output(path: Path) -> str:
    """The output's suffix, when it is one learnburn writes."""
    kind = path.suffix.lower()
    if kind not in OUTPUT_SUFFIXES:
        raise DataError(
            f"cannot write predictions to '{path}': unknown output type {kind or '(no suffix)'!r}",
            hint=f"end the output's name with one of {', '.join(OUTPUT_SUFFIXES)}",
        )
    return kind


def total_rows(path: Path) -> int | None:
    """The number of data rows, when the file's metadata says it (Parquet); else None."""
    if suffix(path) not in PARQUET:
        return None
    import pyarrow.parquet as pq

    return pq.ParquetFile(path).metadata.num_rows


def read_chunks(path: Path, rows: int, text: Sequence[str]) -> Iterator[pd.DataFrame]:
    """The table at ``path`` in chunks of at most ``rows`` rows. In CSV the columns ``text``
    (where present) are read as strings, so no chunk guesses their type differently; in Parquet
    they keep their Arrow type (an integer id with gaps stays an integer)."""
    if suffix(path) in PARQUET:
        import pyarrow.parquet as pq

        with pq.ParquetFile(path) as file:
            for batch in file.iter_batches(batch_size=rows):
                frame = batch.to_pandas()
                for name in set(text) & set(batch.schema.names):
                    frame[name] = batch.column(name).to_pandas(types_mapper=pd.ArrowDtype)
                yield frame
        return
    sep = "\t" if suffix(path) == ".tsv" else ","
    with pd.read_csv(path, sep=sep, chunksize=rows, dtype=dict.fromkeys(text, str)) as reader:
        yield from reader


class ChunkWriter:
    """Append chunks to a new CSV or Parquet file: the CSV header once, one Parquet schema."""

    def __init__(self, path: Path, kind: str) -> None:
        self.path = path
        self.kind = kind
        self._stream: IO[str] | None = None
        self._parquet = None

    def write(self, frame: pd.DataFrame) -> None:
        if self.kind == ".csv":
            first = self._stream is None
            if first:
                self._stream = open(self.path, "x", newline="", encoding="utf-8")  # noqa: SIM115
            frame.to_csv(self._stream, header=first, index=False)
            return
        import pyarrow as pa
        import pyarrow.parquet as pq

        if self._parquet is None:
            table = pa.Table.from_pandas(frame, preserve_index=False)
            self._parquet = pq.ParquetWriter(self.path, table.schema)
        else:
            table = pa.Table.from_pandas(frame, schema=self._parquet.schema, preserve_index=False)
        self._parquet.write_table(table)

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()
        if self._parquet is not None:
            self._parquet.close()
