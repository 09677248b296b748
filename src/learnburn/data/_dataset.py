"""Turn a table into a :class:`Dataset`: feature columns, target, time and ids, with reasons.

Every column that is not a feature is listed in ``Dataset.excluded`` with the reason, in table
order. Columns left out because of what they hold (entirely missing, identifier-like, constant,
dates or times) are reported with a :class:`~learnburn.errors.DataWarning`; the text of every
warning is also kept in ``Dataset.warnings``, so that the run record holds what was said.

Before any of that, a text column that is mostly numbers with a few stray values is an error
(``_text_columns.py``), and the columns declared ``categorical`` are turned into text. A
classification target is refused when it looks continuous: numbers with more than
``MAX_NUMERIC_CLASSES`` distinct values (a regression target), or any values with more than
``MAX_NUMERIC_CLASSES`` distinct values and fewer than two rows per class on average.

A classification target of floats that are all whole numbers (an integer column that pandas read
as float because some targets were missing) is turned back into integers once those rows are
dropped, so that the classes read ``0, 1`` and not ``0.0, 1.0``.
"""

from __future__ import annotations

import difflib
import os
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd
from pandas.api import types

from learnburn.data._fingerprint import Fingerprint, fingerprint_table
from learnburn.data._infer import infer_schema
from learnburn.data._schema import ColumnSchema, Schema
from learnburn.data._tables import read_table
from learnburn.data._text_columns import as_categorical, check_numeric_text
from learnburn.errors import DataError, DataWarning

TASKS = ("classification", "clustering")
MAX_NUMERIC_CLASSES = 20
_DATETIME = "datetime (not used as a feature)"


@dataclass(frozen=True, eq=False)
class Dataset:
    """A table ready for learning: features, target and the record of what was left out."""

    features: pd.DataFrame
    target: pd.Series | None
    target_name: str | None
    classes: tuple
    schema: Schema
    time: pd.Series | None
    ids: pd.Series | None
    fingerprint: Fingerprint
    source: str = ""
    dropped_rows: int = 0
    excluded: dict[str, str] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    origin: dict = field(default_factory=dict)  # how the table was read (SourceRead.origin)

    @property
    def n_rows(self) -> int:
        return len(self.features)


def load_dataset(
    path: str | os.PathLike[str],
    *,
    target: str | None,
    task: str = "classification",
    drop: Iterable[str] = (),
    id_column: str | None = None,
    time_column: str | None = None,
    categorical: Iterable[str] = (),
    encoding: str = "utf-8",
    delimiter: str | None = None,
    missing_values: Iterable[str] = (),
) -> Dataset:
    """Read the table at ``path`` (see :func:`read_table`) and prepare it as a :class:`Dataset`."""
    frame = read_table(path, encoding=encoding, delimiter=delimiter, missing_values=missing_values)
    return prepare_dataset(
        frame,
        target=target,
        task=task,
        drop=drop,
        id_column=id_column,
        time_column=time_column,
        categorical=categorical,
        source=os.fspath(path),
    )


def prepare_dataset(
    frame: pd.DataFrame,
    *,
    target: str | None,
    task: str = "classification",
    drop: Iterable[str] = (),
    id_column: str | None = None,
    time_column: str | None = None,
    categorical: Iterable[str] = (),
    source: str = "",
) -> Dataset:
    """Split ``frame`` into features, target, time and ids; drop rows whose target is missing.

    ``categorical`` names columns that are categories whatever they hold (codes such as zip
    codes): they are learnt from as text, and never refused as numeric-looking."""
    where = source or "the table"
    frame = _checked_frame(frame, where)
    roles = _roles(frame, task, target, drop, id_column, time_column, where)
    declared = _declared(frame, categorical, roles, where)
    others = [c for c in frame.columns if c not in roles]
    check_numeric_text(frame, [c for c in others if c not in declared], where)
    notes: list[str] = []
    full_schema = infer_schema(frame)
    fingerprint = fingerprint_table(frame, schema=full_schema)
    frame, dropped = _drop_missing_target(frame, target, where, notes)
    frame = as_categorical(frame, declared).reset_index(drop=True)
    labels = _target_values(frame, target, task, where)
    schema = infer_schema(frame[others]) if dropped or declared else full_schema
    excluded, features = _choose_columns(frame.columns, schema, roles, where, notes)
    return Dataset(
        features=frame[features],
        target=labels,
        target_name=target,
        classes=_classes(labels),
        schema=Schema(tuple(schema[c] for c in features)),
        time=_time_values(frame, time_column, where),
        ids=frame[id_column] if id_column is not None else None,
        fingerprint=fingerprint,
        source=source,
        dropped_rows=dropped,
        excluded=excluded,
        warnings=tuple(notes),
    )


