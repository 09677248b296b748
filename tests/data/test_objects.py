"""Reading tables from S3 (moto's server on 127.0.0.1): objects, partitioned prefixes, versions
and the errors for a missing bucket or key and for access denied."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from learnburn.data import fingerprint_table, read_objects, read_table
from learnburn.errors import DataError

BUCKET = "lb-data"


def _client():
    import boto3

    return boto3.client("s3", region_name="us-east-1")


def _put_frame(client, key: str, frame: pd.DataFrame) -> None:
    body = frame.to_parquet(index=False) if key.endswith(".parquet") else frame.to_csv(index=False)
    client.put_object(Bucket=BUCKET, Key=key, Body=body)


@pytest.fixture
def bucket(s3):
    client = _client()
    client.create_bucket(Bucket=BUCKET)
    return client


def test_read_table_reads_a_parquet_object(bucket):
    """``s3://bucket/key.parquet`` reads like a local Parquet file."""
    frame = pd.DataFrame({"x": [1.5, 2.5], "label": ["a", "b"]})
    _put_frame(bucket, "loans/all.parquet", frame)
    pd.testing.assert_frame_equal(read_table(f"s3://{BUCKET}/loans/all.parquet"), frame)


def test_read_objects_reads_a_csv_object_and_records_its_etag(bucket):
    """A CSV object is read with the usual CSV reader; its ETag is recorded."""
    _put_frame(bucket, "loans.csv", pd.DataFrame({"x": [1, 2], "label": ["a", "b"]}))
    read = read_objects(f"s3://{BUCKET}/loans.csv")
    etag = bucket.head_object(Bucket=BUCKET, Key="loans.csv")["ETag"].strip('"')
    assert read.frame["x"].tolist() == [1, 2]
    assert read.origin["objects"] == [{"key": "loans.csv", "etag": etag, "size": 16}]


def test_a_changed_object_changes_the_etag_and_the_fingerprint(bucket):
    """Writing the object again with other content is seen in both its ETag and the data."""
    url = f"s3://{BUCKET}/t.parquet"
    _put_frame(bucket, "t.parquet", pd.DataFrame({"x": [1.0, 2.0]}))
    first = read_objects(url)
    _put_frame(bucket, "t.parquet", pd.DataFrame({"x": [1.0, 3.0]}))
    second = read_objects(url)
    assert first.origin["objects"][0]["etag"] != second.origin["objects"][0]["etag"]
    assert fingerprint_table(first.frame) != fingerprint_table(second.frame)


def test_a_versioned_bucket_records_the_version_read(bucket):
    """In a versioned bucket the VersionId of the object read is recorded."""
    bucket.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    _put_frame(bucket, "v.parquet", pd.DataFrame({"x": [1.0]}))
    version = bucket.head_object(Bucket=BUCKET, Key="v.parquet")["VersionId"]
    assert read_objects(f"s3://{BUCKET}/v.parquet").origin["objects"][0]["version_id"] == version


def _partitioned(client) -> None:
    for year in (2023, 2024):
        for region in ("north", "south"):
            frame = pd.DataFrame({"x": [float(year), 0.5], "label": [region, "z"]})
            _put_frame(client, f"ds/year={year}/region={region}/part-0.parquet", frame)
    client.put_object(Bucket=BUCKET, Key="ds/_SUCCESS", Body=b"")


def test_a_prefix_reads_every_partition_with_its_columns(bucket):
    """A partitioned Parquet prefix becomes one table; key=value folders become columns."""
    _partitioned(bucket)
    read = read_objects(f"s3://{BUCKET}/ds/")
    frame = read.frame
    assert len(frame) == 8 and len(read.origin["objects"]) == 4
    assert frame["year"].dtype == "int64" and sorted(set(frame["year"])) == [2023, 2024]
    assert sorted(set(frame["region"])) == ["north", "south"]


def test_partition_filters_keep_only_the_matching_partitions(bucket):
    """``partitions`` keeps the folders whose values match, and records the filter."""
    _partitioned(bucket)
    read = read_objects(f"s3://{BUCKET}/ds/", partitions={"year": ["2024"], "region": ["north"]})
    assert read.frame["year"].tolist() == [2024, 2024]
    assert [o["key"] for o in read.origin["objects"]] == [
        "ds/year=2024/region=north/part-0.parquet"
    ]


