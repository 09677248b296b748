"""Gradient-boosted trees that no converter reads, rebuilt node by node.

skl2onnx cannot build HistGradientBoosting's tree node and Treelite's scikit-learn importer
refuses its categorical splits; neither onnxmltools nor Treelite's XGBoost reader takes
XGBoost's native categorical splits. Both fitted models hold plain trees, so this module walks
them and declares each node through ``treelite.model_builder`` (an ordinary Treelite model, run
by GTIL) or, for XGBoost, as an ONNX ``TreeEnsemble`` (run by ONNX Runtime, several times
faster on one row). Each is proven like any other fast path (``_compile.py``).

Each tree takes the model's input matrix as the feature plan makes it: numbers as they are and
each category as its position in the plan's list (missing and unseen: NaN).

- **HistGradientBoosting** compares ``x <= threshold`` in float64 (a float64 model here), sends
  missing values the node's way, and splits on a category by a bitset of the categories going
  left. Its own encoder numbers categories in sorted order and puts categorical features first;
  the converter maps both back to the plan's positions. A category it never saw at fit goes the
  way of missing values, as in scikit-learn.
- **XGBoost** compares ``x < threshold`` in float32 (a float32 Treelite model: GTIL casts the
  input to float32 as XGBoost does; ONNX Runtime takes float32), and its categorical splits
  send the listed categories right. HistGradientBoosting compares in float64, which ONNX's
  float32 input cannot reproduce exactly, so it has the Treelite model only.
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
    width, groups, base, trees, classes = _xgboost_trees(estimator, plan)
    builder = _builder("float32", width, groups, classes, base)
    for tree in trees:
        _xgboost_tree(builder, tree)
    return bytes(builder.commit().serialize_bytes())


def xgboost_onnx(estimator: Any, plan: FeaturePlan) -> bytes:
    """A fitted ``XGBClassifier`` (categorical splits included) as an ONNX model: one
    ``TreeEnsemble`` (ai.onnx.ml opset 5: ``BRANCH_LT`` and ``BRANCH_MEMBER`` splits, compared
    in float32 as XGBoost does), plus the intercept and a sigmoid or softmax."""
    from onnx import TensorProto, helper, numpy_helper

    width, groups, base, trees, classes = _xgboost_trees(estimator, plan)
    ensemble = _Ensemble()
    for tree, group in zip(trees, classes, strict=True):
        ensemble.add_xgboost_tree(tree, group)
    last = (
        helper.make_node("Sigmoid", ["raw"], ["probabilities"])
        if groups == 1
        else helper.make_node("Softmax", ["raw"], ["probabilities"], axis=1)
    )
    nodes = [
        helper.make_node(
            "TreeEnsemble", ["X"], ["margin"], domain="ai.onnx.ml", **ensemble.attributes(groups)
        ),
        helper.make_node("Add", ["margin", "base"], ["raw"]),
        last,
    ]
    graph = helper.make_graph(
        nodes,
        "learnburn_xgboost",
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, [None, width])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, [None, None])],
        initializer=[numpy_helper.from_array(np.asarray(base, dtype=np.float32), "base")],
    )
    opsets = [helper.make_opsetid("", 17), helper.make_opsetid("ai.onnx.ml", 5)]
    model = helper.make_model(graph, opset_imports=opsets)
    model.ir_version = 8
    return model.SerializeToString()


class _Ensemble:
    """The flat arrays of an ONNX ``TreeEnsemble``: split nodes and leaves, each numbered
    across all trees; a split's true and false branches name a node or a leaf."""

    LT, MEMBER = 1, 6  # nodes_modes: BRANCH_LT, BRANCH_MEMBER

    def __init__(self) -> None:
        self.nodes: dict[str, list] = {
            key: [] for key in ("feature", "split", "mode", "true", "true_leaf", "false",
                                "false_leaf", "missing_true")
        }  # fmt: skip
        self.members: list[float] = []  # each member node's set, ended by NaN
        self.roots: list[int] = []
        self.leaf_targets: list[int] = []
        self.leaf_weights: list[float] = []

    def add_xgboost_tree(self, tree: dict, group: int) -> None:
        left, right = tree["left_children"], tree["right_children"]
        split_type = tree.get("split_type") or [0] * len(left)
        listed = _xgboost_categories(tree)
        where: dict[int, tuple[int, int]] = {}  # XGBoost's node -> (is a leaf, position)
        inner = [n for n in range(len(left)) if left[n] != -1]
        first = len(self.nodes["feature"])
        for n in range(len(left)):
            if left[n] == -1:
                where[n] = (1, len(self.leaf_weights))
                self.leaf_weights.append(float(tree["split_conditions"][n]))
                self.leaf_targets.append(group)
        where.update({n: (0, first + k) for k, n in enumerate(inner)})
        self.roots.append(first)
        if not inner:  # a lone leaf: a split whose branches both reach it
            self._split(0, 0.0, self.LT, where[0], where[0], missing_true=False)
            return
        for n in inner:
            default_left = bool(tree["default_left"][n])
            feature = int(tree["split_indices"][n])
            if split_type[n] == 1:  # the listed categories go right
                self.members.extend([float(c) for c in listed.get(n, [])] + [math.nan])
                true, false, missing_true = where[right[n]], where[left[n]], not default_left
                self._split(feature, 0.0, self.MEMBER, true, false, missing_true=missing_true)
            else:
                threshold = float(tree["split_conditions"][n])
                true, false = where[left[n]], where[right[n]]
                self._split(feature, threshold, self.LT, true, false, missing_true=default_left)

    def _split(
        self,
        feature: int,
        split: float,
        mode: int,
        true: tuple[int, int],
        false: tuple[int, int],
        *,
        missing_true: bool,
    ) -> None:
        values = (feature, split, mode, true[1], true[0], false[1], false[0], int(missing_true))
        for key, value in zip(self.nodes, values, strict=True):
            self.nodes[key].append(value)

    def attributes(self, targets: int) -> dict[str, Any]:
        from onnx import numpy_helper

        nodes = self.nodes
        attributes = {
            "aggregate_function": 1,  # SUM
            "post_transform": 0,  # NONE
            "n_targets": targets,
            "tree_roots": self.roots,
            "nodes_featureids": nodes["feature"],
            "nodes_modes": numpy_helper.from_array(np.asarray(nodes["mode"], dtype=np.uint8)),
            "nodes_splits": numpy_helper.from_array(np.asarray(nodes["split"], dtype=np.float32)),
            "nodes_truenodeids": nodes["true"],
            "nodes_trueleafs": nodes["true_leaf"],
            "nodes_falsenodeids": nodes["false"],
            "nodes_falseleafs": nodes["false_leaf"],
            "nodes_missing_value_tracks_true": nodes["missing_true"],
            "leaf_targetids": self.leaf_targets,
            "leaf_weights": numpy_helper.from_array(
                np.asarray(self.leaf_weights, dtype=np.float32)
            ),
        }
        if self.members:
            values = np.asarray(self.members, dtype=np.float32)
            attributes["membership_values"] = numpy_helper.from_array(values)
        return attributes


