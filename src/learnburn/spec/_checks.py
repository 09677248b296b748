"""Checks across keys of a spec whose tables each validated on their own."""

from __future__ import annotations

import codecs
import datetime as dt

from learnburn.errors import SpecProblem
from learnburn.spec._tables import DataTable, DecisionTable, EvaluationTable, ExperimentTable


def check_columns(experiment: ExperimentTable | None, data: DataTable) -> list[SpecProblem]:
    """The target is present for classification and plays no other role."""
    target = data.target
    if target is None:
        if experiment is None or experiment.task != "classification":
            return []
        hint = 'add target = "COLUMN" under [data]: the column to predict'
        return [SpecProblem("data.target", "is required for classification", hint)]
    problems = [
        SpecProblem(
            f"data.drop[{i}]",
            f"drops the target '{target}'",
            "remove it from drop: the target is never a feature",
        )
        for i, column in enumerate(data.drop)
        if column == target
    ]
    for role in ("time_column", "id_column"):
        if getattr(data, role) == target:
            message = f"is the target '{target}'"
            hint = f"a column is either the target or the {role.replace('_', ' ')}, not both"
            problems.append(SpecProblem(f"data.{role}", message, hint))
    return problems


def check_text_options(data: DataTable) -> list[SpecProblem]:
    """The encoding is one Python knows, and the delimiter is a character that can separate."""
    problems = []
    try:
        codecs.lookup(data.encoding)
    except LookupError:
        hint = 'use a Python codec name, e.g. encoding = "cp1252" (or "latin-1", "utf-16")'
        problems.append(SpecProblem("data.encoding", f"unknown encoding '{data.encoding}'", hint))
    if data.delimiter is not None and (data.delimiter in '"\r\n' or data.delimiter.isalnum()):
        message = f"cannot be {data.delimiter!r}: it would split values or lines"
        hint = 'use the character between fields, e.g. delimiter = ";" (or "\\t", "|")'
        problems.append(SpecProblem("data.delimiter", message, hint))
    return problems


def check_splitter(evaluation: EvaluationTable, data: DataTable | None) -> list[SpecProblem]:
    """Walk-forward splits need to know which column orders the rows in time."""
    if evaluation.splitter != "walk-forward" or data is None or data.time_column:
        return []
    message = "'walk-forward' needs data.time_column, which is not set"
    hint = 'add time_column = "COLUMN" under [data], or choose another splitter'
    return [SpecProblem("evaluation.splitter", message, hint)]


def check_costs(decision: DecisionTable) -> list[SpecProblem]:
    """Costs come as a binary table or a multiclass matrix, and something must cost something."""
    if (decision.costs is None) == (decision.matrix is None):
        message = "needs exactly one of costs (binary) or matrix (multiclass)"
        hint = (
            "binary: [decision.costs] false_positive = 1.0 ...; multiclass: matrix = [[...], ...]"
        )
        return [SpecProblem("decision", message, hint)]
    if decision.matrix is not None:
        return _check_matrix(decision.matrix)
    costs = decision.costs.model_dump(exclude_none=True)
    if any(cost != 0 for cost in costs.values()):
        return []
    message = "must give at least one non-zero cost, got " + ("only zeros" if costs else "none")
    hint = "for example: false_positive = 1.0 and false_negative = 5.0"
    return [SpecProblem("decision.costs", message, hint)]


def _check_matrix(matrix: list[list[float]]) -> list[SpecProblem]:
    size = len(matrix)
    problems = [
        SpecProblem(
            f"decision.matrix[{i}]",
            f"must have {size} numbers (the matrix is square), got {len(row)}",
            "row i, column j: the cost of deciding class j when the truth is class i",
        )
        for i, row in enumerate(matrix)
        if len(row) != size
    ]
    if not problems and not any(value != 0 for row in matrix for value in row):
        hint = "put the cost of each wrong decision off the diagonal"
        problems.append(SpecProblem("decision.matrix", "must not be all zeros", hint))
    return problems


def check_source(data: DataTable) -> list[SpecProblem]:
    """One source (a path, or a query on a database URL without a password), and a time window
    that can apply to it."""
    given = [key for key in ("path", "sql", "sql_file") if getattr(data, key) is not None]
    if len(given) != 1:
        got = "none" if not given else " and ".join(given)
        hint = 'path = "data/loans.csv", or sql = "SELECT ..." with url = "env:LOANS_DB"'
        return [SpecProblem("data", f"needs exactly one of path, sql or sql_file, got {got}", hint)]
    problems = _check_url(data)
    path = data.path or ""
    if data.partitions and not (path.startswith("s3://") and path.endswith("/")):
        message = "applies to an s3:// folder of partitioned Parquet only (a path ending in /)"
        hint = 'path = "s3://bucket/loans/" with partitions = { year = [2024, 2025] }'
        problems.append(SpecProblem("data.partitions", message, hint))
    return problems + _check_window(data)


def _check_url(data: DataTable) -> list[SpecProblem]:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    query = data.sql is not None or data.sql_file is not None
    if query and data.url is None:
        hint = 'url = "env:LOANS_DB", with LOANS_DB=postgresql+psycopg://USER@HOST/DB exported'
        return [SpecProblem("data.url", "is required to run the query", hint)]
    if data.url is None or data.url.startswith("env:"):
        return []
    if not query:
        return [SpecProblem("data.url", "applies only to sql or sql_file", "remove it")]
    try:
        url = make_url(data.url)
    except ArgumentError:
        hint = "DIALECT+DRIVER://USER@HOST:PORT/DATABASE, or env:VARIABLE naming one"
        return [SpecProblem("data.url", "is not a database URL", hint)]
    if url.password is None:
        return []
    message = "holds a password, and a spec is checked in (the password is not repeated here)"
    hint = 'export the URL in an environment variable and write url = "env:NAME"'
    return [SpecProblem("data.url", message, hint)]


def _check_window(data: DataTable) -> list[SpecProblem]:
    problems, moments = [], {}
    for key in ("since", "until"):
        value = getattr(data, key)
        if isinstance(value, str):
            try:
                value = dt.datetime.fromisoformat(value)
            except ValueError:
                hint = f"an ISO date or date-time, e.g. {key} = 2024-01-01"
                problems.append(SpecProblem(f"data.{key}", f"is not a date: '{value}'", hint))
                continue
        if value is not None:
            moments[key] = value
    in_query = "{since}" in (data.sql or "") or "{until}" in (data.sql or "")
    if moments and not data.time_column and not in_query and data.sql_file is None:
        key = next(iter(moments))
        message = "needs data.time_column (the column whose times it bounds)"
        hint = f"set time_column under [data], or use {{{key}}} in the sql"
        problems.append(SpecProblem(f"data.{key}", message, hint))
    if len(moments) == 2 and _naive(moments["since"]) >= _naive(moments["until"]):
        hint = "since is the first time kept, until the first time left out"
        problems.append(SpecProblem("data.until", "must be later than since", hint))
    return problems


def _naive(value: dt.date | dt.datetime) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    return value.replace(tzinfo=None)
