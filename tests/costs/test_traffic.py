"""Traffic: the retraining interval and the checks on each figure."""

from __future__ import annotations

import pytest

from learnburn.costs import Traffic, parse_interval
from learnburn.errors import CostError


@pytest.mark.parametrize(("text", "hours"), [("12h", 12), ("7d", 168), ("1w", 168), ("1.5d", 36)])
def test_a_retraining_interval_is_hours_days_or_weeks(text, hours):
    assert parse_interval(text) == hours


@pytest.mark.parametrize("text", ["7", "7x", "d7", "0d", "-1d", ""])
def test_an_interval_without_a_positive_number_and_unit_is_refused(text):
    with pytest.raises(CostError, match="is not a number followed by h, d or w") as caught:
        parse_interval(text)
    assert "7d" in caught.value.hint


def test_the_peak_defaults_to_the_average_rate():
    assert Traffic(rps=20).peak == 20
    assert Traffic(rps=20, peak_rps=80).peak == 80
    assert Traffic(rps=20, retrain_every="12h").retrain_hours == 12


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"rps": 0}, "rps must be a number above 0"),
        ({"rps": 20, "peak_rps": 10}, r"peak_rps \(10\) is below rps \(20\)"),
        ({"rps": 20, "hours_per_day": 25}, "hours_per_day must be more than 0 and at most 24"),
        ({"rps": 20, "utilisation": 1.5}, "utilisation must be more than 0 and at most 1"),
        ({"rps": 20, "retrain_every": "weekly"}, "'weekly' is not a number"),
    ],
)
def test_impossible_traffic_is_refused_with_a_hint(arguments, message):
    with pytest.raises(CostError, match=message) as caught:
        Traffic(**arguments)
    assert caught.value.hint
