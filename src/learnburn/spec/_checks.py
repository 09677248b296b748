"""Checks across keys of a spec whose tables each validated on their own."""

from __future__ import annotations

import codecs

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
