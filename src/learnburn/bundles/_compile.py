"""Compile a fitted pipeline to the fast path at save time, and prove it on rows.

Each runtime that can take the estimator is tried (ONNX through skl2onnx or onnxmltools, and
Treelite for the tree ensembles it imports; HistGradientBoosting's and XGBoost's trees, whose
categorical splits no converter reads, are rebuilt node by node for Treelite by ``_trees.py``).
An attempt is kept only when its probabilities on the check rows match the native pipeline's
within ``TOLERANCE``; of those kept, the one fastest on a single row wins. Every attempt's
outcome is recorded, with the reason when it failed, so ``fast.json`` says why a bundle has no
fast path.

scikit-learn's trees compare float32 inputs with float64 thresholds; ONNX's tree operators
compare in float32. Rounding each threshold down to the nearest float32 makes the float32
comparison give exactly the float64 one, so the compiled trees take the same branches.
"""

from __future__ import annotations

import copy
import math
import time
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from learnburn.bundles import _trees
from learnburn.bundles._fast import (
    FAST,
    RUNNERS,
    RUNTIME_FILES,
    Feature,
    FeaturePlan,
)
from learnburn.bundles._forest import forest_onnx
from learnburn.bundles._json import dump_json
from learnburn.bundles._proof import TOLERANCE, proof_record

if TYPE_CHECKING:
    import pandas as pd

REPORT_VERSION = 1
CHECK_ROWS = 2000  # at most this many rows prove a fast path
PROBE_ROWS = 10  # rows copied with each column missing or unseen, to prove those cases too
_TIMING_CALLS = 30


class NotCompilable(Exception):
    """The pipeline (or one runtime) cannot take this model; the message says why."""


def compile_fast_path(model: Any, rows: pd.DataFrame | None) -> dict[str, bytes]:
    """``fast.json`` (always, recording the outcome) and the winning runtime's model file."""
    return compile_and_keep_runner(model, rows)[0]


def compile_and_keep_runner(model: Any, rows: pd.DataFrame | None) -> tuple[dict[str, bytes], Any]:
    """``compile_fast_path``'s files, and the winning runtime's runner that was proven on
    ``rows`` (built from the very bytes of its model file; None when none was proven), so
    that a caller scoring with it does not build it a second time."""
    report: dict[str, Any] = {
        "version": REPORT_VERSION,
        "status": "unavailable",
        "tolerance": TOLERANCE,
        "attempts": [],
    }
    files: dict[str, bytes] = {}
    proven = None
    try:
        if rows is None or len(rows) == 0:
            raise NotCompilable("no rows were given to check a fast path against the model")
        rows = _with_probes(rows.iloc[:CHECK_ROWS])
        plan, estimator = _split(model)
        matrix = plan.encode_frame(rows)
        expected = np.asarray(model.predict_proba(rows), dtype=np.float64)
        report["checked_rows"] = len(rows)
        report["plan"] = plan.to_list()
        report["classes"] = list(getattr(estimator, "classes_", ()))
        best = None
        for runtime, convert in _converters(estimator, plan):
            attempt: dict[str, Any] = {"runtime": runtime, "converter": convert.__name__[1:]}
            report["attempts"].append(attempt)
            try:
                data = convert(estimator, matrix)
                runner = RUNNERS[runtime](data, "the compiled model")
                got = runner.predict_proba(matrix)
            except NotCompilable as exc:
                attempt.update(outcome="not converted", reason=str(exc))
                continue
            except Exception as exc:  # converters raise many kinds on models they cannot take
                attempt.update(outcome="not converted", reason=_reason(exc))
                continue
            difference = _difference(got, expected)
            # JSON holds no infinity: an unmeasurable difference is recorded as null
            attempt["max_abs_difference"] = difference if math.isfinite(difference) else None
            if not difference <= TOLERANCE:
                reason = f"probabilities differ from the native model's by up to {difference:.3g}"
                attempt.update(outcome="refused", reason=reason)
                continue
            seconds = _single_row_seconds(runner, matrix)
            attempt.update(outcome="proven", single_row_us=round(seconds * 1e6, 2))
            if best is None or seconds < best[0]:
                best = (seconds, runtime, data, len(report["attempts"]) - 1, runner)
        if best is not None:
            _, runtime, data, chosen, proven = best
            report.update(status="ready", runtime=runtime, chosen_attempt=chosen)
            report["proof"] = proof_record(matrix, expected)  # proven again at each load
            files[RUNTIME_FILES[runtime]] = data
        elif not report["attempts"]:
            report["reason"] = f"no runtime converts {type(estimator).__name__}"
        else:
            report["reason"] = "no runtime was proven: " + "; ".join(
                f"{a['runtime']}: {a['reason']}" for a in report["attempts"]
            )
    except NotCompilable as exc:
        report["reason"] = str(exc)
    files[FAST] = dump_json(report, FAST)
    return files, proven


