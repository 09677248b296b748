"""scikit-learn's decision trees and forests as one ONNX ``TreeEnsemble``, built from the
fitted trees' arrays with numpy.

skl2onnx converts a forest node by node in Python: about a minute of CPU for a hundred deep
trees fitted on 50,000 rows, most of the bundle step. The fitted trees already hold their nodes
as arrays (children, features, thresholds, where missing values go, leaf values), and
``ai.onnx.ml.TreeEnsemble`` (opset 5) takes the same flat arrays, so the whole forest is a few
vectorised steps per tree.

The ensemble compares ``x <= threshold`` (``BRANCH_LEQ``) in float32, with each threshold
rounded down to the nearest float32, which gives exactly scikit-learn's float64 comparison
(``_compile.py``); missing values follow each node's ``missing_go_to_left``. Each leaf adds its
class fractions divided by the number of trees, so the sum over the trees is the forest's
average, as ``predict_proba`` computes it. A binary model gives the second class's probability
(one target); a multiclass one holds each tree once per class (one target each). Proven like
any other fast path.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from learnburn.bundles._trees import TreesNotBuilt

_LEQ = 0  # nodes_modes: BRANCH_LEQ


def forest_onnx(estimator: Any, width: int) -> bytes:
    """A fitted ``DecisionTreeClassifier``, ``RandomForestClassifier`` or
    ``ExtraTreesClassifier`` (one output) taking ``width`` features, as an ONNX model with
    input ``X`` and output ``probabilities``."""
    from onnx import TensorProto, helper, numpy_helper

    classes = getattr(estimator, "n_classes_", None)
    if not isinstance(classes, int | np.integer) or classes < 2:
        raise TreesNotBuilt("the trees predict more than one output")
    trees = [tree.tree_ for tree in getattr(estimator, "estimators_", [estimator])]
    targets = [1] if classes == 2 else list(range(classes))
    parts: dict[str, list[np.ndarray]] = {key: [] for key in _KEYS}
    nodes = leaves = 0
    for target, column in enumerate(targets):
        for tree in trees:
            built = _tree(tree, column, len(trees), nodes, leaves)
            for key in _KEYS:
                parts[key].append(built[key])
            parts["leaf_targets"].append(np.full(len(built["leaf_weights"]), target))
            nodes += len(built["feature"])
            leaves += len(built["leaf_weights"])
    joined = {key: np.concatenate(values) for key, values in parts.items()}
    attributes = {
        "aggregate_function": 1,  # SUM: the leaves hold fractions divided by the tree count
        "post_transform": 0,  # NONE
        "n_targets": len(targets),
        "tree_roots": joined["root"].astype(np.int64).tolist(),
        "nodes_featureids": joined["feature"].astype(np.int64).tolist(),
        "nodes_modes": numpy_helper.from_array(np.full(nodes, _LEQ, dtype=np.uint8)),
        "nodes_splits": numpy_helper.from_array(joined["split"].astype(np.float32)),
        "nodes_truenodeids": joined["true"].astype(np.int64).tolist(),
        "nodes_trueleafs": joined["true_leaf"].astype(np.int64).tolist(),
        "nodes_falsenodeids": joined["false"].astype(np.int64).tolist(),
        "nodes_falseleafs": joined["false_leaf"].astype(np.int64).tolist(),
        "nodes_missing_value_tracks_true": joined["missing_true"].astype(np.int64).tolist(),
        "leaf_targetids": joined["leaf_targets"].astype(np.int64).tolist(),
        "leaf_weights": numpy_helper.from_array(joined["leaf_weights"].astype(np.float32)),
    }
    ensemble = helper.make_node("TreeEnsemble", ["X"], ["probabilities"], domain="ai.onnx.ml")
    ensemble.attribute.extend(_attribute(name, attributes[name]) for name in sorted(attributes))
    graph = helper.make_graph(
        [ensemble],
        "learnburn_forest",
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, [None, width])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, [None, None])],
    )
    opsets = [helper.make_opsetid("", 17), helper.make_opsetid("ai.onnx.ml", 5)]
    model = helper.make_model(graph, opset_imports=opsets)
    model.ir_version = 8
    return model.SerializeToString()


def _attribute(name: str, value: Any):
    """``helper.make_attribute``, without its check of every element's type on a list of
    ints (a third of the build on a big forest): the lists here are ints by construction."""
    from onnx import AttributeProto, helper

    if not isinstance(value, list):
        return helper.make_attribute(name, value)
    attribute = AttributeProto(name=name, type=AttributeProto.INTS)
    attribute.ints.extend(value)
    return attribute


_KEYS = (
    "root", "feature", "split", "true", "true_leaf", "false", "false_leaf", "missing_true",
    "leaf_weights", "leaf_targets",
)  # fmt: skip


def _tree(tree: Any, column: int, count: int, nodes: int, leaves: int) -> dict[str, np.ndarray]:
    """One tree's split nodes and leaves, numbered after ``nodes`` and ``leaves`` already
    built; its leaves hold the fraction of class ``column`` divided by ``count``."""
    left, right = tree.children_left, tree.children_right
    is_leaf = left == -1
    inner, outer = np.flatnonzero(~is_leaf), np.flatnonzero(is_leaf)
    position = np.empty(len(left), dtype=np.int64)
    position[inner] = nodes + np.arange(len(inner))
    position[outer] = leaves + np.arange(len(outer))
    values = tree.value[outer, 0, :]
    totals = values.sum(axis=1)
    fractions = np.divide(values[:, column], totals, out=np.zeros(len(outer)), where=totals > 0)
    built = {"leaf_weights": fractions / count, "leaf_targets": np.empty(0)}
    if not len(inner):  # a lone leaf: a split whose branches both reach it
        one = np.array([position[0]])
        return built | {
            "root": np.array([nodes]), "feature": np.zeros(1), "split": np.zeros(1),
            "true": one, "true_leaf": np.ones(1), "false": one, "false_leaf": np.ones(1),
            "missing_true": np.zeros(1),
        }  # fmt: skip
    missing_left = getattr(tree, "missing_go_to_left", None)
    missing = np.zeros(len(left)) if missing_left is None else np.asarray(missing_left)
    return built | {
        "root": np.array([position[0]]),
        "feature": tree.feature[inner],
        "split": _round_down_to_float32(tree.threshold[inner]),
        "true": position[left[inner]],
        "true_leaf": is_leaf[left[inner]],
        "false": position[right[inner]],
        "false_leaf": is_leaf[right[inner]],
        "missing_true": missing[inner] != 0,
    }


def _round_down_to_float32(values: np.ndarray) -> np.ndarray:
    single = values.astype(np.float32)
    above = single.astype(np.float64) > values
    single[above] = np.nextafter(single[above], np.float32(-np.inf))
    return single
