"""Small tables, fitted pipelines and saved bundles for the bundle tests, and the tools an
attacker would use: rewrite a file and reseal the manifest, rewrite a skops file's types, and a
module whose code leaves a marker file if it ever runs."""

from __future__ import annotations

import hashlib
import io
import json
import sys
import uuid
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from learnburn.bundles import save_bundle
from learnburn.candidates import build_pipeline
from learnburn.data import infer_schema

FAST = {  # fewer trees and rounds: the tests check persistence, not accuracy
    "random_forest": {"n_estimators": 10},
    "extra_trees": {"n_estimators": 10},
    "hist_gradient_boosting": {"max_iter": 10},
    "lightgbm": {"n_estimators": 10},
    "xgboost": {"n_estimators": 10},
    "mlp": {"hidden_units": 16, "learning_rate": 0.01},
}


@pytest.fixture(scope="session")
def features(mixed_features_maker) -> pd.DataFrame:
    return mixed_features_maker(200)


@pytest.fixture(scope="session")
def target(features, mixed_target_maker) -> np.ndarray:
    return mixed_target_maker(features)


@pytest.fixture(scope="session")
def target3(features, mixed_target_maker) -> np.ndarray:
    """Three classes: "high", "low", "mid"."""
    return mixed_target_maker(features, classes=3)


@pytest.fixture(scope="session")
def schema(features) -> dict:
    """``Schema.to_dict()`` of the feature columns, as a run records it."""
    return infer_schema(features).to_dict()


@pytest.fixture(scope="session")
def fit(features):
    """Fit a registered candidate on the features: fit(name, target, **params)."""

    def fit_candidate(name: str, target, **params):
        params = {**FAST.get(name, {}), **params}
        pipeline = build_pipeline(name, params, infer_schema(features), seed=3)
        return pipeline.fit(features, target)

    return fit_candidate


@pytest.fixture(scope="session")
def logistic(fit, target):
    """A fitted logistic regression pipeline (binary, classes "no" and "yes")."""
    return fit("logistic_regression", target)


@pytest.fixture
def bundle_dir(tmp_path: Path, logistic, schema) -> Path:
    """A freshly saved logistic regression bundle directory (each test may damage it)."""
    meta = {"run_id": "run-1", "metric": "roc_auc"}
    return save_bundle(
        logistic, tmp_path / "bundle", schema=schema, classes=["no", "yes"], meta=meta
    )


@pytest.fixture
def reseal() -> Callable[[Path], None]:
    """Recompute a bundle directory's manifest from the files now in it, as an attacker who
    rewrites files can; the code under test is not used to do it."""

    def reseal_bundle(directory: Path) -> None:
        manifest_path = directory / "manifest.json"
        manifest = json.loads(manifest_path.read_text())
        manifest["files"] = {
            path.name: {
                "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
                "size": path.stat().st_size,
            }
            for path in sorted(directory.iterdir())
            if path.name not in ("manifest.json", "signature.json")
        }
        manifest_path.write_text(json.dumps(manifest))

    return reseal_bundle


@pytest.fixture
def replace_model(reseal) -> Callable[[Path, bytes], None]:
    """Put ``data`` in a bundle's model.skops and reseal the manifest."""

    def replace(directory: Path, data: bytes) -> None:
        (directory / "model.skops").write_bytes(data)
        reseal(directory)

    return replace


@pytest.fixture
def retype() -> Callable[[bytes, tuple[str, str], tuple[str, str]], bytes]:
    """A copy of a skops file whose nodes of type ``old`` (module, name) now name ``new``:
    retype(data, old, new). Edits skops's schema.json directly, as an attacker would."""
    return _retype


def _retype(data: bytes, old: tuple[str, str], new: tuple[str, str]) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "schema.json":
                schema = json.loads(content)
                _rename(schema, old, new)
                content = json.dumps(schema).encode()
            target.writestr(info.filename, content)
    return buffer.getvalue()


def _rename(node: object, old: tuple[str, str], new: tuple[str, str]) -> None:
    if isinstance(node, dict):
        if (node.get("__module__"), node.get("__class__")) == old:
            node["__module__"], node["__class__"] = new
        for value in node.values():
            _rename(value, old, new)
    elif isinstance(node, list):
        for value in node:
            _rename(value, old, new)


@pytest.fixture
def hostile_module(tmp_path: Path, monkeypatch):
    """A module on sys.path whose import, construction, __setstate__ or functions would write
    the marker file: returns (module name, marker path). The marker must never appear."""
    name = f"hostile_{uuid.uuid4().hex}"
    marker = tmp_path / "marker"
    folder = tmp_path / "modules"
    folder.mkdir()
    (folder / f"{name}.py").write_text(
        "import pathlib\n"
        f"MARKER = pathlib.Path({str(marker)!r})\n"
        "MARKER.write_text('imported')\n"
        "class Payload:\n"
        "    def __new__(cls, *args, **kwargs):\n"
        "        MARKER.write_text('created')\n"
        "        return super().__new__(cls)\n"
        "    def __setstate__(self, state):\n"
        "        MARKER.write_text('restored')\n"
        "def run(*args, **kwargs):\n"
        "    MARKER.write_text('called')\n"
    )
    monkeypatch.syspath_prepend(str(folder))
    yield name, marker
    sys.modules.pop(name, None)
