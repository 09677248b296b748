"""A clustering run end to end: recorded, bundled, scored in batch and over HTTP, and its
cluster shares checked for drift."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from learnburn.bundles import load_bundle
from learnburn.cli import app
from learnburn.runs import RunStore
from learnburn.serving import create_app
from learnburn.spec import load_spec
from learnburn.workflows import check_bundle_drift, export_bundle, run_and_record

from .conftest import blobs, clustering_spec

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from starlette.testclient import TestClient

runner = CliRunner(env={"COLUMNS": "200"})
BODY = """
[clustering]
k = [3, 5]
resamples = 4
[candidates.kmeans]
[candidates.gaussian_mixture]
"""


@pytest.fixture(scope="module")
def recorded(tmp_path_factory, blobs_csv):
    folder = tmp_path_factory.mktemp("run")
    spec = load_spec(clustering_spec(folder / "segments.toml", blobs_csv, BODY, target="group"))
    store = RunStore.open(None, folder=folder / "store")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # not in a git repository: recorded with a warning
        run = run_and_record(spec, store=store, allow_dirty=True)
    bundle = export_bundle(store, run.run_id, folder / "segments.lbm")
    return run, store, bundle


def test_the_run_is_recorded_with_its_quality_and_resamples(recorded):
    """The store holds the clustering run: metric silhouette, the winner, one fold per
    resample."""
    run, store, _ = recorded
    detail = store.get_run(run.run_id)
    assert detail.summary.status == "finished" and detail.summary.metric == "silhouette"
    assert detail.summary.winner == run.result.winner == "kmeans[k=4]"
    assert len(detail.record["folds"]) == 6 * 4


def test_the_bundle_assigns_rows_to_the_training_clusters(recorded):
    """Loaded with the default allow-list: classes are the clusters, probabilities sum to 1,
    and the decided cluster of each training row is its training cluster."""
    run, _, path = recorded
    bundle = load_bundle(path)
    assert bundle.classes == (0, 1, 2, 3)
    assert bundle.meta["task"] == "clustering" and len(bundle.meta["segments"]) == 4
    table = blobs().drop(columns="group")
    proba = bundle.predict_proba(table)
    assert np.allclose(proba.sum(axis=1), 1.0)
    assert np.array_equal(bundle.decide(table), run.result.labels)


def test_predict_writes_each_row_s_cluster_and_probabilities(recorded, tmp_path):
    """`learnburn predict` scores a clustering bundle like any other; the decided label's
    column is named cluster."""
    _, _, path = recorded
    data = tmp_path / "new.csv"
    blobs(40, seed=3).drop(columns="group").to_csv(data, index=False)
    output = tmp_path / "clusters.csv"
    result = runner.invoke(app, ["predict", str(path), str(data), "--output", str(output)])
    assert result.exit_code == 0, result.output
    written = pd.read_csv(output)
    assert len(written) == 40 and "decision" not in written.columns
    assert list(written.columns) == ["proba_0", "proba_1", "proba_2", "proba_3", "cluster"]
    assert set(written["cluster"]) <= {0, 1, 2, 3}


def test_v1_predict_answers_a_cluster_and_its_probability(recorded):
    """/v1/predict on a clustering bundle: the decision is the cluster, proba its membership."""
    _, _, path = recorded
    client = TestClient(create_app(load_bundle(path)))
    rows = json.loads(blobs(6).drop(columns="group").to_json(orient="records"))
    response = client.post("/v1/predict", json=rows)
    assert response.status_code == 200, response.text
    predictions = response.json()["predictions"]
    assert len(predictions) == 6
    for prediction in predictions:
        assert set(prediction["proba"]) == {"0", "1", "2", "3"}
        assert prediction["decision"] == int(max(prediction["proba"], key=prediction["proba"].get))
    assert client.get("/v1/model").json()["meta"]["task"] == "clustering"


def test_drift_reports_the_change_in_cluster_shares(recorded):
    """The same rows: shares stable. Cluster 0 four times over: 25% -> 57%, and say by how
    much."""
    run, _, path = recorded
    table = blobs().drop(columns="group")
    same = check_bundle_drift(path, table, multivariate=False)
    assert same.clusters is not None and not same.clusters.drifted
    shifted = pd.concat([table[run.result.labels == 0]] * 3 + [table])
    moved = check_bundle_drift(path, shifted, multivariate=False)
    assert moved.clusters.drifted and moved.drifted
    first = next(c for c in moved.cluster_shares if c["cluster"] == "0")
    assert first["reference"] == pytest.approx(0.25) and first["current"] == pytest.approx(4 / 7)
    assert "Cluster shares drifted" in moved.summary()
    assert moved.to_dict()["cluster_shares"][0]["change"] is not None


def test_run_prints_the_clusterings_the_choice_and_the_segments(tmp_path, blobs_csv):
    """`learnburn run` on a clustering spec: the leaderboard with stability intervals, the
    sentence, the known groups' ARI against chance, and the segments."""
    spec = clustering_spec(tmp_path / "seg.toml", blobs_csv, BODY, target="group")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = runner.invoke(
            app, ["run", str(spec), "--quiet", "--allow-dirty", "--store",
                  str(tmp_path / "runs.db"), "--output", str(tmp_path / "out.json")],
        )  # fmt: skip
    assert result.exit_code == 0, result.output
    out = result.output
    assert "stability (ARI)" in out and "kmeans[k=4]" in out and "chosen" in out
    assert "Chose kmeans with k = 4" in out
    assert "The measures agree: silhouette k = 4, BIC k = 4, stability k = 4." in out
    assert "Known groups (group, 4 groups): adjusted Rand index 1.000, which beats" in out
    assert "Segments" in out and "what sets it apart" in out
    assert json.loads((tmp_path / "out.json").read_text())["task"] == "clustering"
    listed = runner.invoke(app, ["runs", "--store", str(tmp_path / "runs.db")])
    assert listed.exit_code == 0 and "kmeans[k=4]" in listed.output, listed.output
    run_id = out.split("Recorded as run ")[1].split()[0]
    shown = runner.invoke(app, ["show", run_id, "--store", str(tmp_path / "runs.db")])
    assert shown.exit_code == 0 and "silhouette by candidate" in shown.output, shown.output


def test_candidates_lists_the_clustering_families_with_their_task():
    """`learnburn candidates` has a task column and the six clustering families."""
    result = runner.invoke(app, ["candidates"])
    assert result.exit_code == 0
    assert "clustering" in result.output and "gaussian_mixture" in result.output
    assert "classification" in result.output


def test_cluster_drift_needs_a_reference_with_cluster_shares():
    """Current clusters against a reference without shares: a DriftError that says so."""
    from learnburn.errors import DriftError
    from learnburn.monitoring import build_reference, check_drift

    frame = pd.DataFrame({"x": np.arange(50.0)})
    plain = build_reference(frame, numeric=["x"], categorical=[])
    with pytest.raises(DriftError, match="no cluster shares"):
        check_drift(plain, frame, current_clusters=np.zeros(50, int))
    shares = build_reference(frame, numeric=["x"], categorical=[], clusters=np.arange(50) % 2)
    assert shares["clusters"]["counts"] == {"0": 25, "1": 25}
    report = check_drift(shares, frame, current_clusters=np.arange(50) % 2)
    assert not report.clusters.drifted and report.cluster_shares[0]["change"] == 0
