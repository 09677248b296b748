"""Splits, metrics, the fold engine, the comparison of candidates and the result records.

Repeated (or walk-forward) splits with a holdout; the fold engine that fits and scores every
candidate on the same folds, on a backend; nested tuning (``_tuning``: an Optuna search per outer
fold on that fold's training rows only, and one on every development row for the refit, with
each trial and the hyperparameters' importances in ``Search``); corrected t-tests, Bayesian
comparison and bootstrap intervals to choose a candidate; the holdout score; paired comparisons
of two fitted models on the same rows (``_paired``: DeLong, McNemar, a paired bootstrap of
decision cost, and the verdict against an equivalence margin, which ``challenge`` uses); the
clustering counterparts; and ``ExperimentResult``, the record of it all.
"""

from learnburn.evaluation._bootstrap import BootstrapInterval, bootstrap_metric, metric_interval
from learnburn.evaluation._cluster_choice import (
    GREATER_IS_BETTER,
    choose_clustering,
    describe_clustering,
)
from learnburn.evaluation._cluster_engine import (
    check_clusterings,
    compare_with_known,
    evaluate_clusterings,
    expand_clusterings,
)
from learnburn.evaluation._cluster_fit import ClusterConfig, ClusterFit, stability_interval
from learnburn.evaluation._cluster_records import ClusteringResult, ClusterScore, Segment
from learnburn.evaluation._compare import Comparison, choose_candidate, compare_candidates
from learnburn.evaluation._engine import (
    CrossValidation,
    OutOfFold,
    evaluate_candidates,
)
from learnburn.evaluation._holdout import refit_on_development, score_holdout
from learnburn.evaluation._holdout_stats import (
    DeLongResult,
    McNemarResult,
    auc_interval,
    auc_variance,
    delong_test,
    mcnemar,
    mcnemar_from_table,
)
from learnburn.evaluation._metrics import (
    METRICS,
    Metric,
    binary_auc,
    get_metric,
    predict_proba_aligned,
    score_all,
)
from learnburn.evaluation._paired import (
    PairedDifference,
    equivalence_verdict,
    paired_accuracy,
    paired_auc,
    paired_cost,
)
from learnburn.evaluation._records import (
    CandidateSummary,
    ExperimentResult,
    FoldScore,
    HoldoutScore,
)
from learnburn.evaluation._segments import profile_segments
from learnburn.evaluation._split_record import record_splits, splits_table
from learnburn.evaluation._splits import Fold, Splits, make_splits
from learnburn.evaluation._stats import (
    BayesianComparison,
    TTestResult,
    bayesian_correlated_ttest,
    corrected_interval,
    corrected_ttest,
    holm,
    naive_ttest,
)
from learnburn.evaluation._tuning import (
    REFIT,
    Search,
    Trial,
    mean_importances,
    search_seed,
    tune_candidate,
)

__all__ = [
    "GREATER_IS_BETTER",
    "METRICS",
    "REFIT",
    "BayesianComparison",
    "BootstrapInterval",
    "CandidateSummary",
    "ClusterConfig",
    "ClusterFit",
    "ClusterScore",
    "ClusteringResult",
    "Comparison",
    "CrossValidation",
    "DeLongResult",
    "ExperimentResult",
    "Fold",
    "FoldScore",
    "HoldoutScore",
    "McNemarResult",
    "Metric",
    "OutOfFold",
    "PairedDifference",
    "Search",
    "Segment",
    "Splits",
    "TTestResult",
    "Trial",
    "auc_interval",
    "auc_variance",
    "bayesian_correlated_ttest",
    "binary_auc",
    "bootstrap_metric",
    "check_clusterings",
    "choose_candidate",
    "choose_clustering",
    "compare_candidates",
    "compare_with_known",
    "corrected_interval",
    "corrected_ttest",
    "delong_test",
    "describe_clustering",
    "equivalence_verdict",
    "evaluate_candidates",
    "evaluate_clusterings",
    "expand_clusterings",
    "get_metric",
    "holm",
    "make_splits",
    "mcnemar",
    "mcnemar_from_table",
    "mean_importances",
    "metric_interval",
    "naive_ttest",
    "paired_accuracy",
    "paired_auc",
    "paired_cost",
    "predict_proba_aligned",
    "profile_segments",
    "record_splits",
    "refit_on_development",
    "score_all",
    "score_holdout",
    "search_seed",
    "splits_table",
    "stability_interval",
    "tune_candidate",
]
