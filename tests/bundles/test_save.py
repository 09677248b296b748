"""save_bundle writes a complete, checked bundle atomically, or nothing at all."""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest

from learnburn.bundles import VERSION, load_bundle, save_bundle
from learnburn.candidates import build_pipeline
from learnburn.data import infer_schema
from learnburn.errors import BundleError
from learnburn.thresholds import choose_decision

CLASSES = ["no", "yes"]


def _save(model, path, schema, **kwargs):
    settings = {"classes": CLASSES, "meta": {}, **kwargs}
    return save_bundle(model, path, schema=schema, **settings)


def test_a_bundle_holds_exactly_its_files_and_a_manifest_of_them(bundle_dir):
    """Directory bundle: manifest, model, schema, meta; the manifest lists the other three."""
    names = sorted(path.name for path in bundle_dir.iterdir())
    assert names == ["manifest.json", "meta.json", "model.skops", "schema.json"]
    manifest = json.loads((bundle_dir / "manifest.json").read_text())
    assert manifest["format"] == "learnburn-bundle" and manifest["version"] == VERSION
    assert sorted(manifest["files"]) == ["meta.json", "model.skops", "schema.json"]


def test_meta_records_the_callers_values_and_the_library_versions(bundle_dir):
    """meta.json keeps what the caller gave and adds 'saved_with'."""
    meta = load_bundle(bundle_dir).meta
    assert meta["run_id"] == "run-1"
    assert set(meta["saved_with"]) == {
        "learnburn", "scikit-learn", "skops", "lightgbm", "xgboost", "numpy", "pandas",
    }  # fmt: skip
    assert meta["saved_with"]["skops"]


def test_schema_json_holds_the_schema_and_the_classes(bundle_dir, schema):
    """The schema dict round-trips, and the classes sit beside its columns."""
    bundle = load_bundle(bundle_dir)
    assert bundle.schema == json.loads(json.dumps(schema))
    assert bundle.classes == ("no", "yes")
    assert json.loads((bundle_dir / "schema.json").read_text())["classes"] == CLASSES


def test_numpy_values_in_meta_are_saved_as_plain_json(logistic, schema, tmp_path):
    """numpy scalars, arrays and tuples become JSON numbers and lists."""
    meta = {"score": np.float64(0.75), "folds": np.arange(3), "interval": (0.7, 0.8)}
    bundle = load_bundle(_save(logistic, tmp_path / "b", schema, meta=meta))
    assert bundle.meta["score"] == 0.75 and bundle.meta["folds"] == [0, 1, 2]
    assert bundle.meta["interval"] == [0.7, 0.8]


def test_a_nan_in_meta_is_refused_naming_where_it_is(logistic, schema, tmp_path):
    """JSON has no NaN: the error names the key path; nothing is written."""
    meta = {"scores": {"auc": {"low": float("nan")}}}
    with pytest.raises(BundleError, match=r"meta\['scores'\]\['auc'\]\['low'\] is nan"):
        _save(logistic, tmp_path / "b", schema, meta=meta)
    assert list(tmp_path.iterdir()) == []


def test_meta_may_not_set_saved_with(logistic, schema, tmp_path):
    """'saved_with' is the bundle's own key."""
    with pytest.raises(BundleError, match="saved_with"):
        _save(logistic, tmp_path / "b", schema, meta={"saved_with": {}})


def test_save_refuses_an_existing_path(bundle_dir, logistic, schema):
    """An existing bundle is kept unless overwrite=True."""
    with pytest.raises(BundleError, match="already exists") as caught:
        _save(logistic, bundle_dir, schema)
    assert "overwrite=True" in caught.value.hint


@pytest.mark.parametrize("suffix", ["", ".lbm"])
def test_overwrite_replaces_a_bundle_and_leaves_no_temporary_files(
    suffix, logistic, schema, tmp_path
):
    """overwrite=True swaps in the new bundle; no staging or old copies remain."""
    path = tmp_path / f"b{suffix}"
    _save(logistic, path, schema, meta={"n": 1})
    _save(logistic, path, schema, meta={"n": 2}, overwrite=True)
    assert load_bundle(path).meta["n"] == 2
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_overwrite_refuses_to_replace_something_that_is_not_a_bundle(logistic, schema, tmp_path):
    """overwrite=True never deletes a folder that is not a bundle."""
    folder = tmp_path / "documents"
    folder.mkdir()
    (folder / "thesis.txt").write_text("precious")
    with pytest.raises(BundleError, match="is not a learnburn bundle"):
        _save(logistic, folder, schema, overwrite=True)
    assert (folder / "thesis.txt").read_text() == "precious"


def test_a_model_skops_cannot_store_leaves_nothing_behind(logistic, schema, tmp_path):
    """A model skops cannot save is a BundleError, and the folder stays empty."""
    broken = copy.deepcopy(logistic)
    broken.pending_ = (row for row in range(3))  # skops cannot store a generator
    with pytest.raises(BundleError, match="cannot be saved with skops"):
        _save(broken, tmp_path / "b", schema)
    assert list(tmp_path.iterdir()) == []


def test_save_refuses_an_unfitted_model(schema, features, tmp_path):
    """A pipeline that was never fitted has no classes_: refused."""
    pipeline = build_pipeline("logistic_regression", {}, infer_schema(features), seed=0)
    with pytest.raises(BundleError, match="not a fitted classifier"):
        _save(pipeline, tmp_path / "b", schema)


def test_save_refuses_classes_that_miss_a_class_of_the_model(logistic, schema, tmp_path):
    """Every class the model predicts must be among classes."""
    with pytest.raises(BundleError, match=r"\['yes'\] that are not in classes"):
        _save(logistic, tmp_path / "b", schema, classes=["no", "maybe"])


