"""Shared fixtures for the cost model: the fixture profile, the shipped price table read as of a
fixed day, and a writer of small price files."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path

import pytest

from learnburn.costs import load_prices
from learnburn.profiling import measurements_from_dict

PROFILE = Path(__file__).parents[1] / "profiling" / "fixtures" / "profile.json"
TODAY = date(2026, 11, 26)  # the day the fixture profile was written
HEADER = "service,item,unit,usd,region,source_url,as_of"


@pytest.fixture
def today() -> date:
    return TODAY


@pytest.fixture
def profile_path() -> Path:
    return PROFILE


@pytest.fixture
def profile_data(profile_path) -> dict:
    """The fixture profile as parsed JSON (a fresh copy: tests may change it)."""
    return copy.deepcopy(json.loads(profile_path.read_text()))


@pytest.fixture
def measurements(profile_data):
    return measurements_from_dict(profile_data, source="profile.json")


@pytest.fixture
def prices():
    """The price table shipped with learnburn, as of TODAY (its newest price is recent)."""
    return load_prices(today=TODAY)


@pytest.fixture
def write_prices(tmp_path):
    """Write price lines (under the standard header) to a CSV file and return its path."""

    def write(*lines: str, header: str = HEADER, name: str = "prices.csv") -> Path:
        path = tmp_path / name
        path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
        return path

    return write
