"""The retrain interval (`--every`)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from learnburn.errors import RunStoreError
from learnburn.workflows import parse_every


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2w", timedelta(weeks=2)), ("36h", timedelta(hours=36)), ("1w3d", timedelta(days=10))],
)
def test_parse_every_reads_hours_days_and_weeks(text, expected):
    """A number and a unit (h, d, w), possibly several."""
    assert parse_every(text) == expected


@pytest.mark.parametrize("text", ["", "2", "two weeks", "2m", "2w x"])
def test_parse_every_refuses_what_is_not_an_interval(text):
    """Anything else is an error whose hint shows the format."""
    with pytest.raises(RunStoreError, match="is not an interval") as info:
        parse_every(text)
    assert "2w" in info.value.hint
