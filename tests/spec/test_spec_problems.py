"""Tests of how problems are worded: key paths, received values, hints."""

from __future__ import annotations

import pytest

from learnburn.errors import SpecError
from learnburn.spec import parse_spec
from learnburn.spec._problems import as_written, key_path

HEAD = '[experiment]\nname = "x"\n[data]\npath = "x.csv"\ntarget = "y"\n'
CANDIDATE = "[candidates.knn]\n"


def problems_of(text: str) -> dict[str, tuple[str, str]]:
    """The problems parse_spec reports, as {key path: (message, hint)}."""
    with pytest.raises(SpecError) as caught:
        parse_spec(text)
    return {p.path: (p.message, p.hint) for p in caught.value.problems}


def test_key_path_joins_keys_with_dots_indices_with_brackets_and_quotes_odd_keys():
    """Paths read like TOML keys: bare where possible, quoted otherwise."""
    assert key_path("data", "drop", 1) == "data.drop[1]"
    path = key_path("candidates", "my model", "params", "a.b")
    assert path == 'candidates."my model".params."a.b"'


def test_describe_shows_values_as_written_in_toml():
    """Received values read as TOML, with their kind where it is not obvious."""
    assert as_written("5") == '"5" (a string)'
    assert as_written(True) == "true (a boolean)"
    assert as_written([1, 2]) == "[1, 2] (an array)"
    assert as_written({"a": 1}) == "a table"
    assert as_written(1.5) == "1.5"
    assert as_written("x" * 100) == '"' + "x" * 36 + "... (a string)"


def test_decision_without_costs_says_which_table_to_add():
    """An empty [decision] needs a [decision.costs] table or a matrix, shown by example."""
    message, hint = problems_of(HEAD + "[decision]\n" + CANDIDATE)["decision"]
    assert message == "needs exactly one of costs (binary) or matrix (multiclass)"
    assert "[decision.costs] false_positive = 1.0" in hint


@pytest.mark.parametrize("costs", ["", "false_positive = 0\ntrue_negative = 0.0\n"])
def test_costs_must_give_something_a_price(costs):
    """Costs that are all zero (or absent) cannot choose a threshold."""
    text = HEAD + "[decision.costs]\n" + costs + CANDIDATE
    message, _ = problems_of(text)["decision.costs"]
    assert message.startswith("must give at least one non-zero cost")


def test_unknown_key_without_a_close_match_lists_the_allowed_keys():
    """When nothing is close, the hint lists the keys the table accepts."""
    message, hint = problems_of(HEAD.replace("[data]", "[data]\nxyz = 1") + CANDIDATE)["data.xyz"]
    assert message == "unknown key 'xyz'"
    assert hint == (
        "allowed keys: path, sql, sql_file, url, since, until, partitions, target, time_column, "
        "id_column, drop, categorical, encoding, delimiter, missing_values"
    )


def test_candidate_given_as_a_value_is_not_a_table():
    """`[candidates]` with a key/value instead of a sub-table names that key."""
    problems = problems_of(HEAD + '[candidates]\nmodel = "knn"\n')
    message, hint = problems["candidates.model"]
    assert message == 'must be a table, got "knn" (a string)'
    assert hint.startswith("each candidate is a table: [candidates.NAME]")
