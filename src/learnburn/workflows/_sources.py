"""Read a spec's table from its source (a file, an object in S3, a query) and prepare it.

The spec says where the table is; this module picks the reader, applies the spec's time window
and turns the table into a :class:`~learnburn.data.Dataset` whose ``origin`` records what was
read. ``with_window`` lets ``cadence``, ``challenge`` and ``retrain`` read another window of the
same source without editing the spec.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from learnburn.data import (
    Dataset,
    SourceRead,
    is_object_url,
    keep_window,
    prepare_dataset,
    read_objects,
    read_sql,
    read_table,
)
from learnburn.errors import DataError
from learnburn.spec import ExperimentSpec


def read_spec_data(spec: ExperimentSpec) -> SourceRead:
    """The table the spec names, inside its since/until window: bound as the query's
    ``{since}``/``{until}`` where it has them, else kept from the time column's values."""
    data = spec.data
    window = {"since": data.since, "until": data.until}
    if data.is_query:
        query = data.sql if data.sql is not None else _query_file(spec)
        read = read_sql(data.url or "", query, **window)
        window = {k: v for k, v in window.items() if "{" + k + "}" not in query}
    elif is_object_url(data.path):
        read = read_objects(data.path, partitions=data.partitions, text=data.read_options())
    else:
        path = spec.resolve_data_path()
        read = SourceRead(read_table(path, **data.read_options()), path)
    if not any(window.values()):
        return read
    if data.time_column is None:
        raise DataError(
            f"since/until cannot apply to {read.source}: the spec names no time_column"
            + (" and the query has no {since}/{until}" if data.is_query else ""),
            hint="set time_column under [data], or use {since} in the query (WHERE day >= {since})",
        )
    return keep_window(read, data.time_column, window["since"], window["until"])


def prepare_spec_data(spec: ExperimentSpec, read: SourceRead) -> Dataset:
    """The table read for ``spec`` prepared as a Dataset (features, target, roles)."""
    data = spec.data
    dataset = prepare_dataset(
        read.frame,
        target=data.target,
        task=spec.task,
        drop=data.drop,
        id_column=data.id_column,
        time_column=data.time_column,
        categorical=data.categorical,
        source=read.source,
    )
    return replace(dataset, origin=dict(read.origin))


def load_spec_data(spec: ExperimentSpec) -> Dataset:
    """Read and prepare the spec's table."""
    return prepare_spec_data(spec, read_spec_data(spec))


def with_window(
    spec: ExperimentSpec, *, since: str | None = None, until: str | None = None
) -> ExperimentSpec:
    """The spec reading another time window: ``since``/``until`` replace the spec's when given."""
    if since is None and until is None:
        return spec
    data = spec.data
    if data.time_column is None and not data.is_query:
        raise DataError(
            f"{spec.source or 'the spec'} has no time_column, so --since/--until cannot apply",
            hint="set time_column under [data] (the column whose times the window bounds)",
        )
    window = {"since": since or data.since, "until": until or data.until}
    return replace(spec, data=replace(data, **window))


def _query_file(spec: ExperimentSpec) -> str:
    path = Path(spec.resolve_sql_file() or "")
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise DataError(
            f"Cannot read the query file {path}: {getattr(error, 'strerror', None) or error}",
            hint="sql_file is relative to the spec's folder; check the path and that it is "
            "checked in",
        ) from error
