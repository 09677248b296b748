"""Tests of the search-space syntax and the default spaces of the registered families."""

from __future__ import annotations

import pytest

from learnburn.candidates import (
    Distribution,
    SpaceSyntaxError,
    candidate_names,
    check_candidate,
    default_space,
    parse_distribution,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("uniform(0.1, 1)", Distribution("uniform", 0.1, 1)),
        ("log-uniform(0.01, 0.3)", Distribution("log-uniform", 0.01, 0.3)),
        ("int(7, 127)", Distribution("int", 7, 127)),
        ("log-int(1, 50)", Distribution("log-int", 1, 50)),
        ("choice(gini, 'entropy', 2, none, true)",
         Distribution("choice", choices=("gini", "entropy", 2, None, True))),
    ],
)  # fmt: skip
def test_distributions_parse_as_written(text, expected):
    """Each kind of distribution reads into its bounds or choices."""
    assert parse_distribution(text) == expected


@pytest.mark.parametrize(
    "text", ["int(1.5, 3)", "uniform(1)", "log-uniform(0, 1)", "uniform(2, 1)", "normal(0, 1)"]
)
def test_malformed_distributions_are_refused_with_a_hint(text):
    """Bad bounds or an unknown kind raise a syntax error carrying the fix."""
    with pytest.raises(SpaceSyntaxError) as caught:
        parse_distribution(text)
    assert caught.value.hint


@pytest.mark.parametrize("name", candidate_names())
def test_every_registered_family_has_a_default_space_its_rules_accept(name):
    """A default space exists for each registered classifier and its extremes pass the rules."""
    space = default_space(name)
    assert space
    for param, text in space.items():
        for value in parse_distribution(text).extremes():
            assert check_candidate(name, {param: value}) == [], (param, value)
