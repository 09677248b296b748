"""Tests of starter_spec: the commented spec `learnburn init` writes for a data file."""

from __future__ import annotations

import pytest

from learnburn.data import ColumnSchema, Schema
from learnburn.errors import SpecError
from learnburn.spec import EvaluationSpec, parse_spec
from learnburn.workflows import starter_spec

SCHEMA = Schema(
    columns=(
        ColumnSchema("loan_id", kind="numeric", dtype="int64", unique=500, identifier_like=True),
        ColumnSchema(name="applied", kind="datetime", dtype="datetime64[ns]", unique=300),
        ColumnSchema(name="income", kind="numeric", dtype="float64", unique=480, missing=3),
        ColumnSchema(name="region", kind="categorical", dtype="object", unique=4),
        ColumnSchema(name="married", kind="boolean", dtype="bool", unique=2),
        ColumnSchema(name="source", kind="categorical", dtype="object", unique=1, constant=True),
        ColumnSchema(name="approve", kind="categorical", dtype="object", unique=2),
    )
)


def test_starter_spec_with_a_target_parses_without_problems():
    """The starter for a known target is a valid spec with three candidates and defaults."""
    text = starter_spec("data/loans.csv", SCHEMA, target="approve", name="loans")
    spec = parse_spec(text)
    assert (spec.name, spec.data.path, spec.data.target) == ("loans", "data/loans.csv", "approve")
    assert spec.evaluation == EvaluationSpec()
    assert spec.decision is None
    assert [c.name for c in spec.candidates] == [
        "logistic_regression",
        "random_forest",
        "hist_gradient_boosting",
    ]


def test_starter_spec_says_a_negative_cost_is_a_benefit_and_the_example_parses():
    """The costs comment allows negative numbers (benefits), and the example it gives parses."""
    text = starter_spec("data/loans.csv", SCHEMA, target="approve", name="loans")
    assert ">= 0" not in text
    assert "a negative cost is a benefit (true_positive = -200" in text
    costs = "\n[decision.costs]\ntrue_positive = -200\nfalse_positive = 50\n"
    assert parse_spec(text + costs).decision.costs["true_positive"] == -200


def test_starter_spec_suggests_dropping_identifiers_and_constants():
    """A commented drop line lists identifier-like and constant columns."""
    text = starter_spec("loans.csv", SCHEMA, target="approve", name="loans")
    assert '# drop = ["loan_id", "source"]' in text
    assert '# id_column = "loan_id"' in text
    assert '# time_column = "applied"' in text


def test_starter_spec_shows_commented_costs_and_grids():
    """Costs and grids are shown as comments to uncomment."""
    text = starter_spec("loans.csv", SCHEMA, target="approve", name="loans")
    assert "# [decision.costs]" in text
    assert text.count("# grid = {") == 3


def test_starter_spec_without_a_target_lists_likely_targets():
    """Without a target, the target line is commented and names the likely columns."""
    text = starter_spec("loans.csv", SCHEMA, target=None, name="loans")
    assert '# target = "..."' in text
    assert "# Likely targets (few distinct values): region, married, approve\n" in text
    with pytest.raises(SpecError) as caught:
        parse_spec(text)
    assert [p.path for p in caught.value.problems] == ["data.target"]


def test_uncommenting_every_example_still_parses():
    """The commented examples are valid TOML and valid keys once uncommented."""
    text = starter_spec("loans.csv", SCHEMA, target="approve", name="loans")
    examples = ("# drop = ", "# time_column = ", "# id_column = ", "# grid = ", "# [decision")
    lines = [line[2:] if line.startswith(examples) else line for line in text.splitlines()]
    text = "\n".join(lines).replace("# false_", "false_")
    spec = parse_spec(text)
    assert spec.data.drop == ("loan_id", "source")
    assert spec.decision is not None and spec.decision.costs["false_negative"] == 5.0
    assert len(spec.expanded_candidates()) == 3 + 3 + 4


def test_starter_spec_quotes_names_and_paths():
    """Paths and names with quotes or backslashes are written as valid TOML strings."""
    text = starter_spec('C:\\data\\"loans".csv', SCHEMA, target="approve", name='my "loans"')
    spec = parse_spec(text)
    assert (spec.name, spec.data.path) == ('my "loans"', 'C:\\data\\"loans".csv')
