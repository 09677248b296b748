"""Write an ExperimentSpec back to the TOML format it is read from.

Scalars are formatted by tomli_w; arrays and inline tables are kept on one line, the way a person
writes ``drop = ["race", "sex"]`` or ``grid = { max_depth = [3, 6] }``.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

import tomli_w

from learnburn.errors import SpecError, SpecProblem
from learnburn.spec._model import (
    CandidateSpec,
    ChallengeSpec,
    ClusteringSpec,
    DecisionSpec,
    EvaluationSpec,
    ExperimentSpec,
)

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_SCALARS = (str, bool, int, float, datetime.date, datetime.time)


def toml_key(key: str) -> str:
    """A TOML key: bare when it can be, quoted otherwise."""
    return key if _BARE_KEY.match(key) else toml_value(key)


def toml_value(value: Any) -> str:
    """One TOML value on one line; ``TypeError`` for what TOML cannot hold (``None``...)."""
    if isinstance(value, Mapping):
        items = ", ".join(f"{toml_key(str(k))} = {toml_value(v)}" for k, v in value.items())
        return f"{{ {items} }}" if items else "{}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, _SCALARS):
        text = tomli_w.dumps({"v": value}).removeprefix("v = ").strip()
        return text.replace("\t", "\\t") if isinstance(value, str) else text  # "\t", not a tab
    raise TypeError(f"TOML has no value for {value!r} ({type(value).__name__})")


def spec_to_toml(spec: ExperimentSpec) -> str:
    """The spec as TOML text that ``parse_spec`` reads back to an equal spec."""
    problems: list[SpecProblem] = []
    sections = [
        _table("experiment", {"name": spec.name, "task": spec.task}, problems),
        _table("data", _data_keys(spec), problems),
        _table("evaluation", _evaluation_keys(spec.evaluation, spec.task), problems),
    ]
    if spec.clustering is not None:
        sections.append(_table("clustering", _clustering_keys(spec.clustering), problems))
    if spec.decision is not None:
        sections += _decision_tables(spec.decision, problems)
    if spec.challenge is not None:
        sections.append(_table("challenge", _challenge_keys(spec.challenge), problems))
    for candidate in spec.candidates:
        path = f"candidates.{toml_key(candidate.name)}"
        sections.append(_table(path, _candidate_keys(candidate), problems))
    if problems:
        raise SpecError(problems, file=spec.source)
    return "\n".join(sections)


def _data_keys(spec: ExperimentSpec) -> dict[str, Any]:
    data = spec.data
    keys = {
        "path": data.path or None,
        "sql": data.sql,
        "sql_file": data.sql_file,
        "url": data.url,
        "since": data.since,
        "until": data.until,
        "partitions": {k: list(v) for k, v in data.partitions.items()} or None,
        "target": data.target,
        "time_column": data.time_column,
        "id_column": data.id_column,
        "drop": list(data.drop) or None,
        "categorical": list(data.categorical) or None,
        "encoding": data.encoding if data.encoding != "utf-8" else None,
        "delimiter": data.delimiter,
        "missing_values": list(data.missing_values) or None,
    }
    return {key: value for key, value in keys.items() if value is not None}


def _evaluation_keys(evaluation: EvaluationSpec, task: str) -> dict[str, Any]:
    if task == "clustering":  # only the seed applies; [clustering] holds the rest
        return {"seed": evaluation.seed}
    keys = {
        "splitter": evaluation.splitter,
        "folds": evaluation.folds,
        "repeats": evaluation.repeats,
        "metric": evaluation.metric,
        "seed": evaluation.seed,
        "holdout": evaluation.holdout,
        "rope": evaluation.rope,
        "choose": evaluation.choose,
    }
    return {key: value for key, value in keys.items() if value is not None}


def _challenge_keys(challenge: ChallengeSpec) -> dict[str, Any]:
    keys = {k: v for k, v in asdict(challenge).items() if v is not None}
    return keys


def _clustering_keys(clustering: ClusteringSpec) -> dict[str, Any]:
    return {
        "k": list(clustering.k),
        "resamples": clustering.resamples,
        "silhouette_sample": clustering.silhouette_sample,
        "stability_floor": clustering.stability_floor,
        "min_share": clustering.min_share,
        "metric": clustering.metric,
    }


def _decision_tables(decision: DecisionSpec, problems: list[SpecProblem]) -> list[str]:
    keys: dict[str, Any] = {}
    if decision.calibration != "auto":
        keys["calibration"] = decision.calibration
    if decision.matrix is not None:
        keys["matrix"] = [list(row) for row in decision.matrix]
    tables = [_table("decision", keys, problems)] if keys else []
    if decision.costs:
        tables.append(_table("decision.costs", decision.costs, problems))
    return tables


def _candidate_keys(candidate: CandidateSpec) -> dict[str, Any]:
    keys: dict[str, Any] = {}
    if candidate.model != candidate.name:
        keys["model"] = candidate.model
    if candidate.preprocessing != "auto":
        keys["preprocessing"] = candidate.preprocessing
    if candidate.params:
        keys["params"] = candidate.params
    if candidate.grid:
        keys["grid"] = {key: list(values) for key, values in candidate.grid.items()}
    if candidate.search is not None:
        search = candidate.search
        keys["search"] = {
            "n_trials": search.n_trials, "inner_folds": search.inner_folds, "space": search.space
        }  # fmt: skip
    return keys


def _table(path: str, keys: Mapping[str, Any], problems: list[SpecProblem]) -> str:
    lines = [f"[{path}]"]
    for key, value in keys.items():
        try:
            lines.append(f"{toml_key(key)} = {toml_value(value)}")
        except TypeError as error:
            where = f"{path}.{toml_key(key)}{_untomlable(value)}"
            hint = "leave it out to use the default, or give it a value TOML can hold"
            problems.append(SpecProblem(where, str(error), hint))
    return "\n".join(lines) + "\n"


def _untomlable(value: Any) -> str:
    """Where inside ``value`` the first value TOML cannot hold is: ``.max_depth``, ``[2]``."""
    items: Any = ()
    if isinstance(value, Mapping):
        items = ((f".{toml_key(str(k))}", v) for k, v in value.items())
    elif isinstance(value, list | tuple):
        items = ((f"[{i}]", v) for i, v in enumerate(value))
    for where, item in items:
        try:
            toml_value(item)
        except TypeError:
            return where + _untomlable(item)
    return ""
