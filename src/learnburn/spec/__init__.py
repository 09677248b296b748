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
    CandidateSpec,
    ClusteringSpec,
    DataSpec,
    DecisionSpec,
    EvaluationSpec,
    ExperimentSpec,
    SearchSpec,
    relative_data_path,
)
from learnburn.spec._write import spec_to_toml, toml_value

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
    "CandidateSpec",
    "ClusteringSpec",
    "DataSpec",
    "DecisionSpec",
    "EvaluationSpec",
    "ExperimentSpec",
    "SearchSpec",
    "load_spec",
    "parse_spec",
    "relative_data_path",
    "spec_to_toml",
    "toml_value",
]
