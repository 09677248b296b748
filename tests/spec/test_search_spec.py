"""Tests of a candidate's search: validated like the rest of the spec, with key paths."""

from __future__ import annotations

import pytest

from learnburn.errors import SpecError
from learnburn.spec import SearchSpec, parse_spec, spec_to_toml

HEAD = '[experiment]\nname = "x"\n[data]\npath = "x.csv"\ntarget = "y"\n'


def problems_of(text: str) -> dict[str, tuple[str, str]]:
    """The problems parse_spec reports, as {key path: (message, hint)}."""
    with pytest.raises(SpecError) as caught:
        parse_spec(text)
    return {p.path: (p.message, p.hint) for p in caught.value.problems}


def test_search_table_becomes_a_search_spec_with_its_space():
    """A written space, trials and inner folds reach the frozen spec as written."""
    text = HEAD + (
        '[candidates.gbm]\nmodel = "lightgbm"\nsearch = { n_trials = 40, inner_folds = 4, '
        'space = { learning_rate = "log-uniform(0.01, 0.3)", num_leaves = "int(7, 127)" } }\n'
    )
    candidate = parse_spec(text).candidates[0]
    space = {"learning_rate": "log-uniform(0.01, 0.3)", "num_leaves": "int(7, 127)"}
    assert candidate.search == SearchSpec(space=space, n_trials=40, inner_folds=4)


def test_search_default_takes_the_family_default_space():
    """``search = "default"`` fills in the registered family's space and 20 trials."""
    text = HEAD + '[candidates.logistic_regression]\nsearch = "default"\n'
    search = parse_spec(text).candidates[0].search
    assert search is not None and search.n_trials == 20 and "C" in search.space


def test_bad_distribution_is_reported_at_its_key_path_with_a_hint():
    """A distribution that does not parse names the parameter's key path and how to write it."""
    text = HEAD + '[candidates.knn]\nsearch = { space = { n_neighbors = "between(1, 9)" } }\n'
    message, hint = problems_of(text)["candidates.knn.search.space.n_neighbors"]
    assert "must be a distribution" in message and "int(...)" in hint


def test_every_search_problem_is_reported_at_once():
    """Trials, unknown parameters, bounds and rules each get their own key path."""
    text = HEAD + (
        '[candidates.gbm]\nmodel = "lightgbm"\nsearch = { n_trials = 0, space = { '
        'learning_rate = "log-uniform(0, 0.3)", num_leaves = "uniform(7, 127)", '
        'bogus = "int(1, 2)", max_depth = "int(5, 2)" } }\n'
    )
    problems = problems_of(text)
    prefix = "candidates.gbm.search"
    assert set(problems) == {
        f"{prefix}.n_trials",
        f"{prefix}.space.learning_rate",
        f"{prefix}.space.num_leaves",
        f"{prefix}.space.bogus",
        f"{prefix}.space.max_depth",
    }
    assert "integer" in problems[f"{prefix}.space.num_leaves"][0]
    assert problems[f"{prefix}.space.max_depth"][1] == 'write the smaller bound first: "int(2, 5)"'


def test_choice_values_are_checked_against_the_parameter_rule():
    """A choice the estimator would refuse is an error before anything is fitted."""
    text = (
        HEAD
        + '[candidates.decision_tree]\nsearch = { space = { criterion = "choice(gini, x)" } }\n'
    )
    message, _ = problems_of(text)["candidates.decision_tree.search.space.criterion"]
    assert "'gini', 'entropy', 'log_loss'" in message and "got 'x'" in message


def test_a_parameter_cannot_be_both_fixed_and_searched():
    """A searched parameter in params is reported at the search key."""
    text = HEAD + (
        "[candidates.decision_tree]\nparams = { max_depth = 3 }\n"
        'search = { space = { max_depth = "int(2, 8)" } }\n'
    )
    message, _ = problems_of(text)["candidates.decision_tree.search.space.max_depth"]
    assert message == "'max_depth' is set both in params and in search.space"


def test_grid_and_search_together_are_refused():
    """A candidate either expands a grid or tunes a space."""
    text = HEAD + '[candidates.knn]\ngrid = { n_neighbors = [3, 5] }\nsearch = "default"\n'
    message, _ = problems_of(text)["candidates.knn.grid"]
    assert message == "a candidate takes a grid or a search, not both"


def test_search_must_be_default_or_a_table():
    """Any other value says what search takes."""
    message, hint = problems_of(HEAD + "[candidates.knn]\nsearch = 3\n")["candidates.knn.search"]
    assert message == "must be 'default' or a table, got 3" and 'search = "default"' in hint


def test_import_path_model_has_no_default_space():
    """An unregistered model must write its space."""
    text = HEAD + (
        '[candidates.plain]\nmodel = "sklearn.linear_model:LogisticRegression"\n'
        'search = "default"\n'
    )
    message, _ = problems_of(text)["candidates.plain.search"]
    assert message == "'sklearn.linear_model:LogisticRegression' has no default search space"


def test_clustering_candidates_refuse_a_search():
    """Clustering has no supervised score to tune: the spec says so at the search key."""
    text = (
        '[experiment]\nname = "x"\ntask = "clustering"\n[data]\npath = "x.csv"\n'
        '[candidates.kmeans]\nsearch = "default"\n'
    )
    message, hint = problems_of(text)["candidates.kmeans.search"]
    assert "not tuned" in message and "[clustering] k" in hint


def test_a_spec_with_a_search_writes_back_to_the_same_spec():
    """to_toml writes the search so that a notebook experiment can be checked in."""
    text = HEAD + '[candidates.knn]\nsearch = { n_trials = 5, space = { p = "choice(1, 2)" } }\n'
    spec = parse_spec(text)
    assert parse_spec(spec_to_toml(spec)).candidates == spec.candidates


def test_a_spec_without_search_hashes_as_before():
    """Adding the search field leaves the content hash of older specs unchanged."""
    spec = parse_spec(HEAD + "[candidates.knn]\n")
    assert "search" not in spec.to_dict()["candidates"][0]