def _with_probes(rows: pd.DataFrame) -> pd.DataFrame:
    """The check rows, plus copies of a few of them with each column in turn missing, with
    every column missing, and with categories never seen in training: the proof covers how
    the model routes missing and unseen values, not only the values the rows happen to hold."""
    import pandas as pd

    sample = rows.iloc[:PROBE_ROWS].astype(object)
    probes = [rows.astype(object)]
    for name in rows.columns:
        probe = sample.copy()
        probe[name] = None
        probes.append(probe)
        if not pd.api.types.is_numeric_dtype(rows[name]) or pd.api.types.is_bool_dtype(rows[name]):
            unseen = sample.copy()
            unseen[name] = "\u2400 a category never seen in training"
            probes.append(unseen)
    probes.append(pd.DataFrame(None, index=sample.index, columns=rows.columns, dtype=object))
    table = pd.concat(probes, ignore_index=True)
    for name in rows.columns:
        if _numeric(rows[name]):
            table[name] = pd.to_numeric(table[name], errors="coerce")
    return table


def _numeric(column: pd.Series) -> bool:
    import pandas as pd

    return pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)


def _difference(got: np.ndarray, expected: np.ndarray) -> float:
    """The largest difference in any probability; infinite when the shapes differ or a
    probability is not a number."""
    if got.shape != expected.shape:
        return math.inf
    difference = float(np.max(np.abs(got - expected))) if got.size else 0.0
    return difference if math.isfinite(difference) else math.inf


def _reason(exc: Exception) -> str:
    """The first line of a converter's error, kept short."""
    lines = str(exc).strip().splitlines()
    first = lines[0] if lines else ""
    text = f"{type(exc).__name__}: {first}"
    return text if len(text) <= 200 else text[:197] + "..."


def _single_row_seconds(runner: Any, matrix: np.ndarray) -> float:
    row = matrix[:1]
    runner.predict_proba(row)
    times = []
    for _ in range(_TIMING_CALLS):
        start = time.perf_counter()
        runner.predict_proba(row)
        times.append(time.perf_counter() - start)
    return float(np.median(times))


# -- the preprocessing step as a feature plan -----------------------------------------------------


def _split(model: Any) -> tuple[FeaturePlan, Any]:
    """The plan of the pipeline's preprocessing step, and its estimator."""
    from sklearn.pipeline import Pipeline

    if type(model) is not Pipeline:
        raise NotCompilable(f"the model is a {type(model).__name__}, not a scikit-learn Pipeline")
    if len(model.steps) != 2:
        raise NotCompilable(
            f"the pipeline has {len(model.steps)} step(s); the fast path needs learnburn's "
            "preprocessing step followed by the estimator"
        )
    preprocess, estimator = model.steps[0][1], model.steps[1][1]
    return FeaturePlan(_features(preprocess)), estimator


def _features(step: Any) -> list[Feature]:
    from sklearn.compose import ColumnTransformer

    from learnburn.candidates._native import NativeColumns

    if type(step) is NativeColumns:
        numeric = [Feature(name, "number") for name in step._kept(step.numeric)]
        categorical = [
            Feature(name, "code", categories=tuple(step.categories_[name]))
            for name in step._kept(step.categorical)
        ]
        return numeric + categorical
    if type(step) is not ColumnTransformer:
        raise NotCompilable(f"the preprocessing step {type(step).__name__} has no fast plan")
    features: list[Feature] = []
    for name, transformer, columns in step.transformers_:
        if name == "remainder":
            if transformer != "drop":
                raise NotCompilable("the preprocessing passes unlisted columns through")
            continue
        features.extend(_branch(transformer, list(columns)))
    return features


