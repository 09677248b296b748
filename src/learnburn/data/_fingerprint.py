"""Fingerprint a table's content, so that a run records exactly which data it saw.

``content_hash`` is the sha256 of the column names and dtypes (in column order) followed by the
64-bit row hashes of :func:`pandas.util.hash_pandas_object` (``index=False``, the fixed default
hash key). It is therefore sensitive to:

- every value (a changed cell changes the hash; missing values hash as missing),
- the order of the rows,
- the column names and their order,
- the dtypes (``int64`` 1 and ``float64`` 1.0 differ; so do the ``str`` and ``object`` dtypes).

It is not sensitive to the index, nor to the file format: the same table read from CSV and from
Parquet gives the same hash when the columns come back with the same dtypes. It does not use
Python's ``hash()``, so it is stable across processes, runs and machines for a given pandas
version.

``schema_hash`` is :meth:`Schema.content_hash` of the inferred schema (names, kinds, dtypes).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd

from learnburn._records import Record
from learnburn.data._infer import infer_schema
from learnburn.data._schema import Schema


@dataclass(frozen=True)
class Fingerprint(Record):
    """What identifies a table: a hash of its content, its shape and a hash of its schema."""

    content_hash: str
    rows: int
    columns: int
    schema_hash: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def fingerprint_table(frame: pd.DataFrame, *, schema: Schema | None = None) -> Fingerprint:
    """Fingerprint ``frame``; pass its already inferred ``schema`` to save inferring it again."""
    schema = infer_schema(frame) if schema is None else schema
    return Fingerprint(
        content_hash=_content_hash(frame),
        rows=len(frame),
        columns=frame.shape[1],
        schema_hash=schema.content_hash(),
    )


def _content_hash(frame: pd.DataFrame) -> str:
    header = [[repr(name), str(dtype)] for name, dtype in frame.dtypes.items()]
    digest = hashlib.sha256(json.dumps(header).encode())
    if frame.shape[1]:
        digest.update(_row_hashes(frame).tobytes())
    return digest.hexdigest()


def _row_hashes(frame: pd.DataFrame) -> Any:
    try:
        hashes = pd.util.hash_pandas_object(frame, index=False)
    except TypeError:  # unhashable cells such as lists: hash those columns' text instead
        columns = [frame.iloc[:, i] for i in range(frame.shape[1])]
        text = [c.astype(str) if c.dtype == object else c for c in columns]
        hashes = pd.util.hash_pandas_object(pd.concat(text, axis=1, ignore_index=True), index=False)
    return hashes.to_numpy(dtype="uint64")
