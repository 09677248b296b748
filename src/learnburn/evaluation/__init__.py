"""Splits, metrics, the fold engine and the result records."""

from learnburn.evaluation._engine import (
    evaluate_candidates,
    predict_proba_aligned,
    refit_on_development,
)
from learnburn.evaluation._metrics import METRICS, Metric, get_metric, score_all
from learnburn.evaluation._records import (
    CandidateSummary,
    ExperimentResult,
    FoldScore,
    HoldoutScore,
)
from learnburn.evaluation._splits import Fold, Splits, make_splits

__all__ = [
    "METRICS",
    "CandidateSummary",
    "ExperimentResult",
    "Fold",
    "FoldScore",
    "HoldoutScore",
    "Metric",
    "Splits",
    "evaluate_candidates",
    "get_metric",
    "make_splits",
    "predict_proba_aligned",
    "refit_on_development",
    "score_all",
]