def test_a_partition_filter_matching_nothing_lists_the_partitions(bucket):
    """A filter that matches no folder says which partitions exist."""
    _partitioned(bucket)
    with pytest.raises(DataError, match="No partition under") as caught:
        read_objects(f"s3://{BUCKET}/ds/", partitions={"year": ["1999"]})
    assert "year=2023" in caught.value.hint


def test_a_missing_bucket_is_named(s3):
    """Reading from a bucket that does not exist says so, naming it."""
    with pytest.raises(DataError, match="Bucket 'lb-no-such-bucket' does not exist"):
        read_objects("s3://lb-no-such-bucket/x.parquet")


def test_a_missing_key_is_named(bucket):
    """Reading a key that does not exist names the key and the bucket."""
    with pytest.raises(DataError, match=r"No object 'nope\.parquet' in bucket 'lb-data'"):
        read_objects(f"s3://{BUCKET}/nope.parquet")


def test_access_denied_is_reported_as_such(bucket):
    """A bucket policy that denies reading gives an access-denied error with the fix."""
    _put_frame(bucket, "secret.parquet", pd.DataFrame({"x": [1.0]}))
    bucket.put_bucket_policy(Bucket=BUCKET, Policy=_deny_all_policy())
    with pytest.raises(DataError, match=r"Access denied to s3://lb-data/secret\.parquet") as caught:
        read_objects(f"s3://{BUCKET}/secret.parquet")
    assert "s3:GetObject" in caught.value.hint


def _deny_all_policy() -> str:
    import json

    statement = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{BUCKET}/*",
    }
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def test_an_unreadable_parquet_object_under_a_prefix_is_named(bucket):
    """A corrupt file in the dataset is a DataError naming that object."""
    bucket.put_object(Bucket=BUCKET, Key="bad/part-0.parquet", Body=io.BytesIO(b"not parquet"))
    with pytest.raises(DataError, match=r"Cannot read s3://lb-data/bad/part-0\.parquet as Parquet"):
        read_objects(f"s3://{BUCKET}/bad/")


def test_missing_credentials_say_how_to_provide_them(bucket, monkeypatch):
    """Without any credential in the chain, the error says which ones it looks for."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name)
    with pytest.raises(DataError, match=r"No AWS credentials to read s3://lb-data/x\.parquet") as e:
        read_objects(f"s3://{BUCKET}/x.parquet")
    assert "AWS_PROFILE" in e.value.hint


def test_download_prefix_keeps_paths_and_skips_hidden_and_other_names(bucket, tmp_path):
    """The objects under a prefix (written with or without its closing /) land at their paths
    below it; hidden names and names without a wanted ending are left; one object's URL
    downloads that object."""
    from learnburn.data import download_prefix

    for key in ("cap/2024/01/a.parquet", "cap/2024/02/b.jsonl", "cap/_SUCCESS", "cap/c.partial"):
        bucket.put_object(Bucket=BUCKET, Key=key, Body=key.encode())
    bucket.put_object(Bucket=BUCKET, Key="capture-other/d.parquet", Body=b"d")
    records = download_prefix(f"s3://{BUCKET}/cap", tmp_path / "a", (".parquet", ".jsonl"))
    assert [r["key"] for r in records] == ["cap/2024/01/a.parquet", "cap/2024/02/b.jsonl"]
    found = sorted(p.relative_to(tmp_path / "a").as_posix() for p in (tmp_path / "a").rglob("*.*"))
    assert found == ["2024/01/a.parquet", "2024/02/b.jsonl"]
    assert (tmp_path / "a" / "2024" / "02" / "b.jsonl").read_bytes() == b"cap/2024/02/b.jsonl"
    (tmp_path / "b").mkdir()
    one = download_prefix(f"s3://{BUCKET}/cap/2024/01/a.parquet", tmp_path / "b", (".parquet",))
    assert [r["key"] for r in one] == ["cap/2024/01/a.parquet"]
    assert (tmp_path / "b" / "a.parquet").exists()
