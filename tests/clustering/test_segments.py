"""Segment profiles: each cluster's size, share and the features that set it apart."""

from __future__ import annotations

import numpy as np
import pandas as pd

from learnburn.data import infer_schema
from learnburn.evaluation import profile_segments


def test_a_segment_names_the_feature_and_category_that_set_it_apart():
    """The high-spend cluster is described by spend (+ sd) and its dominant channel."""
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({
        "spend": np.r_[rng.normal(100, 5, 60), rng.normal(20, 5, 140)],
        "visits": rng.normal(10, 1, 200),
        "channel": ["web"] * 55 + ["shop"] * 145,
    })  # fmt: skip
    labels = np.r_[np.ones(60, int), np.zeros(140, int)]
    segments = profile_segments(frame, infer_schema(frame), labels)
    assert [s.cluster for s in segments] == [0, 1]  # largest first
    high = segments[1]
    assert high.size == 60 and high.share == 0.3
    assert [t["feature"] for t in high.traits] == ["spend", "channel"]  # visits: no difference
    assert high.traits[0]["effect"] > 1 and high.traits[1]["value"] == "web"
    assert high.summary.startswith("cluster 1: 60 rows (30%): spend high")


def test_noise_rows_come_last_as_their_own_segment():
    """HDBSCAN's noise (label -1) is listed after the clusters, named noise."""
    frame = pd.DataFrame({"x": np.r_[np.zeros(10), np.ones(10), [50.0, -50.0]]})
    labels = np.r_[np.zeros(10, int), np.ones(10, int), [-1, -1]]
    segments = profile_segments(frame, infer_schema(frame), labels)
    assert segments[-1].cluster == -1 and segments[-1].summary.startswith("noise: 2 rows")
