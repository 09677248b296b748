import inspect
import json
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_blobs, make_classification
from typer.testing import CliRunner

import learnburn
from learnburn import Experiment, load_spec
from learnburn._warnings import warnings_at_caller
from learnburn.cli import app
from learnburn.errors import DataError, DataWarning, SpecError
from learnburn.runs import RunList, RunSummary


def test_notebook_api_and_cli_give_the_same_fold_scores(tmp_path, table_csv, monkeypatch):
    """An experiment built in Python, saved with to_toml and run by the CLI, scores the same."""
    monkeypatch.chdir(tmp_path)
    experiment = Experiment(
        "nb", data="table.csv", target="label", folds=3, repeats=2, seed=11,
        candidates={"logistic_regression": {}, "forest": {"model": "random_forest",
                                                          "params": {"n_estimators": 10}}},
    )  # fmt: skip
    in_notebook = experiment.run()
    spec_path = tmp_path / "experiments" / "nb.toml"
    experiment.to_toml(spec_path)
    output = tmp_path / "cli.json"
    result = CliRunner().invoke(app, ["run", str(spec_path), "-o", str(output), "-q"])
    assert result.exit_code == 0, result.output
    from_cli = json.loads(output.read_text())
    notebook_scores = [(f.candidate, f.repeat, f.fold, f.score) for f in in_notebook.folds]
    cli_scores = [(f["candidate"], f["repeat"], f["fold"], f["score"]) for f in from_cli["folds"]]
    assert notebook_scores == cli_scores
    assert from_cli["data"]["fingerprint"] == in_notebook.data["fingerprint"]


def test_to_toml_round_trips_through_from_toml(tmp_path, table_csv, monkeypatch):
    """from_toml(to_toml(path)) gives back the same spec content."""
    monkeypatch.chdir(tmp_path)
    experiment = Experiment("rt", data="table.csv", target="label", candidates=["knn"])
    path = tmp_path / "specs" / "rt.toml"
    experiment.to_toml(path)
    again = Experiment.from_toml(path)
    assert again.spec.data.path == "../table.csv"
    assert again.spec.resolve_data_path() == str(path.parent / "../table.csv")


def test_python_experiment_is_validated_like_a_spec_file():
    """Bad arguments raise SpecError naming the key path."""
    with pytest.raises(SpecError) as info:
        Experiment("bad", data="x.csv", target="y", folds=1, candidates=["randomforest"])
    paths = {p.path for p in info.value.problems}
    assert "evaluation.folds" in paths
    assert any(p.startswith("candidates.randomforest") for p in paths)


def test_python_experiment_takes_the_data_text_options_and_writes_them(tmp_path):
    """Experiment(...) mirrors [data] categorical, encoding, delimiter and missing_values, and
    to_toml writes them."""
    experiment = Experiment(
        "opts", data="t.csv", target="y", candidates=["knn"], categorical=["zip"],
        encoding="latin-1", delimiter=";", missing_values=["?", "-"],
    )  # fmt: skip
    data = experiment.spec.data
    assert (data.categorical, data.encoding, data.delimiter) == (("zip",), "latin-1", ";")
    assert data.missing_values == ("?", "-")
    text = experiment.to_toml()
    assert 'encoding = "latin-1"' in text and 'delimiter = ";"' in text
    assert 'categorical = ["zip"]' in text and 'missing_values = ["?", "-"]' in text


# The Python API is pandas-shaped: tables of records are DataFrames, data may be a DataFrame,
# every spec option is a keyword, and warnings point at the caller's line.


def make_table(rows: int = 160) -> pd.DataFrame:
    """A small binary table with numeric and categorical features."""
    X, y = make_classification(n_samples=rows, n_features=4, random_state=0)
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(4)])
    frame["region"] = np.random.default_rng(0).choice(["north", "south"], size=rows)
    frame["label"] = np.where(y == 1, "yes", "no")
    return frame


@pytest.fixture(scope="module")
def small_result(tmp_path_factory):
    folder = tmp_path_factory.mktemp("small")
    make_table().to_csv(folder / "table.csv", index=False)
    experiment = Experiment(
        "small", data=folder / "table.csv", target="label", folds=2, repeats=1,
        candidates=["logistic_regression", "dummy"],
    )  # fmt: skip
    return experiment.run(record=False)