def _checked_frame(frame: pd.DataFrame, where: str) -> pd.DataFrame:
    if not all(isinstance(c, str) for c in frame.columns):
        frame = frame.rename(columns=str)
    repeated = sorted(set(frame.columns[frame.columns.duplicated()]))
    if repeated:
        raise DataError(
            f"{where} has duplicate column names: {', '.join(map(repr, repeated))}",
            hint="Rename the columns so that each name appears once.",
        )
    if frame.shape[0] == 0 or frame.shape[1] == 0:
        raise DataError(
            f"{where} is empty ({frame.shape[0]} rows, {frame.shape[1]} columns)",
            hint="Check that the data holds the table you meant to use.",
        )
    return frame


def _roles(
    frame: pd.DataFrame,
    task: str,
    target: str | None,
    drop: Iterable[str],
    id_column: str | None,
    time_column: str | None,
    where: str,
) -> dict[str, str]:
    """Column -> reason for every column the caller gave a role, after checking each exists."""
    if task not in TASKS:
        raise DataError(
            f"Unknown task {task!r} for {where}",
            hint=f"Use one of: {', '.join(TASKS)}.",
        )
    if target is None and task == "classification":
        raise DataError(
            f"Classification of {where} needs a target column, and none was given",
            hint='Name the column to predict (target = "..." in the spec\'s [data] table).',
        )
    drop = (drop,) if isinstance(drop, str) else tuple(drop)
    named = [("target", target), ("id column", id_column), ("time column", time_column)]
    named += [("dropped by spec", column) for column in drop]
    roles: dict[str, str] = {}
    for role, column in named:
        if column is None:
            continue
        _check_exists(frame, column, role, where)
        if roles.get(column, role) != role:
            raise DataError(
                f"Column {column!r} of {where} is given two roles: {roles[column]} and {role}",
                hint="Give each column one role: target, id column, time column or drop.",
            )
        roles[column] = role
    return roles


def _check_exists(frame: pd.DataFrame, column: str, role: str, where: str) -> None:
    if column in frame.columns:
        return
    what = "Column to drop" if role == "dropped by spec" else role.capitalize()
    close = difflib.get_close_matches(column, list(frame.columns), n=1, cutoff=0.6)
    if close:
        hint = f"Did you mean {close[0]!r}?"
    else:
        names = ", ".join(map(repr, frame.columns[:20]))
        more = ", ..." if frame.shape[1] > 20 else ""
        hint = f"Use one of the table's columns: {names}{more}."
    raise DataError(f"{what} {column!r} is not a column of {where}", hint=hint)


def _declared(
    frame: pd.DataFrame, categorical: Iterable[str], roles: dict[str, str], where: str
) -> list[str]:
    """The declared categorical columns that are features, after checking each exists."""
    categorical = (categorical,) if isinstance(categorical, str) else tuple(categorical)
    for column in categorical:
        _check_exists(frame, column, "categorical column", where)
    return [column for column in dict.fromkeys(categorical) if column not in roles]


def _warn(notes: list[str], message: str) -> None:
    """Warn ``message`` (a DataWarning, pointing at the caller of prepare_dataset) and note it."""
    notes.append(message)
    warnings.warn(message, DataWarning, stacklevel=5)


def _drop_missing_target(
    frame: pd.DataFrame, target: str | None, where: str, notes: list[str]
) -> tuple[pd.DataFrame, int]:
    if target is None:
        return frame, 0
    missing = frame[target].isna()
    count = int(missing.sum())
    if count == len(frame):
        raise DataError(
            f"Target {target!r} of {where} is missing in every row ({count} rows)",
            hint="Check that the target column is the one you meant and that it is filled in.",
        )
    if count:
        rows = f"{count} of {len(frame)} rows"
        _warn(notes, f"{where}: dropped {rows} whose target {target!r} is missing")
        frame = frame[~missing]
    return frame, count


def _choose_columns(
    columns: pd.Index, schema: Schema, roles: dict[str, str], where: str, notes: list[str]
) -> tuple[dict[str, str], list[str]]:
    """The reason each non-feature column is left out, and the feature columns, in table order."""
    excluded: dict[str, str] = {}
    features: list[str] = []
    for name in columns:
        reason = roles.get(name) or _content_reason(schema[name])
        if reason:
            excluded[name] = reason
        else:
            features.append(name)
    _warn_left_out(excluded, where, notes)
    if not features:
        reasons = ", ".join(f"{name} ({why})" for name, why in excluded.items())
        raise DataError(
            f"{where} has no feature columns left: {reasons}",
            hint="Add columns to learn from, or remove some from drop, id_column or time_column.",
        )
    return excluded, features


