"""Formulas that are both the explanation and the computation."""

from __future__ import annotations

import pytest

from learnburn.costs._formula import evaluate, money, number, substitute


def test_a_formula_evaluates_with_its_named_inputs():
    formula = "max(1, ceil(peak_rps / (rps_per_vcpu * workers * utilisation)))"
    values = {"peak_rps": 10_000, "rps_per_vcpu": 3100, "workers": 2, "utilisation": 0.7}
    assert evaluate(formula, values) == 3  # 10,000 / 4,340 = 2.30 -> 3
    assert substitute(formula, values) == "max(1, ceil(10000 / (3100 * 2 * 0.7)))"


def test_a_name_inside_another_is_not_substituted():
    assert substitute("rps / rps_per_vcpu", {"rps": 20, "rps_per_vcpu": 3100}) == "20 / 3100"


@pytest.mark.parametrize("formula", ["__import__('os')", "a.b", "a ** 2", "round(a)", "b + 1"])
def test_anything_but_arithmetic_on_known_names_is_refused(formula):
    with pytest.raises(ValueError, match="formula"):
        evaluate(formula, {"a": 1.0})


def test_numbers_and_money_read_without_exponents():
    assert number(0.0000166667) == "0.0000166667"
    assert number(52_560_000.0) == "52560000"
    assert money(1234.567) == "$1,234.57"
    assert money(0.00044418) == "$0.00044"
    assert money(0.0000561) == "$0.000056"
