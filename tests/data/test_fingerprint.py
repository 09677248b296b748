"""Tests of fingerprint_table: what the content hash is and is not sensitive to."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from learnburn.data import fingerprint_table, infer_schema, read_table


def table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "amount": [120.5, 80.0, None, 42.25],
            "count": [3, 1, 4, 1],
            "city": ["Oslo", "Lima", None, "Pune"],
            "ok": [True, False, True, True],
        }
    )


def content_hash(frame: pd.DataFrame) -> str:
    return fingerprint_table(frame).content_hash


def test_fingerprint_records_the_shape_and_the_schema_hash():
    """A fingerprint holds the row and column counts and the schema's content hash."""
    frame = table()
    fingerprint = fingerprint_table(frame)
    assert (fingerprint.rows, fingerprint.columns) == (4, 4)
    assert fingerprint.schema_hash == infer_schema(frame).content_hash()


def test_fingerprint_to_dict_has_its_four_fields():
    """to_dict gives the four fields as plain values."""
    fingerprint = fingerprint_table(table())
    assert fingerprint.to_dict() == {
        "content_hash": fingerprint.content_hash,
        "rows": 4,
        "columns": 4,
        "schema_hash": fingerprint.schema_hash,
    }


def test_fingerprint_is_a_sha256_hex_digest():
    """The content hash is 64 hexadecimal characters."""
    digest = content_hash(table())
    assert len(digest) == 64
    assert int(digest, 16) >= 0


def test_fingerprint_is_the_same_for_two_reads_of_one_file(tmp_path):
    """Reading the same CSV twice gives the same fingerprint."""
    path = tmp_path / "t.csv"
    table().to_csv(path, index=False)
    assert fingerprint_table(read_table(path)) == fingerprint_table(read_table(path))


def test_fingerprint_is_the_same_for_csv_and_parquet_of_one_table(tmp_path):
    """The same table saved as CSV and as Parquet has the same fingerprint."""
    table().to_csv(tmp_path / "t.csv", index=False)
    table().to_parquet(tmp_path / "t.parquet", index=False)
    from_csv = read_table(tmp_path / "t.csv")
    from_parquet = read_table(tmp_path / "t.parquet")
    assert fingerprint_table(from_csv) == fingerprint_table(from_parquet)


def test_fingerprint_is_the_same_in_another_process():
    """The hash does not depend on the process or its string hash seed."""
    code = (
        "import pandas as pd\n"
        "from learnburn.data import fingerprint_table\n"
        "frame = pd.DataFrame({'a': [1, 2], 's': ['x', None]})\n"
        "print(fingerprint_table(frame).content_hash)\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    expected = content_hash(pd.DataFrame({"a": [1, 2], "s": ["x", None]}))
    assert result.stdout.strip() == expected


def test_fingerprint_changes_when_one_value_changes():
    """Changing one cell changes the hash."""
    changed = table()
    changed.loc[1, "count"] = 2
    assert content_hash(changed) != content_hash(table())


def test_fingerprint_changes_when_a_value_goes_missing():
    """Replacing a value by a missing value changes the hash."""
    changed = table()
    changed.loc[0, "city"] = None
    assert content_hash(changed) != content_hash(table())


def test_fingerprint_changes_when_rows_are_reordered():
    """The same rows in another order give another hash."""
    reordered = table().iloc[::-1].reset_index(drop=True)
    assert content_hash(reordered) != content_hash(table())


def test_fingerprint_changes_when_a_column_is_renamed():
    """Renaming a column changes the hash."""
    renamed = table().rename(columns={"city": "town"})
    assert content_hash(renamed) != content_hash(table())


def test_fingerprint_changes_when_columns_are_reordered():
    """The same columns in another order give another hash."""
    reordered = table()[["ok", "city", "count", "amount"]]
    assert content_hash(reordered) != content_hash(table())


def test_fingerprint_changes_with_the_dtype():
    """Integers and the same numbers as floats hash differently."""
    as_float = table().astype({"count": "float64"})
    assert content_hash(as_float) != content_hash(table())


def test_fingerprint_ignores_the_index():
    """A table with another index has the same hash."""
    reindexed = table().set_axis([10, 20, 30, 40])
    assert content_hash(reindexed) == content_hash(table())


def test_fingerprint_handles_cells_that_cannot_be_hashed():
    """A column of lists is fingerprinted by its text, and a changed list changes the hash."""
    frame = pd.DataFrame({"tags": [["a"], ["b", "c"]], "n": [1, 2]})
    changed = frame.copy()
    changed.at[1, "tags"] = ["b"]
    assert content_hash(changed) != content_hash(frame)


def test_fingerprint_of_a_large_table_is_deterministic():
    """Two fingerprints of the same 100,000-row table agree."""
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x": rng.normal(size=100_000), "k": rng.integers(0, 9, 100_000)})
    assert fingerprint_table(frame) == fingerprint_table(frame.copy())


def test_fingerprint_cannot_be_changed():
    """A Fingerprint is frozen: its fields cannot be reassigned."""
    fingerprint = fingerprint_table(table())
    with pytest.raises(dataclasses.FrozenInstanceError):
        fingerprint.rows = 0  # type: ignore[misc]
