"""List the types skops does not trust by itself in learnburn's pipelines (not run by the suite).

    .venv/bin/python tests/bundles/derive_allow_list.py

Fits every registered candidate under each preprocessing it supports, on a binary and a
three-class table, with the parameter values the registry lets a spec set that change what is
stored (solvers, k-NN algorithms and metrics, boosting types, early stopping...), saves each
pipeline with skops, and prints the union of ``skops.io.get_untrusted_types``: the names that
``learnburn.bundles._trust.ALLOWED`` must hold. It also prints the names of ALLOWED that no
pipeline needed, and every variant skops could not save or load back identically.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import skops.io
from sklearn.neighbors import VALID_METRICS

from learnburn.bundles import ALLOWED
from learnburn.candidates import build_pipeline, candidate_names
from learnburn.data import infer_schema

_METRIC_PARAMS = {"mahalanobis": None, "seuclidean": None, "pyfunc": None, "wminkowski": None}
VARIANTS = {
    "dummy": [{"strategy": s} for s in ("most_frequent", "stratified", "uniform")],
    "logistic_regression": [{"solver": s} for s in ("liblinear", "newton-cg", "saga")]
    + [{"class_weight": "balanced"}],
    "knn": [{"algorithm": a} for a in ("ball_tree", "kd_tree", "brute")]
    + [{"weights": "distance"}, {"p": 1}, {"p": 3}]
    + [
        {"metric": m, "algorithm": "ball_tree"}
        for m in sorted(VALID_METRICS["ball_tree"])
        if m not in _METRIC_PARAMS
    ],
    "decision_tree": [{"class_weight": "balanced"}],
    "random_forest": [{"oob_score": True}, {"class_weight": "balanced_subsample"}],
    "extra_trees": [{"bootstrap": True, "oob_score": True}],
    "hist_gradient_boosting": [
        {"early_stopping": True},
        {"early_stopping": True, "scoring": "roc_auc"},  # skops cannot save the scorer
        {"class_weight": "balanced"},
    ],
    "lightgbm": [
        {"boosting_type": "dart"},
        {"boosting_type": "rf", "subsample": 0.5, "subsample_freq": 1},
        {"class_weight": "balanced"},
    ],
    "xgboost": [{"grow_policy": "lossguide"}, {"max_cat_to_onehot": 1}],
}
PREPROCESSING = {
    "dummy": ("none", "linear"),
    "logistic_regression": ("linear",),
    "knn": ("linear",),
    "hist_gradient_boosting": ("native", "tree"),
    "lightgbm": ("native", "tree", "linear"),
    "xgboost": ("native", "tree", "linear"),
}
SMALL = {"n_estimators": 10, "max_iter": 10}


def make_table(n_rows: int = 400) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "a": rng.normal(size=n_rows),
            "b": rng.normal(size=n_rows),
            "colour": rng.choice(["red", "green", "blue"], size=n_rows).astype(object),
            "flag": rng.random(n_rows) < 0.5,
        }
    )
    frame.loc[::7, "b"] = np.nan
    frame.loc[::5, "colour"] = None
    score = frame["a"] + (frame["colour"] == "red")
    targets = {
        "binary": np.where(score > 0.2, "yes", "no"),
        "three": np.select([score < -0.3, score < 0.6], ["low", "mid"], "high"),
    }
    return frame, targets


def main() -> None:
    frame, targets = make_table()
    schema = infer_schema(frame)
    found: dict[str, set[str]] = {}
    for name in candidate_names():
        for preprocessing in PREPROCESSING.get(name, ("tree",)):
            for variant in [{}, *VARIANTS.get(name, [])]:
                for label, target in targets.items():
                    where = f"{name}/{preprocessing}/{variant}/{label}"
                    for type_name in _types(
                        name, preprocessing, variant, schema, frame, target, where
                    ):
                        found.setdefault(type_name, set()).add(name)
    print("types skops does not trust by itself, and the candidates that need them:")
    for type_name in sorted(found):
        mark = " " if type_name in ALLOWED else "+"
        print(f" {mark} {type_name}  ({', '.join(sorted(found[type_name]))})")
    print("on ALLOWED but needed by no variant above:", sorted(ALLOWED - set(found)) or "none")


def _types(name, preprocessing, variant, schema, frame, target, where) -> list[str]:
    params = {k: v for k, v in SMALL.items() if _accepts(name, k)} | variant
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            pipeline = build_pipeline(name, params, schema, seed=0, preprocessing=preprocessing)
            pipeline.fit(frame, target)
            data = skops.io.dumps(pipeline)
            names = skops.io.get_untrusted_types(data=data)
            loaded = skops.io.loads(data, trusted=names)
        except Exception as exc:  # report every variant that fails, and go on
            print(f"   skipped {where}: {type(exc).__name__}: {str(exc)[:120]}")
            return []
    if not np.array_equal(loaded.predict_proba(frame), pipeline.predict_proba(frame)):
        print(f"   DIFFERENT after loading: {where}")
    return names


def _accepts(name: str, key: str) -> bool:
    from learnburn.candidates import check_candidate

    return not check_candidate(name, {key: 10})


if __name__ == "__main__":
    main()
