import json

from typer.testing import CliRunner

from learnburn.cli import app

runner = CliRunner(env={"COLUMNS": "200"})


def test_run_prints_the_leaderboard_and_the_holdout_and_writes_json(small_spec, tmp_path):
    """`learnburn run` exits 0, shows every candidate and the holdout, and writes the record."""
    output = tmp_path / "out" / "result.json"
    result = runner.invoke(app, ["run", str(small_spec), "--output", str(output), "--quiet"])
    assert result.exit_code == 0, result.output
    assert "logistic_regression" in result.output and "random_forest" in result.output
    assert "Holdout (60 untouched rows): roc_auc" in result.output
    assert "Chose " in result.output and "P(b/e/w)" in result.output
    record = json.loads(output.read_text())
    assert record["experiment"] == "small"
    assert record["winner"] in {"logistic_regression", "random_forest"}
    assert len(record["folds"]) == 2 * 3 * 2
    assert record["holdout"]["rows"] == 60
    assert record["data"]["fingerprint"]["rows"] == 240


def test_run_with_a_bad_spec_exits_1_and_names_every_key_path(write_spec, table_csv):
    """A bad spec is reported with each problem's key path, and the exit code is 1."""
    spec = write_spec(
        """
        [experiment]
        name = "bad"
        [data]
        path = "table.csv"
        target = "label"
        [evaluation]
        folds = 1
        [candidates.randomforest]
        """,
    )
    result = runner.invoke(app, ["run", str(spec)])
    assert result.exit_code == 1
    assert "evaluation.folds" in result.output
    assert "candidates.randomforest" in result.output
    assert "random_forest" in result.output  # the suggestion


def test_run_with_a_missing_data_file_says_what_and_how_to_fix(write_spec):
    """A spec pointing at a missing file exits 1 with an Error and a Hint."""
    spec = write_spec(
        """
        [experiment]
        name = "missing"
        [data]
        path = "nowhere.csv"
        target = "label"
        [candidates.logistic_regression]
        """,
    )
    result = runner.invoke(app, ["run", str(spec)])
    assert result.exit_code == 1
    assert "Error:" in result.output and "nowhere.csv" in result.output
    assert "Hint:" in result.output


def test_unknown_option_is_a_usage_error_with_exit_code_2(small_spec):
    """Click's convention: usage errors exit 2."""
    result = runner.invoke(app, ["run", str(small_spec), "--nope"])
    assert result.exit_code == 2


def test_help_lists_the_commands():
    """`learnburn --help` lists run, validate, init and candidates."""
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("run", "validate", "init", "candidates"):
        assert command in result.output


def test_validate_checks_spec_and_data_without_fitting(small_spec):
    """`learnburn validate` reports rows, classes and splits, exit 0."""
    result = runner.invoke(app, ["validate", str(small_spec)])
    assert result.exit_code == 0, result.output
    assert "240 rows" in result.output
    assert "3 folds x 2 repeats" in result.output


def test_candidates_lists_the_registry():
    """`learnburn candidates` shows the registered short names."""
    result = runner.invoke(app, ["candidates"])
    assert result.exit_code == 0
    for name in ("logistic_regression", "random_forest", "lightgbm", "xgboost", "knn"):
        assert name in result.output


def test_init_writes_a_starter_spec_that_runs(tmp_path, table_csv, monkeypatch):
    """`learnburn init DATA --target` writes a spec that `validate` accepts; no overwrite."""
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["init", "table.csv", "--target", "label"])
    assert result.exit_code == 0, result.output
    spec = tmp_path / "experiments" / "table.toml"
    assert spec.exists()
    checked = runner.invoke(app, ["validate", str(spec)])
    assert checked.exit_code == 0, checked.output
    again = runner.invoke(app, ["init", "table.csv", "--target", "label"])
    assert again.exit_code == 1 and "--force" in again.output


def test_init_with_an_unknown_target_suggests_the_columns(tmp_path, table_csv):
    """A target that is not a column exits 1 and lists the columns."""
    result = runner.invoke(app, ["init", str(table_csv), "--target", "lable", "-o", "x.toml"])
    assert result.exit_code == 1
    assert "label" in result.output
