"""The registered candidates: short name -> estimator, preprocessing, defaults, rules, tags.

Each entry names its estimator as ``module:Class`` and declares every parameter name the
estimator accepts (those with a value rule, plus ``other_params``), so a spec can be checked
without importing LightGBM or XGBoost. ``tests/candidates/test_registry.py`` keeps the
declarations equal to the installed estimators' ``get_params()``.

Defaults: ``n_jobs=1`` wherever there is such a knob, because folds already run in parallel.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from learnburn.candidates._rules import BOOLEAN, NONE, Float, Integer, Options, Rule, Table


@dataclass(frozen=True)
class CandidateInfo:
    """What ``learnburn candidates`` lists about one registered candidate."""

    name: str
    summary: str
    family: str
    estimator: str  # "module:Class"
    preprocessing: str
    extra: str | None
    tags: tuple[str, ...]


@dataclass(frozen=True)
class _Entry:
    name: str
    summary: str
    family: str
    estimator: str
    preprocessing: str
    defaults: Mapping[str, Any] = field(default_factory=dict)
    rules: Mapping[str, Rule] = field(default_factory=dict)
    other_params: tuple[str, ...] = ()
    extra: str | None = None
    tags: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()  # modules fit needs that the estimator's module does not import

    @property
    def param_names(self) -> tuple[str, ...]:
        return tuple(sorted({*self.rules, *self.other_params}))

    def info(self) -> CandidateInfo:
        return CandidateInfo(
            name=self.name,
            summary=self.summary,
            family=self.family,
            estimator=self.estimator,
            preprocessing=self.preprocessing,
            extra=self.extra,
            tags=self.tags,
        )


def candidate_names() -> tuple[str, ...]:
    """The registered short names, in listing order."""
    return tuple(entry.name for entry in _ENTRIES)


def describe_candidates() -> tuple[CandidateInfo, ...]:
    """One record per registered candidate, in listing order."""
    return tuple(entry.info() for entry in _ENTRIES)


def find_entry(name: str) -> _Entry | None:
    """The registered entry of that name, or None."""
    return next((entry for entry in _ENTRIES if entry.name == name), None)


# -- parameter rules shared between entries ---------------------------------------------------

_POSITIVE = (Float(0),)
_NON_NEGATIVE = (Float(0, closed="left"),)
_FRACTION = (Float(0, 1, closed="right"),)  # (0, 1]
_SEED: dict[str, Rule] = {"random_state": (Integer(0, 2**32 - 1), NONE)}
_DEPTH = (Integer(1), NONE)
_CLASS_WEIGHT = (Options(("balanced",)), Table(), NONE)

_SOLVERS = ("lbfgs", "liblinear", "newton-cg", "newton-cholesky", "sag", "saga")

_TREE_RULES: dict[str, Rule] = {
    **_SEED,
    "criterion": (Options(("gini", "entropy", "log_loss")),),
    "max_depth": _DEPTH,
    "min_samples_split": (Integer(2), Float(0, 1, closed="right")),
    "min_samples_leaf": (Integer(1), Float(0, 1)),
    "min_weight_fraction_leaf": (Float(0, 0.5, closed="both"),),
    "max_features": (Integer(1), Float(0, 1, closed="right"), Options(("sqrt", "log2")), NONE),
    "max_leaf_nodes": (Integer(2), NONE),
    "min_impurity_decrease": _NON_NEGATIVE,
    "ccp_alpha": _NON_NEGATIVE,
}
_TREE_OTHER = ("class_weight", "monotonic_cst")

_FOREST_RULES: dict[str, Rule] = {
    **_TREE_RULES,
    "n_estimators": (Integer(1),),
    "bootstrap": (BOOLEAN,),
    "oob_score": (BOOLEAN,),
    "max_samples": (Integer(1), Float(0, 1, closed="right"), NONE),
    "class_weight": (Options(("balanced", "balanced_subsample")), Table(), NONE),
    "n_jobs": (Integer(-1), NONE),
}
_FOREST_OTHER = ("monotonic_cst", "verbose", "warm_start")

_LIGHTGBM_RULES: dict[str, Rule] = {
    "random_state": (Integer(0, 2**31 - 1), NONE),
    "boosting_type": (Options(("gbdt", "dart", "rf")),),
    "n_estimators": (Integer(1),),
    "learning_rate": _POSITIVE,
    "num_leaves": (Integer(2, 131072),),
    "max_depth": (Integer(1), Options((-1,))),
    "min_child_samples": (Integer(0),),
    "min_child_weight": _NON_NEGATIVE,
    "min_split_gain": _NON_NEGATIVE,
    "subsample": _FRACTION,
    "subsample_freq": (Integer(0),),
    "colsample_bytree": _FRACTION,
    "reg_alpha": _NON_NEGATIVE,
    "reg_lambda": _NON_NEGATIVE,
    "class_weight": _CLASS_WEIGHT,
    "n_jobs": (Integer(-1), NONE),
}
_LIGHTGBM_OTHER = ("importance_type", "objective", "subsample_for_bin", "verbose")

_HGB_OTHER = (
    "categorical_features", "interaction_cst", "loss", "monotonic_cst", "scoring", "tol",
    "verbose", "warm_start",
)  # fmt: skip

_XGBOOST_RULES: dict[str, Rule] = {
    "random_state": (Integer(0, 2**31 - 1), NONE),
    "n_estimators": (Integer(1), NONE),
    "learning_rate": (*_POSITIVE, NONE),
    "max_depth": (Integer(0), NONE),
    "max_leaves": (Integer(0), NONE),
    "min_child_weight": (*_NON_NEGATIVE, NONE),
    "gamma": (*_NON_NEGATIVE, NONE),
    "subsample": (*_FRACTION, NONE),
    "colsample_bytree": (*_FRACTION, NONE),
    "colsample_bylevel": (*_FRACTION, NONE),
    "colsample_bynode": (*_FRACTION, NONE),
    "reg_alpha": (*_NON_NEGATIVE, NONE),
    "reg_lambda": (*_NON_NEGATIVE, NONE),
    "scale_pos_weight": (*_POSITIVE, NONE),
    "max_bin": (Integer(2), NONE),
    "max_cat_to_onehot": (Integer(1), NONE),
    "grow_policy": (Options(("depthwise", "lossguide")), NONE),
    "n_jobs": (Integer(-1), NONE),
}
_XGBOOST_OTHER = (
    "base_score", "booster", "callbacks", "device", "early_stopping_rounds",
    "enable_categorical", "eval_metric", "feature_types", "feature_weights", "importance_type",
    "interaction_constraints", "max_cat_threshold", "max_delta_step", "missing",
    "monotone_constraints", "multi_strategy", "num_parallel_tree", "objective",
    "sampling_method", "tree_method", "validate_parameters", "verbosity",
)  # fmt: skip

_MLP_RULES: dict[str, Rule] = {
    **_SEED,
    "hidden_units": (Integer(1),),
    "hidden_layers": (Integer(0),),
    "dropout": (Float(0, 1, closed="left"),),
    "learning_rate": _POSITIVE,
    "weight_decay": _NON_NEGATIVE,
    "batch_size": (Integer(1),),
    "max_epochs": (Integer(1),),
    "patience": (Integer(1),),
    "validation_fraction": (Float(0, 1, closed="left"),),
    "device": (Options(("auto", "cpu", "cuda")),),
    "n_jobs": (Integer(1),),
}

# -- the registry -------------------------------------------------------------------------------

_ENTRIES: tuple[_Entry, ...] = (
    _Entry(
        name="dummy",
        summary="baseline: predicts the class frequencies seen in training",
        family="baseline",
        estimator="sklearn.dummy:DummyClassifier",
        preprocessing="none",
        defaults={"strategy": "prior"},
        rules={
            **_SEED,
            "strategy": (Options(("prior", "most_frequent", "stratified", "uniform", "constant")),),
        },
        other_params=("constant",),
        tags=("classifier", "probabilistic", "baseline"),
    ),
    _Entry(
        name="logistic_regression",
        summary="L2-regularised logistic regression on scaled, one-hot encoded features",
        family="linear",
        estimator="sklearn.linear_model:LogisticRegression",
        preprocessing="linear",
        defaults={"max_iter": 1000},
        rules={
            **_SEED,
            "C": _POSITIVE,
            "l1_ratio": (Float(0, 1, closed="both"), NONE),
            "max_iter": (Integer(1),),
            "tol": _POSITIVE,
            "solver": (
                Options(("lbfgs", "liblinear", "newton-cg", "newton-cholesky", "sag", "saga")),
            ),
            "class_weight": _CLASS_WEIGHT,
            "fit_intercept": (BOOLEAN,),
        },
        other_params=("dual", "intercept_scaling", "n_jobs", "penalty", "verbose", "warm_start"),
        tags=("classifier", "probabilistic", "interpretable"),
    ),
    _Entry(
        name="knn",
        summary="k-nearest neighbours on scaled, one-hot encoded features",
        family="neighbors",
        estimator="sklearn.neighbors:KNeighborsClassifier",
        preprocessing="linear",
        rules={
            "n_neighbors": (Integer(1),),
            "weights": (Options(("uniform", "distance")),),
            "p": _POSITIVE,
            "leaf_size": (Integer(1),),
            "algorithm": (Options(("auto", "ball_tree", "kd_tree", "brute")),),
            "n_jobs": (Integer(-1), NONE),
        },
        other_params=("metric", "metric_params"),
        tags=("classifier", "probabilistic"),
    ),
    _Entry(
        name="decision_tree",
        summary="a single CART decision tree",
        family="tree",
        estimator="sklearn.tree:DecisionTreeClassifier",
        preprocessing="tree",
        rules={**_TREE_RULES, "splitter": (Options(("best", "random")),)},
        other_params=_TREE_OTHER,
        tags=("classifier", "probabilistic", "handles-missing", "interpretable"),
    ),
    _Entry(
        name="random_forest",
        summary="random forest of CART trees (bootstrap samples, random feature subsets)",
        family="forest",
        estimator="sklearn.ensemble:RandomForestClassifier",
        preprocessing="tree",
        defaults={"n_jobs": 1},
        rules=_FOREST_RULES,
        other_params=_FOREST_OTHER,
        tags=("classifier", "probabilistic", "handles-missing"),
    ),
    _Entry(
        name="extra_trees",
        summary="extremely randomised trees (random split thresholds)",
        family="forest",
        estimator="sklearn.ensemble:ExtraTreesClassifier",
        preprocessing="tree",
        defaults={"n_jobs": 1},
        rules=_FOREST_RULES,
        other_params=_FOREST_OTHER,
        tags=("classifier", "probabilistic", "handles-missing"),
    ),
    _Entry(
        name="hist_gradient_boosting",
        summary="scikit-learn's histogram gradient boosting, categories split natively",
        family="boosting",
        estimator="sklearn.ensemble:HistGradientBoostingClassifier",
        preprocessing="native",
        defaults={"categorical_features": "from_dtype"},
        rules={
            **_SEED,
            "learning_rate": _POSITIVE,
            "max_iter": (Integer(1),),
            "max_depth": _DEPTH,
            "max_leaf_nodes": (Integer(2), NONE),
            "min_samples_leaf": (Integer(1),),
            "l2_regularization": _NON_NEGATIVE,
            "max_features": _FRACTION,
            "max_bins": (Integer(2, 255),),
            "early_stopping": (Options(("auto",)), BOOLEAN),
            "n_iter_no_change": (Integer(1),),
            "validation_fraction": (Float(0, 1), Integer(1), NONE),
            "class_weight": _CLASS_WEIGHT,
        },
        other_params=_HGB_OTHER,
        tags=("classifier", "probabilistic", "native-categorical", "handles-missing"),
    ),
    _Entry(
        name="lightgbm",
        summary="LightGBM gradient boosting (leaf-wise trees), categories split natively",
        family="boosting",
        estimator="lightgbm:LGBMClassifier",
        preprocessing="native",
        defaults={"n_jobs": 1, "verbose": -1},
        rules=_LIGHTGBM_RULES,
        other_params=_LIGHTGBM_OTHER,
        extra="boosting",
        tags=("classifier", "probabilistic", "native-categorical", "handles-missing"),
    ),
    _Entry(
        name="xgboost",
        summary="XGBoost gradient boosting (histogram trees), categories split natively",
        family="boosting",
        estimator="learnburn.candidates._xgboost:LabelledXGBClassifier",
        preprocessing="native",
        defaults={"n_jobs": 1, "tree_method": "hist", "enable_categorical": True},
        rules=_XGBOOST_RULES,
        other_params=_XGBOOST_OTHER,
        extra="boosting",
        tags=("classifier", "probabilistic", "native-categorical", "handles-missing"),
    ),
    _Entry(
        name="mlp",
        summary="PyTorch multilayer perceptron on scaled, one-hot encoded features (fits on a "
        "GPU when present)",
        family="neural",
        estimator="learnburn.candidates._mlp:TabularMLPClassifier",
        preprocessing="linear",
        defaults={"n_jobs": 1},
        rules=_MLP_RULES,
        extra="torch",
        tags=("classifier", "probabilistic", "gpu"),
        requires=("torch",),
    ),
)
