"""`learnburn monitor BUNDLE CAPTURE`: exit 0 when nothing calls for retraining, 1 when it
does, 2 on an error; JSON and an HTML report with time-series charts; and the retraining link
(``monitor_calls_for_retraining``) reads what it wrote."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from learnburn.cli import app
from learnburn.errors import DataError
from learnburn.testing import sea_stream
from learnburn.workflows import monitor_calls_for_retraining

runner = CliRunner()
FREQ = "86400ms"  # 1000 rows a day


@pytest.fixture
def changed(sea_bundle, write_capture, tmp_path):
    """A capture of four days whose concept changes on the third, and its labels file."""
    stream = sea_stream(
        4000, drift_points=(2000,), variants=(0, 3), seed=8, start="2024-03-01", freq=FREQ
    )
    capture = write_capture(tmp_path, stream)
    labels = tmp_path / "labels.csv"
    pd.DataFrame(
        {"event_id": capture["event_id"], "label": np.where(stream["label"] == 1, "yes", "no")}
    ).to_csv(labels, index=False)
    return tmp_path, labels


def test_monitor_exits_1_writes_json_and_a_report_when_labels_show_a_change(sea_bundle, changed):
    folder, labels = changed
    out = folder / "out"
    result = runner.invoke(app, [
        "monitor", str(sea_bundle.path), str(folder), "--labels", str(labels),
        "--json", str(out / "monitor.json"), "--report", str(out / "monitor.html"),
    ])  # fmt: skip
    assert result.exit_code == 1, result.output
    assert "retrain:" in result.output
    document = json.loads((out / "monitor.json").read_text())
    assert document["retrain"] is True and len(document["windows"]) == 4
    page = (out / "monitor.html").read_text()
    for chart in ("performance-accuracy", "drift-over-time", "decision-rate"):
        assert f'data-chart="{chart}"' in page
    assert monitor_calls_for_retraining(out / "monitor.json") == (True, document["reason"])


def test_monitor_exits_0_without_labels_when_nothing_moved(sea_bundle, write_capture, tmp_path):
    stream = sea_stream(2000, seed=9, start="2024-03-01", freq=FREQ)
    write_capture(tmp_path, stream)
    result = runner.invoke(app, ["monitor", str(sea_bundle.path), str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "no retraining needed" in result.output


def test_monitor_exits_2_on_a_window_that_is_no_length(sea_bundle, changed):
    folder, _ = changed
    result = runner.invoke(app, ["monitor", str(sea_bundle.path), str(folder), "--window", "soon"])
    assert result.exit_code == 2
    assert "30min, 6h, 1d or 1w" in result.output


def test_monitor_exits_2_on_a_folder_without_capture(sea_bundle, tmp_path):
    result = runner.invoke(app, ["monitor", str(sea_bundle.path), str(tmp_path)])
    assert result.exit_code == 2
    assert "no capture files" in result.output


def test_the_retraining_link_refuses_what_is_not_a_monitor_report(tmp_path):
    path = tmp_path / "other.json"
    path.write_text(json.dumps({"drifted": True}))
    with pytest.raises(DataError, match="not a learnburn monitor report"):
        monitor_calls_for_retraining(path)


def test_monitor_reads_a_capture_and_labels_from_s3_as_from_a_folder(sea_bundle, changed, s3):
    """The capture's objects under an s3:// prefix (nested folders, beside a .partial and a
    hidden object) and an s3:// labels file give the same report as the local folder."""
    import boto3

    folder, labels = changed
    client = boto3.client("s3", region_name="us-east-1")
    client.create_bucket(Bucket="lb-monitor")
    for path in folder.glob("*.parquet"):
        client.upload_file(str(path), "lb-monitor", f"capture/2024/03/01/{path.name}")
    client.put_object(Bucket="lb-monitor", Key="capture/2024/03/02/x.parquet.partial", Body=b"")
    client.put_object(Bucket="lb-monitor", Key="capture/_SUCCESS", Body=b"")
    client.upload_file(str(labels), "lb-monitor", "labels/labels.csv")
    local = folder / "local.json"
    remote = folder / "remote.json"
    runner.invoke(app, [
        "monitor", str(sea_bundle.path), str(folder), "--labels", str(labels),
        "--json", str(local),
    ])  # fmt: skip
    result = runner.invoke(app, [
        "monitor", str(sea_bundle.path), "s3://lb-monitor/capture", "--labels",
        "s3://lb-monitor/labels/labels.csv", "--json", str(remote),
    ])  # fmt: skip
    assert result.exit_code == 1, result.output
    assert json.loads(remote.read_text())["windows"] == json.loads(local.read_text())["windows"]


def test_monitor_exits_2_naming_an_s3_prefix_without_capture(sea_bundle, s3):
    import boto3

    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="lb-monitor")
    result = runner.invoke(app, ["monitor", str(sea_bundle.path), "s3://lb-monitor/nothing/"])
    assert result.exit_code == 2
    assert "no capture files" in result.output and "s3://lb-monitor/nothing/" in result.output
