"""Tables from where a team keeps them, checked and fingerprinted.

Read a local file (CSV, Parquet, delimited text: ``read_table``), the result of a SQL query
through SQLAlchemy, in chunks into Arrow (``read_sql``; the URL may name an environment variable
so that no credential is in a spec), or objects in S3: one ``s3://bucket/key`` or a partitioned
Parquet prefix (``read_objects``, with boto3). Each read is a ``SourceRead`` whose ``origin``
says what was read (the query's hash, each object's ETag and version, never a credential);
``keep_window`` keeps a since/until window of its time column. Then infer and check the schema
(``Schema``), prepare the ``Dataset`` (features, target, roles), and fingerprint the content.
"""

from learnburn.data._dataset import Dataset, load_dataset, prepare_dataset
from learnburn.data._fingerprint import Fingerprint, fingerprint_table
from learnburn.data._infer import infer_schema
from learnburn.data._objects import (
    check_bucket,
    download_prefix,
    fetched_object,
    is_object_url,
    object_exists,
    read_objects,
    upload_file,
)
from learnburn.data._schema import KINDS, ColumnSchema, Schema
from learnburn.data._source import SourceRead, keep_window
from learnburn.data._sql import read_sql
from learnburn.data._tables import read_table

__all__ = [
    "KINDS",
    "ColumnSchema",
    "Dataset",
    "Fingerprint",
    "Schema",
    "SourceRead",
    "check_bucket",
    "download_prefix",
    "fetched_object",
    "fingerprint_table",
    "infer_schema",
    "is_object_url",
    "keep_window",
    "load_dataset",
    "object_exists",
    "prepare_dataset",
    "read_objects",
    "read_sql",
    "read_table",
    "upload_file",
]