def _branch(transformer: Any, columns: list[str]) -> list[Feature]:
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import (
        FunctionTransformer,
        OneHotEncoder,
        OrdinalEncoder,
        StandardScaler,
    )

    from learnburn.candidates._columns import as_category_strings, as_float_frame

    steps = transformer.steps if type(transformer) is Pipeline else [("", transformer)]
    kinds = [type(s) for _, s in steps]
    first = steps[0][1]
    if type(first) is not FunctionTransformer or first.func not in (
        as_float_frame,
        as_category_strings,
    ):
        raise NotCompilable(f"the preprocessing branch {kinds} has no fast plan")
    numeric = first.func is as_float_frame
    rest = [s for _, s in steps[1:]]
    if numeric and [type(s) for s in rest] in ([], [SimpleImputer, StandardScaler]):
        if not rest:
            return [Feature(name, "number") for name in columns]
        imputer, scaler = rest
        _check_imputer(imputer, "median")
        center = scaler.mean_ if scaler.with_mean else np.zeros(len(columns))
        scale = scaler.scale_ if scaler.with_std and scaler.scale_ is not None else None
        return [
            Feature(
                name,
                "number",
                fill=float(imputer.statistics_[j]),
                center=float(center[j]),
                scale=1.0 if scale is None else float(scale[j]),
            )
            for j, name in enumerate(columns)
        ]
    if not numeric and [type(s) for s in rest] == [OrdinalEncoder]:
        (encoder,) = rest
        if encoder.unknown_value != -1 or encoder.encoded_missing_value != -1:
            raise NotCompilable("the ordinal encoder codes unknown or missing values unusually")
        return [
            Feature(name, "code", categories=_strings(encoder.categories_[j]), unknown=-1.0)
            for j, name in enumerate(columns)
        ]
    if not numeric and [type(s) for s in rest] == [SimpleImputer, OneHotEncoder]:
        imputer, encoder = rest
        _check_imputer(imputer, "most_frequent")
        if encoder.drop_idx_ is not None or getattr(encoder, "_infrequent_enabled", False):
            raise NotCompilable("the one-hot encoder drops or groups categories")
        if encoder.handle_unknown != "ignore":
            raise NotCompilable("the one-hot encoder does not ignore unseen categories")
        return [
            Feature(
                name,
                "onehot",
                fill=_fill_text(imputer.statistics_[j]),
                categories=_strings(encoder.categories_[j], strict=True),
            )
            for j, name in enumerate(columns)
        ]
    raise NotCompilable(f"the preprocessing branch {kinds} has no fast plan")


def _check_imputer(imputer: Any, strategy: str) -> None:
    if imputer.strategy != strategy or imputer.add_indicator:
        raise NotCompilable(f"the imputer is not a plain {strategy} imputer")


def _strings(categories: Any, *, strict: bool = False) -> tuple[str, ...]:
    values = list(categories)
    kept = tuple(v for v in values if isinstance(v, str))
    if strict and len(kept) != len(values):
        raise NotCompilable("the one-hot encoder holds non-text categories")
    return kept


def _fill_text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


# -- the estimator, per runtime -------------------------------------------------------------------

Converter = Callable[[Any, np.ndarray], bytes]


def _converters(estimator: Any, plan: FeaturePlan) -> list[tuple[str, Converter]]:
    """The runtimes to try for this estimator, most promising first."""
    name = type(estimator).__name__
    if name == "KNeighborsClassifier":  # ONNX Runtime's CDist is ~10x its generic distances
        return [("onnxruntime", _skl2onnx_cdist), ("onnxruntime", _skl2onnx)]
    if name in {"LogisticRegression", "DummyClassifier"}:
        return [("onnxruntime", _skl2onnx)]
    if name in {"DecisionTreeClassifier", "RandomForestClassifier", "ExtraTreesClassifier"}:
        return [("onnxruntime", _onnx_forest), ("treelite", _treelite_sklearn)]
    if name == "HistGradientBoostingClassifier":  # no converter takes it: rebuilt tree by tree
        return [("treelite", _rebuilt(_trees.hist_gradient_boosting, plan))]
    if name == "LGBMClassifier":
        return [("onnxruntime", _onnx_lightgbm), ("treelite", _treelite_lightgbm)]
    if name in {"XGBClassifier", "LabelledXGBClassifier"}:
        # onnxmltools refuses categorical splits; the trees rebuilt as ONNX or Treelite take them
        return [
            ("onnxruntime", _onnx_xgboost),
            ("onnxruntime", _rebuilt(_trees.xgboost_onnx, plan)),
            ("treelite", _rebuilt(_trees.xgboost, plan)),
        ]
    if name == "TabularMLPClassifier":
        return [("onnxruntime", _onnx_mlp)]
    return []


def _skl2onnx(estimator: Any, matrix: np.ndarray, **options: Any) -> bytes:
    from skl2onnx import to_onnx

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        onx = to_onnx(
            estimator,
            matrix[:1].astype(np.float32),
            options={id(estimator): {"zipmap": False, **options}},
            target_opset={"": 17, "ai.onnx.ml": 3},
        )
    return onx.SerializeToString()


