"""The monitor on captured traffic with known truth: a SEA stream whose concept changes on a
known day is flagged on that day once labels arrive, and when only the covariates shift the
estimated performance tracks the realised within its interval."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from learnburn.monitoring import capture_windows, find_capture, monitor_capture
from learnburn.testing import sea_concept, sea_stream

ROWS_PER_DAY = 2000
FREQ = "43200ms"  # 2000 rows a day


def labels_of(capture: pd.DataFrame, truth: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(
        {"event_id": capture["event_id"], "label": np.where(truth == 1, "yes", "no")}
    )


def test_a_concept_change_is_flagged_on_its_day_with_labels(sea_bundle, write_capture, tmp_path):
    """SEA concept 0 for three days, then concept 3 (theta 8 -> 9.5): the features do not
    move, so the estimate cannot see it; the labels show it on the fourth day and not before,
    and the verdict is to retrain."""
    stream = sea_stream(
        6 * ROWS_PER_DAY, drift_points=(3 * ROWS_PER_DAY,), variants=(0, 3), seed=5,
        start="2024-03-01", freq=FREQ,
    )  # fmt: skip
    capture = write_capture(tmp_path, stream)
    files = find_capture(tmp_path)
    report = monitor_capture(
        capture_windows(files, sea_bundle, pd.Timedelta("1D")), sea_bundle,
        labels=labels_of(capture, stream["label"].to_numpy()),
    )  # fmt: skip
    assert [w.start[:10] for w in report.windows] == [f"2024-03-0{d}" for d in range(1, 7)]
    flagged = [w.start[:10] for w in report.windows if w.alerts]
    assert flagged[0] == "2024-03-04"
    assert all(w.labelled_rows == ROWS_PER_DAY for w in report.windows)
    day4 = report.windows[3]
    assert any(a.startswith("realised accuracy") for a in day4.alerts)
    assert not day4.drifted_features
    assert report.retrain and "realised" in report.reason


def test_without_labels_a_concept_change_raises_no_alert(sea_bundle, write_capture, tmp_path):
    """The same stream without labels: nothing the probabilities show has changed."""
    stream = sea_stream(
        4 * ROWS_PER_DAY, drift_points=(2 * ROWS_PER_DAY,), variants=(0, 3), seed=6,
        start="2024-03-01", freq=FREQ,
    )  # fmt: skip
    write_capture(tmp_path, stream)
    windows = capture_windows(find_capture(tmp_path), sea_bundle, pd.Timedelta("1D"))
    report = monitor_capture(windows, sea_bundle)
    assert not report.retrain
    assert all(not w.realised["accuracy"].known for w in report.windows)


def test_estimated_tracks_realised_under_covariate_shift(sea_bundle, write_capture, tmp_path):
    """f1 and f2 drawn from [2, 6] instead of [0, 10] (most rows near the boundary f1 + f2 =
    8), labels still from concept 0: the estimated accuracy falls, and the realised accuracy,
    AUC and cost each lie within the estimated interval."""
    rng = np.random.default_rng(11)
    n = 3000
    rows = pd.DataFrame(
        {"f1": rng.uniform(2, 6, n), "f2": rng.uniform(2, 6, n), "f3": rng.uniform(0, 10, n)}
    )
    truth = sea_concept(rows["f1"], rows["f2"], 0)
    truth = np.where(rng.random(n) < 0.1, 1 - truth, truth)
    rows["time"] = pd.date_range("2024-05-01", periods=n, freq="20s")
    capture = write_capture(tmp_path, rows)
    windows = capture_windows(find_capture(tmp_path), sea_bundle, pd.Timedelta("1D"))
    report = monitor_capture(windows, sea_bundle, labels=labels_of(capture, truth))
    [window] = report.windows
    assert window.drifted_features  # f1 moved
    reference = report.reference["accuracy"]
    assert window.estimated["accuracy"].high < reference  # the estimate saw the shift
    for metric in ("accuracy", "roc_auc", "cost"):
        estimated, realised = window.estimated[metric], window.realised[metric]
        assert estimated.low <= realised.value <= estimated.high, metric


def test_labels_naming_an_unknown_class_are_refused(sea_bundle, write_capture, tmp_path):
    from learnburn.errors import DataError

    stream = sea_stream(100, seed=1, start="2024-03-01", freq=FREQ)
    capture = write_capture(tmp_path, stream)
    labels = pd.DataFrame({"event_id": capture["event_id"], "label": "maybe"})
    windows = capture_windows(find_capture(tmp_path), sea_bundle, pd.Timedelta("1D"))
    with pytest.raises(DataError, match="not the bundle's classes"):
        monitor_capture(windows, sea_bundle, labels=labels)


SAGEMAKER = Path(__file__).parents[1] / "fixtures" / "sagemaker" / "capture.jsonl"


def test_sagemaker_data_capture_is_read(sea_bundle):
    """SageMaker's data-capture lines (AWS's documented layout: CSV, JSON and BASE64 bodies,
    eventId or the caller's inferenceId, inferenceTime) become rows like learnburn's own."""
    from learnburn.monitoring._captured import read_sagemaker

    rows = read_sagemaker([SAGEMAKER], sea_bundle)
    assert list(rows["event_id"]) == [
        "6d3c2f1e-8a4b-4c7d-9e0f-1a2b3c4d5e6f", "order-17", "order-17",
        "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d",
    ]  # fmt: skip
    assert list(rows["row"]) == [0, 0, 1, 0]
    assert list(rows["f1"]) == [3.0, 6.5, 1.0, 7.5]  # the BASE64 CSV named its columns
    assert list(rows["proba.yes"]) == [0.8, 0.3, 0.95, 0.1]
    assert list(rows["decision"]) == ["yes", "no", "yes", "no"]
    assert str(rows["time"].iloc[1]) == "2024-06-01 11:30:00+00:00"


def test_a_sagemaker_capture_folder_is_monitored_in_windows(sea_bundle, tmp_path):
    """A folder of SageMaker capture files is monitored day by day like learnburn's own."""
    (tmp_path / "2024" / "06").mkdir(parents=True)
    (tmp_path / "2024" / "06" / "capture.jsonl").write_bytes(SAGEMAKER.read_bytes())
    windows = capture_windows(find_capture(tmp_path), sea_bundle, pd.Timedelta("1D"))
    report = monitor_capture(windows, sea_bundle)
    assert [(w.start[:10], w.rows) for w in report.windows] == [
        ("2024-06-01", 3), ("2024-06-02", 1)
    ]  # fmt: skip
