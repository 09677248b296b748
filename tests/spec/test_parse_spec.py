"""Tests of parse_spec and load_spec: valid specs load, every problem is reported at its key."""

from __future__ import annotations

import pytest

from learnburn.errors import SpecError
from learnburn.spec import EvaluationSpec, load_spec, parse_spec

BASE = """\
[experiment]
name = "loans"
task = "classification"

[data]
path = "loans.csv"
target = "approve"
time_column = "date"
id_column = "id"
drop = ["race", "sex"]

[evaluation]
splitter = "auto"
folds = 5
repeats = 5
metric = "roc_auc"
seed = 0
holdout = 0.2

[decision.costs]
false_positive = 1.0
false_negative = 5.0

[candidates.logistic_regression]
params = { C = 1.0 }

[candidates.gbm]
model = "lightgbm"
params = { max_depth = 3 }
grid = { learning_rate = [0.05, 0.1] }
preprocessing = "native"
"""


def variant(*replacements: tuple[str, str]) -> str:
    """BASE with each (old, new) replaced; fails loudly when ``old`` is not in the text."""
    text = BASE
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    return text


def problems_of(text: str) -> dict[str, tuple[str, str]]:
    """The problems parse_spec reports, as {key path: (message, hint)}."""
    with pytest.raises(SpecError) as caught:
        parse_spec(text)
    return {p.path: (p.message, p.hint) for p in caught.value.problems}


# fmt: off
BAD_SPECS = [
    # (replacement(s), key path, words in the message, words in the hint)
    (("folds = 5", "folds = 1"), "evaluation.folds", "must be an integer >= 2, got 1", "folds = 5"),
    (("folds = 5", 'folds = "5"'), "evaluation.folds", 'got "5" (a string)', "without quotes"),
    (("folds = 5", "folds = 5.5"), "evaluation.folds", "must be an integer >= 2, got 5.5", ""),
    (("seed = 0", "seed = true"), "evaluation.seed", "got true (a boolean)", "seed = 0"),
    (("folds = 5", "fodls = 5"), "evaluation.fodls", "unknown key 'fodls'", "'folds'"),
    (("roc_auc", "rocauc"), "evaluation.metric", 'got "rocauc"', "did you mean 'roc_auc'?"),
    (("holdout = 0.2", "holdout = 0.95"), "evaluation.holdout", "in [0, 0.9), got 0.95", ""),
    (("repeats = 5", "repeats = 0"), "evaluation.repeats", "integer >= 1, got 0", ""),
    (("[evaluation]", "[clustering]\n[evaluation]"), "clustering", "only to task 'clustering'",
     'task = "clustering"'),
    (('name = "loans"', 'name = ""'), "experiment.name", "non-empty string", "name = "),
    (('path = "loans.csv"', ""), "data", "needs exactly one of path, sql or sql_file, got none",
     'path = "data/loans.csv"'),
    (('target = "approve"', ""), "data.target", "required for classification", "target ="),
    (('"race", "sex"', '"race", "approve"'), "data.drop[1]", "drops the target", "remove"),
    (('"race", "sex"', '"race", 3'), "data.drop[1]", "must be a column name, got 3", ""),
    (('id_column = "id"', 'id_column = "approve"'), "data.id_column", "is the target", ""),
    (('time_column = "date"', 'time_column = "approve"'), "data.time_column", "target", ""),
    ((('"auto"', '"walk-forward"'), ('time_column = "date"\n', "")), "evaluation.splitter",
     "'walk-forward' needs data.time_column", "time_column ="),
    (("= 1.0\nfalse_neg", '= "1"\nfalse_neg'), "decision.costs.false_positive", "number", ""),
    (("= 1.0\nfalse_neg", "= nan\nfalse_neg"), "decision.costs.false_positive", "finite", ""),
    (("false_negative", "false_negatve"), "decision.costs.false_negatve", "unknown", "'false_ne"),
    (("[evaluation]", "[evalution]"), "evalution", "unknown key", "did you mean 'evaluation'?"),
    (("max_depth = 3", "max_depth = 0"), "candidates.gbm.params.max_depth", "integer >= 1", ""),
    (("max_depth = 3", "max_dept = 3"), "candidates.gbm.params.max_dept", "unknown", "max_depth"),
    (("params = { max_depth", "params = 3\n# { max_depth"), "candidates.gbm.params", "table", ""),
    (("[0.05, 0.1]", "[0.05, -1]"), "candidates.gbm.grid.learning_rate[1]", "got -1", ""),
    (("[0.05, 0.1]", "[]"), "candidates.gbm.grid.learning_rate", "non-empty array", ""),
    (("[0.05, 0.1]", "[0.1, 0.1]"), "candidates.gbm.grid.learning_rate", "2 times", "repeated"),
    (("{ learning_rate", "{ max_depth = [2, 4], learning_rate"), "candidates.gbm.grid.max_depth",
     "both in params and in grid", "remove 'max_depth' from params"),
    (('"lightgbm"', '"lightgmb"'), "candidates.gbm.model", "unknown candidate", "'lightgbm'"),
    (('drop = ["race", "sex"]', 'encoding = "latin-2x"'), "data.encoding",
     "unknown encoding 'latin-2x'", 'encoding = "cp1252"'),
    (('drop = ["race", "sex"]', 'delimiter = ";;"'), "data.delimiter", "one character", ""),
    (('drop = ["race", "sex"]', 'delimiter = "\\""'), "data.delimiter", "would split values",
     'delimiter = ";"'),
    (('drop = ["race", "sex"]', 'categorical = "zip"'), "data.categorical",
     "must be an array of column names", ""),
    (('drop = ["race", "sex"]', "missing_values = [1]"), "data.missing_values[0]",
     "must be a string, got 1", ""),
    (('"native"', '"natve"'), "candidates.gbm.preprocessing", "got", "did you mean 'native'?"),
    (("candidates.gbm]", 'candidates."my gbm"]'), 'candidates."my gbm"', "name", "rename"),
]
# fmt: on


