"""`learnburn profile` against the real server on loopback, with short settings."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest
from typer.testing import CliRunner

from learnburn.bundles import save_bundle
from learnburn.candidates import build_pipeline
from learnburn.cli import app
from learnburn.data import infer_schema
from learnburn.profiling._profile import ProfileSettings, draw_rows, profile_bundle

QUICK = ProfileSettings(levels=(1, 4), batch_sizes=(1, 100), batch_seconds=0.2,
                        level_requests=200, level_seconds=1.0)  # fmt: skip


@pytest.fixture(scope="module")
def bundle_path(tmp_path_factory, mixed_features_maker):
    """A forest bundle with a proven fast path and a run-like training record."""
    features = mixed_features_maker(150)
    target = np.where(features["income"] > 50, "yes", "no")
    schema = infer_schema(features)
    model = build_pipeline("random_forest", {"n_estimators": 20}, schema, seed=0)
    model.fit(features, target)
    meta = {"run_id": "r1", "candidate": {"name": "random_forest"},
            "training": {"fit_seconds": 0.4, "rows": 150, "peak_memory_mb": 300.0}}  # fmt: skip
    return save_bundle(
        model, tmp_path_factory.mktemp("profile") / "forest.lbm", schema=schema.to_dict(),
        classes=["no", "yes"], meta=meta, check_rows=mixed_features_maker(60, seed=3),
    )  # fmt: skip


def test_profile_measures_the_real_server_and_the_machine(bundle_path):
    """Every part of profile.json is measured: in-process sizes, each load level with no
    errors, the client's ceiling, cold start with its parts, worker memory, the machine."""
    start = time.perf_counter()
    profile = profile_bundle(bundle_path, settings=QUICK)
    assert time.perf_counter() - start < 60
    assert profile["version"] == 1
    assert profile["bundle"]["scoring_path"] == "onnxruntime"
    assert profile["bundle"]["size_bytes"] == bundle_path.stat().st_size
    assert [row["batch_rows"] for row in profile["in_process"]] == [1, 100]
    assert all(row["p50_ms"] > 0 and row["rows_per_s"] > 0 for row in profile["in_process"])
    levels = profile["http"]["levels"]
    assert [level["concurrency"] for level in levels] == [1, 4]
    for level in levels:
        assert level["errors"] == 0 and level["statuses"] == {"200": level["requests"]}
        assert 0 < level["p50_ms"] <= level["p99_ms"] and level["rps"] > 0
    assert profile["http"]["client_ceiling_rps"] > 0
    cold = profile["cold_start"]
    assert cold["seconds"] > 0 and cold["parts"]["imports_s"] > 0 and cold["parts"]["load_s"] > 0
    assert profile["memory"]["worker_rss_mb"] > 10
    assert profile["machine"]["logical_cpus"] >= 1 and profile["machine"]["cpu_model"]
    assert profile["gpu"]["present"] in (True, False) and profile["gpu"]["note"]
    assert profile["training"] == {"fit_seconds": 0.4, "rows": 150, "peak_memory_mb": 300.0}
    json.dumps(profile, allow_nan=False)  # valid JSON, no NaN


def test_drawn_rows_follow_the_schema(bundle_path):
    """Without data, rows come from the recorded ranges and categories."""
    from learnburn.bundles import load_bundle

    bundle = load_bundle(bundle_path)
    rows = draw_rows(bundle.schema, 500)
    assert list(rows.columns) == list(bundle.columns) and len(rows) == 500
    for column in bundle.schema["columns"]:
        values = rows[column["name"]]
        if column["kind"] == "numeric":
            assert column["minimum"] <= values.min() and values.max() <= column["maximum"]
        elif column.get("categories"):
            assert set(values) <= set(column["categories"])
    assert bundle.predict_proba(rows).shape == (500, 2)


def test_the_cli_writes_profile_json_and_prints_its_tables(bundle_path, tmp_path):
    output = tmp_path / "profile.json"
    result = CliRunner().invoke(
        app, ["profile", str(bundle_path), "-o", str(output), "--levels", "1",
              "--seconds", "0.5", "--requests", "50"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    profile = json.loads(output.read_text())
    assert [level["concurrency"] for level in profile["http"]["levels"]] == [1]
    assert "In-process scoring" in result.output and "req/s" in result.output
    assert "learnburn cost" in result.output


def test_bad_levels_and_a_missing_bundle_are_clear_errors(tmp_path):
    runner = CliRunner()
    bad = runner.invoke(app, ["profile", str(tmp_path / "x.lbm"), "--levels", "0,2"])
    assert bad.exit_code == 2 and "1..256" in bad.output
    missing = runner.invoke(app, ["profile", str(tmp_path / "x.lbm")])
    assert missing.exit_code == 1 and "no bundle" in missing.output
