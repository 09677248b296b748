"""The TOML experiment spec, validated at the edge into a frozen ExperimentSpec."""

from learnburn.spec._load import load_spec, parse_spec
from learnburn.spec._model import (
    CALIBRATION,
    CHOOSE,
    CLUSTER_METRICS,
    COST_KEYS,
    DEFAULT_ROPE,
    METRICS,
    PREPROCESSING,
    SPLITTERS,
    TASKS,
    WHEN_EQUIVALENT,
    CandidateSpec,
    ChallengeSpec,
    ClusteringSpec,
    DataSpec,
    DecisionSpec,
    EvaluationSpec,
    ExperimentSpec,
    relative_data_path,
)
from learnburn.spec._starter import starter_spec
from learnburn.spec._write import spec_to_toml

__all__ = [
    "CALIBRATION",
    "CHOOSE",
    "CLUSTER_METRICS",
    "COST_KEYS",
    "DEFAULT_ROPE",
    "METRICS",
    "PREPROCESSING",
    "SPLITTERS",
    "TASKS",
    "WHEN_EQUIVALENT",
    "CandidateSpec",
    "ChallengeSpec",
    "ClusteringSpec",
    "DataSpec",
    "DecisionSpec",
    "EvaluationSpec",
    "ExperimentSpec",
    "load_spec",
    "parse_spec",
    "relative_data_path",
    "spec_to_toml",
    "starter_spec",
]
