import json

import pytest
from typer.testing import CliRunner

from learnburn import Experiment
from learnburn.cli import app
from learnburn.errors import SpecError


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
