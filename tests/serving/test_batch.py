import warnings

import numpy as np
import pandas as pd
import pytest

from learnburn.bundles import load_bundle
from learnburn.errors import DataError, DataWarning, SchemaError
from learnburn.serving import BatchSummary, _runtime, _tables, predict_file
from learnburn.serving._checks import coerce_numeric
from learnburn.serving._runtime import choose_scorer
from learnburn.serving._tables import read_chunks

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
    assert summary == BatchSummary(120, 1, str(tmp_path / "out.csv"), summary.seconds, (), "native")


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


# -- the pyarrow reader, the chunk pipeline and the runtime choice ------------------------------


def _mixed_csv(table, path):
    """The table as CSV with the cells pandas reads as missing, ids with leading zeros."""
    frame = table.astype({"income": object, "region": object, "row_id": object})
    frame["row_id"] = [f"{i:06d}" for i in table["row_id"]]
    frame.loc[[3, 40], "income"] = ["", "NA"]
    frame.loc[[5, 77], "region"] = ["", "null"]
    frame.loc[9, "income"] = "1e1"
    return _write(frame, path)


def _pandas_chunks(path, rows, text):
    return list(read_chunks(path, rows, text))


@pytest.mark.parametrize("rows", [1, 7, 50, 120, 500])
def test_pyarrow_chunks_hold_the_rows_and_values_pandas_reads(bundle, table, tmp_path, rows):
    """Read with pyarrow, the chunks have the sizes and, once numbers are coerced, the values
    of pandas' chunks: missing cells, exponents, ids with leading zeros."""
    data = _mixed_csv(table, tmp_path / "in.csv")
    text = ["region", "member", "row_id"]
    numeric = list(bundle.numeric_columns)
    ours = list(read_chunks(data, rows, text, dict.fromkeys(numeric, "float64")))
    theirs = _pandas_chunks(data, rows, text)
    assert [len(c) for c in ours] == [len(c) for c in theirs]
    coerce = lambda c: coerce_numeric(c, numeric, 1, "x").reset_index(drop=True)  # noqa: E731
    for a, b in zip(ours, theirs, strict=True):
        assert a["row_id"].tolist() == b["row_id"].tolist()
        pd.testing.assert_frame_equal(
            coerce(a)[list(bundle.columns)], coerce(b)[list(bundle.columns)], check_dtype=False
        )


def test_chunks_are_cut_exactly_when_pyarrow_reads_small_blocks(bundle, table, tmp_path):
    """Chunk boundaries do not follow pyarrow's blocks: every chunk but the last has chunk_rows."""
    data = _write(table, tmp_path / "in.csv")
    numeric = list(bundle.numeric_columns)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_tables, "_BLOCK_BYTES", 512)
        sizes = [len(c) for c in read_chunks(data, 50, [], dict.fromkeys(numeric, "float64"))]
    assert sizes == [50, 50, 20]


def test_the_pyarrow_path_scores_like_the_whole_table(bundles, table, tmp_path):
    """Through pyarrow and the chunk pipeline, mixed data with missing cells scores as
    Bundle.predict_proba on the table pandas reads, rows in order."""
    bundle = load_bundle(bundles["fast"])
    data = _mixed_csv(table, tmp_path / "in.csv.gz")
    predict_file(bundle, data, tmp_path / "out.csv", id_column="row_id", chunk_rows=17)
    out = pd.read_csv(tmp_path / "out.csv", dtype={"row_id": str})
    expected = pd.read_csv(data, dtype={"region": str, "member": str, "row_id": str})
    assert out["row_id"].tolist() == expected["row_id"].tolist()
    np.testing.assert_allclose(out[PROBA].to_numpy(), bundle.predict_proba(expected), rtol=1e-12)


def test_text_found_by_pyarrow_in_a_later_chunk_is_reported_as_pandas_reports_it(
    bundle, table, tmp_path
):
    """A bad number past the first chunks makes pyarrow give up; the file is read again with
    pandas and the error names the file's rows; no output is left."""
    frame = table.astype({"income": object})
    frame.loc[[100, 105], "income"] = ["n/k", "x"]
    data = _write(frame, tmp_path / "in.csv")
    with pytest.raises(SchemaError) as caught:
        predict_file(bundle, data, tmp_path / "out.csv", chunk_rows=10, id_column="row_id")
    assert "row 101 ('n/k')" in str(caught.value) and "row 106 ('x')" in str(caught.value)
    assert list(tmp_path.iterdir()) == [data]


