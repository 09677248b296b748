"""The model is loaded only when every type in it is allowed or trusted by name; hostile
content is refused without running any of it (the hostile module's marker never appears)."""

from __future__ import annotations

import importlib
import io
import pickle
import sys
import zipfile

import joblib
import numpy as np
import pytest
import skops.io
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from learnburn.bundles import ALLOWED, load_bundle, save_bundle
from learnburn.candidates import candidate_names
from learnburn.errors import BundleError

_AS_FLOAT = ("learnburn.candidates._columns", "as_float_frame")


class _Stand:
    """A harmless object; its skops node is renamed to the hostile module's Payload."""

    def __init__(self) -> None:
        self.note = "x"


class _Runs:
    """Pickles to a call of exec that writes the marker (the classic pickle payload)."""

    def __init__(self, marker) -> None:
        self.marker = str(marker)

    def __reduce__(self):
        return (exec, (f"__import__('pathlib').Path({self.marker!r}).write_text('unpickled')",))


def _hostile_skops(retype, module: str) -> bytes:
    return retype(skops.io.dumps(_Stand()), (_Stand.__module__, "_Stand"), (module, "Payload"))


def _assert_never_ran(module: str, marker) -> None:
    assert not marker.exists()
    assert module not in sys.modules


def test_load_bundle_refuses_an_untrusted_type_without_running_it(
    bundle_dir, replace_model, hostile_module, retype
):
    """A model of a type off the allow-list is refused, named, with the --trust hint."""
    module, marker = hostile_module
    replace_model(bundle_dir, _hostile_skops(retype, module))
    with pytest.raises(BundleError) as caught:
        load_bundle(bundle_dir)
    assert f"{module}.Payload" in str(caught.value) and "model.skops" in str(caught.value)
    assert f"trusted=['{module}.Payload']" in caught.value.hint
    assert f"--trust {module}.Payload" in caught.value.hint
    _assert_never_ran(module, marker)


def test_the_hostile_payload_runs_when_trusted_by_name(
    bundle_dir, replace_model, hostile_module, retype
):
    """trusted=[name] loads the type (and here runs its code): the refusal above is real."""
    module, marker = hostile_module
    replace_model(bundle_dir, _hostile_skops(retype, module))
    bundle = load_bundle(bundle_dir, trusted=[f"{module}.Payload"])
    assert type(bundle.model).__name__ == "Payload"
    assert marker.read_text() == "restored"


def test_trusted_names_let_a_pipeline_with_a_foreign_function_load(
    hostile_module, features, target, schema, tmp_path
):
    """A pipeline using a function off the allow-list loads once that function is trusted."""
    module, _ = hostile_module
    helper = tmp_path / "modules" / f"{module}_helper.py"
    helper.write_text("def numeric(frame):\n    return frame[['income']].fillna(0.0)\n")
    importlib.invalidate_caches()
    numeric = importlib.import_module(f"{module}_helper").numeric
    pipeline = Pipeline([("f", FunctionTransformer(numeric)), ("m", LogisticRegression())])
    pipeline.fit(features, target)
    path = save_bundle(pipeline, tmp_path / "b", schema=schema, classes=["no", "yes"], meta={})
    with pytest.raises(BundleError, match=f"{module}_helper.numeric"):
        load_bundle(path)
    bundle = load_bundle(path, trusted=[f"{module}_helper.numeric"])
    assert np.array_equal(bundle.predict_proba(features), pipeline.predict_proba(features))
    sys.modules.pop(f"{module}_helper", None)


@pytest.mark.parametrize("kind", ["pickle", "joblib", "npy"])
def test_load_bundle_never_unpickles_a_payload_named_model_skops(
    kind, bundle_dir, replace_model, tmp_path
):
    """pickle, joblib and object-array .npy payloads are refused as not skops; none runs."""
    marker = tmp_path / "marker"
    payload = _Runs(marker)
    buffer = io.BytesIO()
    if kind == "pickle":
        pickle.dump(payload, buffer)
    elif kind == "joblib":
        joblib.dump(payload, buffer, compress=3)
    else:
        np.save(buffer, np.array([payload], dtype=object), allow_pickle=True)
    replace_model(bundle_dir, buffer.getvalue())
    with pytest.raises(BundleError, match="not a skops file"):
        load_bundle(bundle_dir)
    assert not marker.exists()


def test_the_pickle_payload_runs_when_unpickled(tmp_path):
    """The payload above is live: unpickling it writes the marker."""
    marker = tmp_path / "marker"
    pickle.loads(pickle.dumps(_Runs(marker)))
    assert marker.read_text() == "unpickled"


