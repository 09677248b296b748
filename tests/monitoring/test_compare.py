"""Counting a column's current values into the reference cells."""

from __future__ import annotations

import numpy as np

from learnburn.monitoring._compare import sorted_bin_counts
from learnburn.monitoring._reference import bin_counts


def test_sorted_bin_counts_equal_bin_counts_with_values_on_the_edges():
    """Counting sorted values by a binary search per edge gives the counts of a search per
    value, values equal to an edge included (they fall in the bin above it)."""
    rng = np.random.default_rng(3)
    values = np.concatenate([rng.integers(0, 20, 5000).astype(float), rng.normal(10, 5, 5000)])
    edges = np.array([-1.0, 2.0, 5.0, 5.5, 9.0, 12.0, 19.0, 40.0])
    present = np.sort(values)
    np.testing.assert_array_equal(sorted_bin_counts(edges, present), bin_counts(edges, values))


def test_sorted_bin_counts_of_no_values_are_zeros():
    """No current values: every cell counts zero."""
    counts = sorted_bin_counts(np.array([1.0, 2.0]), np.array([]))
    np.testing.assert_array_equal(counts, [0, 0, 0])
