"""The schema of a table: one record per column, with its kind and the flags that matter."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from typing import Any

from learnburn._records import Record

KINDS = ("numeric", "categorical", "boolean", "datetime")


@dataclass(frozen=True)
class ColumnSchema:
    """One column: its kind, pandas dtype, counts, and whether it looks like an id or a constant.

    ``categories`` holds the observed categories (most frequent first, at most 1,000) for
    categorical and boolean columns; ``minimum``/``maximum`` the observed range of numeric ones.
    """

    name: str
    kind: str
    dtype: str
    missing: int = 0
    unique: int = 0
    identifier_like: bool = False
    constant: bool = False
    categories: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None


@dataclass(frozen=True)
class Schema(Record):
    """An ordered set of column schemas."""

    columns: tuple[ColumnSchema, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def names_of(self, *kinds: str) -> tuple[str, ...]:
        """Names of the columns of the given kinds, in table order."""
        return tuple(c.name for c in self.columns if c.kind in kinds)

    def __getitem__(self, name: str) -> ColumnSchema:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)

    def __contains__(self, name: object) -> bool:
        return any(c.name == name for c in self.columns)

    def to_dict(self) -> dict[str, Any]:
        return {"columns": [asdict(c) for c in self.columns]}

    def content_hash(self) -> str:
        """sha256 of the column names, kinds and dtypes (not of counts or ranges)."""
        canonical = json.dumps([(c.name, c.kind, c.dtype) for c in self.columns])
        return hashlib.sha256(canonical.encode()).hexdigest()
