"""Read a table in chunks and write one chunk at a time, in CSV or Parquet.

The format is chosen by the suffix: input CSV/TSV (optionally compressed; pandas infers the
compression) or Parquet; output ``.csv`` or ``.parquet``/``.pq``. pandas and pyarrow errors
become DataErrors naming the file, chained with ``from``.

A CSV or TSV file, plain or gzip/bz2-compressed, is read block by block with pyarrow's
multi-threaded reader, each column typed from the bundle's schema (numbers as float64, the rest
as text), so nothing is guessed. pyarrow is stricter than pandas: a file it cannot read that
way (text in a numeric column, a number pandas parses and pyarrow does not, an odd header)
raises ``Unreadable``, and the caller reads it again with pandas, whose answers (values and
errors with their row numbers) are the reference.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING

from learnburn.errors import DataError

if TYPE_CHECKING:
    import pandas as pd

PARQUET = (".parquet", ".pq")
OUTPUT_SUFFIXES = (".csv", *PARQUET)
_COMPRESSIONS = (".gz", ".bz2", ".zip", ".xz")
READ_ERRORS = (ValueError, OSError, EOFError, NotImplementedError, zipfile.BadZipFile)
_ARROW_COMPRESSIONS = {"": "uncompressed", ".gz": "gzip", ".bz2": "bz2"}
_STRUCTURAL = re.compile(r'[,"\r\n]')  # characters that make pandas quote a CSV field
_BLOCK_BYTES = 4 << 20  # pyarrow's reader parses blocks of this size on every core
# pandas' default missing-value markers, so both readers see the same missing cells
NA_VALUES = (
    "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
    "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null",
)  # fmt: skip


class Unreadable(Exception):
    """pyarrow cannot read this CSV as the schema types it: read it with pandas instead."""


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


def read_chunks(
    path: Path, rows: int, text: Sequence[str], types: Mapping[str, str] | None = None
) -> Iterator[pd.DataFrame]:
    """The table at ``path`` in chunks of at most ``rows`` rows. In CSV the columns ``text``
    (where present) are read as strings, so no chunk guesses their type differently; in Parquet
    they keep their Arrow type (an integer id with gaps stays an integer).

    With ``types`` (column -> "float64", "int64" or "string"), a CSV that pyarrow can read is
    read with pyarrow, each column as ``types`` says and any other as text; ``Unreadable`` when
    it cannot (call again without ``types`` to read it with pandas)."""
    import pandas as pd

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
    if types is not None and _arrow_compression(path) is not None:
        yield from _arrow_chunks(path, rows, sep, types)
        return
    with pd.read_csv(path, sep=sep, chunksize=rows, dtype=dict.fromkeys(text, str)) as reader:
        yield from reader


def _arrow_compression(path: Path) -> str | None:
    last = path.suffixes[-1].lower() if path.suffixes else ""
    return _ARROW_COMPRESSIONS.get(last if last in _COMPRESSIONS else "")


def _arrow_chunks(
    path: Path, rows: int, sep: str, types: Mapping[str, str]
) -> Iterator[pd.DataFrame]:
    """The CSV read by pyarrow, re-cut into chunks of exactly ``rows`` rows (the last shorter;
    one empty chunk, with the header's columns, for a file without data rows)."""
    import pyarrow as pa

    try:
        with _open_csv(path, sep, types) as reader:
            pending: list = []
            held, yielded = 0, False
            for batch in reader:
                pending.append(batch)
                held += batch.num_rows
                while held >= rows:
                    table = pa.Table.from_batches(pending, reader.schema)
                    yield table.slice(0, rows).to_pandas()
                    yielded = True
                    rest = table.slice(rows)
                    pending, held = rest.to_batches(), rest.num_rows
            if held or not yielded:
                yield pa.Table.from_batches(pending, reader.schema).to_pandas()
    except pa.ArrowException as exc:  # also ValueErrors: only pyarrow's own are caught here
        raise Unreadable(str(exc)) from exc


def _open_csv(path: Path, sep: str, types: Mapping[str, str]):
    """A streaming pyarrow reader typing the columns as ``types`` says, the others as text;
    ``Unreadable`` for a header pandas would read differently (blank or repeated names)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    def reader(types: dict) -> pacsv.CSVStreamingReader:
        codec = _arrow_compression(path)
        stream = pa.input_stream(str(path), compression=None if codec == "uncompressed" else codec)
        return pacsv.open_csv(
            stream,
            read_options=pacsv.ReadOptions(block_size=_BLOCK_BYTES),
            parse_options=pacsv.ParseOptions(delimiter=sep),
            convert_options=pacsv.ConvertOptions(
                column_types=types, null_values=list(NA_VALUES), strings_can_be_null=True
            ),
        )

    with reader({}) as first:  # the header's names, to type every column
        names = first.schema.names
    if len(set(names)) != len(names) or "" in names:
        raise Unreadable("blank or repeated column names")
    return reader({name: pa.type_for_alias(types.get(name, "string")) for name in names})


class ChunkWriter:
    """Append chunks to a new CSV or Parquet file: the CSV header once, one Parquet schema.

    A CSV chunk of numbers and text without quotes, commas or line breaks is written by pyarrow
    (a tenth of pandas' time; numbers in their shortest form, ``1`` for ``1.0``); any other chunk
    (booleans, text that needs quoting) by pandas, as before."""

    def __init__(self, path: Path, kind: str) -> None:
        self.path = path
        self.kind = kind
        self._stream: IO[bytes] | None = None
        self._parquet = None

    def write(self, frame: pd.DataFrame) -> None:
        if self.kind == ".csv":
            first = self._stream is None
            if first:
                self._stream = open(self.path, "xb")  # noqa: SIM115
            if not _arrow_csv(frame, self._stream, first):
                text = frame.to_csv(header=first, index=False, lineterminator="\n")
                self._stream.write(text.encode("utf-8"))
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


def _arrow_csv(frame: pd.DataFrame, stream: IO[bytes], header: bool) -> bool:
    """Write ``frame`` as CSV with pyarrow when it holds only numbers and text that need no
    quoting (what pandas writes the same way, up to number formatting); False when it does not
    (nothing is written then)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    if header and any(_STRUCTURAL.search(str(name)) for name in frame.columns):
        return False
    try:
        table = pa.Table.from_pandas(frame, preserve_index=False)
    except (pa.ArrowException, TypeError, ValueError):
        return False
    if not all(_plain_type(field.type) for field in table.schema):
        return False
    buffer = pa.BufferOutputStream()
    options = pacsv.WriteOptions(include_header=header, quoting_style="none")
    try:  # text with a comma, quote or line break is refused: pandas quotes it
        pacsv.write_csv(table, buffer, options)
    except pa.ArrowInvalid:
        return False
    stream.write(buffer.getvalue().to_pybytes())
    return True


def _plain_type(kind) -> bool:
    import pyarrow as pa

    return (
        pa.types.is_floating(kind)
        or pa.types.is_integer(kind)
        or pa.types.is_string(kind)
        or pa.types.is_large_string(kind)
        or pa.types.is_null(kind)
    )
