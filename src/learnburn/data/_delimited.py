"""Read delimited text (CSV, TSV): the delimiter, the text encoding and the errors of both.

The delimiter, when the caller names none, is sniffed from the header line: of ``,`` ``;``
``\\t`` and ``|``, the one that appears most often outside double quotes (a comma on a tie or
when none appears). A ``.tsv`` file is split on tabs unless told otherwise. Sniffing only the
header keeps the rule short and the same for every file; a table read as one column whose name
still holds one of those characters is an error that says which delimiter to name.

Text is decoded with the caller's encoding (UTF-8 by default). When it fails, the file is
scanned again to name the byte offset and line of the first byte that does not decode.
"""

from __future__ import annotations

import bz2
import codecs
import gzip
import io
import lzma
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import pandas as pd

from learnburn.errors import DataError

DELIMITERS = (",", ";", "\t", "|")
_SNIFF_BYTES = 64 * 1024
_SCAN_BLOCK = 1024 * 1024
_OPENERS = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}


def read_delimited(
    file: Path,
    source: str,
    *,
    default: str,
    delimiter: str | None = None,
    encoding: str = "utf-8",
    missing_values: Iterable[str] = (),
) -> tuple[pd.DataFrame, str]:
    """The table in ``file`` and the delimiter it was split on (sniffed when none is given)."""
    _check_encoding(encoding, source)
    if delimiter is None:
        delimiter = default if default != "," else sniff_delimiter(file, encoding)
    na_values = list(missing_values) or None
    try:
        frame = pd.read_csv(
            file, sep=delimiter, encoding=encoding, na_values=na_values, low_memory=False
        )
    except UnicodeDecodeError as error:
        raise decode_error(file, source, encoding) from error
    _check_not_merged(frame, source, delimiter)
    return frame, delimiter


def sniff_delimiter(file: Path, encoding: str = "utf-8") -> str:
    """The delimiter of the header line of ``file`` (see the module docstring)."""
    with open_binary(file) as stream:
        head = stream.read(_SNIFF_BYTES)
    line = head.decode(encoding, errors="replace").splitlines()[0] if head else ""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])  # the first of equals: comma on a tie
    return best if counts[best] else ","


@contextmanager
def open_binary(file: Path) -> Iterator[IO[bytes]]:
    """``file`` opened for reading bytes, decompressed by its suffix as pandas does."""
    suffix = file.suffix.lower()
    if suffix == ".zip":
        with zipfile.ZipFile(file) as archive:
            names = archive.namelist()
            with archive.open(names[0]) if names else io.BytesIO() as stream:
                yield stream
        return
    opener = _OPENERS.get(suffix, open)
    with opener(file, "rb") as stream:
        yield stream


def decode_error(file: Path, source: str, encoding: str) -> DataError:
    """The error for a file that is not ``encoding`` text, naming the first bad byte."""
    where = _first_bad_byte(file, encoding)
    at = ""
    if where is not None:
        offset, line, byte = where
        at = f": byte 0x{byte:02x} at byte offset {offset} (line {line}) does not decode"
    return DataError(
        f"{source} is not {encoding} text{at}",
        hint=f'Name the file\'s encoding: encoding = "cp1252" (or "latin-1", ...) under [data] '
        f"in the spec (--encoding where a command reads the file itself), or save it as "
        f"{encoding}.",
    )


def _first_bad_byte(file: Path, encoding: str) -> tuple[int, int, int] | None:
    """(byte offset, line number, the byte) of the first byte that does not decode, or None."""
    decoder = codecs.getincrementaldecoder(encoding)()
    done = lines = 0
    with open_binary(file) as stream:
        while True:
            block = stream.read(_SCAN_BLOCK)
            pending = len(decoder.getstate()[0])  # undecoded bytes kept from the last block
            try:
                decoder.decode(block, final=not block)
            except UnicodeDecodeError as error:
                data = error.object  # the pending bytes, then this block
                lines += data[: error.start].count(b"\n") + 1
                return done - pending + error.start, lines, data[error.start]
            if not block:
                return None
            lines += block.count(b"\n")
            done += len(block)


def _check_encoding(encoding: str, source: str) -> None:
    try:
        codecs.lookup(encoding)
    except LookupError as error:
        raise DataError(
            f"Unknown text encoding {encoding!r} for {source}",
            hint='Use a Python codec name, e.g. "utf-8", "latin-1" or "cp1252".',
        ) from error


def _check_not_merged(frame: pd.DataFrame, source: str, delimiter: str) -> None:
    """A table read as one column whose name holds another delimiter was split on the wrong one."""
    if frame.shape[1] != 1:
        return
    name = str(frame.columns[0])
    other = next((d for d in DELIMITERS if d != delimiter and d in name), None)
    if other is None:
        return
    shown = name if len(name) <= 60 else name[:57] + "..."
    raise DataError(
        f"{source} was read as one column named {shown!r}: its fields look separated by "
        f"{other!r}, not {delimiter!r}",
        hint=f"Name the delimiter under [data] in the spec: delimiter = {_toml(other)} "
        "(--delimiter where a command reads the file itself).",
    )


def _toml(char: str) -> str:
    return '"\\t"' if char == "\t" else f'"{char}"'
