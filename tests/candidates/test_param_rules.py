"""Parameter rules: what they accept and how they say what they expected."""

from __future__ import annotations

import pytest

from learnburn.candidates._rules import BOOLEAN, NONE, Float, Integer, Options, check_value


@pytest.mark.parametrize(
    ("rule", "text"),
    [
        ((Integer(1),), "an integer >= 1"),
        ((Integer(2, 255),), "an integer in [2, 255]"),
        ((Float(0),), "a float > 0"),
        ((Float(0, closed="left"),), "a float >= 0"),
        ((Float(0, 1, closed="right"),), "a float in (0, 1]"),
        ((Float(0, 0.5, closed="both"),), "a float in [0, 0.5]"),
        ((Options(("a", "b")),), "one of 'a', 'b'"),
        ((Integer(1), NONE), "an integer >= 1 or None"),
        ((Options(("auto",)), BOOLEAN), "'auto' or a boolean"),
    ],
)
def test_rule_describes_what_it_expects(rule, text):
    """Messages read 'must be <description>, got <repr>'."""
    assert check_value(rule, object()).startswith(f"must be {text}, got <object")


@pytest.mark.parametrize("value", [True, False])
def test_bool_is_not_an_integer_or_a_float(value):
    """True and False are refused where numbers are expected."""
    assert check_value((Integer(0),), value) is not None
    assert check_value((Float(0, closed="left"),), value) is not None


def test_numbers_are_not_booleans_or_options_of_another_type():
    """1 is not True, and 1.0 is not the option 1."""
    assert check_value((BOOLEAN,), 1) is not None
    assert check_value((Options((1,)),), 1.0) is not None
    assert check_value((Options((1,)),), 1) is None


@pytest.mark.parametrize("value", [float("nan"), float("inf"), "0.5"])
def test_float_rule_refuses_non_finite_and_text(value):
    """NaN, infinity and numeric-looking strings are not floats."""
    assert check_value((Float(0),), value) is not None


def test_integers_are_accepted_as_floats():
    """learning_rate = 1 in TOML is an int and is a valid float."""
    assert check_value((Float(0),), 1) is None
