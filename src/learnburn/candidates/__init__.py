"""The candidate registry: short name -> estimator, preprocessing, default params and tags."""

from learnburn.candidates._build import build_pipeline
from learnburn.candidates._check import CandidateProblem, check_candidate, is_import_path
from learnburn.candidates._registry import CandidateInfo, candidate_names, describe_candidates

__all__ = [
    "CandidateInfo",
    "CandidateProblem",
    "build_pipeline",
    "candidate_names",
    "check_candidate",
    "describe_candidates",
    "is_import_path",
]