@pytest.mark.parametrize("classes", ["no", ["no"], ["no", "no"], [["no"], "yes"]])
def test_save_refuses_classes_that_are_not_distinct_labels(classes, logistic, schema, tmp_path):
    """classes is a list of at least two distinct strings or integers."""
    with pytest.raises(BundleError, match="classes"):
        _save(logistic, tmp_path / "b", schema, classes=classes)


def test_save_refuses_a_schema_without_columns(logistic, tmp_path):
    """The schema must be Schema.to_dict()'s shape."""
    with pytest.raises(BundleError, match="'columns'"):
        _save(logistic, tmp_path / "b", {"cols": []})


@pytest.fixture(scope="module")
def policy(logistic, features, target):
    proba = logistic.predict_proba(features)
    cost = [[0, 1], [5, 0]]
    return choose_decision(target, proba, CLASSES, cost, calibration="isotonic", n_resamples=20)


def test_decision_and_calibrator_round_trip(policy, logistic, schema, tmp_path):
    """decision.json holds the policy dict and its calibrator; both load back equal."""
    bundle = load_bundle(
        _save(
            logistic,
            tmp_path / "b",
            schema,
            decision=policy.to_dict(),
            calibrator=policy.calibrator.to_dict(),
        )
    )
    assert bundle.decision == json.loads(json.dumps(policy.to_dict()))
    assert bundle.calibrator == policy.calibrator


def test_a_decision_for_other_classes_is_refused(policy, logistic, schema, tmp_path):
    """The policy's classes must be the bundle's, in the same order."""
    decision = {**policy.to_dict(), "classes": ["yes", "no"]}
    calibrator = policy.calibrator.to_dict()
    with pytest.raises(BundleError, match="names classes"):
        _save(logistic, tmp_path / "b", schema, decision=decision, calibrator=calibrator)


def test_a_calibrated_decision_without_its_calibrator_is_refused(
    policy, logistic, schema, tmp_path
):
    """A policy that says 'isotonic' needs the calibrator; a calibrator needs a policy."""
    with pytest.raises(BundleError, match="calibrator disagrees"):
        _save(logistic, tmp_path / "b", schema, decision=policy.to_dict())
    with pytest.raises(BundleError, match="a calibrator was given"):
        _save(logistic, tmp_path / "c", schema, calibrator=policy.calibrator.to_dict())


@pytest.mark.parametrize(
    "calibrator",
    [
        {"method": "isotonic", "maps": [{"x": ["a"], "y": [0.5]}]},
        {"method": "isotonic", "maps": [{"x": [0.1, 0.2], "y": [0.5]}]},
        {"method": "isotonic", "maps": [[0.1]]},
        {"method": "sigmoid", "maps": [{"slope": 1.0, "intercept": 0.0}]},
    ],
    ids=["strings", "unpaired", "not-a-map", "wrong-method"],
)
def test_a_calibrator_that_cannot_work_is_refused(calibrator, policy, logistic, schema, tmp_path):
    """A calibrator must hold finite numbers, paired points, and the policy's method."""
    decision = policy.to_dict()
    with pytest.raises(BundleError, match="calibrator"):
        _save(logistic, tmp_path / "b", schema, decision=decision, calibrator=calibrator)


def test_a_compiled_model_is_written_as_it_is_not_compiled_again(
    fit, target, features, schema, tmp_path
):
    """save_bundle(compiled=...) writes the compiled files' very bytes, and the bundle loads
    with that fast path."""
    from learnburn.bundles import compile_model

    model = fit("random_forest", target)
    compiled = compile_model(model, features)
    assert compiled.runtime is not None
    timings: dict[str, float] = {}
    path = _save(model, tmp_path / "b", schema, compiled=compiled, timings=timings)
    for name, data in compiled.files.items():
        assert (path / name).read_bytes() == data
    assert set(timings) == {"model", "fast_path", "write"}
    assert load_bundle(path).fast_report["status"] == "ready"


def test_compiling_builds_each_runtime_once_and_scores_with_the_proven_one(
    fit, target, features, monkeypatch
):
    """compile_model's scorer is the runner its proof ran, not one built again from its
    bytes: each runtime tried is built once."""
    from learnburn.bundles import compile_model
    from learnburn.bundles._fast import RUNNERS

    built = []
    for name, runner in RUNNERS.items():
        monkeypatch.setattr(runner, "__init__", _counted(runner.__init__, built, name))
    compiled = compile_model(fit("random_forest", target), features)
    assert compiled.runtime is not None
    assert sorted(built) == sorted(set(built))
    assert compiled.predict_proba_matrix(compiled.encode(features)).shape == (len(features), 2)


def _counted(init, built: list, name: str):
    def counting(self, *args, **kwargs):
        built.append(name)
        init(self, *args, **kwargs)

    return counting


def test_a_packed_bundle_stores_the_skops_file_as_it_is_and_packs_to_the_same_bytes(
    logistic, schema, features, tmp_path
):
    """model.skops is compressed already: the archive stores it without deflating it again,
    the same bundle directory packs to identical bytes, and the packed file loads."""
    import zipfile

    from learnburn.bundles import pack_bundle

    directory = _save(logistic, tmp_path / "b", schema)
    first = pack_bundle(directory, tmp_path / "one.lbm")
    second = pack_bundle(directory, tmp_path / "two.lbm")
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as archive:
        assert archive.getinfo("model.skops").compress_type == zipfile.ZIP_STORED
        assert archive.getinfo("schema.json").compress_type == zipfile.ZIP_DEFLATED
        assert archive.read("model.skops") == (directory / "model.skops").read_bytes()
    expected = logistic.predict_proba(features)
    assert (load_bundle(first).predict_proba_native(features) == expected).all()
