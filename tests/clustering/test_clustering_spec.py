"""The clustering spec: the [clustering] table, its defaults, and what does not apply."""

from __future__ import annotations

import pytest

from learnburn import Experiment
from learnburn.errors import SpecError
from learnburn.spec import ClusteringSpec, parse_spec, spec_to_toml

BASE = """\
[experiment]
name = "segments"
task = "clustering"

[data]
path = "customers.csv"

[clustering]
k = [2, 6]
resamples = 10

[candidates.kmeans]

[candidates.mixture]
model = "gaussian_mixture"
params = { covariance_type = "diag" }
"""


def problems_of(text: str) -> dict[str, tuple[str, str]]:
    with pytest.raises(SpecError) as caught:
        parse_spec(text)
    return {p.path: (p.message, p.hint) for p in caught.value.problems}


def test_a_clustering_spec_loads_with_its_settings_and_no_target():
    """task = "clustering" loads; unset keys take the documented defaults."""
    spec = parse_spec(BASE)
    assert spec.task == "clustering" and spec.data.target is None
    assert spec.clustering == ClusteringSpec(k=(2, 6), resamples=10)
    assert spec.clustering.k_values == (2, 3, 4, 5, 6)
    assert spec.clustering.metric == "silhouette" and spec.clustering.stability_floor == 0.6


def test_a_clustering_spec_without_the_table_gets_the_defaults():
    """Without [clustering], k runs from 2 to 8 with 20 resamples."""
    spec = parse_spec(BASE.replace("[clustering]\nk = [2, 6]\nresamples = 10\n", ""))
    assert spec.clustering == ClusteringSpec()


def test_the_spec_writes_back_to_the_same_spec():
    """spec_to_toml of a clustering spec reads back equal (seed only under [evaluation])."""
    spec = parse_spec(BASE)
    text = spec_to_toml(spec)
    assert "[clustering]" in text and 'metric = "roc_auc"' not in text
    assert parse_spec(text).content_hash() == spec.content_hash()


def test_a_classification_spec_hash_does_not_include_clustering():
    """Classification specs hash as before: no clustering key in their content."""
    spec = parse_spec(BASE.replace('"clustering"', '"classification"').replace(
        "[clustering]\nk = [2, 6]\nresamples = 10\n", "").replace(
        "[candidates.kmeans]\n\n[candidates.mixture]\nmodel = \"gaussian_mixture\"\n"
        "params = { covariance_type = \"diag\" }\n", "[candidates.dummy]\n").replace(
        'path = "customers.csv"', 'path = "customers.csv"\ntarget = "y"'))  # fmt: skip
    assert spec.clustering is None and "clustering" not in spec.to_dict()


@pytest.mark.parametrize(
    ("old", "new", "path", "words"),
    [
        ("k = [2, 6]", "k = [6, 2]", "clustering.k", "smallest, largest"),
        ("k = [2, 6]", "k = [1, 6]", "clustering.k[0]", "integer >= 2"),
        ("resamples = 10", "resamples = 1", "clustering.resamples", "[2, 1000]"),
        ("resamples = 10", 'metric = "roc_auc"', "clustering.metric", "silhouette"),
        ("[clustering]", "[evaluation]\nfolds = 3\n[clustering]", "evaluation.folds", "apply"),
        ("[clustering]", '[evaluation]\nmetric = "roc_auc"\n[clustering]', "evaluation.metric",
         "does not apply to clustering"),
        ("[clustering]", "[decision.costs]\nfalse_positive = 1.0\n[clustering]", "decision",
         "does not apply to clustering"),
        ("[candidates.kmeans]", "[candidates.lightgbm]", "candidates.lightgbm",
         "not a clustering candidate"),
        ("[candidates.kmeans]", "[candidates.kmean]", "candidates.kmean", "unknown clustering"),
        ("[candidates.kmeans]", "[candidates.kmeans]\nparams = { n_clusters = 1 }",
         "candidates.kmeans.params.n_clusters", "integer >= 2"),
    ],
)  # fmt: skip
def test_each_mistake_is_reported_at_its_key(old, new, path, words):
    """One mistake in a clustering spec gives one problem, at its key path."""
    assert old in BASE
    problems = problems_of(BASE.replace(old, new, 1))
    assert list(problems) == [path]
    assert words in problems[path][0]


def test_a_clustering_candidate_in_a_classification_spec_says_to_set_the_task():
    """kmeans in a classification spec: the hint names task = "clustering"."""
    text = BASE.replace("[clustering]\nk = [2, 6]\nresamples = 10\n", "").replace(
        '"clustering"', '"classification"').replace(
        'path = "customers.csv"', 'path = "customers.csv"\ntarget = "y"')  # fmt: skip
    problems = problems_of(text)
    assert "clustering candidate" in problems["candidates.kmeans"][0]
    assert 'task = "clustering"' in problems["candidates.kmeans"][1]


def test_experiment_builds_a_clustering_spec_from_python():
    """Experiment(task="clustering") gives a valid spec with default clustering settings."""
    experiment = Experiment(
        "segments", data="customers.csv", task="clustering", candidates=["kmeans", "hdbscan"]
    )
    assert experiment.spec.clustering == ClusteringSpec()
    assert "[clustering]" in experiment.to_toml()
