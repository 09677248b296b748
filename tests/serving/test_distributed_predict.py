import sys
import warnings

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("distributed")

import cloudpickle

from learnburn.backends import DaskBackend, start_local_cluster
from learnburn.bundles import load_bundle
from learnburn.errors import BundleError, DataError, DataWarning, SchemaError
from learnburn.serving import predict_file, predict_partitions
from learnburn.serving._distributed import _worker_bundle

PROBA = ["proba_no", "proba_yes"]


@pytest.fixture(scope="module", autouse=True)
def _pickle_this_module_by_value():
    """Worker processes cannot import test modules, so send these functions by value."""
    module = sys.modules[__name__]
    cloudpickle.register_pickle_by_value(module)
    yield
    cloudpickle.unregister_pickle_by_value(module)


@pytest.fixture(scope="module")
def client():
    """A client of one real LocalCluster for the module: 2 worker processes on 127.0.0.1."""
    with start_local_cluster(2) as cluster, DaskBackend(cluster.scheduler_address) as backend:
        yield backend.client


@pytest.fixture
def folder(tmp_path, table):
    """Three Parquet files of the table (row groups of 15 rows), with an unused column."""
    source = tmp_path / "in"
    source.mkdir()
    parts = np.array_split(np.arange(len(table)), 3)
    for number, rows in enumerate(parts):
        frame = table.iloc[rows].assign(unused=1.0)
        frame.to_parquet(source / f"day-{number}.parquet", index=False, row_group_size=15)
    return source


def _score(bundles, folder, out, client, **options):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)  # the unused column, tested on its own
        return predict_partitions(bundles["decided"], folder, out, client, **options)


def _count_bundle_loads():
    """In a worker: count the bundles ``_worker_bundle`` loads from now on."""
    from learnburn.serving import _distributed

    loads = []
    original = _distributed.load_bundle
    _distributed.load_bundle = lambda *a, **k: loads.append(1) or original(*a, **k)
    _distributed._bundle_loads = loads
    _distributed._bundles.clear()


def _bundle_loads():
    from learnburn.serving import _distributed

    return len(_distributed._bundle_loads)


def test_partitions_score_like_predict_file_in_input_order(
    bundles, folder, table, tmp_path, client
):
    """A folder of parts holding predict_file's ids, probabilities and decisions, in order."""
    seen = []
    summary = _score(
        bundles, folder, tmp_path / "out", client, id_column="row_id",
        progress=lambda done, total: seen.append((done, total)),
    )  # fmt: skip
    whole = tmp_path / "whole.parquet"
    table.to_parquet(whole, index=False)
    predict_file(
        load_bundle(bundles["decided"]), whole, tmp_path / "ref.parquet", id_column="row_id"
    )
    expected = pd.read_parquet(tmp_path / "ref.parquet")
    written = pd.read_parquet(tmp_path / "out")
    assert summary.rows == len(table) == len(written)
    assert written["row_id"].tolist() == table["row_id"].tolist()
    np.testing.assert_array_equal(written[PROBA].to_numpy(), expected[PROBA].to_numpy())
    assert written["decision"].tolist() == expected["decision"].tolist()
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        f"part-{n:05d}.parquet" for n in range(summary.chunks)
    ]
    assert seen[-1] == (len(table), len(table)) and len(seen) == summary.chunks


def test_blocksize_splits_files_by_row_groups(bundles, folder, table, tmp_path, client):
    """A small blocksize scores a file in several partitions (of its row groups): less held in
    memory at a time, the same predictions."""
    summary = _score(bundles, folder, tmp_path / "out", client, blocksize=1)
    written = pd.read_parquet(tmp_path / "out")
    assert summary.chunks > 3  # 3 files of 40 rows, in row groups of 15
    np.testing.assert_array_equal(
        written[PROBA].to_numpy(), load_bundle(bundles["decided"]).predict_proba(table)
    )


