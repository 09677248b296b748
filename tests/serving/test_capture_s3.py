"""Capture to S3 (moto's server on 127.0.0.1): each complete file is uploaded below the prefix
and removed locally; a file that fails to upload stays staged and is tried again; a missing
bucket stops the capture from being set up."""

from __future__ import annotations

import io
import threading

import httpx
import numpy as np
import pyarrow.parquet as pq
import pytest

from learnburn.bundles import load_bundle
from learnburn.errors import DataError
from learnburn.serving import Settings, create_app
from learnburn.serving._capture import EVENT_HEADER, STAGING_ENV, Capture

BUCKET = "lb-capture"
WAIT_S = 120  # generous: the writer wakes every flush_s, on a busy machine later


def _client():
    import boto3

    return boto3.client("s3", region_name="us-east-1")


@pytest.fixture
def bucket(s3, tmp_path, monkeypatch):
    monkeypatch.setenv(STAGING_ENV, str(tmp_path / "staging"))
    client = _client()
    client.create_bucket(Bucket=BUCKET)
    return client


def _records(features, start: int) -> list[dict]:
    """One row of ``features`` as JSON records (NaN as null)."""
    row = features.iloc[start].astype(object)
    return [
        {k: None if v != v else (v.item() if hasattr(v, "item") else v) for k, v in row.items()}
    ]


def _keys(client, prefix: str) -> list[str]:
    listed = client.list_objects_v2(Bucket=BUCKET, Prefix=prefix).get("Contents", [])
    return sorted(entry["Key"] for entry in listed)


def test_an_s3_capture_uploads_each_complete_file_below_the_prefix(
    bucket, bundles, features, serve, tmp_path
):
    """Requests served with an s3:// capture end up in Parquet objects below the prefix, one
    row per request with its event id, and nothing is left in the staging folder."""
    bundle = load_bundle(bundles["fast"])
    settings = Settings(capture=f"s3://{BUCKET}/capture/prod")
    with serve(create_app(bundle, settings)) as base, httpx.Client(base_url=base) as client:
        ids = [
            client.post("/v1/predict", json=_records(features, start)).headers[EVENT_HEADER]
            for start in range(5)
        ]
    keys = _keys(bucket, "capture/prod/")
    assert keys and all(key.endswith(".parquet") for key in keys)
    captured = []
    for key in keys:
        body = bucket.get_object(Bucket=BUCKET, Key=key)["Body"].read()
        captured += pq.read_table(io.BytesIO(body)).column("event_id").to_pylist()
    assert captured == ids
    assert not [p for p in (tmp_path / "staging").rglob("*") if p.is_file()]


def test_a_file_that_fails_to_upload_stays_staged_and_is_tried_again(bucket, bundle, tmp_path):
    """With the bucket gone after the check, a closed file stays staged and is counted as a
    failed upload; once the bucket is back, the next wake of the writer uploads it."""
    failed, uploaded = threading.Event(), threading.Event()
    capture = Capture(f"s3://{BUCKET}/c/", bundle, rotate_s=0.0, flush_s=0.05)
    capture.count_files = lambda outcome, n: (
        failed if outcome == "upload_failed" else uploaded
    ).set()
    bucket.delete_bucket(Bucket=BUCKET)
    row = dict.fromkeys(bundle.columns)
    capture.start()
    try:
        capture.offer([row], np.array([[0.5, 0.5]]), np.array(["no"]))
        assert failed.wait(WAIT_S), "the failed upload was not counted"
        assert capture.staged and capture.staged[0].exists()
        bucket.create_bucket(Bucket=BUCKET)
        assert uploaded.wait(WAIT_S), "the staged file was not uploaded once the bucket was back"
    finally:
        capture.close()
    assert _keys(bucket, "c/") and not capture.staged


def test_a_missing_bucket_stops_the_capture_from_being_set_up(s3, bundle, tmp_path, monkeypatch):
    monkeypatch.setenv(STAGING_ENV, str(tmp_path))
    with pytest.raises(DataError, match="does not exist"):
        Capture("s3://no-such-bucket/capture/", bundle)


def test_another_url_scheme_is_refused_with_the_ones_that_work(bundle):
    with pytest.raises(Exception, match="local folder or to s3://") as caught:
        Capture("gs://bucket/capture", bundle)
    assert "s3://BUCKET/PREFIX/" in caught.value.hint