def _onnx_mlp(estimator: Any, matrix: np.ndarray) -> bytes:
    """learnburn's tabular MLP as an ONNX graph: (MatMul, Add, Relu) per hidden layer, then
    MatMul, Add and Softmax, from the float32 weights the fitted model holds."""
    from onnx import TensorProto, helper, numpy_helper

    width = matrix.shape[1]
    nodes, weights, current = [], [], "X"
    for index, (coef, bias) in enumerate(zip(estimator.coefs_, estimator.intercepts_, strict=True)):
        weights += [
            numpy_helper.from_array(np.asarray(coef, dtype=np.float32), f"W{index}"),
            numpy_helper.from_array(np.asarray(bias, dtype=np.float32), f"B{index}"),
        ]
        nodes += [
            helper.make_node("MatMul", [current, f"W{index}"], [f"M{index}"]),
            helper.make_node("Add", [f"M{index}", f"B{index}"], [f"A{index}"]),
        ]
        current = f"A{index}"
        if index < len(estimator.coefs_) - 1:
            nodes.append(helper.make_node("Relu", [current], [f"H{index}"]))
            current = f"H{index}"
    nodes.append(helper.make_node("Softmax", [current], ["probabilities"], axis=1))
    graph = helper.make_graph(
        nodes,
        "learnburn_tabular_mlp",
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, [None, width])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, [None, None])],
        initializer=weights,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model.SerializeToString()


def _skl2onnx_cdist(estimator: Any, matrix: np.ndarray) -> bytes:
    return _skl2onnx(estimator, matrix, optim="cdist")


def _skl2onnx_trees(estimator: Any, matrix: np.ndarray) -> bytes:
    """skl2onnx on a copy whose thresholds are rounded down to float32 (see the docstring),
    with each split sending missing values the way scikit-learn's tree does."""
    import onnx

    rounded = copy.deepcopy(estimator)
    trees = [tree.tree_ for tree in getattr(rounded, "estimators_", [rounded])]
    for tree in trees:
        tree.threshold[:] = _round_down_to_float32(tree.threshold)
    model = onnx.load_model_from_string(_skl2onnx(rounded, matrix))
    for node in model.graph.node:
        if not node.op_type.startswith("TreeEnsemble"):
            continue
        attributes = {a.name: a for a in node.attribute}
        tree_ids = list(attributes["nodes_treeids"].ints)
        node_ids = list(attributes["nodes_nodeids"].ints)
        left = [
            int(trees[t].missing_go_to_left[n]) for t, n in zip(tree_ids, node_ids, strict=True)
        ]
        tracks = attributes.get("nodes_missing_value_tracks_true")
        if tracks is None:
            node.attribute.append(
                onnx.helper.make_attribute("nodes_missing_value_tracks_true", left)
            )
        else:
            del tracks.ints[:]
            tracks.ints.extend(left)
    return model.SerializeToString()


def _onnx_forest(estimator: Any, matrix: np.ndarray) -> bytes:
    """The trees as one ONNX ``TreeEnsemble`` built from their arrays (``_forest.py``), or,
    for trees it does not take, by skl2onnx (node by node: far slower on big forests)."""
    try:
        return forest_onnx(estimator, matrix.shape[1])
    except _trees.TreesNotBuilt:
        return _skl2onnx_trees(estimator, matrix)


def _round_down_to_float32(values: np.ndarray) -> np.ndarray:
    single = values.astype(np.float32)
    above = single.astype(np.float64) > values
    single[above] = np.nextafter(single[above], np.float32(-np.inf))
    return single.astype(np.float64)


def _onnx_lightgbm(estimator: Any, matrix: np.ndarray) -> bytes:
    import onnxmltools
    from onnxmltools.convert.common.data_types import FloatTensorType

    inputs = [("X", FloatTensorType([None, matrix.shape[1]]))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        onx = onnxmltools.convert_lightgbm(
            estimator, initial_types=inputs, zipmap=False, target_opset=15
        )
    return onx.SerializeToString()


def _onnx_xgboost(estimator: Any, matrix: np.ndarray) -> bytes:
    import onnxmltools
    from onnxmltools.convert.common.data_types import FloatTensorType

    inputs = [("X", FloatTensorType([None, matrix.shape[1]]))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        booster = estimator.get_booster().copy()
        booster.feature_names = None  # the converter reads features as f0, f1, ...
        booster.feature_types = None
        onx = onnxmltools.convert_xgboost(booster, initial_types=inputs, target_opset=15)
    return onx.SerializeToString()


def _treelite_sklearn(estimator: Any, matrix: np.ndarray) -> bytes:
    import treelite

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bytes(treelite.sklearn.import_model(estimator).serialize_bytes())


def _treelite_lightgbm(estimator: Any, matrix: np.ndarray) -> bytes:
    import treelite

    return bytes(treelite.frontend.from_lightgbm(estimator.booster_).serialize_bytes())


def _rebuilt(build: Callable[[Any, FeaturePlan], bytes], plan: FeaturePlan) -> Converter:
    """A converter that rebuilds the fitted trees for a runtime (``_trees.py``)."""

    def convert(estimator: Any, matrix: np.ndarray) -> bytes:
        try:
            return build(estimator, plan)
        except _trees.TreesNotBuilt as exc:
            raise NotCompilable(str(exc)) from exc

    convert.__name__ = f"_rebuilt_{build.__name__}"
    return convert
