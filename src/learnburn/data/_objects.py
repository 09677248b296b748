"""Read tables from object storage: ``s3://bucket/key.parquet`` (or ``.csv``...), and
``s3://bucket/prefix/``, a partitioned Parquet dataset (``prefix/year=2024/region=north/
part-0.parquet``), optionally filtered by partition values.

Objects are reached with boto3 (the ``aws`` extra) and the standard AWS credential chain: the
environment, the shared config and credentials files, an instance or task role; ``AWS_ENDPOINT_URL``
points it at an S3-compatible server. Each object read is recorded with its ETag and, in a
versioned bucket, its VersionId: the version read is the version recorded (a prefix is listed
once, then each object is fetched by the version listed).

A partition's ``key=value`` folders become columns (integers when every value of the key is
one, else text); Parquet files of a prefix are read in key order, so the same objects give the
same table. Names starting with ``_`` or ``.`` (``_SUCCESS``, ``_metadata``) are not data.

Failures are :class:`~learnburn.errors.DataError` naming the bucket or key: missing bucket,
missing key, access denied, no credentials, an unreachable endpoint.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import pandas as pd
import pyarrow as pa

from learnburn.data._read import read_local
from learnburn.data._source import SourceRead
from learnburn.errors import DataError

SCHEME = "s3://"
_PARQUET = (".parquet", ".pq")


@dataclass(frozen=True)
class ObjectURL:
    """``s3://bucket/key``; a key that is empty or ends in ``/`` is a prefix."""

    bucket: str
    key: str

    @classmethod
    def parse(cls, url: str) -> ObjectURL:
        bucket, _, key = url.removeprefix(SCHEME).partition("/")
        if not url.startswith(SCHEME) or not bucket:
            raise DataError(
                f"{url!r} is not an S3 location",
                hint="write it as s3://BUCKET/KEY, or s3://BUCKET/PREFIX/ for a folder",
            )
        return cls(bucket, key)

    @property
    def is_prefix(self) -> bool:
        return self.key == "" or self.key.endswith("/")

    def __str__(self) -> str:
        return f"{SCHEME}{self.bucket}/{self.key}"


def is_object_url(location: str) -> bool:
    """Whether ``location`` names object storage rather than a local file."""
    return location.startswith(SCHEME)


def read_objects(
    url: str,
    *,
    partitions: Mapping[str, Sequence[str]] | None = None,
    text: Mapping[str, Any] | None = None,
) -> SourceRead:
    """The table at ``url``: one object, or the Parquet files under a prefix."""
    location = ObjectURL.parse(url)
    client = s3_client()
    if location.is_prefix:
        return _read_prefix(client, location, dict(partitions or {}))
    if partitions:
        raise DataError(
            f"{url} is one object, so partitions cannot filter it",
            hint="end the path with / to read the partitioned folder, or remove partitions",
        )
    with _fetched(client, location) as (file, record):
        frame = read_local(file, url, text or {})
    return SourceRead(frame, url, {"kind": "s3", "objects": [record]})


@contextmanager
def fetched_object(url: str) -> Iterator[Path]:
    """The object at ``url`` downloaded to a temporary file (with the key's name), removed after."""
    location = ObjectURL.parse(url)
    if location.is_prefix:
        raise DataError(f"{url} is a prefix, not an object", hint="name one object's key")
    with _fetched(s3_client(), location) as (file, _record):
        yield file


def object_exists(url: str) -> bool:
    """Whether an object is stored at ``url``."""
    location = ObjectURL.parse(url)
    client = s3_client()
    try:
        with _translated(location, client):
            client.head_object(Bucket=location.bucket, Key=location.key)
    except DataError as error:
        if error.message.startswith("No object "):
            return False
        raise
    return True


def upload_file(path: Path, url: str) -> dict[str, Any]:
    """Put the file at ``path`` to ``url``; return the object's key, ETag and version."""
    location = ObjectURL.parse(url)
    if location.is_prefix:
        raise DataError(f"{url} is a prefix, not an object", hint="name the key to write")
    client = s3_client()
    with open(path, "rb") as body, _translated(location):
        reply = client.put_object(Bucket=location.bucket, Key=location.key, Body=body)
    return _record(location.key, reply, path.stat().st_size)


def check_bucket(url: str) -> ObjectURL:
    """The location ``url`` names, once its bucket is known to be reachable with the
    credentials at hand (a HEAD of the bucket): a missing bucket, denied access or no
    credentials fail here, before any work is done."""
    location = ObjectURL.parse(url)
    client = s3_client()
    with _translated(location, client):
        client.head_bucket(Bucket=location.bucket)
    return location


