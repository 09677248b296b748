"""Gradient-boosted trees that no converter reads, rebuilt node by node as Treelite models.

skl2onnx cannot build HistGradientBoosting's tree node and Treelite's scikit-learn importer
refuses its categorical splits; neither onnxmltools nor Treelite's XGBoost reader takes
XGBoost's native categorical splits. Both fitted models hold plain trees, so this module walks
them and declares each node through ``treelite.model_builder``; the result is an ordinary
Treelite model, run by GTIL and proven like any other fast path (``_compile.py``).

Each tree takes the model's input matrix as the feature plan makes it: numbers as they are and
each category as its position in the plan's list (missing and unseen: NaN).

- **HistGradientBoosting** compares ``x <= threshold`` in float64 (a float64 model here), sends
  missing values the node's way, and splits on a category by a bitset of the categories going
  left. Its own encoder numbers categories in sorted order and puts categorical features first;
  the converter maps both back to the plan's positions. A category it never saw at fit goes the
  way of missing values, as in scikit-learn.
- **XGBoost** compares ``x < threshold`` in float32 (a float32 model: GTIL casts the input to
  float32 as XGBoost does), and its categorical splits send the listed categories right.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np

from learnburn.bundles._fast import FeaturePlan


class TreesNotBuilt(Exception):
    """The fitted trees hold something this converter does not rebuild; the message says what."""


def hist_gradient_boosting(estimator: Any, plan: FeaturePlan) -> bytes:
    """A fitted ``HistGradientBoostingClassifier`` as serialised Treelite bytes."""
    width = int(estimator.n_features_in_)
    if plan.width != width:
        raise TreesNotBuilt(f"the plan makes {plan.width} columns, the model reads {width}")
    original, categories = _hgb_features(estimator, plan)
    per_iteration = int(estimator.n_trees_per_iteration_)
    trees = [tree for iteration in estimator._predictors for tree in iteration]
    classes = list(range(per_iteration)) * len(estimator._predictors)
    baseline = np.asarray(estimator._baseline_prediction, dtype=np.float64).ravel()
    builder = _builder("float64", width, per_iteration, classes, [float(b) for b in baseline])
    for tree in trees:
        bitsets = tree.raw_left_cat_bitsets
        builder.start_tree()
        for key, node in enumerate(tree.nodes):
            builder.start_node(key)
            if node["is_leaf"]:
                builder.leaf(float(node["value"]))
            elif node["is_categorical"]:
                feature = int(node["feature_idx"])
                left_raw = _bitset_members(bitsets[int(node["bitset_idx"])])
                codes = categories[feature]  # plan position -> the model's raw category or None
                to_left = bool(node["missing_go_to_left"])
                # a category the model never saw goes the way of missing values
                left = [p for p, raw in enumerate(codes) if _goes_left(raw, left_raw, to_left)]
                builder.categorical_test(
                    original[feature],
                    default_left=to_left,
                    category_list=left,
                    category_list_right_child=False,
                    left_child_key=int(node["left"]),
                    right_child_key=int(node["right"]),
                )
            else:
                builder.numerical_test(
                    original[int(node["feature_idx"])],
                    float(node["num_threshold"]),
                    default_left=bool(node["missing_go_to_left"]),
                    opname="<=",
                    left_child_key=int(node["left"]),
                    right_child_key=int(node["right"]),
                )
            builder.end_node()
        builder.end_tree()
    return bytes(builder.commit().serialize_bytes())


def _hgb_features(estimator: Any, plan: FeaturePlan) -> tuple[list[int], dict[int, list]]:
    """For each of the model's internal features, the plan column it reads; and for each
    categorical one, the model's raw category for each of the plan's positions (None for a
    category the model never saw)."""
    width = int(estimator.n_features_in_)
    preprocessor = estimator._preprocessor
    if preprocessor is None:
        return list(range(width)), {}
    mask = np.asarray(estimator.is_categorical_, dtype=bool)
    original = [int(i) for i in np.flatnonzero(mask)] + [int(i) for i in np.flatnonzero(~mask)]
    encoder = preprocessor.named_transformers_["encoder"]
    features = plan.features
    categories: dict[int, list] = {}
    for internal, (column, known) in enumerate(zip(original, encoder.categories_, strict=False)):
        feature = features[column]
        if feature.op != "code" or not math.isnan(feature.unknown):
            raise TreesNotBuilt(f"the model splits {feature.column!r} on categories it codes")
        raw = {str(value): index for index, value in enumerate(known) if isinstance(value, str)}
        categories[internal] = [raw.get(category) for category in feature.categories]
    return original, categories


def _goes_left(raw: int | None, left: set[int], missing_left: bool) -> bool:
    return missing_left if raw is None else raw in left


def _bitset_members(bitset: np.ndarray) -> set[int]:
    return {
        32 * word + bit
        for word, value in enumerate(bitset)
        for bit in range(32)
        if value >> bit & 1
    }


def xgboost(estimator: Any, plan: FeaturePlan) -> bytes:
    """A fitted ``XGBClassifier`` (categorical splits included) as serialised Treelite bytes."""
    booster = estimator.get_booster()
    document = json.loads(booster.save_raw("json"))
    learner = document["learner"]
    objective = learner["objective"]["name"]
    parameters = learner["learner_model_param"]
    model = learner["gradient_booster"].get("model")
    if model is None or learner["gradient_booster"].get("name") != "gbtree":
        raise TreesNotBuilt("only gbtree boosters are rebuilt")
    width = int(parameters["num_feature"])
    if plan.width != width:
        raise TreesNotBuilt(f"the plan makes {plan.width} columns, the model reads {width}")
    groups = max(1, int(parameters.get("num_class", "0")))
    base = _xgboost_base_scores(parameters["base_score"], objective, groups)
    trees, classes = model["trees"], [int(c) for c in model["tree_info"]]
    best = booster.attr("best_iteration")
    if best is not None:  # XGBClassifier scores with the trees up to the best iteration
        per_round = groups * int(model["gbtree_model_param"].get("num_parallel_tree", "1"))
        trees, classes = (
            trees[: (int(best) + 1) * per_round],
            classes[: (int(best) + 1) * per_round],
        )
    builder = _builder("float32", width, groups, classes, base)
    for tree in trees:
        _xgboost_tree(builder, tree)
    return bytes(builder.commit().serialize_bytes())


def _xgboost_base_scores(text: str, objective: str, groups: int) -> list[float]:
    """The intercept as margins: XGBoost stores a binary model's as a probability."""
    values = [float(v) for v in str(text).strip("[]").split(",") if v.strip()]
    if objective == "binary:logistic" and len(values) == 1:
        p = values[0]
        return [math.log(p / (1.0 - p))]
    if objective in {"multi:softprob", "multi:softmax"}:
        return values * groups if len(values) == 1 else values
    raise TreesNotBuilt(f"the objective {objective} is not rebuilt")