@pytest.mark.parametrize(("replacement", "path", "message", "hint"), BAD_SPECS)
def test_each_bad_spec_reports_one_problem_at_its_key_path(replacement, path, message, hint):
    """A spec with one mistake gets exactly one problem, at its key path, saying what to do."""
    pairs = replacement if isinstance(replacement[0], tuple) else (replacement,)
    problems = problems_of(variant(*pairs))
    assert list(problems) == [path]
    assert message in problems[path][0]
    assert hint in problems[path][1]


def test_text_options_of_the_data_table_are_read_into_the_spec():
    """categorical, encoding, delimiter and missing_values reach DataSpec as given."""
    extra = 'categorical = ["zip"]\nencoding = "cp1252"\ndelimiter = "\\t"\nmissing_values = ["?"]'
    data = parse_spec(variant(('drop = ["race", "sex"]', extra))).data
    assert data.categorical == ("zip",)
    assert (data.encoding, data.delimiter, data.missing_values) == ("cp1252", "\t", ("?",))
    assert data.read_options() == {
        "encoding": "cp1252", "delimiter": "\t", "missing_values": ("?",),
    }  # fmt: skip


def test_text_options_default_to_utf8_a_sniffed_delimiter_and_no_extra_markers():
    """Without the keys: UTF-8, the delimiter sniffed (None), no declared categoricals."""
    data = parse_spec(BASE).data
    assert (data.encoding, data.delimiter, data.categorical, data.missing_values) == (
        "utf-8", None, (), (),
    )  # fmt: skip


def test_base_spec_is_valid():
    """The spec the bad ones derive from loads, with every key taken from the text."""
    spec = parse_spec(BASE)
    assert spec.name == "loans"
    assert spec.data.drop == ("race", "sex")
    assert spec.decision is not None and spec.decision.costs == {
        "false_positive": 1.0,
        "false_negative": 5.0,
    }
    assert [c.name for c in spec.candidates] == ["logistic_regression", "gbm"]
    assert spec.candidates[0].model == "logistic_regression"


def test_every_problem_is_reported_at_once():
    """One SpecError lists the problems of every table, and those across keys, together."""
    text = variant(
        ("folds = 5", "fodls = 5"),
        ('"race", "sex"', '"race", "approve"'),
        ('"lightgbm"', '"lightgmb"'),
        ("max_depth = 3", "max_depth = 0"),
        ("[candidates.logistic_regression]", "[candidates.randomforest]"),
        ("= 1.0\nfalse_neg", '= "1"\nfalse_neg'),
    )
    assert set(problems_of(text)) == {
        "evaluation.fodls",
        "data.drop[1]",
        "candidates.gbm.model",
        "candidates.randomforest",
        "decision.costs.false_positive",
    }


def test_checks_across_keys_still_run_when_a_table_has_errors():
    """A bad key in [data] does not hide that the target is dropped or walk-forward lacks time."""
    text = variant(
        ('path = "loans.csv"', "path = 5"),
        ('"race", "sex"', '"race", "approve"'),
        ('time_column = "date"\n', ""),
        ('"auto"', '"walk-forward"'),
        ("repeats = 5", "repeats = 0"),
        ("[0.05, 0.1]", "[0.05, -1]"),
        ('"native"', '"natve"'),
    )
    assert set(problems_of(text)) == {
        "data.path",
        "data.drop[1]",
        "evaluation.splitter",
        "evaluation.repeats",
        "candidates.gbm.grid.learning_rate[1]",
        "candidates.gbm.preprocessing",
    }


