"""The clustering registry and ClusterAssigner: every family builds, fits, and assigns rows."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone

from learnburn.candidates import (
    AGGLOMERATIVE_ROWS,
    ClusterAssigner,
    build_clusterer,
    candidate_names,
    check_clusterer,
    clusterer_names,
    k_parameter,
)
from learnburn.data import infer_schema
from learnburn.errors import CandidateError

from .conftest import blobs

FAMILIES = ("kmeans", "minibatch_kmeans", "gaussian_mixture", "hdbscan", "agglomerative", "birch")


@pytest.fixture(scope="module")
def table():
    return blobs(240).drop(columns="group")


def test_the_registry_lists_six_families_apart_from_the_classifiers():
    """The six clustering families are registered, none of them among the classifiers."""
    assert clusterer_names() == FAMILIES
    assert not set(FAMILIES) & set(candidate_names())


def test_each_family_declares_the_parameters_its_estimator_takes():
    """Every declared parameter exists on the estimator, and the defaults pass the rules."""
    for name in FAMILIES:
        assert check_clusterer(name, {}) == []
    assert k_parameter("kmeans") == "n_clusters"
    assert k_parameter("gaussian_mixture") == "n_components"
    assert k_parameter("hdbscan") is None


@pytest.mark.parametrize("name", FAMILIES)
def test_each_family_fits_and_assigns_rows_with_probabilities(name, table):
    """fit_predict gives labels numbered by size; predict_proba rows sum to 1 and their argmax
    is predict; refitting with the same seed gives the same labels."""
    k = k_parameter(name)
    params = {} if k is None else {k: 4}
    pipeline = build_clusterer(name, params, infer_schema(table), seed=0, rows=len(table))
    labels = clone(pipeline).fit_predict(table)
    again = pipeline.fit_predict(table)
    assert np.array_equal(labels, again)
    sizes = np.bincount(labels[labels >= 0])
    assert list(sizes) == sorted(sizes, reverse=True)
    proba = pipeline.predict_proba(table)
    assert proba.shape == (len(table), len(pipeline[-1].classes_))
    assert np.allclose(proba.sum(axis=1), 1.0)
    assert np.array_equal(pipeline.predict(table), pipeline[-1].classes_[proba.argmax(axis=1)])
    assert (pipeline.predict(table) == labels)[labels >= 0].mean() > 0.9


def test_a_row_half_way_between_two_centres_gets_half_of_each():
    """The soft assignment is symmetric: a midpoint gets 0.5 and 0.5; a centre nearly 1."""
    points = np.array([[-5.0, 0.0], [-5.2, 0.1], [-4.8, -0.1], [5.0, 0.0], [5.2, 0.1], [4.8, -0.1]])
    from sklearn.cluster import KMeans

    assigner = ClusterAssigner(KMeans(2, n_init=2, random_state=0)).fit(points)
    proba = assigner.predict_proba(np.array([[0.0, 0.0], [5.0, 0.0]]))
    assert np.allclose(proba[0], [0.5, 0.5])
    assert proba[1].max() > 0.999
    assert assigner.transform(np.array([[5.0, 0.0]])).min() < 0.1


def test_a_mixture_gives_its_own_posterior():
    """For a Gaussian mixture, predict_proba is the mixture's posterior (columns by size)."""
    from sklearn.mixture import GaussianMixture

    points = blobs(200)[["a", "b"]].to_numpy()
    assigner = ClusterAssigner(GaussianMixture(3, random_state=0)).fit(points)
    posterior = assigner.mixture_.predict_proba(points)[:, assigner.order_]
    assert np.allclose(assigner.predict_proba(points), posterior)
    assert assigner.bic_ is not None


def test_agglomerative_refuses_a_table_above_its_row_limit(table):
    """Above 20,000 rows agglomerative clustering is refused, with a hint to sample or scale."""
    with pytest.raises(CandidateError, match="limited to 20,000 rows") as caught:
        build_clusterer(
            "agglomerative", {}, infer_schema(table), seed=0, rows=AGGLOMERATIVE_ROWS + 1
        )
    assert "minibatch_kmeans" in caught.value.hint and "sample" in caught.value.hint
