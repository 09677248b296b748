"""Read tables, infer and check their schema, fingerprint their content."""

from learnburn.data._schema import KINDS, ColumnSchema, Schema

__all__ = ["KINDS", "ColumnSchema", "Schema"]