def test_a_pickled_array_inside_model_skops_is_never_unpickled(bundle_dir, replace_model, tmp_path):
    """An array member of the skops file swapped for an object-dtype pickle is refused."""
    marker = tmp_path / "marker"
    source = zipfile.ZipFile(bundle_dir / "model.skops")
    evil = io.BytesIO()
    np.save(evil, np.array([_Runs(marker)], dtype=object), allow_pickle=True)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            is_array = info.filename.endswith(".npy")
            target.writestr(info.filename, evil.getvalue() if is_array else source.read(info))
    replace_model(bundle_dir, buffer.getvalue())
    with pytest.raises(BundleError, match="cannot be loaded"):
        load_bundle(bundle_dir)
    assert not marker.exists()


@pytest.mark.parametrize(
    "new",
    [
        ("os", "system"),
        ("builtins", "eval"),
        ("subprocess", "Popen"),
        ("learnburn.candidates._columns", "np"),  # an allowed module's alias of numpy
        ("learnburn.candidates._columns.as_float_frame", "__globals__"),
    ],
    ids=lambda new: ".".join(new),
)
def test_a_function_renamed_inside_an_allowed_pipeline_is_refused(
    new, bundle_dir, replace_model, retype
):
    """A learnburn pipeline whose as_float_frame node now names another callable is refused."""
    data = (bundle_dir / "model.skops").read_bytes()
    replace_model(bundle_dir, retype(data, _AS_FLOAT, new))
    with pytest.raises(BundleError, match="not on learnburn's allow-list") as caught:
        load_bundle(bundle_dir)
    assert ".".join(new) in str(caught.value)


def test_an_allowed_name_split_at_another_dot_does_not_resolve(bundle_dir, replace_model, retype):
    """An allowed name split at another dot names no object: a clean BundleError."""
    data = (bundle_dir / "model.skops").read_bytes()
    split = ("learnburn.candidates", "_columns.as_float_frame")
    replace_model(bundle_dir, retype(data, _AS_FLOAT, split))
    with pytest.raises(BundleError, match="cannot be loaded"):
        load_bundle(bundle_dir)


@pytest.mark.parametrize(
    "gadget",
    [
        lambda: __import__("operator").methodcaller("system", "echo hi"),
        lambda: __import__("operator").attrgetter("__globals__"),
        lambda: __import__("learnburn.candidates._native", fromlist=["x"]).NativeColumns().fit,
    ],
    ids=["methodcaller", "attrgetter", "bound-method"],
)
def test_operator_and_method_gadgets_are_refused(gadget, bundle_dir, replace_model):
    """Operator functions and bound methods (skops CVE-2025-54412/54413) are refused."""
    replace_model(bundle_dir, skops.io.dumps(gadget()))
    with pytest.raises(BundleError, match="not on learnburn's allow-list"):
        load_bundle(bundle_dir)


def test_trusted_must_be_a_list_of_full_type_names(bundle_dir):
    """A bare string or a name without a module is refused before anything is read."""
    with pytest.raises(BundleError, match="list of type names"):
        load_bundle(bundle_dir, trusted="os.system")
    with pytest.raises(BundleError, match="full type names"):
        load_bundle(bundle_dir, trusted=["system"])


def test_every_allowed_name_is_exact_and_resolves():
    """The allow-list holds exact names (no wildcards) of objects that exist."""
    for name in sorted(ALLOWED):
        module_name, _, attribute = name.rpartition(".")
        assert "*" not in name
        assert hasattr(importlib.import_module(module_name), attribute), name


@pytest.mark.parametrize(
    "params",
    [{"metric": "manhattan"}, {"metric": "chebyshev"}, {"metric": "hamming"}, {"p": 3}],
    ids=lambda params: str(next(iter(params.values()))),
)
def test_knn_with_another_metric_loads_from_the_allow_list(
    params, fit, target, features, schema, tmp_path
):
    """k-NN's ball tree stores its distance metric; the allowed metrics load without trust."""
    pipeline = fit("knn", target, algorithm="ball_tree", **params)
    path = save_bundle(pipeline, tmp_path / "b", schema=schema, classes=["no", "yes"], meta={})
    assert np.array_equal(
        load_bundle(path).predict_proba(features), pipeline.predict_proba(features)
    )


@pytest.fixture
def fast_directory(tmp_path, logistic, schema, features):
    """A bundle directory with a proven fast path (scored without loading model.skops)."""
    from learnburn.bundles import unpack_bundle

    packed = save_bundle(
        logistic, tmp_path / "fast.lbm", schema=schema, classes=["no", "yes"], meta={},
        check_rows=features,
    )  # fmt: skip
    return unpack_bundle(packed, tmp_path / "fast")


@pytest.mark.parametrize("lazy", [False, True], ids=["eager", "lazy"])
def test_an_untrusted_model_is_refused_at_load_even_when_the_fast_path_scores(
    lazy, fast_directory, replace_model, hostile_module, retype
):
    """lazy=True with a fast path (as serve and predict load) defers loading model.skops,
    never its check: the hostile type is refused at load, named, and never runs."""
    module, marker = hostile_module
    replace_model(fast_directory, _hostile_skops(retype, module))
    with pytest.raises(BundleError, match="allow-list") as caught:
        load_bundle(fast_directory, lazy=lazy)
    assert f"{module}.Payload" in str(caught.value) and "--trust" in caught.value.hint
    _assert_never_ran(module, marker)


