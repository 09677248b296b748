"""The TOML experiment spec, validated at the edge into a frozen ExperimentSpec."""

from learnburn.spec._model import (
    COST_KEYS,
    METRICS,
    PREPROCESSING,
    SPLITTERS,
    TASKS,
    CandidateSpec,
    DataSpec,
    DecisionSpec,
    EvaluationSpec,
    ExperimentSpec,
)

__all__ = [
    "COST_KEYS",
    "METRICS",
    "PREPROCESSING",
    "SPLITTERS",
    "TASKS",
    "CandidateSpec",
    "DataSpec",
    "DecisionSpec",
    "EvaluationSpec",
    "ExperimentSpec",
]
