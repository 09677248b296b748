"""Checks that the tables of a spec fit its task: what applies to classification only, and what
to clustering only.

For clustering, ``[evaluation]`` takes only ``seed`` (the splits, metric and holdout of
classification do not apply), ``[decision]`` does not apply, and ``[clustering]`` holds the rest.
A ``data.target`` of a clustering spec names known groups: it is never a feature, and serves only
to report how well the clusters recover those groups (the adjusted Rand index).
"""

from __future__ import annotations

from typing import Any

from learnburn.errors import SpecProblem
from learnburn.spec._tables import ExperimentTable

_CLUSTERING_EVALUATION = ("seed",)


def check_task(experiment: ExperimentTable, raw: dict[str, Any]) -> list[SpecProblem]:
    """Tables and keys the spec's task does not use."""
    if experiment.task == "clustering":
        return _clustering_problems(raw)
    if isinstance(raw.get("clustering"), dict):
        hint = 'set task = "clustering" under [experiment], or remove the [clustering] table'
        return [SpecProblem("clustering", "applies only to task 'clustering'", hint)]
    return []


def _clustering_problems(raw: dict[str, Any]) -> list[SpecProblem]:
    problems = []
    evaluation = raw.get("evaluation")
    if isinstance(evaluation, dict):
        for key in evaluation:
            if key in _CLUSTERING_EVALUATION:
                continue
            hint = "remove it: clustering takes only seed under [evaluation]"
            if key == "metric":
                hint = 'set metric under [clustering] instead, e.g. metric = "silhouette"'
            problems.append(SpecProblem(f"evaluation.{key}", "does not apply to clustering", hint))
    if raw.get("decision") is not None:
        hint = "remove the [decision] table: clusters are assigned, not decided at a cost"
        problems.append(SpecProblem("decision", "does not apply to clustering", hint))
    return problems
