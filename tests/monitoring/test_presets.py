"""Presets reproduce Evidently's and NannyML's default rules and the fixed PSI rule."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from scipy.spatial.distance import jensenshannon

from learnburn.monitoring import PRESETS, build_reference, check_drift


def report(reference: pd.DataFrame, current: pd.DataFrame, preset: str, **kwargs):
    doc = build_reference(reference, numeric=["a", "b"], categorical=["c"])
    return check_drift(doc, current, preset=preset, **kwargs)


def test_every_preset_is_registered_with_a_description():
    """Ours is the default; the others are listed."""
    assert list(PRESETS) == ["learnburn", "evidently", "nannyml", "psi"]
    assert all(preset.description for preset in PRESETS.values())


@pytest.mark.parametrize(
    ("rows", "numeric_test", "categorical_test"),
    [(1000, "ks", "chi-square"), (1001, "wasserstein (normed)", "jensen-shannon")],
)
def test_evidently_switches_tests_above_1000_reference_rows(
    rows, numeric_test, categorical_test, draw
):
    """<= 1000 reference rows: p-value tests; above: distances with threshold 0.1."""
    rng = np.random.default_rng(20)
    result = report(draw(rng, rows), draw(rng, 500), "evidently")
    assert [c.test for c in result.columns] == [numeric_test, numeric_test, categorical_test]
    thresholds = [c.threshold for c in result.columns]
    assert thresholds == ([0.05] * 3 if rows <= 1000 else [0.1] * 3)


def test_evidently_ks_equals_scipy_on_the_whole_reference_sample(draw):
    """With the reference sample holding every reference row, KS is scipy's ks_2samp."""
    rng = np.random.default_rng(21)
    reference, current = draw(rng, 600), draw(rng, 400, shift=0.2)
    column = report(reference, current, "evidently", reference_sample=reference).columns[0]
    assert column.statistic == pytest.approx(stats.ks_2samp(reference["a"], current["a"]).pvalue)
    assert column.drifted == (column.statistic <= 0.05)


def test_evidently_ks_from_the_profile_is_close_to_scipy(draw):
    """Without the sample, KS comes from the profile's D and the asymptotic law."""
    rng = np.random.default_rng(22)
    reference, current = draw(rng, 800), draw(rng, 700, shift=0.1)
    column = report(reference, current, "evidently").columns[0]
    exact = stats.ks_2samp(reference["a"], current["a"], method="asymp")
    assert column.ks_d == pytest.approx(exact.statistic, abs=0.006)
    assert column.statistic == pytest.approx(exact.pvalue, rel=0.5)


def test_evidently_small_categorical_uses_chi_square_against_reference_shares(draw):
    """p equals scipy.stats.chisquare with expected = reference shares scaled to current n."""
    rng = np.random.default_rng(23)
    reference, current = draw(rng, 900), draw(rng, 300)
    column = report(reference, current, "evidently").columns[2]
    ref = reference["c"].value_counts().sort_index().to_numpy(float)
    cur = current["c"].value_counts().sort_index().to_numpy(float)
    expected = ref / ref.sum() * cur.sum()
    assert column.statistic == pytest.approx(stats.chisquare(cur, expected).pvalue)


def test_evidently_uses_z_test_for_two_values_and_js_for_few_numeric_values():
    """A 0/1 numeric column is categorical to Evidently: Z test when small, JS when large."""
    rng = np.random.default_rng(24)

    def frame(n, p):
        return pd.DataFrame(
            {"a": rng.random(n) < p, "b": rng.normal(size=n), "c": rng.choice(["u", "v"], size=n)}
        )

    small = report(frame(500, 0.3), frame(500, 0.45), "evidently").columns
    assert (small[0].test, small[2].test) == ("z", "z")
    assert small[0].drifted
    large = report(frame(5000, 0.3), frame(5000, 0.3), "evidently").columns
    assert (large[0].test, large[2].test) == ("jensen-shannon", "jensen-shannon")
    assert not large[0].drifted


def test_evidently_dataset_drift_needs_half_the_columns(draw):
    """One of three columns drifting is not dataset drift; two of three is."""
    rng = np.random.default_rng(25)
    reference = draw(rng, 5000)
    one = draw(rng, 2000, shift=1.0)
    two = one.assign(b=one["b"] * 3)
    assert report(reference, one, "evidently").drifted_columns == ("a",)
    assert not report(reference, one, "evidently").drifted
    assert report(reference, two, "evidently").drifted


def test_nannyml_preset_is_base_2_jensen_shannon_on_doane_bins(draw):
    """The statistic equals JS (base 2) on numpy's Doane bins of the reference, plus a leftover
    bucket for current values outside them; alert above 0.1."""
    rng = np.random.default_rng(26)
    reference, current = draw(rng, 3000), draw(rng, 1000, shift=0.6)
    result = report(reference, current, "nannyml")
    edges = np.histogram_bin_edges(reference["a"], bins="doane")
    ref = np.append(np.histogram(reference["a"], edges)[0], 0) / 3000
    inside = np.histogram(current["a"], edges)[0]
    cur = np.append(inside, 1000 - inside.sum()) / 1000
    assert result.columns[0].statistic == pytest.approx(jensenshannon(ref, cur, base=2))
    assert result.columns[0].drifted and not result.columns[2].drifted
    assert result.drifted


def test_psi_preset_flags_psi_above_0_1(draw):
    """The fixed rule: drift exactly when PSI > 0.1."""
    rng = np.random.default_rng(27)
    result = report(draw(rng, 3000), draw(rng, 2000, shift=0.5), "psi")
    for column in result.columns:
        assert column.statistic == column.psi
        assert column.drifted == (column.psi > 0.1)
    assert result.columns[0].drifted