def test_leaderboard_converts_to_a_dataframe_one_row_per_candidate(small_result):
    """leaderboard().to_frame() is a DataFrame: candidates best first, one column per field."""
    frame = small_result.leaderboard().to_frame()
    assert isinstance(frame, pd.DataFrame)
    assert list(frame["name"]) == [c.name for c in small_result.leaderboard()]
    assert {"mean", "ci_low", "ci_high", "p_equivalent", "predict_time"} <= set(frame.columns)


def test_leaderboard_shows_in_jupyter_as_a_dataframe(small_result):
    """Jupyter's HTML for a leaderboard is its DataFrame's HTML, not a tuple's repr."""
    board = small_result.leaderboard()
    assert board._repr_html_() == board.to_frame()._repr_html_()
    assert "CandidateSummary(" not in repr(board)


def test_leaderboard_still_behaves_as_a_tuple(small_result):
    """Indexing, iterating and comparing with a tuple work as before."""
    board = small_result.leaderboard()
    assert board[0].rank == 1
    assert board == tuple(board)
    assert board[:1].to_frame().shape[0] == 1


def test_fold_scores_convert_to_a_dataframe(small_result):
    """result.folds.to_frame() has one row per candidate, repeat and fold."""
    frame = small_result.folds.to_frame()
    assert len(frame) == 2 * 2  # two candidates, two folds, one repeat
    assert {"candidate", "repeat", "fold", "score", "fit_time"} <= set(frame.columns)


def test_listed_runs_convert_to_a_dataframe(tmp_path):
    """RunStore.list_runs() converts with to_frame(), one row per run."""
    summary = RunSummary(
        "r1", "loans", "finished", "2026-01-01T00:00:00", None, "roc_auc", "knn", 0.8, None,
        None, False, None,
    )  # fmt: skip
    frame = RunList([summary]).to_frame()
    assert frame.loc[0, "winner"] == "knn" and frame.loc[0, "experiment"] == "loans"


def test_dataframe_data_is_fingerprinted_like_the_same_table_in_a_file(tmp_path, monkeypatch):
    """Experiment(data=frame) runs and records the fingerprint the CSV of that frame gets."""
    monkeypatch.chdir(tmp_path)
    frame = make_table()
    frame.to_csv("table.csv", index=False)
    options = {"target": "label", "folds": 2, "repeats": 1, "candidates": ["dummy"]}
    from_frame = Experiment("df", data=frame, **options).validate()
    from_file = Experiment("df", data="table.csv", **options).validate()
    assert from_frame["data"]["fingerprint"] == from_file["data"]["fingerprint"]


def test_dataframe_data_does_not_print_or_name_the_frame(tmp_path, monkeypatch):
    """The experiment's repr says <DataFrame>, not the frame's text."""
    monkeypatch.chdir(tmp_path)
    experiment = Experiment("df", data=make_table(), target="label", candidates=["dummy"])
    assert repr(experiment) == "Experiment('df', data=<DataFrame>, candidates=[dummy])"


def test_dataframe_experiment_to_toml_writes_the_frame_beside_the_spec(tmp_path, monkeypatch):
    """to_toml(path) writes NAME.parquet beside NAME.toml, and the spec reads that table."""
    monkeypatch.chdir(tmp_path)
    frame = make_table()
    experiment = Experiment("df", data=frame, target="label", candidates=["dummy"])
    experiment.to_toml(tmp_path / "experiments" / "df.toml")
    spec = load_spec(tmp_path / "experiments" / "df.toml")
    assert spec.data.path == "df.parquet"
    pd.testing.assert_frame_equal(pd.read_parquet(spec.resolve_data_path()), frame)


def test_dataframe_experiment_to_toml_writes_the_frame_at_data_path(tmp_path, monkeypatch):
    """to_toml(path, data_path=...) writes the frame there and the spec names it."""
    monkeypatch.chdir(tmp_path)
    experiment = Experiment("df", data=make_table(), target="label", candidates=["dummy"])
    experiment.to_toml(tmp_path / "experiments" / "df.toml", data_path="data/t.pq")
    assert load_spec(tmp_path / "experiments" / "df.toml").data.path == "../data/t.pq"