def download_prefix(url: str, folder: Path, suffixes: Sequence[str]) -> list[dict[str, Any]]:
    """Download the objects under the prefix ``url`` whose names end in one of ``suffixes``
    (hidden names, ``_`` or ``.`` first, skipped) into ``folder``, keeping their paths below
    the prefix; one object's URL downloads that object. Returns each object's record (key,
    ETag, size, version), in key order."""
    location = ObjectURL.parse(url)
    client = s3_client()
    if not location.is_prefix and not _is_folder(client, location):
        return [_fetch_to(client, location, folder / PurePosixPath(location.key).name)]
    prefix = location.key if location.is_prefix or not location.key else location.key + "/"
    records = []
    for entry, relative in _listed(client, ObjectURL(location.bucket, prefix)):
        if not relative.name.endswith(tuple(suffixes)):
            continue
        target = folder.joinpath(*relative.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        key = entry["Key"]
        with _translated(ObjectURL(location.bucket, key), client):
            reply = _download(client, location.bucket, key, _version(entry), target)
        records.append(_record(key, reply, entry.get("Size")))
    return records


def _is_folder(client, location: ObjectURL) -> bool:
    """Whether a key written without its closing ``/`` names a folder: objects lie below it."""
    with _translated(location, client):
        reply = client.list_objects_v2(Bucket=location.bucket, Prefix=location.key + "/", MaxKeys=1)
    return bool(reply.get("Contents"))


def s3_client():
    """An S3 client from the standard AWS credential chain (boto3, the ``aws`` extra)."""
    try:
        import boto3
    except ImportError as error:
        raise DataError(
            "Reading s3:// locations needs boto3, which is not installed",
            hint="pip install 'learnburn[aws]'",
        ) from error
    return boto3.session.Session().client("s3")


@contextmanager
def _fetched(client, location: ObjectURL) -> Iterator[tuple[Path, dict[str, Any]]]:
    with tempfile.TemporaryDirectory(prefix="learnburn-s3-") as folder:
        file = Path(folder) / PurePosixPath(location.key).name
        yield file, _fetch_to(client, location, file)


def _fetch_to(client, location: ObjectURL, target: Path) -> dict[str, Any]:
    """Download one object to ``target``: its record, the version read the version recorded."""
    with _translated(location, client):
        head = client.head_object(Bucket=location.bucket, Key=location.key)
        record = _record(location.key, head, head.get("ContentLength"))
        extra = {"VersionId": record["version_id"]} if record.get("version_id") else {}
        _download(client, location.bucket, location.key, extra, target)
    return record


def _download(client, bucket: str, key: str, extra: dict[str, str], target: Path):
    """Write an object's body to ``target`` a megabyte at a time; the GET's reply."""
    reply = client.get_object(Bucket=bucket, Key=key, **extra)
    with open(target, "wb") as out:
        for chunk in reply["Body"].iter_chunks(1 << 20):
            out.write(chunk)
    return reply


def _read_prefix(client, location: ObjectURL, partitions: dict[str, Sequence[str]]) -> SourceRead:
    listed = _list_parquet(client, location)
    if not listed:
        raise DataError(
            f"No Parquet files under {location}",
            hint="check the prefix (it ends with /) and that the dataset's files end in .parquet",
        )
    chosen = [(entry, parts) for entry, parts in listed if _wanted(parts, partitions)]
    if not chosen:
        names = sorted({f"{k}={v}" for _, parts in listed for k, v in parts.items()})
        raise DataError(
            f"No partition under {location} matches {_describe(partitions)}",
            hint=f"the partitions there: {', '.join(names[:10]) or '(none)'}",
        )
    tables, records = [], []
    for entry, parts in chosen:
        key = entry["Key"]
        with _translated(ObjectURL(location.bucket, key)):
            reply = client.get_object(Bucket=location.bucket, Key=key, **_version(entry))
            data = reply["Body"].read()
        tables.append((_parquet(data, f"{SCHEME}{location.bucket}/{key}"), parts))
        records.append(_record(key, reply, len(data)))
    frame = _with_partitions(tables)
    origin = {"kind": "s3", "prefix": str(location), "objects": records}
    if partitions:
        origin["partitions"] = {k: list(v) for k, v in partitions.items()}
    return SourceRead(frame, str(location), origin)


def _list_parquet(client, location: ObjectURL) -> list[tuple[dict, dict[str, str]]]:
    return [
        (entry, _partition_values(relative))
        for entry, relative in _listed(client, location)
        if relative.suffix.lower() in _PARQUET
    ]


def _listed(client, location: ObjectURL) -> list[tuple[dict, PurePosixPath]]:
    """The objects under the prefix ``location`` (hidden names left out), in key order, each
    with its path below the prefix."""
    found = []
    with _translated(location, client):
        pages = client.get_paginator("list_objects_v2").paginate(
            Bucket=location.bucket, Prefix=location.key
        )
        for page in pages:
            for entry in page.get("Contents", []):
                relative = PurePosixPath(entry["Key"][len(location.key) :])
                if not _hidden(relative):
                    found.append((entry, relative))
    return sorted(found, key=lambda item: item[0]["Key"])


def _hidden(relative: PurePosixPath) -> bool:
    return any(part.startswith(("_", ".")) for part in relative.parts)


def _partition_values(relative: PurePosixPath) -> dict[str, str]:
    pairs = (part.split("=", 1) for part in relative.parts[:-1] if "=" in part)
    return {key: value for key, value in pairs}


def _wanted(parts: dict[str, str], partitions: dict[str, Sequence[str]]) -> bool:
    return all(parts.get(key) in values for key, values in partitions.items())


def _describe(partitions: dict[str, Sequence[str]]) -> str:
    return ", ".join(f"{key} in [{', '.join(values)}]" for key, values in partitions.items())


def _version(entry: dict) -> dict[str, str]:
    version = entry.get("VersionId")
    return {"VersionId": version} if version and version != "null" else {}


def _parquet(data: bytes, where: str) -> pa.Table:
    import pyarrow.parquet as pq

    try:
        return pq.read_table(io.BytesIO(data))
    except (pa.ArrowException, OSError) as error:
        raise DataError(
            f"Cannot read {where} as Parquet: {error}",
            hint="every .parquet file under the prefix must be a complete Parquet file",
        ) from error


def _with_partitions(tables: list[tuple[pa.Table, dict[str, str]]]) -> pd.DataFrame:
    keys = list(dict.fromkeys(key for _, parts in tables for key in parts))
    whole = [all(parts.get(k, "").lstrip("-").isdigit() for _, parts in tables) for k in keys]
    frames = []
    for table, parts in tables:
        frame = table.to_pandas()
        for key, numeric in zip(keys, whole, strict=True):
            if key not in frame.columns:
                value = parts.get(key)
                frame[key] = int(value) if numeric and value is not None else value
        frames.append(frame)
    combined = pd.concat(frames, ignore_index=True)
    for key, numeric in zip(keys, whole, strict=True):
        if not numeric and key in combined.columns:
            combined[key] = combined[key].astype("str")
    return combined


def _record(key: str, reply: Mapping[str, Any], size: int | None) -> dict[str, Any]:
    record = {"key": key, "etag": str(reply.get("ETag", "")).strip('"'), "size": size}
    version = reply.get("VersionId")
    if version and version != "null":
        record["version_id"] = version
    return record


@contextmanager
def _translated(location: ObjectURL, client=None) -> Iterator[None]:
    """botocore's errors as DataErrors that name the bucket or key and say what to do."""
    try:
        from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError
    except ImportError:  # s3_client has said so already
        yield
        return
    try:
        yield
    except ClientError as error:
        code = str(error.response.get("Error", {}).get("Code", ""))
        if code in ("404", "NotFound") and client is not None and _bucket_missing(client, location):
            code = "NoSuchBucket"
        raise _client_error(code, error, location) from None
    except NoCredentialsError:
        raise DataError(
            f"No AWS credentials to read {location}",
            hint="set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run where a "
            "role grants access (the standard AWS credential chain)",
        ) from None
    except BotoCoreError as error:
        raise DataError(
            f"Cannot reach object storage for {location}: {error}",
            hint="check the network, AWS_ENDPOINT_URL and the region",
        ) from None


def _bucket_missing(client, location: ObjectURL) -> bool:
    """Whether the bucket is missing (a HEAD of a key says 404 for both bucket and key)."""
    from botocore.exceptions import ClientError

    try:
        client.head_bucket(Bucket=location.bucket)
    except ClientError as error:
        return str(error.response.get("Error", {}).get("Code", "")) in ("404", "NoSuchBucket")
    return False


def _client_error(code: str, error, location: ObjectURL) -> DataError:
    if code in ("NoSuchBucket",):
        return DataError(
            f"Bucket {location.bucket!r} does not exist (reading {location})",
            hint="check the bucket's name and the account/region you are signed in to",
        )
    if code in ("NoSuchKey", "404", "NotFound"):
        return DataError(
            f"No object {location.key!r} in bucket {location.bucket!r}",
            hint="check the key (object keys are case-sensitive); "
            f"`aws s3 ls s3://{location.bucket}/` lists them",
        )
    if code in ("AccessDenied", "403", "Forbidden", "InvalidAccessKeyId", "SignatureDoesNotMatch"):
        return DataError(
            f"Access denied to {location} ({code})",
            hint="the credentials in use may not read it: check the IAM policy (s3:GetObject, "
            "s3:ListBucket) and which profile or role is active",
        )
    message = error.response.get("Error", {}).get("Message", "") or str(error)
    return DataError(f"S3 refused {location}: {code} {message}", hint="see the message above")
