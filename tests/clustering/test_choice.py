"""Choosing a clustering: k = 4 on four blobs, known groups recovered on wine, stability
intervals that narrow with more resamples, and the rule on hand-made scores."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from learnburn.backends import LocalBackend
from learnburn.data import load_dataset
from learnburn.evaluation import (
    ClusterScore,
    choose_clustering,
    evaluate_clusterings,
    expand_clusterings,
    stability_interval,
)
from learnburn.spec import CandidateSpec, load_spec
from learnburn.workflows import run_experiment

from .conftest import clustering_spec


@pytest.fixture(scope="module")
def blobs_result(blobs_csv, tmp_path_factory):
    spec = clustering_spec(
        tmp_path_factory.mktemp("spec") / "blobs.toml", blobs_csv,
        """
        [clustering]
        k = [2, 6]
        resamples = 5
        [candidates.kmeans]
        [candidates.gaussian_mixture]
        [candidates.agglomerative]
        """,
    )  # fmt: skip
    return run_experiment(load_spec(spec))


def test_four_blobs_give_k_4_and_a_sentence_that_explains_it(blobs_result):
    """On generated blobs with 4 true groups, the chosen clustering has k = 4."""
    chosen = blobs_result.chosen
    assert chosen.k == 4 and chosen.n_clusters == 4
    assert blobs_result.explanation.startswith(f"Chose {chosen.model} with k = 4")
    assert "stability interval" in blobs_result.explanation
    assert chosen.stability_low >= 0.6 and chosen.silhouette_rows == 320


def test_the_record_serialises_and_ranks_every_clustering(blobs_result):
    """to_dict is JSON-safe; one row per candidate and k, chosen first, folds per resample."""
    record = blobs_result.to_dict()
    assert len(record["candidates"]) == 3 * 5
    assert blobs_result.leaderboard()[0].verdict == "chosen"
    assert len(record["folds"]) == 15 * 5
    assert blobs_result.to_json()


def test_wine_recovers_its_cultivars_better_than_shuffled_labels(wine_csv, tmp_path):
    """On wine, the ARI against the known cultivars is reported and beats the shuffled
    baseline (its 95th percentile over 200 shuffles)."""
    spec = clustering_spec(
        tmp_path / "wine.toml", wine_csv,
        """
        [clustering]
        k = [2, 4]
        resamples = 4
        [candidates.kmeans]
        """,
        target="cultivar",
    )  # fmt: skip
    result = run_experiment(load_spec(spec))
    known = result.known_groups
    assert known["column"] == "cultivar" and known["groups"] == 3
    assert known["adjusted_rand"] > known["shuffled_high"] + 0.5
    assert known["beats_chance"] and abs(known["shuffled_mean"]) < 0.05
    assert "cultivar" not in result.data["features"]
    assert all(c.known_groups_ari is not None for c in result.candidates)


def test_stability_intervals_narrow_as_resamples_grow(blobs_csv):
    """The 95% interval of the mean ARI is narrower with 24 resamples than with 4."""
    dataset = load_dataset(blobs_csv, target=None, task="clustering", drop=["group"])
    configs = expand_clusterings([CandidateSpec("kmeans", "kmeans")], [6])

    def width(resamples: int) -> float:
        (fit,) = evaluate_clusterings(
            dataset.features, dataset.schema, configs, resamples=resamples,
            silhouette_sample=500, seed=0, backend=LocalBackend(1),
        )  # fmt: skip
        return fit.score.stability_high - fit.score.stability_low

    few, many = width(4), width(24)
    assert 0 < many < few


def test_stability_interval_is_the_t_interval_of_the_mean():
    """mean ± t(0.975, n-1) · sd / sqrt(n), clipped to [-1, 1]."""
    low, high = stability_interval(np.array([0.5, 0.7, 0.6, 0.8]))
    half = 3.182446305284263 * np.std([0.5, 0.7, 0.6, 0.8], ddof=1) / 2
    assert low == pytest.approx(0.65 - half) and high == pytest.approx(0.65 + half)
    assert stability_interval(np.array([1.0, 1.0, 1.0])) == (1.0, 1.0)


def score(name: str, k: int, silhouette: float, low: float, smallest: float = 0.2):
    return ClusterScore(
        name=name, model="kmeans", params={}, preprocessing="auto", k=k, status="ok",
        n_clusters=k, smallest_share=smallest, silhouette=silhouette, stability=low + 0.05,
        stability_low=low, stability_high=min(1.0, low + 0.1), resamples=10,
    )  # fmt: skip


def test_the_best_stable_quality_wins_and_unstable_ones_are_passed_over():
    """An unstable clustering with a better silhouette is not chosen."""
    ranked, comparison = choose_clustering(
        (score("a", 3, 0.70, 0.4), score("b", 4, 0.60, 0.9)), metric="silhouette", floor=0.6
    )
    assert comparison["chosen"] == "b" and comparison["best"] == "a"
    verdicts = {s.name: s.verdict for s in ranked}
    assert verdicts == {"a": "unstable (ARI low 0.40 < 0.6)", "b": "chosen"}


def test_fewer_clusters_win_among_practically_equal_ones():
    """Within 0.01 of the best silhouette, the clustering with fewer clusters is chosen."""
    _, comparison = choose_clustering(
        (score("five", 5, 0.505, 0.9), score("three", 3, 0.50, 0.9)),
        metric="silhouette", floor=0.6,
    )  # fmt: skip
    assert comparison["chosen"] == "three"
    assert "with fewer clusters" in comparison["reason"]


def test_a_clustering_with_a_tiny_cluster_is_not_chosen():
    """Splitting off 1% of the rows as a cluster is not a segmentation."""
    ranked, comparison = choose_clustering(
        (score("outliers", 2, 0.8, 0.9, smallest=0.01), score("segments", 3, 0.3, 0.9)),
        metric="silhouette", floor=0.6, min_share=0.02,
    )  # fmt: skip
    assert comparison["chosen"] == "segments"
    assert next(s for s in ranked if s.name == "outliers").verdict.startswith("tiny cluster")


def test_when_none_is_stable_the_most_stable_is_chosen_with_a_caution():
    """No clustering reaches the floor: the most stable is chosen, and the sentence says so."""
    _, comparison = choose_clustering(
        (score("a", 3, 0.7, 0.2), score("b", 4, 0.5, 0.5)), metric="silhouette", floor=0.6
    )
    assert comparison["chosen"] == "b"
    assert "caution" in comparison["reason"]


def test_davies_bouldin_is_lower_is_better():
    """With metric davies_bouldin, the lower index wins."""
    a = replace(score("a", 3, 0.5, 0.9), davies_bouldin=0.9)
    b = replace(score("b", 3, 0.5, 0.9), davies_bouldin=0.4)
    _, comparison = choose_clustering((a, b), metric="davies_bouldin", floor=0.6)
    assert comparison["chosen"] == "b"