def test_dataframe_experiment_to_toml_without_a_path_says_to_pass_one(tmp_path, monkeypatch):
    """to_toml() of a DataFrame experiment raises SpecError at data.path with the fix."""
    monkeypatch.chdir(tmp_path)
    experiment = Experiment("df", data=make_table(), target="label", candidates=["dummy"])
    with pytest.raises(SpecError) as info:
        experiment.to_toml()
    assert info.value.problems[0].path == "data.path"
    assert "to_toml('experiments/NAME.toml')" in info.value.hint


def test_dataframe_to_toml_refuses_to_overwrite_other_data(tmp_path, monkeypatch):
    """An existing, different file where the frame would go is not overwritten."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "df.parquet").write_bytes(b"other")
    experiment = Experiment("df", data=make_table(), target="label", candidates=["dummy"])
    with pytest.raises(DataError, match="holds other data"):
        experiment.to_toml(tmp_path / "df.toml")
    assert (tmp_path / "df.parquet").read_bytes() == b"other"


def test_dataframe_that_parquet_cannot_hold_raises_data_error(tmp_path, monkeypatch):
    """A column of mixed types is a DataError with the fix, not a pyarrow error."""
    monkeypatch.chdir(tmp_path)
    frame = make_table().assign(mixed=lambda f: pd.Series([1, "a"] * (len(f) // 2), dtype=object))
    with pytest.raises(DataError) as info:
        Experiment("df", data=frame, target="label", candidates=["dummy"])
    assert "one type per column" in info.value.hint


def test_every_classification_option_is_a_keyword():
    """rope, choose, calibration, costs and the rest reach the spec from keywords."""
    experiment = Experiment(
        "kw", data="x.csv", target="y", candidates=["dummy"], metric="log_loss", rope=0.03,
        choose="best", splitter="kfold", folds=4, repeats=2, holdout=0.1, seed=7,
        costs={"false_positive": 1.0, "false_negative": 5.0}, calibration="isotonic",
    )  # fmt: skip
    evaluation, decision = experiment.spec.evaluation, experiment.spec.decision
    assert (evaluation.rope, evaluation.choose, evaluation.splitter) == (0.03, "best", "kfold")
    assert (evaluation.folds, evaluation.repeats, evaluation.holdout) == (4, 2, 0.1)
    assert (evaluation.metric, evaluation.seed) == ("log_loss", 7)
    assert decision.calibration == "isotonic" and decision.costs["false_negative"] == 5.0


def test_cost_matrix_is_a_keyword():
    """cost_matrix= is the spec's decision.matrix."""
    experiment = Experiment(
        "kw", data="x.csv", target="y", candidates=["dummy"], cost_matrix=[[0, 1], [4, 0]]
    )
    assert experiment.spec.decision.matrix == ((0, 1), (4, 0))


def test_every_clustering_option_is_a_keyword():
    """k, resamples, silhouette_sample, stability_floor, min_share and metric reach [clustering]."""
    experiment = Experiment(
        "seg", data="x.csv", task="clustering", candidates=["kmeans"], k=(2, 4), resamples=5,
        silhouette_sample=500, stability_floor=0.5, min_share=0.05, metric="davies_bouldin",
    )  # fmt: skip
    clustering = experiment.spec.clustering
    assert (clustering.k, clustering.resamples, clustering.silhouette_sample) == ((2, 4), 5, 500)
    assert (clustering.stability_floor, clustering.min_share) == (0.5, 0.05)
    assert clustering.metric == "davies_bouldin"


def test_options_of_the_other_task_are_refused_with_their_key_path():
    """folds for clustering and k for classification are SpecErrors naming the key."""
    with pytest.raises(SpecError) as clustering:
        Experiment("seg", data="x.csv", task="clustering", candidates=["kmeans"], folds=3)
    with pytest.raises(SpecError) as classification:
        Experiment("kw", data="x.csv", target="y", candidates=["dummy"], k=3)
    assert [p.path for p in clustering.value.problems] == ["evaluation.folds"]
    assert [p.path for p in classification.value.problems] == ["clustering"]


