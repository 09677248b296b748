import json
import socket
import time

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

pytest.importorskip("distributed")

from learnburn.backends import start_local_cluster
from learnburn.bundles import load_bundle, save_bundle
from learnburn.candidates import build_pipeline
from learnburn.cli import app
from learnburn.data import infer_schema
from learnburn.testing import sea_stream

runner = CliRunner(env={"COLUMNS": "200"})

CADENCE_SPEC = """
[experiment]
name = "sea"
[data]
path = "sea.csv"
target = "label"
time_column = "time"
[evaluation]
metric = "accuracy"
[candidates.logistic_regression]
"""


@pytest.fixture(scope="module")
def address():
    """The scheduler of one real LocalCluster for the module: 2 worker processes, loopback."""
    with start_local_cluster(2) as cluster:
        yield cluster.scheduler_address


@pytest.fixture
def unreachable() -> str:
    with socket.socket() as placeholder:
        placeholder.bind(("127.0.0.1", 0))
        return f"tcp://127.0.0.1:{placeholder.getsockname()[1]}"  # free once closed


def _folds(path):
    """The per-fold outcomes of a result record, without timings and pickled sizes."""
    skip = {"fit_time", "predict_time", "model_bytes"}
    return [
        {k: v for k, v in f.items() if k not in skip} for f in json.loads(path.read_text())["folds"]
    ]


def test_run_on_a_cluster_records_the_folds_of_a_local_run(small_spec, tmp_path, address):
    """`learnburn run --cluster` exits 0 with the same per-fold scores as a local run."""
    here, there = tmp_path / "here.json", tmp_path / "there.json"
    local = runner.invoke(app, ["run", str(small_spec), "-o", str(here), "-q"])
    remote = runner.invoke(
        app, ["run", str(small_spec), "-o", str(there), "-q", "--cluster", address]
    )
    assert local.exit_code == 0, local.output
    assert remote.exit_code == 0, remote.output
    assert _folds(there) == _folds(here)


def test_run_reads_the_cluster_from_learnburn_cluster(small_spec, unreachable):
    """LEARNBURN_CLUSTER names the scheduler; one that is not there fails fast with a hint."""
    started = time.monotonic()
    result = runner.invoke(
        app, ["run", str(small_spec), "-q"], env={"LEARNBURN_CLUSTER": unreachable}
    )
    assert result.exit_code == 1
    assert time.monotonic() - started < 10
    assert f"Error: cannot reach a Dask scheduler at {unreachable}" in result.output
    assert "Hint:" in result.output and "dask scheduler" in result.output


def test_an_empty_learnburn_cluster_runs_locally(small_spec, tmp_path):
    """LEARNBURN_CLUSTER set but empty: the local backend, as without it."""
    out = tmp_path / "out.json"
    result = runner.invoke(
        app, ["run", str(small_spec), "-q", "-o", str(out)], env={"LEARNBURN_CLUSTER": ""}
    )
    assert result.exit_code == 0, result.output
    assert len(_folds(out)) == 12


def test_predict_on_a_local_cluster_writes_a_folder_of_parts(
    tmp_path, mixed_features_maker, mixed_target_maker
):
    """`predict --cluster local:1` scores a folder of Parquet files into a folder of parts with
    the bundle's predictions, in input order."""
    features = mixed_features_maker(90)
    schema = infer_schema(features)
    model = build_pipeline("logistic_regression", {}, schema, seed=0)
    model.fit(features, mixed_target_maker(features))
    bundle = save_bundle(
        model, tmp_path / "m.lbm", schema=schema.to_dict(), classes=["no", "yes"], meta={}
    )
    source = tmp_path / "in"
    source.mkdir()
    table = features.assign(key=[f"k{i:03d}" for i in range(90)])
    for number, rows in enumerate(np.array_split(np.arange(90), 3)):
        table.iloc[rows].to_parquet(source / f"{number}.parquet", index=False)
    out = tmp_path / "out"
    args = ["predict", str(bundle), str(source), "-o", str(out), "--id-column", "key"]
    result = runner.invoke(app, [*args, "--cluster", "local:1"])
    assert result.exit_code == 0, result.output
    assert "Scored 90 rows in" in result.output and "on the Dask cluster" in result.output
    written = pd.read_parquet(out)
    assert written["key"].tolist() == table["key"].tolist()
    assert written["decision"].tolist() == load_bundle(bundle).decide(features).tolist()
    assert runner.invoke(app, [*args, "--cluster", "local:1"]).exit_code == 1  # exists: --force


def test_cadence_on_a_cluster_reports_what_a_local_run_does(tmp_path, address, unreachable):
    """`learnburn cadence --cluster` gives the same report as a local backtest (and does use
    the cluster: one that is not there is an error)."""
    frame = sea_stream(960, drift_points=(480,), variants=(2, 3), seed=1, freq="24min")
    frame.to_csv(tmp_path / "sea.csv", index=False)
    spec = tmp_path / "sea.toml"
    spec.write_text(CADENCE_SPEC)
    reports = []
    for extra in ([], ["--cluster", address]):
        out = tmp_path / f"cadence{len(reports)}.json"
        args = ["cadence", str(spec), "--every", "2,4", "--unit", "day", "--json", str(out), "-q"]
        result = runner.invoke(app, [*args, *extra])
        assert result.exit_code == 0, result.output
        report = json.loads(out.read_text())
        report.pop("fit_seconds", None)
        reports.append(report)
    assert reports[0] == reports[1]
    failed = runner.invoke(app, [*args, "--cluster", unreachable])
    assert failed.exit_code == 1 and "Dask scheduler" in failed.output
