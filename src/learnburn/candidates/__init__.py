"""The candidate registry: short name -> estimator, preprocessing, default params and tags.

Also each family's column transforms (what a bundle needs to score), the checks of a candidate's
params, and search spaces: the distributions a tuned candidate's ``search`` is written in and
each family's default space (``_spaces``).
"""

from learnburn.candidates._assign import ClusterAssigner
from learnburn.candidates._build import build_pipeline
from learnburn.candidates._check import CandidateProblem, check_candidate, is_import_path
from learnburn.candidates._clustering import (
    AGGLOMERATIVE_ROWS,
    build_clusterer,
    check_clusterer,
    clusterer_names,
    describe_clusterers,
    k_parameter,
)
from learnburn.candidates._registry import CandidateInfo, candidate_names, describe_candidates
from learnburn.candidates._spaces import (
    DEFAULT_SPACES,
    Distribution,
    SpaceSyntaxError,
    default_space,
    parse_distribution,
)

__all__ = [
    "AGGLOMERATIVE_ROWS",
    "DEFAULT_SPACES",
    "CandidateInfo",
    "CandidateProblem",
    "ClusterAssigner",
    "Distribution",
    "SpaceSyntaxError",
    "build_clusterer",
    "build_pipeline",
    "candidate_names",
    "check_candidate",
    "check_clusterer",
    "clusterer_names",
    "default_space",
    "describe_candidates",
    "describe_clusterers",
    "is_import_path",
    "k_parameter",
    "parse_distribution",
]
