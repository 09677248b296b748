"""Choosing a clustering: k = 4 on four blobs, known groups recovered on wine, stability
intervals that narrow with more resamples, and the rule on hand-made scores."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from rich.console import Console

from learnburn.backends import LocalBackend
from learnburn.cli._render_clusters import print_clustering
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


@pytest.fixture(scope="module")
def elongated_result(elongated_csv, tmp_path_factory):
    spec = clustering_spec(
        tmp_path_factory.mktemp("spec") / "elongated.toml", elongated_csv,
        """
        [clustering]
        k = [2, 5]
        resamples = 5
        [candidates.kmeans]
        [candidates.gaussian_mixture]
        """,
        target="group",
    )  # fmt: skip
    return run_experiment(load_spec(spec))


def test_on_elongated_unequal_groups_the_silhouette_prefers_too_few_and_says_so(
    elongated_result,
):
    """Three groups, two long and thin, sizes 500/250/80: the silhouette's choice has two
    clusters, BIC points at the true three, and the record names k = 3 as the runner-up with
    what prefers it and why it was not chosen."""
    assert elongated_result.chosen.n_clusters == 2
    measures = {m["measure"]: m["k"] for m in elongated_result.comparison["measures"]}
    assert measures == {"silhouette": 2, "bic": 3, "stability": 2}
    runner_up = elongated_result.runner_up
    assert runner_up["k"] == 3 and runner_up["measures"] == ["bic"]
    assert runner_up["clustering"] == "gaussian_mixture[k=3]"
    assert runner_up["why"].startswith("BIC of the mixtures points at k = 3 (")
    assert "not chosen: the choice ranks stable clusterings by silhouette" in runner_up["why"]
    pointed = next(c for c in elongated_result.candidates if c.name == runner_up["clustering"])
    assert pointed.known_groups_ari > 0.9  # the runner-up is the true grouping
    assert elongated_result.to_dict()["comparison"]["runner_up"] == runner_up


def test_the_output_shows_where_each_measure_points_and_the_runner_up(elongated_result):
    """The printed run says the measures disagree, where each points, and the runner-up k."""
    console = Console(record=True, width=300)
    print_clustering(console, elongated_result)
    text = console.export_text()
    assert "The measures disagree (silhouette k = 2, BIC k = 3, stability k = 2)." in text
    assert "Runner-up: k = 3 (gaussian_mixture[k=3]): BIC of the mixtures points at" in text


def test_the_sentence_names_the_best_by_the_metric_when_a_tie_break_chose_another(
    elongated_result,
):
    """Two clusterings at k = 2 are practically equal on silhouette; the sentence names the
    better one as the best and the rule that chose the other."""
    best = next(c for c in elongated_result.candidates if c.name == elongated_result.best)
    chosen = elongated_result.chosen
    assert best.name != chosen.name and best.n_clusters == chosen.n_clusters
    reason = elongated_result.explanation
    assert f"the best silhouette is {best.silhouette:.3g} (gaussian_mixture with k = 2)" in reason
    assert elongated_result.comparison["decided_by"] in ("more stable", "spec order")
    assert f"the best silhouette ({chosen.silhouette:.3g})" not in reason


def test_a_stability_tie_break_at_the_same_k_is_named():
    """Silhouette 0.531 chosen over 0.536 at the same k because it is more stable: the sentence
    says 0.536 is the best and that stability broke the tie."""
    _, comparison = choose_clustering(
        (score("steady", 3, 0.531, 0.9), score("shaky", 3, 0.536, 0.7)),
        metric="silhouette", floor=0.6,
    )  # fmt: skip
    assert comparison["chosen"] == "steady" and comparison["best"] == "shaky"
    assert comparison["decided_by"] == "more stable"
    reason = comparison["reason"]
    assert "although the best silhouette is 0.536 (shaky)" in reason
    assert "more stable (adjusted Rand index 0.95 against 0.75), which breaks the tie" in reason
    assert "the best silhouette (0.531)" not in reason


def test_an_unstable_best_is_named_with_why_it_was_passed_over():
    """The best silhouette overall is unstable: the sentence names it and says so."""
    _, comparison = choose_clustering(
        (score("a", 3, 0.70, 0.4), score("b", 4, 0.60, 0.9)), metric="silhouette", floor=0.6
    )
    assert "although the best silhouette is 0.7 (a): that one is unstable" in comparison["reason"]
    assert "this is the best among the 1 clustering whose stability" in comparison["reason"]


def test_when_the_best_is_chosen_the_sentence_says_best_of_all():
    """No other rule applied: the chosen clustering is the best of all, and stable."""
    _, comparison = choose_clustering(
        (score("a", 3, 0.70, 0.9), score("b", 4, 0.60, 0.9)), metric="silhouette", floor=0.6
    )
    assert comparison["decided_by"] == "best"
    assert comparison["reason"].startswith("Chose a: the best silhouette (0.7) of all")


def test_measures_that_agree_leave_no_runner_up():
    """Silhouette, BIC and stability all at k = 3: no runner-up."""
    a = replace(score("a", 3, 0.70, 0.9), bic=100.0)
    b = replace(score("b", 4, 0.60, 0.8), bic=150.0)
    _, comparison = choose_clustering((a, b), metric="silhouette", floor=0.6)
    assert [m["k"] for m in comparison["measures"]] == [3, 3, 3]
    assert comparison["runner_up"] is None


def test_a_bic_difference_under_2_is_not_a_disagreement():
    """BIC 100.0 at k = 4 against 101.5 at the chosen k = 3 is a tie: it goes to k = 3."""
    a = replace(score("a", 3, 0.70, 0.9), bic=101.5)
    b = replace(score("b", 4, 0.60, 0.9), bic=100.0)
    _, comparison = choose_clustering((a, b), metric="silhouette", floor=0.6)
    assert comparison["runner_up"] is None


def test_the_runner_up_is_the_k_most_measures_prefer():
    """BIC and stability both point at k = 5 while silhouette chose k = 3."""
    a = replace(score("a", 3, 0.70, 0.7), bic=300.0)
    b = replace(score("b", 5, 0.55, 0.9), bic=200.0)
    c = replace(score("c", 4, 0.50, 0.8), bic=250.0)
    _, comparison = choose_clustering((a, b, c), metric="silhouette", floor=0.6)
    runner_up = comparison["runner_up"]
    assert runner_up["k"] == 5 and runner_up["measures"] == ["bic", "stability"]
    assert "BIC of the mixtures points at k = 5 (200.0, against 300.0 at k = 3)" in runner_up["why"]
    assert "stability points at k = 5 (adjusted Rand index 0.95" in runner_up["why"]


def test_a_runner_up_practically_as_good_says_the_fewest_clusters_rule_chose():
    """BIC points at k = 5, whose silhouette is a little higher than the chosen k = 3's: the
    why says the two are practically equal and the rule takes the fewest clusters."""
    a = replace(score("a", 3, 0.500, 0.9), bic=300.0)
    b = replace(score("b", 5, 0.505, 0.9), bic=200.0)
    _, comparison = choose_clustering((a, b), metric="silhouette", floor=0.6)
    assert comparison["chosen"] == "a" and comparison["runner_up"]["k"] == 5
    assert comparison["runner_up"]["why"].endswith(
        "not chosen: its silhouette 0.505 is practically as good as 0.5, and of practically "
        "equal clusterings the rule takes the fewest clusters."
    )


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
