import pandas as pd
import pytest

from learnburn.errors import CadenceError
from learnburn.monitoring._cadence_periods import UNIT_HOURS, assign_periods


def test_weeks_count_seven_days_from_the_first_midnight():
    """Period k of unit week starts 7k days after the first timestamp's midnight."""
    times = pd.Series(pd.to_datetime(["2024-01-03 15:00", "2024-01-09 23:59", "2024-01-10 00:00",
                                      "2024-01-24 08:00"]), name="t")  # fmt: skip
    periods, labels = assign_periods(times, "week")
    assert list(periods) == [0, 0, 1, 3]
    assert labels == ("2024-01-03", "2024-01-10", "2024-01-17", "2024-01-24")


def test_months_are_calendar_months():
    """A month is a calendar month, labelled YYYY-MM, across a year end."""
    times = pd.Series(pd.to_datetime(["2023-11-30", "2023-12-01", "2024-02-29"]), name="t")
    periods, labels = assign_periods(times, "month")
    assert list(periods) == [0, 1, 3]
    assert labels == ("2023-11", "2023-12", "2024-01", "2024-02")


def test_hours_and_days_floor_to_their_start():
    """Hours count from the first timestamp's hour, days from its midnight."""
    times = pd.Series(pd.to_datetime(["2024-05-01 10:59", "2024-05-01 11:00", "2024-05-02 09:00"]))
    assert list(assign_periods(times, "hour")[0]) == [0, 1, 23]
    assert list(assign_periods(times, "day")[0]) == [0, 0, 1]


def test_a_month_is_730_hours_as_prices_count_it():
    """Retrains a month are 730 h / (interval x unit hours), the convention of the prices."""
    assert UNIT_HOURS == {"hour": 1.0, "day": 24.0, "week": 168.0, "month": 730.0}


@pytest.mark.parametrize(
    ("times", "unit", "words"),
    [
        (pd.Series([1, 2, 3], name="step"), "week", "not dates or times"),
        (pd.Series(pd.to_datetime(["2024-01-01", None]), name="t"), "day", "missing values"),
        (pd.Series(pd.to_datetime(["2024-01-01"])), "fortnight", "unit must be one of"),
    ],
)
def test_bad_times_or_units_are_cadence_errors_with_a_hint(times, unit, words):
    """Numbers, missing times and unknown units are refused, saying how to fix them."""
    with pytest.raises(CadenceError, match=words) as caught:
        assign_periods(times, unit)
    assert caught.value.hint
