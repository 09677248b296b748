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


def flat(result) -> str:
    """The command's output on one line: the console wraps long messages at spaces."""
    return " ".join(result.output.split())


DATA_SPEC = """
    [experiment]
    name = "data"
    [data]
    path = "{path}"
    target = "label"
    {extra}
    [evaluation]
    folds = 2
    repeats = 1
    [candidates.logistic_regression]
"""


def data_spec(write_spec, path, extra=""):
    return write_spec(DATA_SPEC.format(path=path, extra=extra))


def test_run_prints_and_records_the_columns_it_left_out(write_spec, table_maker, tmp_path):
    """Datetime and identifier-like columns are left out with a printed warning, and the
    warnings are in the record's data section."""
    frame = table_maker()
    frame["opened"] = [f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}" for i in range(len(frame))]
    frame["ref"] = [f"R{i:05d}" for i in range(len(frame))]
    frame.to_csv(tmp_path / "dated.csv", index=False)
    spec = data_spec(write_spec, "dated.csv")
    output = tmp_path / "result.json"
    result = runner.invoke(app, ["run", str(spec), "--output", str(output), "--quiet"])
    assert result.exit_code == 0, result.output
    assert "Warning:" in flat(result)
    assert "dates or times: 'opened'" in flat(result)
    assert "'ref' (identifier-like)" in flat(result)
    warnings = json.loads(output.read_text())["data"]["warnings"]
    assert any("'opened'" in text for text in warnings)
    assert any("'ref' (identifier-like)" in text for text in warnings)


def test_validate_refuses_a_numeric_column_with_stray_text_naming_it(
    write_spec, table_maker, tmp_path
):
    """'abc' in a numeric column exits 1 naming the column, the count, the value and the keys."""
    frame = table_maker()
    frame["x0"] = frame["x0"].astype(object)
    frame.loc[7, "x0"] = "abc"
    frame.to_csv(tmp_path / "typo.csv", index=False)
    result = runner.invoke(app, ["validate", str(data_spec(write_spec, "typo.csv"))])
    assert result.exit_code == 1
    assert "'x0' looks numeric, but 1 of its 240 values is not a number ('abc')" in flat(result)
    assert 'categorical = ["x0"]' in flat(result)


def test_validate_accepts_the_column_once_declared_categorical(write_spec, table_maker, tmp_path):
    """The same file validates with categorical = ["x0"] under [data]."""
    frame = table_maker()
    frame["x0"] = frame["x0"].round(0).astype(object)
    frame.loc[7, "x0"] = "abc"
    frame.to_csv(tmp_path / "typo.csv", index=False)
    spec = data_spec(write_spec, "typo.csv", 'categorical = ["x0"]')
    result = runner.invoke(app, ["validate", str(spec)])
    assert result.exit_code == 0, result.output


def test_validate_refuses_a_continuous_target_in_one_line(write_spec, table_maker, tmp_path):
    """A continuous target is one Error line saying it looks like regression, not 240 classes."""
    frame = table_maker()
    frame["label"] = frame["x1"] * 3.1
    frame.to_csv(tmp_path / "price.csv", index=False)
    result = runner.invoke(app, ["validate", str(data_spec(write_spec, "price.csv"))])
    assert result.exit_code == 1
    assert flat(result).startswith("Error: ")
    assert "240 distinct numeric values" in flat(result)
    assert "looks like a regression target" in flat(result)
    assert flat(result).index("Hint:") < 400  # one sentence, not a list of 240 classes


def test_validate_reads_a_semicolon_file_in_the_encoding_the_spec_names(
    write_spec, table_maker, tmp_path
):
    """A cp1252 file separated by ';' validates with encoding = "cp1252"; the ';' is sniffed."""
    frame = table_maker()
    frame["region"] = frame["region"].replace({"north": "Zürich"})
    frame.to_csv(tmp_path / "euro.csv", index=False, sep=";", encoding="cp1252")
    without = runner.invoke(app, ["validate", str(data_spec(write_spec, "euro.csv"))])
    assert without.exit_code == 1
    assert "is not utf-8 text" in flat(without) and "byte offset" in flat(without)
    assert 'encoding = "cp1252"' in flat(without)
    spec = data_spec(write_spec, "euro.csv", 'encoding = "cp1252"')
    result = runner.invoke(app, ["validate", str(spec)])
    assert result.exit_code == 0, result.output
    assert "7 features" in flat(result)


def test_validate_of_a_merged_column_names_the_delimiter_to_set(write_spec, table_maker, tmp_path):
    """Read with the wrong delimiter, one merged column is an error whose hint names the key."""
    table_maker().to_csv(tmp_path / "semi.csv", index=False, sep=";")
    spec = data_spec(write_spec, "semi.csv", 'delimiter = ","')
    result = runner.invoke(app, ["validate", str(spec)])
    assert result.exit_code == 1
    assert "read as one column" in flat(result)
    assert 'delimiter = ";"' in flat(result)


def test_init_reads_with_the_encoding_and_delimiter_given_and_writes_them(
    tmp_path, table_maker, monkeypatch
):
    """`learnburn init --encoding cp1252 --delimiter ';'` reads the file and puts both keys
    in the starter spec, which then validates."""
    monkeypatch.chdir(tmp_path)
    frame = table_maker()
    frame["region"] = frame["region"].replace({"north": "Zürich"})
    frame.to_csv(tmp_path / "euro.csv", index=False, sep=";", encoding="cp1252")
    args = ["init", "euro.csv", "--target", "label", "--encoding", "cp1252", "--delimiter", ";"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    text = (tmp_path / "experiments" / "euro.toml").read_text()
    assert 'encoding = "cp1252"\ndelimiter = ";"\n' in text
    checked = runner.invoke(app, ["validate", "experiments/euro.toml"])
    assert checked.exit_code == 0, checked.output


def test_run_of_a_tuned_candidate_counts_trials_and_names_the_refit_params(write_spec, table_csv):
    """Progress lines count the trials; the summary names the tuned candidate's refit params
    and says that a time budget makes the trials depend on the clock."""
    spec = write_spec(
        """
        [experiment]
        name = "tuned"
        [data]
        path = "table.csv"
        target = "label"
        [evaluation]
        folds = 2
        repeats = 1
        [candidates.lr]
        model = "logistic_regression"
        search = { n_trials = 2, inner_folds = 2, space = { C = "log-uniform(0.01, 10)" } }
        """,
    )
    result = runner.invoke(app, ["run", str(spec), "--time-budget", "600", "--allow-dirty"])
    assert result.exit_code == 0, result.output
    assert "2/2 folds" in result.output and "; 4 trials" in result.output
    assert "Tuned lr: 4 trials in 2 outer folds" in result.output
    assert "refit with C=" in result.output and "600 s time budget" in result.output
