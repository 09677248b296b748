"""Check candidates against the candidates registry: models, params, grids and names.

Expanded candidate names are unique when each table's grid repeats no value: table names are
unique (TOML), and they cannot contain the ``[`` that every expanded name holds.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from learnburn.candidates import (
    candidate_names,
    check_candidate,
    check_clusterer,
    clusterer_names,
)
from learnburn.errors import SpecProblem
from learnburn.spec._model import CandidateSpec
from learnburn.spec._problems import key_path
from learnburn.spec._tables import CandidateTable

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def check_candidates(
    tables: Mapping[str, CandidateTable], *, task: str = "classification"
) -> list[SpecProblem]:
    """Every problem with the candidates, keyed by the spec's table names; a clustering spec's
    candidates are checked against the clustering registry."""
    if not tables:
        names = ", ".join(_names(task))
        hint = f"add a [candidates.NAME] table; registered names: {names}"
        return [SpecProblem("candidates", "must list at least one candidate, got none", hint)]
    problems: list[SpecProblem] = []
    for key, table in tables.items():
        candidate = table.to_spec(key)
        problems += _check_name(key)
        problems += _check_model_and_params(key, candidate, implicit=table.model is None, task=task)
        for param, values in candidate.grid.items():
            problems += _check_grid_key(key, candidate, param, values, task)
    return problems


def _names(task: str) -> tuple[str, ...]:
    return clusterer_names() if task == "clustering" else candidate_names()


def _check(task: str, model: str, params: Mapping[str, Any]):
    if task == "clustering":
        return check_clusterer(model, params)
    return check_candidate(model, params)


def _check_name(key: str) -> list[SpecProblem]:
    if _NAME.match(key):
        return []
    message = f"candidate name {key!r} must start with a letter or '_' and hold only letters, "
    message += "digits, '_' and '-'"
    hint = "rename the table, e.g. [candidates.deep_forest], and set model = ... in it"
    return [SpecProblem(key_path("candidates", key), message, hint)]


def _check_model_and_params(
    key: str, candidate: CandidateSpec, *, implicit: bool, task: str
) -> list[SpecProblem]:
    if task != "clustering" and candidate.model in clusterer_names():
        message = f"'{candidate.model}' is a clustering candidate, not a classifier"
        hint = 'set task = "clustering" under [experiment] to segment the table'
        where = ("candidates", key) if implicit else ("candidates", key, "model")
        return [SpecProblem(key_path(*where), message, hint)]
    problems = []
    for found in _check(task, candidate.model, candidate.params):
        if found.key:
            path = key_path("candidates", key, "params", found.key)
            problems.append(SpecProblem(path, found.message, found.hint))
        elif implicit and key not in _names(task):
            hint = found.hint or "set model = a registered name or 'module:Class'"
            message = found.message if task == "clustering" else f"unknown candidate '{key}'"
            problems.append(SpecProblem(key_path("candidates", key), message, hint))
        else:
            path = key_path("candidates", key, "model")
            problems.append(SpecProblem(path, found.message, found.hint))
    return problems


def _check_grid_key(
    key: str, candidate: CandidateSpec, param: str, values: Sequence[Any], task: str
) -> list[SpecProblem]:
    """The param is not also fixed, each value passes the registry, and none repeats.

    A problem every value shares (an unknown parameter) is reported once, at the grid key.
    """
    path = key_path("candidates", key, "grid", param)
    problems = []
    if param in candidate.params:
        message = f"'{param}' is set both in params and in grid"
        hint = f"remove '{param}' from params: the grid sets it"
        problems.append(SpecProblem(path, message, hint))
    found = [_value_problems(task, candidate.model, param, value) for value in values]
    shared = set.intersection(*map(set, found)) if len(values) > 1 else set()
    problems += [SpecProblem(path, message, hint) for message, hint in sorted(shared)]
    for i, value_problems in enumerate(found):
        for message, hint in value_problems:
            if (message, hint) not in shared:
                problems.append(SpecProblem(f"{path}[{i}]", message, hint))
    labels = Counter(c.name for c in replace(candidate, grid={param: values}).expand())
    for label, count in labels.items():
        if count > 1:
            message = f"repeats a value: '{label}' would be evaluated {count} times"
            problems.append(SpecProblem(path, message, "remove the repeated value"))
    return problems


def _value_problems(task: str, model: str, param: str, value: Any) -> list[tuple[str, str]]:
    problems = _check(task, model, {param: value})
    return [(p.message, p.hint) for p in problems if p.key == param]
