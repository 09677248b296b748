"""Test data with known truth: stream generators with known concept-drift points."""
