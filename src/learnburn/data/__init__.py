"""Read tables, infer and check their schema, fingerprint their content."""

from learnburn.data._dataset import Dataset, load_dataset, prepare_dataset
from learnburn.data._fingerprint import Fingerprint, fingerprint_table
from learnburn.data._infer import infer_schema
from learnburn.data._objects import (
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
