"""Data capture on a real server on 127.0.0.1: every answered request is written, in order,
with its values; a full queue drops and counts instead of blocking; files are complete after
the server stops (SIGTERM included)."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time

import httpx
import numpy as np
import orjson
import pandas as pd
import pyarrow.parquet as pq
import pytest

from learnburn.bundles import load_bundle
from learnburn.serving import Settings, create_app
from learnburn.serving._capture import EVENT_HEADER, FORMAT, Capture, bundle_id, event_table

CLASSES = ["no", "yes"]


def plain(value):
    """A JSON value: numpy scalars as Python ones, NaN as None."""
    value = value.item() if hasattr(value, "item") else value
    return None if isinstance(value, float) and value != value else value


def records_of(features: pd.DataFrame, start: int, count: int) -> list[dict]:
    rows = features.iloc[start : start + count].astype(object)
    return [{name: plain(value) for name, value in r.items()} for r in rows.to_dict("records")]


def read_capture(folder) -> pd.DataFrame:
    files = sorted(folder.rglob("*.parquet"))
    assert files, "no capture file was written"
    return pd.concat([pq.read_table(path).to_pandas() for path in files], ignore_index=True)


def test_captured_events_equal_the_requests_sent(bundles, features, serve, tmp_path):
    """Each answered request is one event, in the order sent, with its event id (the header),
    its input values, the probabilities answered and the decision."""
    bundle = load_bundle(bundles["fast"])
    settings = Settings(capture=str(tmp_path / "capture"))
    sent, answers = [], []
    with serve(create_app(bundle, settings)) as base, httpx.Client(base_url=base) as client:
        for start in range(12):
            [record] = records_of(features, start, 1)
            response = client.post("/v1/predict", json={"instances": [record]})
            assert response.status_code == 200
            sent.append(record)
            answers.append((response.headers[EVENT_HEADER], response.json()["predictions"][0]))
    captured = read_capture(tmp_path / "capture")
    assert list(captured["event_id"]) == [event_id for event_id, _ in answers]
    assert (captured["row"] == 0).all() and captured["time"].is_monotonic_increasing
    assert set(captured["bundle_id"]) == {bundle_id(bundle)}
    for (_, answer), record, (_, row) in zip(answers, sent, captured.iterrows(), strict=True):
        for name in bundle.columns:
            value = row[f"input.{name}"]
            if record[name] is None:
                assert value is None or value != value
            elif name in bundle.numeric_columns:
                assert value == pytest.approx(record[name])
            else:
                assert value == str(record[name])
        assert [row["proba.no"], row["proba.yes"]] == pytest.approx(
            [answer["proba"]["no"], answer["proba"]["yes"]]
        )
        assert row["decision"] == str(answer["decision"])


def test_a_request_of_many_rows_is_one_event_with_its_rows_numbered(
    bundles, features, serve, tmp_path
):
    """A CSV body of five rows scored by the native model (through pandas) is captured as one
    event of rows 0-4, with the values sent."""
    bundle = load_bundle(bundles["plain"])
    body = features.iloc[:5].to_csv(index=False)
    with serve(create_app(bundle, Settings(capture=str(tmp_path)))) as base:
        response = httpx.post(
            f"{base}/invocations", content=body, headers={"content-type": "text/csv"}
        )
    assert response.status_code == 200
    captured = read_capture(tmp_path)
    assert list(captured["event_id"]) == [response.headers[EVENT_HEADER]] * 5
    assert list(captured["row"]) == [0, 1, 2, 3, 4]
    numeric = sorted(bundle.numeric_columns)[0]
    expected = features[numeric].iloc[:5].astype(float).to_numpy()
    assert np.allclose(captured[f"input.{numeric}"].to_numpy(dtype=float), expected, equal_nan=True)


def test_a_full_queue_drops_and_counts_without_blocking(bundles, features, serve, tmp_path):
    """With the writer held and room for one event, every request is still answered; the
    first is queued and written, the rest are dropped, answered without an event id and
    counted in /metrics."""
    bundle = load_bundle(bundles["fast"])
    held = threading.Event()
    capture = Capture(tmp_path, bundle, queue_events=1, gate=held)
    with serve(create_app(bundle, capture=capture)) as base, httpx.Client(base_url=base) as client:
        responses = [
            client.post("/v1/predict", json=records_of(features, start, 1), timeout=30)
            for start in range(6)
        ]
        metrics = client.get("/metrics").text
    assert [r.status_code for r in responses] == [200] * 6
    assert [EVENT_HEADER in r.headers for r in responses] == [True] + [False] * 5
    assert 'learnburn_capture_events_total{outcome="dropped"} 5.0' in metrics
    assert 'learnburn_capture_events_total{outcome="queued"} 1.0' in metrics
    assert list(read_capture(tmp_path)["event_id"]) == [responses[0].headers[EVENT_HEADER]]


def test_the_capture_rate_samples_requests(bundles, features, serve, tmp_path):
    """At a rate of 0.5 some requests are captured and some not; those captured are exactly
    the ones whose answers carry an event id."""
    bundle = load_bundle(bundles["fast"])
    settings = Settings(capture=str(tmp_path), capture_rate=0.5)
    with serve(create_app(bundle, settings)) as base, httpx.Client(base_url=base) as client:
        responses = [
            client.post("/v1/predict", json=records_of(features, start, 1)) for start in range(60)
        ]
    ids = [r.headers[EVENT_HEADER] for r in responses if EVENT_HEADER in r.headers]
    assert 0 < len(ids) < 60
    assert list(read_capture(tmp_path)["event_id"]) == ids


def test_files_rotate_by_size_and_carry_the_format(bundles, features, serve, tmp_path):
    """A file past its size limit is closed and the next events go to a new one; each file
    names the capture format, the bundle and its columns in its metadata."""
    bundle = load_bundle(bundles["fast"])
    capture = Capture(tmp_path, bundle, rotate_bytes=1, flush_s=0.01)
    with serve(create_app(bundle, capture=capture)) as base, httpx.Client(base_url=base) as client:
        for start in range(3):
            client.post("/v1/predict", json=records_of(features, start, 1))
            deadline = time.monotonic() + 30
            while len(capture.files) < start + 1:  # written and closed before the next one
                assert time.monotonic() < deadline, "the event was not written"
                time.sleep(0.01)
    files = sorted(tmp_path.rglob("*.parquet"))
    assert len(files) == 3
    assert not list(tmp_path.rglob("*.partial"))
    meta = orjson.loads(pq.read_schema(files[0]).metadata[b"learnburn.capture"])
    assert meta["format"] == FORMAT and meta["columns"] == list(bundle.columns)
    assert meta["classes"] == CLASSES


def test_settings_read_the_capture_from_the_environment():
    environ = {"LEARNBURN_CAPTURE": "/data/capture", "LEARNBURN_CAPTURE_RATE": "0.25"}
    settings = Settings.from_env(environ)
    assert (settings.capture, settings.capture_rate) == ("/data/capture", 0.25)


def test_captured_values_keep_what_json_sent_in_each_kind_of_column(bundle, tmp_path):
    """Numbers and missing values in numeric and text columns are written as the codecs read
    them: floats or null in a numeric column, Python's text of the value (``3``, ``1.5``,
    ``True``) or null in a text column; a value that is no number or too large for a double
    (never past the codecs) is null in a numeric column rather than a failed batch."""
    numeric = sorted(bundle.numeric_columns)[0]
    text = next(name for name in bundle.columns if name not in bundle.numeric_columns)
    sent = [(3, "a"), (1.5, 3), (None, 1.5), (2**70, True), (0, None), ("x", {"k": 1}),
            (10**400, "b")]  # fmt: skip
    base = dict.fromkeys(bundle.columns)
    capture = Capture(tmp_path, bundle)
    for number, word in sent:
        records = [{**base, numeric: number, text: word}]
        capture.offer(records, np.array([[0.25, 0.75]]), np.array(["yes"]))
    table = event_table(capture, capture.take_queued()).to_pydict()
    assert table[f"input.{numeric}"] == [3.0, 1.5, None, float(2**70), 0.0, None, None]
    assert table[f"input.{text}"] == ["a", "3", "1.5", "True", None, "{'k': 1}", "b"]


def test_whole_numbers_alone_in_a_text_column_are_written_as_their_text(bundle, tmp_path):
    """A batch whose text column holds only whole numbers and missing values (JSON numbers
    for a categorical column) is written as their text, as Python writes it."""
    text = next(name for name in bundle.columns if name not in bundle.numeric_columns)
    base = dict.fromkeys(bundle.columns)
    capture = Capture(tmp_path, bundle)
    for word in (1, None, -3, 10**12):
        capture.offer([{**base, text: word}], np.array([[0.5, 0.5]]), np.array(["no"]))
    table = event_table(capture, capture.take_queued()).to_pydict()
    assert table[f"input.{text}"] == ["1", None, "-3", "1000000000000"]


def test_floats_alone_in_a_text_column_are_written_as_python_writes_them(bundle, tmp_path):
    """A batch whose text column holds only floats and missing values (JSON numbers with a
    fraction, or 1.0, for a categorical column) is written as Python's text of each value:
    1.0 is "1.0" (Arrow's cast would write "1"), 0.0 and -0.0 stay apart, null stays null."""
    text = next(name for name in bundle.columns if name not in bundle.numeric_columns)
    base = dict.fromkeys(bundle.columns)
    capture = Capture(tmp_path, bundle)
    sent = [1.0, 0.0, None, -0.0, 1.5, 1e20, 0.1 + 0.2, 1.0, float("inf"), 5e-324, -0.0]
    for word in sent:
        capture.offer([{**base, text: word}], np.array([[0.5, 0.5]]), np.array(["no"]))
    table = event_table(capture, capture.take_queued()).to_pydict()
    assert table[f"input.{text}"] == [None if v is None else str(v) for v in sent]
    assert table[f"input.{text}"][:4] == ["1.0", "0.0", None, "-0.0"]


def test_event_ids_are_random_and_never_repeat(bundle, tmp_path, monkeypatch):
    """Event ids are 32 hex digits, drawn ahead in pools: past the end of a pool the next one
    is drawn, and no id is given twice."""
    from learnburn.serving import _capture

    monkeypatch.setattr(_capture, "ID_POOL", 3)
    base = dict.fromkeys(bundle.columns)
    capture = Capture(tmp_path, bundle)
    ids = [capture.offer([base], np.array([[0.5, 0.5]]), np.array(["no"])) for _ in range(10)]
    assert len(set(ids)) == 10
    assert all(re.fullmatch("[0-9a-f]{32}", event_id) for event_id in ids)
    assert event_table(capture, capture.take_queued()).to_pydict()["event_id"] == ids


def test_requests_as_records_and_as_tables_keep_their_order(bundle, features, tmp_path):
    """Records kept column by column and a table request between them come out in the order
    offered, each request's rows numbered from 0 and its values where they were."""
    capture = Capture(tmp_path, bundle)
    first, table, last = records_of(features, 0, 2), features.iloc[2:5], records_of(features, 5, 1)
    ids = [
        capture.offer(first, np.full((2, 2), 0.5), np.array(["no", "yes"])),
        capture.offer(table, np.full((3, 2), 0.5), np.array(["no"] * 3)),
        capture.offer(last, np.full((1, 2), 0.5), np.array(["yes"])),
    ]
    written = event_table(capture, capture.take_queued()).to_pydict()
    assert written["event_id"] == [ids[0]] * 2 + [ids[1]] * 3 + [ids[2]]
    assert written["row"] == [0, 1, 0, 1, 2, 0]
    assert written["decision"] == ["no", "yes", "no", "no", "no", "yes"]
    numeric = sorted(bundle.numeric_columns)[0]
    expected = features[numeric].iloc[:6].astype(float).tolist()
    got = [np.nan if v is None else v for v in written[f"input.{numeric}"]]
    assert np.allclose(got, expected, equal_nan=True)
    assert capture.take_queued() == []


def test_the_writer_wakes_early_once_enough_rows_wait(bundle, features, tmp_path, monkeypatch):
    """With an hour between timed flushes, the writer still writes as soon as WAKE_ROWS rows
    are queued (so the queue does not fill at a high rate): here at the third request of two
    rows."""
    from learnburn.serving import _capture

    monkeypatch.setattr(_capture, "WAKE_ROWS", 5)
    written = threading.Event()
    counts = {}

    def count(outcome, n):
        counts[outcome] = counts.get(outcome, 0) + n
        if outcome == "written":
            written.set()

    capture = Capture(tmp_path, bundle, flush_s=3600, count=count)
    capture.start()
    try:
        for start in range(3):
            records = records_of(features, 2 * start, 2)
            capture.offer(records, np.full((2, 2), 0.5), np.array(["no", "no"]))
        assert written.wait(120), "the writer did not wake for the queued requests"
    finally:
        capture.close()
    assert counts["written"] == 3


def test_the_queue_is_bounded_by_rows_as_well_as_requests(bundle, features, tmp_path):
    """A request whose rows would take the queue past ``queue_rows`` is dropped and counted;
    one that fits is queued; a request larger than the bound is still queued when it is alone,
    so no request is too large to be captured."""
    dropped = []
    capture = Capture(tmp_path, bundle, queue_rows=3, count=lambda outcome, n: dropped.append(n))

    def offer(start, count):
        proba = np.full((count, 2), 0.5)
        return capture.offer(records_of(features, start, count), proba, np.array(["no"] * count))

    assert offer(0, 2) is not None
    assert offer(2, 2) is None  # 4 rows > 3
    assert offer(4, 1) is not None  # 3 rows
    assert dropped == [1]
    assert [len(event[3]) for event in capture.take_queued()] == [2, 1]
    assert offer(5, 5) is not None  # alone in the queue
    assert offer(10, 1) is None
    assert dropped == [1, 1]


def test_a_server_process_freezes_what_it_made_at_start_up(bundles, tmp_path):
    """``freeze_start_up`` (``learnburn serve`` runs it once its app is made) imports what the
    capture's writer will, then takes every object made so far out of the collector's
    generations. Run in a child process: a test process must not freeze its objects."""
    code = f"""
import gc, sys
from learnburn.bundles import load_bundle
from learnburn.serving import Settings, create_app
from learnburn.serving._app import freeze_start_up

settings = Settings(capture={str(tmp_path)!r})
app = create_app(load_bundle({str(bundles["fast"])!r}, lazy=True), settings)
assert gc.get_freeze_count() == 0
freeze_start_up(settings)
assert {{"pyarrow.parquet", "pandas"}} <= set(sys.modules)
frozen = gc.get_freeze_count()
tracked = {{id(o) for o in gc.get_objects()}}
assert frozen > 10_000, frozen
assert id(sys.modules["pandas"].__dict__) not in tracked
assert id(app) not in tracked
print("frozen", frozen, "still tracked", len(tracked))
"""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("frozen")
