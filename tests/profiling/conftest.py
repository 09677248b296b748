"""Shared fixtures for reading profiles: the fixture profile, as a path and as parsed JSON."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def profile_path() -> Path:
    return FIXTURES / "profile.json"


@pytest.fixture
def profile_data(profile_path) -> dict:
    """The fixture profile as parsed JSON (a fresh copy: tests may change it)."""
    return copy.deepcopy(json.loads(profile_path.read_text()))
