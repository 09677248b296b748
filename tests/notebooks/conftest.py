"""Notebook fixtures: a real git repository with an ignored data table, to hold notebooks."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# The tests (here and in tests/cli) import notebook_helpers by name.
sys.path.insert(0, str(Path(__file__).parent))

from notebook_helpers import make_project


@pytest.fixture
def project(tmp_path: Path, table_maker) -> Path:
    """A git repository with one commit; its data (data/table.csv) is ignored."""
    return make_project(tmp_path / "project", table_maker())