def test_learnburn_warnings_point_at_the_callers_line(tmp_path, monkeypatch):
    """A DataWarning raised while validating is shown at the line that called validate()."""
    monkeypatch.chdir(tmp_path)
    frame = make_table().assign(constant=1)
    experiment = Experiment("w", data=frame, target="label", candidates=["dummy"])
    with pytest.warns(DataWarning, match="constant") as caught:
        line = inspect.currentframe().f_lineno + 1
        experiment.validate()
    assert [(w.filename, w.lineno) for w in caught] == [(__file__, line)]


def test_clustering_segments_and_leaderboard_convert_to_dataframes(tmp_path, monkeypatch):
    """A clustering run's segments and leaderboard have to_frame(), one row per record."""
    monkeypatch.chdir(tmp_path)
    points, _ = make_blobs(n_samples=150, centers=3, n_features=2, random_state=0)
    frame = pd.DataFrame(points, columns=["a", "b"])
    result = Experiment(
        "seg", data=frame, task="clustering", candidates=["kmeans"], k=(2, 3), resamples=3
    ).run(record=False)
    segments = result.segments.to_frame()
    assert list(segments.columns) == ["cluster", "size", "share", "traits", "summary"]
    assert segments["size"].sum() == 150
    assert list(result.leaderboard().to_frame()["k"]) == [s.k for s in result.leaderboard()]
    assert result.leaderboard()._repr_html_() in result._repr_html_()


def test_top_level_functions_show_their_warnings_at_the_callers_line(tmp_path, monkeypatch):
    """learnburn.check_experiment's DataWarning is shown at the line that called it."""
    monkeypatch.chdir(tmp_path)
    make_table().assign(constant=1).to_csv("table.csv", index=False)
    spec = Experiment("w", data="table.csv", target="label", candidates=["dummy"]).spec
    with pytest.warns(DataWarning, match="constant") as caught:
        line = inspect.currentframe().f_lineno + 1
        learnburn.check_experiment(spec)
    assert [(w.filename, w.lineno) for w in caught] == [(__file__, line)]


def test_warnings_of_other_libraries_keep_their_own_location():
    """Only learnburn's warnings move to the caller: another library's stay where raised."""
    with pytest.warns(FutureWarning) as caught, warnings_at_caller():
        warnings.warn_explicit("elsewhere", FutureWarning, "/site-packages/other/mod.py", 7)
    assert [(w.filename, w.lineno) for w in caught] == [("/site-packages/other/mod.py", 7)]


def test_data_path_for_an_experiment_on_a_file_is_refused(tmp_path):
    """to_toml(data_path=...) of an experiment on a file is a SpecError, not silently ignored."""
    experiment = Experiment("f", data="x.csv", target="y", candidates=["dummy"])
    with pytest.raises(SpecError, match="only to an experiment on a DataFrame"):
        experiment.to_toml(tmp_path / "f.toml", data_path=tmp_path / "other.parquet")
    assert not (tmp_path / "f.toml").exists()


def test_a_dataframe_experiment_with_a_bad_spec_writes_nothing(tmp_path, monkeypatch):
    """The frame is stored only once the spec is valid."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SpecError):
        Experiment("bad", data=make_table(), target="label", folds=1, candidates=["dummy"])
    assert not (tmp_path / ".learnburn").exists()


def test_experiment_candidate_with_a_search_writes_it_to_the_spec(table_csv, tmp_path):
    """A candidate table's search = "default" (or a table) reaches the spec and its TOML."""
    candidates = {
        "lr": {"model": "logistic_regression", "search": "default"},
        "tree": {
            "model": "decision_tree",
            "search": {"n_trials": 4, "space": {"max_depth": "int(2, 5)"}},
        },
    }
    experiment = Experiment("tuned", data=table_csv, target="label", candidates=candidates)
    written = tmp_path / "tuned.toml"
    experiment.to_toml(written)
    lr, tree = load_spec(written).candidates
    assert "C" in lr.search.space and lr.search.n_trials == 20
    assert tree.search.space == {"max_depth": "int(2, 5)"} and tree.search.n_trials == 4