def _content_reason(column: ColumnSchema) -> str:
    if column.unique == 0:
        return "all missing"
    if column.identifier_like:
        return "identifier-like"
    if column.constant:
        return "constant"
    if column.kind == "datetime":
        return _DATETIME
    return ""


def _warn_left_out(excluded: dict[str, str], where: str, notes: list[str]) -> None:
    empty = [name for name, why in excluded.items() if why == "all missing"]
    if empty:
        names = ", ".join(map(repr, empty))
        _warn(notes, f"{where}: left out of the features because entirely missing: {names}")
    flagged = [
        f"{name!r} ({why})"
        for name, why in excluded.items()
        if why in ("identifier-like", "constant")
    ]
    if flagged:
        _warn(notes, f"{where}: left out of the features: {', '.join(flagged)}")
    dates = [name for name, why in excluded.items() if why == _DATETIME]
    if dates:
        _warn(
            notes,
            f"{where}: left out of the features because they hold dates or times: "
            f"{', '.join(map(repr, dates))} (derive features from them, such as a month or an "
            "age, or name one time_column for time-ordered splits)",
        )


def _target_values(
    frame: pd.DataFrame, target: str | None, task: str, where: str
) -> pd.Series | None:
    if target is None:
        return None
    labels = frame[target]
    if types.is_float_dtype(labels.dtype) and (labels % 1 == 0).all():
        labels = labels.astype("int64")
    if task == "classification":
        _check_classes(labels, target, where)
    return labels


def _check_classes(labels: pd.Series, target: str, where: str) -> None:
    """A classification target has at least two classes and does not look continuous."""
    distinct = labels.nunique()
    numeric = types.is_numeric_dtype(labels.dtype) and not types.is_bool_dtype(labels.dtype)
    if numeric and distinct > MAX_NUMERIC_CLASSES:
        raise DataError(
            f"Target {target!r} of {where} has {distinct} distinct numeric values (from "
            f"{labels.min():.6g} to {labels.max():.6g}): this looks like a regression "
            "target; learnburn handles classification and clustering",
            hint="Choose the column that holds the classes, or turn this one into a few classes "
            "in the data first (e.g. above or below a threshold).",
        )
    if distinct > MAX_NUMERIC_CLASSES and distinct * 2 > len(labels):
        raise DataError(
            f"Target {target!r} of {where} has {distinct} distinct values in {len(labels)} rows: "
            "fewer than two rows per class, which looks like an identifier or free text, "
            "not classes",
            hint="Choose the column that holds the classes to predict.",
        )
    if distinct < 2:
        value = labels.iloc[0]
        raise DataError(
            f"Target {target!r} of {where} has one class only: {_scalar(value)!r} "
            f"in all {len(labels)} rows",
            hint="Check that the target column is the right one, or filter the data so that "
            "at least two classes appear.",
        )


def _classes(labels: pd.Series | None) -> tuple:
    if labels is None:
        return ()
    values = [_scalar(v) for v in pd.unique(labels)]
    try:
        return tuple(sorted(values))
    except TypeError:  # mixed types: order by their text
        return tuple(sorted(values, key=str))


def _scalar(value: object) -> object:
    return value.item() if hasattr(value, "item") else value


def _time_values(frame: pd.DataFrame, column: str | None, where: str) -> pd.Series | None:
    if column is None:
        return None
    series = frame[column]
    missing = int(series.isna().sum())
    if missing:
        raise DataError(
            f"Time column {column!r} of {where} is missing in {missing} rows",
            hint="Fill in or remove the rows without a time; time-ordered splits need each one.",
        )
    if types.is_numeric_dtype(series.dtype) or types.is_datetime64_any_dtype(series.dtype):
        return series
    return _parse_times(series, column, where)


def _parse_times(series: pd.Series, column: str, where: str) -> pd.Series:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for fmt in ("ISO8601", "mixed"):
            try:
                return pd.to_datetime(series, format=fmt)
            except (ValueError, TypeError, OverflowError) as error:
                failure = error
    raise DataError(
        f"Time column {column!r} of {where} does not hold dates or times (e.g. {series.iloc[0]!r})",
        hint="Write times as ISO 8601 (2024-01-31 or 2024-01-31T12:00:00), all with the same "
        "UTC offset or none, or as numbers.",
    ) from failure
