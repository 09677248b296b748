"""--since/--until: an ISO date, or an age turned into the date it names today."""

from __future__ import annotations

import datetime as dt

import pytest
import typer

from learnburn.cli._window import _moment


def _days_ago(days: int) -> set[str]:
    """The date ``days`` before today (UTC), and the day after in case midnight passed."""
    today = dt.datetime.now(dt.UTC).date()
    return {(today - dt.timedelta(days=d)).isoformat() for d in (days, days - 1)}


@pytest.mark.parametrize(
    ("age", "days"), [("12w", 84), ("12 weeks", 84), ("30d", 30), ("1 day", 1)]
)
def test_an_age_becomes_the_iso_date_that_long_before_today(age, days):
    """What a run records and reproduce reads is a date, not an age."""
    assert _moment(age) in _days_ago(days)


def test_an_iso_date_is_kept_as_written():
    assert _moment("2024-03-01") == "2024-03-01"
    assert _moment("2024-03-01T12:00:00") == "2024-03-01T12:00:00"


def test_anything_else_is_a_usage_error_naming_both_forms():
    with pytest.raises(typer.BadParameter, match="an age such as 12w or 30d"):
        _moment("last week")