def test_each_worker_loads_the_bundle_once(bundles, folder, tmp_path, client):
    """Two jobs with the same bundle: each worker loads it at most once, for both."""
    client.run(_count_bundle_loads)
    _score(bundles, folder, tmp_path / "one", client, blocksize=1)
    _score(bundles, folder, tmp_path / "two", client, blocksize=1)
    loads = client.run(_bundle_loads)
    assert sum(loads.values()) >= 1 and all(count <= 1 for count in loads.values())


def test_a_different_bundle_at_the_path_is_refused(bundles):
    """A worker that finds another bundle at the path (not the caller's digest) refuses it."""
    with pytest.raises(BundleError, match="not the one being scored"):
        _worker_bundle(str(bundles["decided"]), "0" * 64, ())


def test_a_missing_column_fails_before_scoring_and_writes_nothing(bundles, table, tmp_path, client):
    """A file without a feature column: a SchemaError naming it, no output, nothing left."""
    source = tmp_path / "in"
    source.mkdir()
    table.to_parquet(source / "a.parquet", index=False)
    table.drop(columns="region").to_parquet(source / "b.parquet", index=False)
    with pytest.raises(SchemaError, match="'region'"):
        _score(bundles, source, tmp_path / "out", client)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in"]


def test_text_in_a_numeric_column_fails_on_the_worker_as_a_schema_error(
    bundles, table, tmp_path, client
):
    """Bad values found while scoring: the worker's SchemaError, no output, nothing left."""
    source = tmp_path / "in"
    source.mkdir()
    bad = table.astype({"income": str})
    bad.loc[bad.index[3], "income"] = "lots"
    bad.to_parquet(source / "a.parquet", index=False)
    with pytest.raises(SchemaError, match=r"'income'.*'lots'"):
        _score(bundles, source, tmp_path / "out", client)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in"]


def test_files_without_rows_are_an_error_before_scoring(bundles, table, tmp_path, client):
    """Parquet files with the right columns and no rows: a DataError, no output."""
    source = tmp_path / "in"
    source.mkdir()
    table.iloc[:0].to_parquet(source / "empty.parquet", index=False)
    with pytest.raises(DataError, match="has no rows"):
        _score(bundles, source, tmp_path / "out", client)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in"]


def test_unused_columns_are_warned_about_once(bundles, folder, tmp_path, client):
    """Columns the bundle does not use, in every file: one DataWarning naming them."""
    with pytest.warns(DataWarning, match="'unused'") as caught:
        predict_partitions(bundles["decided"], folder, tmp_path / "out", client)
    assert len(caught) == 1


def test_a_glob_selects_the_files(bundles, folder, table, tmp_path, client):
    """A glob pattern scores only the files it matches."""
    summary = _score(
        bundles, str(folder / "day-[01].parquet"), tmp_path / "out", client, id_column="row_id"
    )
    written = pd.read_parquet(tmp_path / "out")
    assert summary.rows == 80 and written["row_id"].tolist() == table["row_id"].tolist()[:80]


def test_an_existing_output_is_replaced_only_with_overwrite(bundles, folder, tmp_path, client):
    """An existing output folder is an error unless overwrite; then it is replaced whole."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "old.txt").write_text("old")
    with pytest.raises(DataError, match="already exists"):
        _score(bundles, folder, out, client)
    summary = _score(bundles, folder, out, client, overwrite=True)
    assert not (out / "old.txt").exists() and len(list(out.iterdir())) == summary.chunks


@pytest.mark.parametrize(
    ("inputs", "output", "message"),
    [
        ("nothing/*.parquet", "out", "no files found"),
        ("in.csv", "out", "Parquet files only"),
        ("in", "out.csv", "folder of Parquet files"),
    ],
)
def test_inputs_and_outputs_it_cannot_use_are_errors_with_hints(
    bundles, folder, tmp_path, client, inputs, output, message
):
    """No matching files, non-Parquet inputs, a CSV output: DataErrors with hints."""
    (tmp_path / "in.csv").write_text("a\n1\n")
    with pytest.raises(DataError, match=message) as info:
        _score(bundles, str(tmp_path / inputs), tmp_path / output, client)
    assert info.value.hint
