"""Test data with known truth: stream generators with known concept-drift points."""

from learnburn.testing._agrawal import AGRAWAL_FEATURES, agrawal_concept, agrawal_stream
from learnburn.testing._sea import SEA_THRESHOLDS, sea_concept, sea_stream

__all__ = [
    "AGRAWAL_FEATURES",
    "SEA_THRESHOLDS",
    "agrawal_concept",
    "agrawal_stream",
    "sea_concept",
    "sea_stream",
]
