"""A recorded run's splits written as a table (``learnburn show RUN --splits FILE``)."""

from __future__ import annotations

import os
from pathlib import Path

from learnburn.errors import DataError, RunStoreError
from learnburn.evaluation import splits_table
from learnburn.runs import RunStore

_WRITERS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}


def write_splits(store: RunStore, run_id: str, path: str | os.PathLike) -> Path:
    """Write run ``run_id``'s row assignment to ``path`` (CSV or Parquet by the extension): one row
    per table row with ``row``, ``holdout`` and ``repeat_0``, ``repeat_1``, ... (the fold that tests
    the row in that repeat; -1 when no fold does; empty for holdout rows)."""
    target = Path(path)
    kind = _WRITERS.get(target.suffix.lower())
    if kind is None:
        raise DataError(
            f"cannot write the splits to {target}: unknown extension {target.suffix!r}",
            hint="name a .csv or .parquet file",
        )
    detail = store.get_run(run_id)
    recorded = (detail.record or {}).get("splits") or {}
    if "assignment" not in recorded:
        raise RunStoreError(
            f"run {detail.summary.id} records no fold assignment: it did not finish, it is a "
            "clustering run, or an older learnburn recorded it",
            hint="run the spec again with this learnburn to record its splits",
        )
    table = splits_table(recorded)
    target.parent.mkdir(parents=True, exist_ok=True)
    if kind == "csv":
        table.to_csv(target, index=False)
    else:
        table.to_parquet(target, index=False)
    return target
