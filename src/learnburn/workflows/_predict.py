"""``learnburn predict``: check and load a bundle, then score a table with it, in chunks in this
process, or partition by partition on a Dask cluster."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from learnburn.backends import DaskBackend
from learnburn.bundles import load_bundle
from learnburn.data import is_object_url
from learnburn.errors import DataError
from learnburn.serving import BatchSummary, predict_file, predict_partitions
from learnburn.workflows._remote import local_input, local_output

Progress = Callable[[int, "int | None"], None]  # rows done, rows in all when known


def predict_table(
    bundle_path: str | os.PathLike,
    data: str | os.PathLike,
    output: str | os.PathLike,
    *,
    id_column: str | None = None,
    chunk_rows: int = 100_000,
    trusted: Sequence[str] = (),
    trusted_keys: Sequence[Any] = (),
    runtime: str = "auto",
    cluster: str | None = None,
    overwrite: bool = False,
    progress: Progress | None = None,
) -> BatchSummary:
    """Score every row of ``data`` with the bundle at ``bundle_path`` into ``output``.

    The bundle must be signed by one of ``trusted_keys`` when any is given. With ``cluster``
    (a Dask scheduler address, or local:N), ``data`` is Parquet scored partition by partition
    into the folder ``output`` (the workers read the bundle by path: it is checked here
    first); else it is read and scored in chunks of ``chunk_rows``. An existing ``output`` is
    refused unless ``overwrite``. Without ``cluster``, ``data`` and ``output`` may be
    ``s3://`` locations: the input is fetched first, the output put there once complete."""
    if cluster:
        if is_object_url(data) or is_object_url(output):
            raise DataError(
                "--cluster scores files the workers can read by path, not s3:// locations",
                hint="leave out --cluster to score an s3:// object here",
            )
        if Path(output).exists() and not overwrite:
            raise DataError(f"'{output}' already exists", hint="choose another path, or --force")
        if trusted_keys:
            load_bundle(bundle_path, trusted=trusted, lazy=True, trusted_keys=list(trusted_keys))
        with DaskBackend(cluster) as backend:
            return predict_partitions(
                bundle_path, data, output, backend.client, id_column=id_column,
                trusted=trusted, overwrite=True, progress=progress,
            )  # fmt: skip
    with local_output(str(output), force=overwrite) as target:
        bundle = load_bundle(
            bundle_path, trusted=trusted, lazy=True, trusted_keys=list(trusted_keys)
        )
        with local_input(str(data)) as source:
            summary = predict_file(
                bundle, source, target, id_column=id_column, chunk_rows=chunk_rows,
                progress=progress, runtime=runtime,
            )  # fmt: skip
    return replace(summary, output=str(output)) if is_object_url(str(output)) else summary