def test_the_unused_columns_warning_is_given_once_when_pandas_reads_again(bundle, table, tmp_path):
    """A file pyarrow cannot read all through (a number pandas alone parses) is scored by
    pandas, with one warning about the unused columns."""
    frame = table.astype({"income": object}).assign(note="x")
    frame.loc[100, "income"] = " 55.5"
    data = _write(frame, tmp_path / "in.csv")
    with pytest.warns(DataWarning, match="note") as caught:
        summary = predict_file(bundle, data, tmp_path / "out.csv", chunk_rows=10)
    assert len(caught) == 1 and summary.rows == len(table)
    expected = bundle.predict_proba(frame.astype({"income": float}))
    np.testing.assert_allclose(pd.read_csv(tmp_path / "out.csv")[PROBA], expected, rtol=1e-12)


def test_a_header_only_csv_has_no_rows(bundle, table, tmp_path):
    """A CSV with a header and no data is a DataError, as before."""
    data = tmp_path / "in.csv"
    data.write_text(",".join(table.columns) + "\n")
    with pytest.raises(DataError, match="has no rows"):
        predict_file(bundle, data, tmp_path / "out.csv", id_column="row_id")


@pytest.mark.parametrize("runtime", ["fast", "native"])
def test_each_runtime_gives_the_proven_probabilities(bundles, table, tmp_path, runtime):
    """runtime="fast" and "native" write the same probabilities within the proven tolerance."""
    bundle = load_bundle(bundles["fast"], lazy=True)
    data = _write(table, tmp_path / "in.parquet")
    predict_file(bundle, data, tmp_path / "out.csv", id_column="row_id", runtime=runtime)
    expected = bundle.predict_proba_native(table)
    np.testing.assert_allclose(pd.read_csv(tmp_path / "out.csv")[PROBA], expected, atol=1e-5)


def test_a_file_of_one_chunk_is_scored_with_the_fast_path(bundles, table):
    """No measurement for a short file: the fast path, and the native model stays unloaded."""
    bundle = load_bundle(bundles["fast"], lazy=True)
    assert choose_scorer(bundle, table, "auto", 100_000).runtime == "fast"
    assert not bundle.model_loaded


def test_a_long_file_is_scored_by_the_runtime_that_was_faster(bundles, features, monkeypatch):
    """measure: past one chunk both runtimes score a sample, and the faster wins."""
    bundle = load_bundle(bundles["fast"], lazy=True)
    chunk = pd.concat([features] * 100, ignore_index=True)
    monkeypatch.setattr(_runtime, "_seconds", lambda scorer, sample: scorer.runtime == "fast")
    assert choose_scorer(bundle, chunk, "measure", len(chunk)).runtime == "native"
    monkeypatch.setattr(_runtime, "_seconds", lambda scorer, sample: scorer.runtime == "native")
    assert choose_scorer(bundle, chunk, "measure", len(chunk)).runtime == "fast"


def test_auto_scores_a_long_file_with_the_fast_path_whatever_the_timings(
    bundles, features, monkeypatch
):
    """The default never measures: the same file gets the same runtime, and so the same answers,
    on every run however busy the machine is."""
    bundle = load_bundle(bundles["fast"], lazy=True)
    chunk = pd.concat([features] * 100, ignore_index=True)
    monkeypatch.setattr(_runtime, "_seconds", lambda scorer, sample: scorer.runtime == "fast")
    assert choose_scorer(bundle, chunk, "auto", len(chunk)).runtime == "fast"


def test_an_unknown_runtime_is_refused(bundle, table, tmp_path):
    """runtime must be auto, measure, fast or native."""
    data = _write(table, tmp_path / "in.csv")
    with pytest.raises(DataError, match="'gpu'"):
        predict_file(bundle, data, tmp_path / "out.csv", runtime="gpu")


@pytest.mark.parametrize(
    ("ids", "decisions"),
    [
        (["a,1", 'b"2', "c\n3"], [1, 2, 3]),
        (["007", None, "x y"], [1, 2, 3]),
        (["7"] * 3, [True] * 3),
    ],
    ids=["text that needs quotes", "plain text and numbers", "booleans"],
)
def test_csv_chunks_read_back_as_pandas_wrote_them(tmp_path, ids, decisions):
    """Whichever writer takes a chunk (pyarrow for plain numbers and text, pandas for text to
    quote or booleans), the file reads back as the frames pandas would have written."""
    frames = [
        pd.DataFrame(
            {
                "id": pd.array(ids, dtype="str"),
                "proba_no": [1e-05, 1 / 3, 0.0],
                "decision": decisions,
            }
        ),
        pd.DataFrame(
            {
                "id": pd.array(["z"] * 3, dtype="str"),
                "proba_no": [1.0, 0.5, np.nan],
                "decision": decisions,
            }
        ),
    ]
    writer = _tables.ChunkWriter(tmp_path / "out.csv", ".csv")
    for frame in frames:
        writer.write(frame)
    writer.close()
    expected = tmp_path / "pandas.csv"
    pd.concat(frames, ignore_index=True).to_csv(expected, index=False)
    read = lambda path: pd.read_csv(path, dtype={"id": str})  # noqa: E731
    pd.testing.assert_frame_equal(read(tmp_path / "out.csv"), read(expected))
