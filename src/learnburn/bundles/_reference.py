"""The drift reference a bundle carries (format version 3): ``reference.json``, the compact
profile of the training data that ``learnburn drift`` compares new data with, and
``reference.parquet``, a small sample of training rows for the multivariate check.

The bundle stores both as given and reads them back strictly (JSON without NaN or duplicate
keys; Parquet through pyarrow, within the size limits, columns named by the schema only). What
the profile means is ``learnburn.monitoring``'s business: it validates the document's content
before it uses it.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from learnburn.bundles._format import REFERENCE, REFERENCE_SAMPLE
from learnburn.bundles._json import dump_json, load_object
from learnburn.bundles._limits import check_size
from learnburn.errors import BundleError

if TYPE_CHECKING:
    import pandas as pd

MAX_SAMPLE_ROWS = 5_000  # training rows a bundle may carry for the multivariate drift check
MAX_SAMPLE_SIZE = 64 * 1024**2


def write_reference(
    reference: Mapping[str, Any] | None, sample: pd.DataFrame | None, columns: list[str]
) -> dict[str, bytes]:
    """The reference files to add to a bundle (none for what is None)."""
    files: dict[str, bytes] = {}
    if reference is not None:
        files[REFERENCE] = dump_json(dict(reference), REFERENCE)
    if sample is not None:
        unknown = [str(name) for name in sample.columns if name not in columns]
        if unknown:
            raise BundleError(
                f"the reference sample has columns the schema does not list: {unknown}",
                hint="pass the model's input columns only",
            )
        if len(sample) > MAX_SAMPLE_ROWS:
            raise BundleError(
                f"the reference sample has {len(sample):,} rows; at most {MAX_SAMPLE_ROWS:,}",
                hint="draw a smaller sample of the training rows",
            )
        buffer = io.BytesIO()
        sample.reset_index(drop=True).to_parquet(buffer, index=False)
        files[REFERENCE_SAMPLE] = buffer.getvalue()
    return files


def read_reference(data: bytes | None, where: str) -> dict | None:
    """``reference.json`` as a dict, or None when the bundle has none."""
    return None if data is None else load_object(data, f"{where}: {REFERENCE}")


def read_sample(data: bytes | None, columns: list[str], where: str) -> pd.DataFrame | None:
    """``reference.parquet`` as a DataFrame of schema columns, or None when there is none."""
    if data is None:
        return None
    name = f"{where}: {REFERENCE_SAMPLE}"
    check_size(len(data), name, MAX_SAMPLE_SIZE)
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(io.BytesIO(data))
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise BundleError(
            f"{name} is not a readable Parquet file: {exc}",
            hint="the bundle is damaged; save it again",
        ) from exc
    unknown = [column for column in table.column_names if column not in columns]
    if unknown or table.num_rows > MAX_SAMPLE_ROWS:
        problem = (
            f"columns the schema does not list: {unknown}"
            if unknown
            else f"{table.num_rows:,} rows (at most {MAX_SAMPLE_ROWS:,})"
        )
        raise BundleError(
            f"{name} holds {problem}", hint="the bundle is inconsistent; save it again"
        )
    return table.to_pandas()
