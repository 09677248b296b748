"""Read a table wherever it is: a local file, a file inside a package (``_read.py``), or an
object or a partitioned Parquet prefix in S3 (``_objects.py``)."""

from __future__ import annotations

import os
from collections.abc import Iterable

import pandas as pd

from learnburn.data._objects import is_object_url, read_objects
from learnburn.data._read import read_file_table


def read_table(
    path: str | os.PathLike[str],
    *,
    encoding: str = "utf-8",
    delimiter: str | None = None,
    missing_values: Iterable[str] = (),
) -> pd.DataFrame:
    """Read the table at ``path`` (a file, ``pkg://PACKAGE/relative/path``, ``s3://BUCKET/KEY``
    or ``s3://BUCKET/PREFIX/``) into a DataFrame."""
    source = os.fspath(path)
    if is_object_url(source):
        text = {
            "encoding": encoding,
            "delimiter": delimiter,
            "missing_values": tuple(missing_values),
        }
        return read_objects(source, text=text).frame
    return read_file_table(
        source, encoding=encoding, delimiter=delimiter, missing_values=missing_values
    )
