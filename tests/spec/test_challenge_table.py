"""The [challenge] table: how a retrained model is judged against the live one."""

from __future__ import annotations

import textwrap

import pytest

from learnburn.errors import SpecError
from learnburn.spec import ChallengeSpec, parse_spec, spec_to_toml

BASE = """
    [experiment]
    name = "loans"

    [data]
    path = "loans.csv"
    target = "label"

    [candidates.logistic_regression]
"""


def _parse(extra: str = ""):
    return parse_spec(textwrap.dedent(BASE) + textwrap.dedent(extra))


def test_a_spec_without_a_challenge_table_has_none_and_hashes_as_before():
    """No [challenge]: None, and the content hash leaves the key out."""
    spec = _parse()
    assert spec.challenge is None and "challenge" not in spec.to_dict()


def test_the_challenge_table_is_read_and_written_back():
    """Its keys become a ChallengeSpec that spec_to_toml writes and parse_spec reads back."""
    spec = _parse('\n[challenge]\nmargin = 0.02\nwhen_equivalent = "cheaper"\n')
    assert spec.challenge == ChallengeSpec(margin=0.02, when_equivalent="cheaper")
    assert parse_spec(spec_to_toml(spec)).challenge == spec.challenge


def test_an_unknown_equivalence_rule_is_reported_with_its_key_path():
    """when_equivalent must be newer, cheaper or keep."""
    with pytest.raises(SpecError) as info:
        _parse('\n[challenge]\nwhen_equivalent = "always"\n')
    assert [p.path for p in info.value.problems] == ["challenge.when_equivalent"]
