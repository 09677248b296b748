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
    SpaceSyntaxError,
    candidate_names,
    check_candidate,
    check_clusterer,
    clusterer_names,
    default_space,
    parse_distribution,
)
from learnburn.errors import SpecProblem
from learnburn.spec._model import CandidateSpec
from learnburn.spec._problems import as_written, key_path, validate_table
from learnburn.spec._tables import CandidateTable, SearchTable

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
        if table.search is not None:
            problems += _check_search(key, table, candidate, task)
    return problems


_SEARCH_HINT = 'search = "default", or search = { n_trials = 40, space = { ... } }'


def _check_search(
    key: str, table: CandidateTable, candidate: CandidateSpec, task: str
) -> list[SpecProblem]:
    """The search is "default" or a valid table, its family has a default space when it needs
    one, and each distribution parses and passes the parameter's rule at its extremes."""
    path = ("candidates", key, "search")
    if task == "clustering":
        message = "clustering candidates are not tuned: there is no supervised score to tune"
        hint = "remove search; a clustering spec already searches k over [clustering] k"
        return [SpecProblem(key_path(*path), message, hint)]
    raw = {} if table.search == "default" else table.search
    if not isinstance(raw, dict):
        message = f"must be 'default' or a table, got {as_written(table.search)}"
        return [SpecProblem(key_path(*path), message, _SEARCH_HINT)]
    problems: list[SpecProblem] = []
    search = validate_table(SearchTable, raw, path, problems)
    if candidate.grid:
        message = "a candidate takes a grid or a search, not both"
        hint = 'move the grid\'s parameters into search.space, e.g. max_depth = "int(3, 6)"'
        problems.append(SpecProblem(key_path("candidates", key, "grid"), message, hint))
    space_path = key_path(*path, "space")
    if search is None or any(p.path.startswith(space_path) for p in problems):
        return problems
    if search.space == "default":
        if default_space(candidate.model) is None:
            message = f"'{candidate.model}' has no default search space"
            hint = 'write the space: space = { PARAM = "uniform(0.1, 1.0)", ... }'
            problems.append(SpecProblem(key_path(*path), message, hint))
        return problems
    if not search.space:
        message = "space must name at least one parameter"
        problems.append(
            SpecProblem(key_path(*path, "space"), message, 'or write space = "default"')
        )
    for param, text in search.space.items():
        problems += _check_distribution(key_path(*path, "space", param), candidate, param, text)
    return problems


def _check_distribution(
    path: str, candidate: CandidateSpec, param: str, text: str
) -> list[SpecProblem]:
    try:
        distribution = parse_distribution(text)
    except SpaceSyntaxError as error:
        return [SpecProblem(path, str(error), error.hint)]
    if param in candidate.params:
        message = f"'{param}' is set both in params and in search.space"
        return [SpecProblem(path, message, f"remove '{param}' from params: the search sets it")]
    for value in distribution.extremes():  # the first value refused stands for the rest
        found = _value_problems("classification", candidate.model, param, value)
        if found:
            return [SpecProblem(path, f"{msg} (from {text!r})", hint) for msg, hint in found]
    return []


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
