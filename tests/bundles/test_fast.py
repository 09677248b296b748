"""The scoring fast path: compiled at save time, proven on check rows, used when proven, and
refused when it could read files or is inconsistent."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from learnburn.bundles import load_bundle, save_bundle, saved_scoring_summary
from learnburn.bundles._onnx import check_onnx
from learnburn.bundles._proof import TOLERANCE
from learnburn.errors import BundleError, SchemaError

FAMILIES = [
    "logistic_regression",
    "knn",
    "decision_tree",
    "random_forest",
    "extra_trees",
    "hist_gradient_boosting",
    "lightgbm",
    "xgboost",
    "mlp",
]
# Every family's fitted model is converted exactly by some runtime (HistGradientBoosting and
# XGBoost with categorical splits by the trees rebuilt for Treelite).
PROVEN = set(FAMILIES)


def fresh_rows(mixed_features_maker) -> pd.DataFrame:
    """Rows the models never saw: another draw, plus an unseen category, missing values and
    extremes in every column."""
    rows = mixed_features_maker(60, seed=11)
    rows.loc[0, "region"] = "atlantis"
    rows.loc[1, ["income", "debt"]] = [np.nan, np.nan]
    rows.loc[2, "region"] = None
    rows.loc[3, "income"] = 1e6
    return rows


@pytest.fixture(scope="module")
def saved(tmp_path_factory, fit, target, schema, mixed_features_maker):
    """One bundle per family, compiled and proven on a held-out draw."""
    folder = tmp_path_factory.mktemp("fast")
    check = mixed_features_maker(80, seed=5)
    paths = {}
    for name in FAMILIES:
        model = fit(name, target)
        paths[name] = save_bundle(
            model,
            folder / f"{name}.lbm",
            schema=schema,
            classes=["no", "yes"],
            meta={},
            check_rows=check,
        )
    return paths


@pytest.mark.parametrize("family", FAMILIES)
def test_each_family_scores_like_its_native_model_on_rows_it_never_saw(
    family, saved, mixed_features_maker
):
    """A proven fast path gives the native probabilities within the tolerance (unseen
    categories, missing values and extremes included); the others say why they are native."""
    bundle = load_bundle(saved[family])
    report = bundle.fast_report
    rows = fresh_rows(mixed_features_maker)
    native = bundle.predict_proba_native(rows)
    if family not in PROVEN:
        assert bundle.scoring_path == "native" and report["status"] == "unavailable"
        assert report["reason"] and all(a["reason"] for a in report["attempts"])
        np.testing.assert_array_equal(bundle.predict_proba(rows), native)
        return
    assert report["status"] == "ready", report
    assert bundle.scoring_path == report["runtime"] in {"onnxruntime", "treelite"}
    proven = [a for a in report["attempts"] if a["outcome"] == "proven"]
    assert proven and all(a["max_abs_difference"] <= TOLERANCE for a in proven)
    np.testing.assert_allclose(bundle.predict_proba(rows), native, rtol=0, atol=TOLERANCE)
    records = rows.astype(object).where(rows.notna(), None).to_dict("records")
    np.testing.assert_allclose(
        bundle.predict_proba_records(records), native, rtol=0, atol=TOLERANCE
    )
    np.testing.assert_allclose(
        bundle.predict_proba_records(records[:1]), native[:1], rtol=0, atol=TOLERANCE
    )


def test_records_take_json_scalars_as_the_batch_reader_gives_them(saved, mixed_features_maker):
    """Numbers sent as text, booleans as JSON booleans and missing values as null or NaN score
    like the typed table; a key the schema does not name is ignored."""
    bundle = load_bundle(saved["logistic_regression"])
    rows = fresh_rows(mixed_features_maker).head(4)
    typed = rows.astype(object).where(rows.notna(), None).to_dict("records")
    loose = [
        {**r, "income": None if r["income"] is None else str(r["income"]), "extra": "x"}
        for r in typed
    ]
    loose[1]["debt"] = math.nan
    np.testing.assert_allclose(
        bundle.predict_proba_records(loose), bundle.predict_proba_records(typed), atol=1e-12
    )


def test_text_in_a_numeric_column_and_a_missing_column_are_schema_errors(saved, features):
    """Both paths refuse bad rows with an error naming the column and the row."""
    bundle = load_bundle(saved["random_forest"])
    records = features.head(3).astype(object).where(features.head(3).notna(), None)
    records = records.to_dict("records")
    records[2]["income"] = "lots"
    with pytest.raises(SchemaError, match=r"'income'.*'lots'.*row 3"):
        bundle.predict_proba_records(records)
    frame = features.head(3).astype({"income": object})
    frame.loc[2, "income"] = "lots"
    with pytest.raises(SchemaError, match=r"'income'.*'lots'"):
        bundle.predict_proba(frame)
    del records[0]["region"]
    with pytest.raises(SchemaError, match=r"record 1 lacks the column \['region'\]"):
        bundle.predict_proba_records(records)


def test_without_check_rows_a_bundle_has_no_fast_path(bundle_dir):
    """Fast paths are never trusted unproven: a bundle saved without rows scores natively."""
    bundle = load_bundle(bundle_dir)
    assert bundle.fast is None and bundle.fast_report is None
    assert bundle.scoring_path == "native"


def _directory_of(saved, tmp_path, family: str):
    from learnburn.bundles import unpack_bundle

    return unpack_bundle(saved[family], tmp_path / family)


def test_an_onnx_model_reading_external_files_is_refused(saved, tmp_path, reseal):
    """An ONNX model whose tensors live in outside files (a read of any path on the host) is
    refused at load, even with a valid manifest."""
    import onnx
    from onnx.external_data_helper import set_external_data

    directory = _directory_of(saved, tmp_path, "knn")
    model = onnx.load_model_from_string((directory / "fast.onnx").read_bytes())
    weights = np.ones(3, dtype=np.float32).tobytes()
    tensor = onnx.helper.make_tensor("stolen", onnx.TensorProto.FLOAT, [3], weights, raw=True)
    set_external_data(tensor, location="../../../../etc/passwd")
    tensor.data_location = onnx.TensorProto.EXTERNAL
    tensor.ClearField("raw_data")
    model.graph.initializer.append(tensor)
    (directory / "fast.onnx").write_bytes(model.SerializeToString())
    reseal(directory)
    with pytest.raises(BundleError, match="external data"):
        load_bundle(directory)
    with pytest.raises(BundleError, match="external data"):
        check_onnx(model.SerializeToString(), "here")


def test_a_fast_path_without_its_model_file_or_with_garbage_is_refused(saved, tmp_path, reseal):
    """fast.json naming a runtime whose file is absent, or a model file that is not one, fails
    closed with a BundleError; nothing falls back silently."""
    directory = _directory_of(saved, tmp_path, "logistic_regression")
    (directory / "fast.onnx").write_bytes(b"not an onnx model")
    reseal(directory)
    with pytest.raises(BundleError, match=r"fast\.onnx"):
        load_bundle(directory)
    (directory / "fast.onnx").unlink()
    reseal(directory)
    with pytest.raises(BundleError, match="lacks its model file"):
        load_bundle(directory)
    report = json.loads((directory / "fast.json").read_text())
    report["status"] = "unavailable"
    (directory / "fast.json").write_text(json.dumps(report))
    reseal(directory)
    assert load_bundle(directory).scoring_path == "native"


def test_a_tampered_feature_plan_is_refused_by_the_manifest(saved, tmp_path):
    """The plan is covered by the manifest like every file: editing it is tampering."""
    directory = _directory_of(saved, tmp_path, "random_forest")
    report = json.loads((directory / "fast.json").read_text())
    report["plan"][0]["center"] = 1000.0
    (directory / "fast.json").write_text(json.dumps(report))
    with pytest.raises(BundleError, match=r"fast\.json"):
        load_bundle(directory)


def test_the_scoring_summary_says_which_path_and_why(
    saved, bundle_dir, fit, target, schema, features, tmp_path, monkeypatch
):
    """One line for people: the proven runtime and its proof, or why the bundle is native."""
    import learnburn.bundles._trees as trees

    proven = load_bundle(saved["random_forest"], lazy=True).scoring_summary
    assert proven.startswith("onnxruntime fast path (matched the native model within")
    assert "rows)" in proven

    def refuse(estimator, plan):
        raise trees.TreesNotBuilt("the trees hold a split kind it does not know")

    monkeypatch.setattr(trees, "xgboost", refuse)
    monkeypatch.setattr(trees, "xgboost_onnx", refuse)
    path = save_bundle(
        fit("xgboost", target), tmp_path / "x.lbm", schema=schema, classes=["no", "yes"],
        meta={}, check_rows=features,
    )  # fmt: skip
    native = load_bundle(path).scoring_summary
    assert native.startswith("native (no runtime was proven: onnxruntime:")
    assert native.count("the trees hold a split kind it does not know") == 2
    assert load_bundle(bundle_dir).scoring_summary.startswith("native (the bundle was saved")


def test_the_saved_scoring_summary_is_the_one_loading_gives(saved, bundle_dir):
    """Read without proving the fast path again, a freshly saved bundle's summary is the one
    loading it (and proving it) gives, proven or native."""
    for path in (saved["random_forest"], bundle_dir):
        assert saved_scoring_summary(path) == load_bundle(path, lazy=True).scoring_summary


@pytest.mark.parametrize("classes", [2, 3])
@pytest.mark.parametrize("family", ["hist_gradient_boosting", "xgboost"])
def test_boosted_trees_with_categorical_splits_get_a_proven_fast_path(family, classes, tmp_path):
    """HistGradientBoosting and XGBoost split on categories natively; their trees, rebuilt for
    Treelite (and XGBoost's for ONNX Runtime too), are proven and chosen, and score like the
    native model on rows with missing values and unseen categories, binary and multiclass. The
    categories are coded in another order than the models' own (the most frequent, "zulu",
    sorts last)."""
    from learnburn.candidates import build_pipeline
    from learnburn.data import infer_schema

    def table(n_rows: int, seed: int) -> pd.DataFrame:
        rng = np.random.default_rng(seed)
        frame = pd.DataFrame(
            {
                "income": rng.normal(50, 10, size=n_rows),
                "debt": rng.normal(size=n_rows),
                "region": rng.choice(
                    ["zulu", "north", "east", "alpha"], p=[0.4, 0.3, 0.2, 0.1], size=n_rows
                ).astype(object),
                "member": rng.random(n_rows) < 0.5,
            }
        )
        frame.loc[::9, "debt"] = np.nan
        frame.loc[::7, "region"] = None
        return frame

    train = table(300, seed=1)
    region = train["region"]
    score = (train["income"] - 50) / 10 + region.eq("alpha") - region.eq("zulu") / 2
    score -= train["member"] / 2
    y = np.where(score > 0.1, "yes", "no")
    if classes == 3:
        y = np.select([score < -0.4, score < 0.5], ["low", "mid"], "high")
    schema = infer_schema(train)
    size = "n_estimators" if family == "xgboost" else "max_iter"
    model = build_pipeline(family, {size: 20}, schema, seed=3).fit(train, y)
    labels = sorted(np.unique(y).tolist())
    path = save_bundle(
        model, tmp_path / "b.lbm", schema=schema.to_dict(), classes=labels, meta={},
        check_rows=table(120, seed=2),
    )  # fmt: skip
    bundle = load_bundle(path)
    proven = {a["converter"] for a in bundle.fast_report["attempts"] if a["outcome"] == "proven"}
    rebuilt = {
        "hist_gradient_boosting": {"rebuilt_hist_gradient_boosting"},
        "xgboost": {"rebuilt_xgboost_onnx", "rebuilt_xgboost"},
    }
    assert proven == rebuilt[family], bundle.fast_report
    assert bundle.scoring_path in {"onnxruntime", "treelite"}
    rows = table(60, seed=11)
    rows.loc[0, "region"] = "atlantis"
    rows.loc[1, ["income", "debt"]] = [np.nan, np.nan]
    rows = rows.astype({"member": object})
    rows.loc[2, ["region", "member"]] = [None, None]
    native = bundle.predict_proba_native(rows)
    np.testing.assert_allclose(bundle.predict_proba(rows), native, rtol=0, atol=TOLERANCE)
    records = rows.astype(object).where(rows.notna(), None).to_dict("records")
    np.testing.assert_allclose(
        bundle.predict_proba_records(records), native, rtol=0, atol=TOLERANCE
    )


def test_an_oversized_fast_json_is_refused_before_it_is_parsed(saved, tmp_path, monkeypatch):
    """fast.json is a document like the others: over the document limit it is refused."""
    import learnburn.bundles._json as documents

    directory = _directory_of(saved, tmp_path, "random_forest")
    limit = (directory / "fast.json").stat().st_size - 1
    others = [p.stat().st_size for p in directory.glob("*.json") if p.name != "fast.json"]
    assert max(others) <= limit  # only fast.json is over the lowered limit
    monkeypatch.setattr(documents, "MAX_DOCUMENT_SIZE", limit)
    with pytest.raises(BundleError, match=r"fast\.json is .* bytes, more than"):
        load_bundle(directory)


def test_an_attempt_whose_difference_cannot_be_measured_is_refused_and_recorded(
    fit, target, schema, features, tmp_path, monkeypatch
):
    """A runtime whose probabilities cannot be compared (another shape, or NaN) is refused,
    its difference recorded as null; the bundle is still saved, scored natively."""
    import learnburn.bundles._compile as compile_module

    monkeypatch.setattr(compile_module, "_difference", lambda got, expected: math.inf)
    path = save_bundle(
        fit("logistic_regression", target), tmp_path / "b.lbm", schema=schema,
        classes=["no", "yes"], meta={}, check_rows=features,
    )  # fmt: skip
    bundle = load_bundle(path)
    [attempt] = bundle.fast_report["attempts"]
    assert attempt["outcome"] == "refused" and attempt["max_abs_difference"] is None
    assert bundle.scoring_path == "native"


def test_a_tall_frame_of_text_categories_encodes_as_its_records_do():
    from learnburn.bundles._fast import Feature, FeaturePlan

    plan = FeaturePlan(
        [
            Feature("region", "onehot", fill="north", categories=("north", "south")),
            Feature("grade", "code", categories=("a", "b", "c")),
        ]
    )
    values = ["north", "south", None, "west"] * 1500  # missing, and a category never seen
    frame = pd.DataFrame(
        {"region": pd.Series(values, dtype="str"), "grade": ["a", "c", None, "z"] * 1500}
    )
    records = frame.astype(object).where(frame.notna(), None).to_dict("records")
    matrix = plan.encode_frame(frame)  # the tall frame's path; records take plain Python
    assert matrix.shape == (6000, 3)
    np.testing.assert_array_equal(matrix[:256], plan.encode_records(records[:256]))
    np.testing.assert_array_equal(
        matrix[:4], [[1, 0, 0], [0, 1, 2], [1, 0, np.nan], [0, 0, np.nan]]
    )
