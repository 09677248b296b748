import warnings

import numpy as np
import pandas as pd
import pytest

from learnburn.bundles import load_bundle
from learnburn.errors import DataError, DataWarning, SchemaError
from learnburn.serving import BatchSummary, predict_file

PROBA = ["proba_no", "proba_yes"]


def _read(path):
    return pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)


def _write(frame, path):
    if path.suffix == ".parquet":
        frame.to_parquet(path, index=False)
    else:
        frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize(
    ("source", "target"),
    [("in.csv", "out.csv"), ("in.csv.gz", "out.parquet"), ("in.parquet", "out.parquet")],
)
def test_chunked_probabilities_equal_scoring_the_whole_table(
    bundle, table, tmp_path, source, target
):
    """Several chunks give the probabilities of one predict_proba call, rows in input order."""
    data = _write(table, tmp_path / source)
    summary = predict_file(bundle, data, tmp_path / target, id_column="row_id", chunk_rows=25)
    out = _read(tmp_path / target)
    assert summary.rows == len(table) and summary.chunks == 5
    assert out["row_id"].astype(str).tolist() == table["row_id"].astype(str).tolist()
    np.testing.assert_allclose(out[PROBA].to_numpy(), bundle.predict_proba(table), rtol=1e-12)


@pytest.mark.parametrize("target", ["out.csv", "out.parquet"])
def test_the_id_column_comes_first_with_its_values(bundle, table, tmp_path, target):
    """--id-column puts the ids, unchanged and in order, before the probabilities."""
    data = _write(table, tmp_path / "in.parquet")
    predict_file(bundle, data, tmp_path / target, id_column="row_id", chunk_rows=50)
    out = _read(tmp_path / target)
    assert list(out.columns) == ["row_id", *PROBA, "decision"]
    assert out["row_id"].tolist() == table["row_id"].tolist()


def test_the_decision_column_is_the_bundles_decision(bundles, table, tmp_path):
    """The decision column equals Bundle.decide (calibrated threshold), chunk by chunk."""
    bundle = load_bundle(bundles["decided"])
    data = _write(table, tmp_path / "in.csv")
    predict_file(bundle, data, tmp_path / "out.csv", id_column="row_id", chunk_rows=40)
    decisions = pd.read_csv(tmp_path / "out.csv")["decision"]
    assert decisions.tolist() == bundle.decide(table).tolist()
    assert not np.array_equal(bundle.decide(table), load_bundle(bundles["plain"]).decide(table))


def test_progress_reports_rows_done_and_the_parquet_total(bundle, table, tmp_path):
    """progress gets (rows done, total) after each chunk; the total is None for CSV."""
    calls: dict[str, list] = {"parquet": [], "csv": []}
    for kind, seen in calls.items():
        data = _write(table, tmp_path / f"in.{kind}")
        report = lambda done, total, seen=seen: seen.append((done, total))  # noqa: E731
        predict_file(
            bundle, data, tmp_path / "out.csv", chunk_rows=50, progress=report, id_column="row_id"
        )
    assert calls["parquet"] == [(50, 120), (100, 120), (120, 120)]
    assert calls["csv"] == [(50, None), (100, None), (120, None)]


def test_missing_columns_are_named_with_the_expected_ones(bundle, table, tmp_path):
    """A table without some feature columns is a SchemaError naming each one."""
    data = _write(table.drop(columns=["debt", "region"]), tmp_path / "in.csv")
    with pytest.raises(SchemaError, match=r"\['debt', 'region'\]") as caught:
        predict_file(bundle, data, tmp_path / "out.csv")
    assert "['income', 'debt', 'region', 'member']" in caught.value.hint


def test_text_in_a_numeric_column_names_the_column_and_the_file_rows(bundle, table, tmp_path):
    """Bad numbers are reported by column and 1-based data row of the file, even in a later
    chunk; no output is left behind."""
    frame = table.astype({"income": object})
    frame.loc[[61, 70], "income"] = ["unknown", "12,5"]
    data = _write(frame, tmp_path / "in.csv")
    with pytest.raises(SchemaError) as caught:
        predict_file(bundle, data, tmp_path / "out.csv", id_column="row_id", chunk_rows=50)
    message = str(caught.value)
    assert (
        "'income'" in message and "row 62 ('unknown')" in message and "row 71 ('12,5')" in message
    )
    assert list(tmp_path.iterdir()) == [data]


def test_extra_columns_are_ignored_with_one_warning(bundle, table, tmp_path):
    """Columns the bundle does not use are left out, reported once and in the summary."""
    data = _write(table.assign(note="x"), tmp_path / "in.csv")
    with pytest.warns(DataWarning, match=r"\['row_id', 'note'\]") as caught:
        summary = predict_file(bundle, data, tmp_path / "out.csv", chunk_rows=30)
    assert len(caught) == 1
    assert summary.ignored_columns == ("row_id", "note")
    assert len(pd.read_csv(tmp_path / "out.csv")) == len(table)


def test_unseen_categories_are_scored(bundle, table, tmp_path):
    """A category not seen in training is no error."""
    data = _write(table.assign(region="west").drop(columns="row_id"), tmp_path / "in.csv")
    with warnings.catch_warnings():
        summary = predict_file(bundle, data, tmp_path / "out.csv")
    assert summary == BatchSummary(120, 1, str(tmp_path / "out.csv"), summary.seconds, ())


def test_an_unknown_output_suffix_is_refused(bundle, table, tmp_path):
    """Only .csv and .parquet outputs are written; others are a DataError with a hint."""
    data = _write(table, tmp_path / "in.csv")
    with pytest.raises(DataError, match=r"'\.json'") as caught:
        predict_file(bundle, data, tmp_path / "out.json", id_column="row_id")
    assert ".parquet" in caught.value.hint


def test_a_missing_id_column_is_refused_and_no_output_is_left(bundle, table, tmp_path):
    """An id column absent from the input is a DataError; the output does not appear."""
    data = _write(table, tmp_path / "in.parquet")
    with pytest.raises(DataError, match="'key'"):
        predict_file(bundle, data, tmp_path / "out.parquet", id_column="key")
    assert list(tmp_path.iterdir()) == [data]


def test_an_unreadable_input_leaves_no_output(bundle, tmp_path):
    """A damaged Parquet file is a DataError naming it, and nothing is written."""
    data = tmp_path / "in.parquet"
    data.write_bytes(b"not parquet")
    with pytest.raises(DataError, match=r"in\.parquet"):
        predict_file(bundle, data, tmp_path / "out.csv")
    assert list(tmp_path.iterdir()) == [data]