def test_unknown_candidate_name_suggests_the_closest_registered_one():
    """A candidate table named after no registered model, without `model`, gets a suggestion."""
    text = variant(("[candidates.logistic_regression]", "[candidates.randomforest]"))
    message, hint = problems_of(text)["candidates.randomforest"]
    assert message == "unknown candidate 'randomforest'"
    assert "did you mean 'random_forest'?" in hint


def test_unknown_grid_parameter_is_reported_once_at_its_key():
    """A problem every grid value shares is about the key, so it is reported once."""
    text = variant(("learning_rate = [0.05, 0.1]", "learning_rat = [0.05, 0.1]"))
    message, hint = problems_of(text)["candidates.gbm.grid.learning_rat"]
    assert "unknown parameter 'learning_rat'" in message
    assert "did you mean 'learning_rate'?" in hint


def test_grid_values_are_checked_one_by_one():
    """Each bad grid value is reported at its index."""
    text = variant(("[0.05, 0.1]", '[-1, 0.1, "fast"]'))
    problems = problems_of(text)
    assert set(problems) == {
        "candidates.gbm.grid.learning_rate[0]",
        "candidates.gbm.grid.learning_rate[2]",
    }
    assert "got -1" in problems["candidates.gbm.grid.learning_rate[0]"][0]


def test_a_spec_without_candidates_is_a_problem():
    """At least one candidate is required."""
    text = BASE[: BASE.index("[candidates.logistic_regression]")]
    message, hint = problems_of(text)["candidates"]
    assert "at least one candidate" in message
    assert "logistic_regression" in hint


def test_missing_tables_and_scalars_in_place_of_tables_are_reported():
    """Missing [experiment]/[data] and a table given as a number each get a problem."""
    problems = problems_of("evaluation = 3\n[candidates.knn]\nparams = { n_neighbors = 5 }\n")
    assert set(problems) == {"experiment", "data", "evaluation"}
    assert problems["evaluation"] == ("must be a table, got 3", "write it as a table: [evaluation]")
    assert "[experiment]" in problems["experiment"][1]


def test_toml_syntax_error_is_one_problem_naming_line_and_column():
    """Broken TOML gives one problem whose path names the line and column."""
    with pytest.raises(SpecError) as caught:
        parse_spec(variant(("folds = 5", "folds = = 5")), source="loans.toml")
    (problem,) = caught.value.problems
    assert problem.path == "line 14, column 9"
    assert problem.message.startswith("invalid TOML: ")
    assert problem.file == caught.value.file == "loans.toml"


def test_ints_are_strict_but_integers_are_accepted_as_floats():
    """An integer is a valid number for holdout and costs, and is kept as a float."""
    spec = parse_spec(variant(("holdout = 0.2", "holdout = 0"), ("= 5.0", "= 5")))
    assert spec.evaluation.holdout == 0.0 and isinstance(spec.evaluation.holdout, float)
    assert spec.decision is not None and isinstance(spec.decision.costs["false_negative"], float)


def test_evaluation_table_may_be_left_out():
    """Without [evaluation] the defaults of EvaluationSpec apply."""
    start, end = BASE.index("[evaluation]"), BASE.index("[decision.costs]")
    assert parse_spec(BASE[:start] + BASE[end:]).evaluation == EvaluationSpec()


def test_load_spec_records_the_source_and_the_text(tmp_path):
    """load_spec keeps the file's path and its exact text on the spec."""
    path = tmp_path / "loans.toml"
    path.write_text(BASE, encoding="utf-8")
    spec = load_spec(path)
    assert (spec.source, spec.text) == (str(path), BASE)
    assert spec.resolve_data_path() == str(tmp_path / "loans.csv")


def test_load_spec_names_the_file_in_every_problem(tmp_path):
    """Problems of a file carry its path, as does the SpecError."""
    path = tmp_path / "loans.toml"
    path.write_text(variant(("folds = 5", "folds = 1"), ("seed = 0", "seed = -1")))
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    assert caught.value.file == str(path)
    assert {p.file for p in caught.value.problems} == {str(path)}
    assert str(path) in str(caught.value)


def test_load_spec_of_a_missing_file_is_one_problem(tmp_path):
    """A file that cannot be read is a SpecError with one problem and a hint."""
    path = tmp_path / "missing.toml"
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    (problem,) = caught.value.problems
    assert "cannot read" in problem.message
    assert problem.hint and caught.value.file == str(path)