@pytest.mark.parametrize(
    "content",
    [b"\x80\x04K\x01.", b"not a model at all", b"PK\x05\x06" + b"\x00" * 18],
    ids=["pickle", "text", "empty-zip"],
)
def test_a_model_file_that_is_not_skops_is_refused_at_load_even_when_the_fast_path_scores(
    content, fast_directory, replace_model
):
    replace_model(fast_directory, content)
    with pytest.raises(BundleError, match=r"model\.skops"):
        load_bundle(fast_directory, lazy=True)


def test_a_type_trusted_by_name_passes_the_check_at_load_and_is_loaded_only_when_needed(
    fast_directory, replace_model, hostile_module, retype, features
):
    """Trusting the type by name lets the lazy bundle load and score by its fast path, with
    the hostile module still never imported: model.skops is only checked, not loaded."""
    module, marker = hostile_module
    replace_model(fast_directory, _hostile_skops(retype, module))
    bundle = load_bundle(fast_directory, lazy=True, trusted=[f"{module}.Payload"])
    assert bundle.scoring_path == "onnxruntime" and not bundle.model_loaded
    assert bundle.predict_proba(features.head(3)).shape == (3, 2)
    _assert_never_ran(module, marker)


@pytest.mark.parametrize("family", sorted(candidate_names()))
def test_every_registered_candidate_passes_the_check_at_load(family, fit, target):
    from learnburn.bundles._trust import check_model, dump_model

    check_model(dump_model(fit(family, target)), "here")


@pytest.mark.parametrize("family", ["random_forest", "logistic_regression", "knn", "lightgbm"])
def test_the_check_at_load_reads_the_skops_tree_without_building_it(
    family, fit, target, monkeypatch
):
    """For the usual pipelines the check reads only the JSON tree: skops's own audit, which
    reads every array, is not needed (here it would fail)."""
    from learnburn.bundles._trust import check_model, dump_model

    data = dump_model(fit(family, target))

    def refuse(**_):
        raise AssertionError("skops built the tree")

    monkeypatch.setattr(skops.io, "get_untrusted_types", refuse)
    check_model(data, "here")


def test_the_cheap_check_sends_an_untrusted_type_to_skops(hostile_module, retype):
    from learnburn.bundles._types import looks_trusted

    module, _ = hostile_module
    assert not looks_trusted(_hostile_skops(retype, module), ALLOWED)


def test_a_lazy_bundle_loads_its_model_once_when_needed(tmp_path, logistic, schema, features):
    """The deferred pipeline loads on first use and is the same object afterwards."""
    from learnburn.bundles import save_bundle

    packed = save_bundle(
        logistic, tmp_path / "fast.lbm", schema=schema, classes=["no", "yes"], meta={},
        check_rows=features,
    )  # fmt: skip
    bundle = load_bundle(packed, lazy=True)
    assert not bundle.model_loaded
    native = bundle.predict_proba_native(features.head(5))
    assert bundle.model_loaded and bundle.model is bundle.model
    np.testing.assert_allclose(native, logistic.predict_proba(features.head(5)))


def test_the_usual_types_are_ones_skops_trusts_by_default():
    """USUAL, the written-out part of skops's defaults, trusts nothing skops does not."""
    from learnburn.bundles._types import USUAL, _defaults

    defaults = _defaults()
    beyond = {loader: sorted(names - defaults[loader]) for loader, names in USUAL.items()}
    assert {loader: names for loader, names in beyond.items() if names} == {}


@pytest.mark.parametrize(
    "family", sorted(set(candidate_names()) - {"hist_gradient_boosting"})
)  # hist_gradient_boosting holds node kinds only skops reads (its loss and random state)
def test_the_usual_types_cover_every_registered_candidate_without_skops_lists(
    family, fit, target, monkeypatch
):
    """The check at load needs skops's lists (which import all of scikit-learn) for none of
    learnburn's own pipelines."""
    from learnburn.bundles import _types
    from learnburn.bundles._trust import dump_model

    data = dump_model(fit(family, target))
    monkeypatch.setattr(_types, "_defaults", lambda: None)
    assert _types.looks_trusted(data, ALLOWED)


def test_a_type_outside_the_usual_ones_is_looked_up_in_skops_lists(monkeypatch):
    """A scikit-learn estimator learnburn does not register still passes the cheap check,
    from skops's own lists."""
    from sklearn.ensemble import AdaBoostClassifier

    from learnburn.bundles import _types
    from learnburn.bundles._trust import dump_model

    X, y = np.arange(40.0).reshape(20, 2), np.arange(20) % 2
    data = dump_model(AdaBoostClassifier(n_estimators=2).fit(X, y))
    assert _types.looks_trusted(data, ALLOWED)
    monkeypatch.setattr(_types, "_defaults", lambda: None)
    assert not _types.looks_trusted(data, ALLOWED)
