"""The domain classifier: it sees the correlation change univariate tests miss, and stays at
AUC 0.5 when nothing changed."""

from __future__ import annotations

import numpy as np
import pytest

from learnburn.errors import DriftError
from learnburn.monitoring import build_reference, check_drift, domain_classifier


def test_butterfly_is_missed_by_univariate_tests_and_caught_by_the_classifier(butterfly):
    """Correlation +0.8 -> -0.8 with unchanged marginals: no column drifts, the dataset does."""
    rng = np.random.default_rng(30)
    reference, current = butterfly(rng, 5000, 0.8), butterfly(rng, 2000, -0.8)
    doc = build_reference(reference, numeric=["x1", "x2"], categorical=["g"])
    report = check_drift(doc, current, reference_sample=reference.iloc[:2000])
    assert report.drifted_columns == ()
    mv = report.multivariate
    assert mv["drifted"] and mv["low"] > 0.8
    assert report.drifted
    without = check_drift(doc, current)
    assert without.multivariate is None and not without.drifted


def test_no_drift_gives_auc_near_half_with_an_interval_containing_it(butterfly):
    """Same distribution on both sides: AUC ~0.5, 0.5 inside the interval, no drift."""
    rng = np.random.default_rng(31)
    result = domain_classifier(
        butterfly(rng, 2000, 0.8),
        butterfly(rng, 3000, 0.8),
        numeric=["x1", "x2"],
        categorical=["g"],
        seed=1,
    )
    assert result["auc"] == pytest.approx(0.5, abs=0.03)
    assert result["low"] <= 0.5 <= result["high"]
    assert not result["drifted"]
    assert (result["rows_reference"], result["rows_current"]) == (2000, 3000)


def test_rows_are_capped_and_the_result_is_reproducible(butterfly):
    """Each side is subsampled to max_rows; the same seed gives the same AUC."""
    rng = np.random.default_rng(32)
    reference, current = butterfly(rng, 3000, 0.0), butterfly(rng, 3000, 0.5)
    first = domain_classifier(
        reference, current, numeric=["x1", "x2"], categorical=["g"], max_rows=1000, seed=3
    )
    again = domain_classifier(
        reference, current, numeric=["x1", "x2"], categorical=["g"], max_rows=1000, seed=3
    )
    assert first == again
    assert (first["rows_reference"], first["rows_current"]) == (1000, 1000)


def test_new_categories_separate_the_samples(butterfly):
    """A category seen only in current data is enough to tell the samples apart."""
    rng = np.random.default_rng(33)
    reference, current = butterfly(rng, 1000, 0.0), butterfly(rng, 1000, 0.0)
    current.loc[:499, "g"] = "new"
    result = domain_classifier(reference, current, numeric=["x1", "x2"], categorical=["g"])
    assert result["drifted"] and result["auc"] > 0.7


def test_too_few_rows_are_reported_not_guessed(butterfly):
    """Under 20 rows a side, the check is skipped with a note."""
    rng = np.random.default_rng(34)
    result = domain_classifier(
        butterfly(rng, 10, 0.0), butterfly(rng, 500, 0.0), numeric=["x1", "x2"], categorical=["g"]
    )
    assert result["auc"] is None and not result["drifted"] and "skipped" in result["note"]


def test_missing_columns_are_refused(butterfly):
    """A column absent from either table raises DriftError."""
    rng = np.random.default_rng(35)
    with pytest.raises(DriftError, match="x3"):
        domain_classifier(
            butterfly(rng, 100, 0.0), butterfly(rng, 100, 0.0), numeric=["x1", "x3"], categorical=[]
        )