def _xgboost_trees(estimator: Any, plan: FeaturePlan) -> tuple[int, int, list, list, list]:
    """The model's width, number of margins, intercepts (as margins), trees (as XGBoost's JSON
    holds them) and each tree's margin."""
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
    for tree in trees:
        if int(tree["tree_param"].get("size_leaf_vector", "1")) > 1:
            raise TreesNotBuilt("trees with vector leaves are not rebuilt")
    best = booster.attr("best_iteration")
    if best is not None:  # XGBClassifier scores with the trees up to the best iteration
        per_round = groups * int(model["gbtree_model_param"].get("num_parallel_tree", "1"))
        kept = (int(best) + 1) * per_round
        trees, classes = trees[:kept], classes[:kept]
    return width, groups, base, trees, classes


def _xgboost_base_scores(text: str, objective: str, groups: int) -> list[float]:
    """The intercept as margins: XGBoost stores a binary model's as a probability."""
    values = [float(v) for v in str(text).strip("[]").split(",") if v.strip()]
    if objective == "binary:logistic" and len(values) == 1:
        p = values[0]
        return [math.log(p / (1.0 - p))]
    if objective in {"multi:softprob", "multi:softmax"}:
        return values * groups if len(values) == 1 else values
    raise TreesNotBuilt(f"the objective {objective} is not rebuilt")


def _xgboost_categories(tree: dict) -> dict[int, list[int]]:
    """Each categorical split's listed categories, by node."""
    listed: dict[int, list[int]] = {}
    segments, sizes = tree.get("categories_segments", []), tree.get("categories_sizes", [])
    for node, start, size in zip(tree.get("categories_nodes", []), segments, sizes, strict=True):
        listed[int(node)] = [int(c) for c in tree["categories"][start : start + size]]
    return listed


def _xgboost_tree(builder: Any, tree: dict) -> None:
    left, right = tree["left_children"], tree["right_children"]
    split_type = tree.get("split_type") or [0] * len(left)
    listed = _xgboost_categories(tree)
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
