"""Read tables, infer and check their schema, fingerprint their content."""

from learnburn.data._dataset import Dataset, load_dataset, prepare_dataset
from learnburn.data._fingerprint import Fingerprint, fingerprint_table
from learnburn.data._infer import infer_schema
from learnburn.data._read import read_table
from learnburn.data._schema import KINDS, ColumnSchema, Schema

__all__ = [
    "KINDS",
    "ColumnSchema",
    "Dataset",
    "Fingerprint",
    "Schema",
    "fingerprint_table",
    "infer_schema",
    "load_dataset",
    "prepare_dataset",
    "read_table",
]
