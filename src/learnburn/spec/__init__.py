"""The TOML experiment spec, validated at the edge into a frozen ExperimentSpec.

``load_spec`` reads a spec and reports every problem with its key path: the data source (a file,
an ``s3://`` URL, or ``sql``/``sql_file`` with a database ``url``, and its ``since``/``until``
window), the evaluation, the decision costs, the candidates with their fixed params, grids or
tuning ``search`` (``SearchSpec``), and the ``[challenge]`` rules a retrained model is promoted
by (``ChallengeSpec``). ``spec_to_toml`` writes a spec back in the same format (what a notebook
experiment checks in); the starter spec of ``learnburn init`` is the workflows'.
"""

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
    "WHEN_EQUIVALENT",
    "CandidateSpec",
    "ChallengeSpec",
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
