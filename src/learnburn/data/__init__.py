"""Read tables, infer and check their schema, fingerprint their content."""

from learnburn.data._dataset import Dataset, load_dataset, prepare_dataset
from learnburn.data._fingerprint import Fingerprint, fingerprint_table
from learnburn.data._infer import infer_schema
from learnburn.data._read import read_table
from learnburn.data._schema import KINDS, ColumnSchema, Schema
from learnburn.data._source import SourceRead, keep_window
from learnburn.data._sql import read_sql

__all__ = [
    "KINDS",
    "ColumnSchema",
    "Dataset",
    "Fingerprint",
    "Schema",
    "SourceRead",
    "fingerprint_table",
    "infer_schema",
    "keep_window",
    "load_dataset",
    "prepare_dataset",
    "read_sql",
    "read_table",
]