def _xgboost_tree(builder: Any, tree: dict) -> None:
    if int(tree["tree_param"].get("size_leaf_vector", "1")) > 1:
        raise TreesNotBuilt("trees with vector leaves are not rebuilt")
    left, right = tree["left_children"], tree["right_children"]
    split_type = tree.get("split_type") or [0] * len(left)
    listed: dict[int, list[int]] = {}
    segments, sizes = tree.get("categories_segments", []), tree.get("categories_sizes", [])
    for node, start, size in zip(tree.get("categories_nodes", []), segments, sizes, strict=True):
        listed[int(node)] = [int(c) for c in tree["categories"][start : start + size]]
    builder.start_tree()
    for node in range(len(left)):
        builder.start_node(node)
        if left[node] == -1:
            builder.leaf(float(tree["split_conditions"][node]))
        elif split_type[node] == 1:
            builder.categorical_test(
                int(tree["split_indices"][node]),
                default_left=bool(tree["default_left"][node]),
                category_list=listed.get(node, []),
                category_list_right_child=True,
                left_child_key=int(left[node]),
                right_child_key=int(right[node]),
            )
        else:
            builder.numerical_test(
                int(tree["split_indices"][node]),
                float(tree["split_conditions"][node]),
                default_left=bool(tree["default_left"][node]),
                opname="<",
                left_child_key=int(left[node]),
                right_child_key=int(right[node]),
            )
        builder.end_node()
    builder.end_tree()


def _builder(kind: str, width: int, groups: int, classes: list[int], base: list[float]) -> Any:
    """A Treelite model builder for a boosted classifier: a sigmoid over one margin, or a
    softmax over one margin per class (each tree adding to its class's)."""
    from treelite import model_builder as mb

    binary = groups == 1
    metadata = mb.Metadata(
        num_feature=width,
        task_type="kBinaryClf" if binary else "kMultiClf",
        average_tree_output=False,
        num_target=1,
        num_class=[1 if binary else groups],
        leaf_vector_shape=(1, 1),
    )
    annotation = mb.TreeAnnotation(
        num_tree=len(classes), target_id=[0] * len(classes), class_id=classes
    )
    return mb.ModelBuilder(
        threshold_type=kind,
        leaf_output_type=kind,
        metadata=metadata,
        tree_annotation=annotation,
        postprocessor=mb.PostProcessorFunc("sigmoid" if binary else "softmax"),
        base_scores=base,
    )
