"""The CPU/GPU comparison: what it measures, its ratios, how a profile carries it, and the cost
verdict's sentence about it. The CUDA half runs only on a machine with a GPU
(``benchmarks/gpu_check.sh``); here the same code runs on the CPU."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from learnburn.bundles import load_bundle, save_bundle
from learnburn.candidates import build_pipeline
from learnburn.data import infer_schema
from learnburn.profiling import _profile as profile_module
from learnburn.profiling._devices import compare_devices, cuda_devices, numeric_table, speedups
from learnburn.profiling._profile import ProfileSettings

pytest.importorskip("torch")
pytest.importorskip("xgboost")


def test_both_models_are_fitted_and_timed_on_the_cpu():
    """Each (model, device) gets a fit time, scoring latency per batch size and a holdout AUC
    that shows it learned; with one device there is no ratio to give."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(1200, 6))
    y = np.where(X[:, 0] + X[:, 1] ** 2 > 1, "yes", "no")
    result = compare_devices(X, y, devices=("cpu",), batch_sizes=(1, 50), budget_s=0.05)
    assert [(r["model"], r["device"]) for r in result["records"]] == [
        ("xgboost", "cpu"),
        ("mlp", "cpu"),
    ]
    for record in result["records"]:
        assert record["fit_rows"] == 900 and record["fit_s"] > 0
        assert [c["batch_rows"] for c in record["scoring"]] == [1, 50]
        assert all(c["p50_ms"] > 0 and c["calls"] >= 3 for c in record["scoring"])
        assert record["holdout_auc"] > 0.8
    assert result["speedups"] == []


def test_speedups_are_cpu_time_over_gpu_time():
    def record(model, device, fit_s, p50s):
        scoring = [{"batch_rows": n, "p50_ms": p} for n, p in zip((1, 10_000), p50s, strict=True)]
        return {"model": model, "device": device, "fit_s": fit_s, "scoring": scoring}

    records = [
        record("xgboost", "cpu", 10.0, (0.5, 40.0)),
        record("xgboost", "cuda", 2.0, (1.0, 8.0)),
        record("mlp", "cpu", 3.0, (0.1, 20.0)),  # no GPU record: no ratio
    ]
    assert speedups(records) == [
        {"model": "xgboost", "fit": 5.0, "scoring_by_batch_rows": {"1": 0.5, "10000": 5.0}}
    ]


def test_without_cuda_each_model_says_why_it_cannot_use_a_gpu():
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a CUDA device")
    reasons = cuda_devices()
    assert set(reasons) == {"xgboost", "mlp"}
    assert "sees no CUDA device" in reasons["mlp"]
    assert reasons["xgboost"]


def test_any_table_becomes_a_float_matrix():
    frame = pd.DataFrame({"n": [1.0, None, 3.0], "c": ["a", "b", None], "f": [True, False, True]})
    matrix = numeric_table(frame)
    assert matrix.dtype == np.float32
    assert matrix[:, 0].tolist() == [1.0, 2.0, 3.0]  # the median fills the gap
    assert matrix.shape == (3, 1 + 2 + 2)  # c: a, b (missing is all zeros); f: False, True


@pytest.fixture(scope="module")
def bundle(tmp_path_factory, mixed_features_maker):
    features = mixed_features_maker(120)
    target = np.where(features["income"] > 50, "yes", "no")
    schema = infer_schema(features)
    model = build_pipeline("logistic_regression", {}, schema, seed=0).fit(features, target)
    path = tmp_path_factory.mktemp("gpu") / "b.lbm"
    save_bundle(model, path, schema=schema.to_dict(), classes=["no", "yes"], meta={})
    return load_bundle(path, lazy=True)


def test_a_profile_with_a_gpu_carries_the_comparison(bundle, monkeypatch):
    """With a GPU present, the profile compares the models that can use it, on rows drawn from
    the bundle's schema and labelled by the bundle, and says why the others cannot."""
    seen = {}

    def compare(X, y, *, models, progress):
        seen.update(X=X, y=y, models=models)
        return {"rows": len(X), "features": X.shape[1], "records": [], "speedups": []}

    monkeypatch.setattr(profile_module, "describe_gpu", lambda: {"present": True, "name": "T4"})
    monkeypatch.setattr(
        profile_module, "cuda_devices", lambda: {"xgboost": None, "mlp": "torch sees none"}
    )
    monkeypatch.setattr(profile_module, "compare_devices", compare)
    gpu = profile_module._gpu(bundle, ProfileSettings(gpu_rows=300), lambda message: None)
    assert gpu["comparison"]["rows"] == 300 and seen["models"] == ["xgboost"]
    assert gpu["unavailable"] == {"mlp": "torch sees none"}
    assert set(seen["y"]) <= {"no", "yes"} and seen["X"].dtype == np.float32


def test_a_gpu_no_library_can_use_is_said_so(bundle, monkeypatch):
    monkeypatch.setattr(profile_module, "describe_gpu", lambda: {"present": True, "name": "T4"})
    monkeypatch.setattr(profile_module, "cuda_devices", lambda: {"xgboost": "no", "mlp": "no"})
    gpu = profile_module._gpu(bundle, ProfileSettings(), lambda message: None)
    assert "comparison" not in gpu and "no model library here can use it" in gpu["note"]


ROOT = Path(__file__).resolve().parents[2]


def test_the_gpu_check_says_when_there_is_no_gpu_and_exits_0():
    from learnburn.profiling._devices import gpu_listing

    if gpu_listing():
        pytest.skip("this machine has a CUDA GPU: the check would run in full")
    done = subprocess.run(
        ["bash", str(ROOT / "benchmarks" / "gpu_check.sh")], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "no CUDA GPU on this machine" in done.stdout


def test_the_gpu_check_prints_its_table_and_target_on_the_cpu_side():
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "gpu_check.py"), "--cpu-only", "--rows", "2000"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert any(line.startswith("xgboost  cpu") for line in lines)
    assert any(line.startswith("mlp      cpu") for line in lines)
    assert lines[-1].startswith("target gpu_check_minutes: ") and lines[-1].endswith(" met")
