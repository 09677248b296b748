"""check_drift under our default rule: worked PSI values, detection of known shifts, and the
false-alarm rate measured over repeated no-drift draws."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from learnburn.errors import DriftError
from learnburn.evaluation import holm
from learnburn.monitoring import build_reference, check_drift
from learnburn.monitoring._presets import PRESETS

NUMERIC, CATEGORICAL = ["a", "b"], ["c"]
LETTERS = list("vwxyz")  # the categories of column c, most frequent first


def reference_of(frame: pd.DataFrame, **kwargs) -> dict:
    return build_reference(frame, numeric=NUMERIC, categorical=CATEGORICAL, **kwargs)


def no_drift_runs(draw, n: int, draws: int, seed: int) -> tuple[np.ndarray, ...]:
    """Per column and draw: our verdict (no correction), the raw p-value, and PSI > 0.1."""
    rng = np.random.default_rng(seed)
    verdicts, p_values, fixed = [], [], []
    for _ in range(draws):
        report = check_drift(reference_of(draw(rng, n)), draw(rng, n), correction=None)
        verdicts += [column.drifted for column in report.columns]
        p_values += [column.p_value for column in report.columns]
        fixed += [column.psi > 0.1 for column in report.columns]
    return np.array(verdicts), np.array(p_values), np.array(fixed)


def test_psi_null_matches_the_chi_square_formula():
    """No drift, N = M = 1000, 10 decile bins: mean PSI ~ 9(1/N+1/M), 95% quantile ~ 0.0338."""
    rng = np.random.default_rng(7)
    psis, nulls = [], set()
    for _ in range(400):
        reference = build_reference(
            pd.DataFrame({"x": rng.normal(size=1000)}), numeric=["x"], categorical=[]
        )
        column = check_drift(reference, pd.DataFrame({"x": rng.normal(size=1000)})).columns[0]
        psis.append(column.psi)
        nulls.add(round(column.psi_null, 12))
    formula = (1 / 1000 + 1 / 1000) * stats.chi2.ppf(0.95, 9)
    assert nulls == {round(formula, 12)}
    assert formula == pytest.approx(0.03384, abs=1e-5)  # statistics.md 2.1
    assert np.mean(psis) == pytest.approx(9 * 0.002, rel=0.1)
    assert np.quantile(psis, 0.95) == pytest.approx(formula, rel=0.15)
    assert min(psis) >= 0


def test_psi_of_identical_samples_is_zero(draw):
    """Current data equal to the reference gives PSI 0, effect 0 and p-value 1."""
    frame = draw(np.random.default_rng(8), 2000)
    report = check_drift(reference_of(frame), frame)
    for column in report.columns:
        assert column.psi == pytest.approx(0.0, abs=1e-12)
        assert column.effect == pytest.approx(0.0, abs=0.01)
        assert column.p_value == pytest.approx(1.0)
    assert not report.drifted


def test_a_known_mean_shift_is_flagged_and_untouched_columns_are_not(draw):
    """Column a shifted by 0.5 sigma drifts, with effect ~0.5; b and c stay clean."""
    rng = np.random.default_rng(9)
    report = check_drift(reference_of(draw(rng, 5000)), draw(rng, 1000, shift=0.5))
    by_name = {column.name: column for column in report.columns}
    assert by_name["a"].drifted
    assert by_name["a"].effect == pytest.approx(0.5, abs=0.08)
    assert by_name["a"].ks_d == pytest.approx(0.197, abs=0.05)  # Phi(0.25) - Phi(-0.25)
    assert by_name["a"].psi_exceeds_null
    assert not by_name["b"].drifted and not by_name["c"].drifted
    assert report.drifted and report.drifted_columns == ("a",)


@pytest.mark.parametrize(("n", "draws"), [(1_000, 200), (10_000, 200), (100_000, 60)])
def test_false_alarm_rate_per_column_stays_below_five_percent(n, draws, draw):
    """No drift: our rule alarms on <= 5% of columns at every size, and its test is calibrated."""
    verdicts, p_values, _ = no_drift_runs(draw, n, draws, seed=n)
    assert verdicts.mean() <= 0.05
    # The test under the rule is calibrated (p uniform), so the bound above is not vacuous.
    assert stats.kstest(p_values, "uniform").pvalue > 0.01
    se = np.sqrt(0.05 * 0.95 / p_values.size)
    assert abs(np.mean(p_values < 0.05) - 0.05) <= 3 * se


def test_fixed_psi_rule_alarms_on_most_small_no_drift_samples(draw):
    """At 100 rows PSI > 0.1 fires on most numeric columns with no drift (statistics.md ~0.83)."""
    _, _, fixed = no_drift_runs(draw, 100, 150, seed=100)
    numeric = fixed.reshape(-1, 3)[:, :2]
    assert numeric.mean() > 0.5


def test_a_trivial_shift_on_huge_data_is_significant_but_not_flagged(draw):
    """0.03 sigma on 100,000 rows: tiny p-value, effect below the floor, no drift."""
    rng = np.random.default_rng(10)
    reference = reference_of(draw(rng, 100_000))
    column = check_drift(reference, draw(rng, 100_000, shift=0.03)).columns[0]
    assert column.p_value < 0.01
    assert column.effect < 0.1
    assert not column.drifted


def test_categorical_shift_is_flagged_by_jensen_shannon(draw):
    """Moving 20 points of share from v to z drifts c; JS matches scipy on the shares."""
    rng = np.random.default_rng(11)
    current = draw(rng, 2000)
    current["c"] = rng.choice(LETTERS, size=2000, p=[0.2, 0.3, 0.15, 0.1, 0.25])
    reference = reference_of(draw(rng, 5000))
    column = check_drift(reference, current).columns[2]
    shares = np.array(list(reference["columns"]["c"]["counts"].values()), float)
    observed = current["c"].value_counts().reindex(LETTERS).to_numpy(float)
    assert column.drifted and column.effect_name == "jensen_shannon"
    assert column.effect == pytest.approx(_js(shares, observed), rel=1e-9)
    assert column.effect > 0.1


def _js(p: np.ndarray, q: np.ndarray) -> float:
    p, q = p / p.sum(), q / q.sum()
    m = (p + q) / 2
    return float(np.sqrt((stats.entropy(p, m) + stats.entropy(q, m)) / 2))


def test_unknown_categories_get_their_own_bucket(draw):
    """A category the reference never saw is counted, named, and drives the verdict."""
    rng = np.random.default_rng(12)
    current = draw(rng, 2000)
    current.loc[:299, "c"] = "brand-new"
    column = check_drift(reference_of(draw(rng, 5000)), current).columns[2]
    assert column.unknown == 300
    assert column.new_categories == ("brand-new",)
    assert column.drifted


def test_missing_values_count_as_drift(draw):
    """10% of a turned missing, values otherwise unchanged: drift through the missing share."""
    rng = np.random.default_rng(13)
    current = draw(rng, 3000)
    current.loc[:299, "a"] = np.nan
    column = check_drift(reference_of(draw(rng, 5000)), current).columns[0]
    assert column.missing_reference == 0.0
    assert column.missing_current == pytest.approx(0.1)
    assert column.effect < 0.1  # the present values did not move
    assert column.drifted


def test_score_drift_is_judged_and_counts_for_the_dataset(draw):
    """Shifted predicted scores drift; unshifted ones do not."""
    rng = np.random.default_rng(14)
    frame = draw(rng, 3000)
    reference = reference_of(frame, scores=rng.beta(2, 5, size=3000))  # features unchanged
    stable = check_drift(reference, frame, current_scores=rng.beta(2, 5, size=1000))
    moved = check_drift(reference, frame, current_scores=rng.beta(4, 4, size=1000))
    assert not stable.scores.drifted and not stable.drifted
    assert moved.scores.drifted and moved.drifted
    assert moved.scores.name == "scores" and moved.drifted_columns == ()


def test_ranking_weights_drift_by_importance(draw):
    """Two drifted features: the important one ranks first despite the smaller shift."""
    rng = np.random.default_rng(15)
    reference = reference_of(draw(rng, 3000), importances={"a": 0.9, "b": 0.1, "c": 0.0})
    current = draw(rng, 3000, shift=0.4)
    current["b"] = current["b"] * 3
    report = check_drift(reference, current)
    assert [feature.name for feature in report.ranking] == ["a", "b"]
    top = report.ranking[0]
    assert top.importance == pytest.approx(0.9)
    assert top.weighted == pytest.approx(top.effect * 0.9)


@pytest.mark.parametrize("correction", ["holm", "bh", None])
def test_p_values_are_adjusted_across_columns(correction, draw):
    """Holm matches learnburn.evaluation.holm, BH scipy's false_discovery_control."""
    rng = np.random.default_rng(16)
    report = check_drift(
        reference_of(draw(rng, 2000)), draw(rng, 500, shift=0.1), correction=correction
    )
    raw = np.array([column.p_value for column in report.columns])
    adjusted = [column.p_adjusted for column in report.columns]
    if correction is None:
        assert adjusted == [None, None, None]
    elif correction == "holm":
        assert np.allclose(adjusted, holm(raw))
    else:
        assert np.allclose(adjusted, stats.false_discovery_control(raw, method="bh"))


def test_report_is_plain_json_and_describes_itself(draw):
    """to_dict() has no NaN; summary() names the verdict and the drifted columns."""
    rng = np.random.default_rng(17)
    current = draw(rng, 800, shift=1.0)
    current["b"] = np.nan  # no present value: effect None
    report = check_drift(reference_of(draw(rng, 2000)), current)
    data = json.loads(json.dumps(report.to_dict(), allow_nan=False))
    assert data["drifted"] is True and data["preset"] == "learnburn"
    assert data["columns"][1]["effect"] is None and data["columns"][1]["drifted"] is True
    assert data["drifted_columns"] == ["a", "b"]
    assert "Drift" in report.summary() and "a, b" in report.summary()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"preset": "evidentl"}, "Did you mean 'evidently'"),
        ({"alpha": 1.5}, "alpha"),
        ({"correction": "bonferroni"}, "correction"),
        ({"current_scores": np.ones(10)}, "holds no scores"),
        ({"reference_sample": [1, 2]}, "must be a DataFrame"),
    ],
)
def test_check_drift_refuses_bad_settings(kwargs, message, draw):
    """Bad settings raise DriftError with a hint."""
    rng = np.random.default_rng(18)
    with pytest.raises(DriftError, match=message) as caught:
        check_drift(reference_of(draw(rng, 200)), draw(rng, 100), **kwargs)
    assert caught.value.hint


def test_check_drift_refuses_current_data_without_the_reference_columns(draw):
    """A reference column absent from current data is named; an empty table is refused."""
    rng = np.random.default_rng(19)
    reference = reference_of(draw(rng, 200))
    with pytest.raises(DriftError, match=r"\['c'\]"):
        check_drift(reference, draw(rng, 100).drop(columns="c"))
    with pytest.raises(DriftError, match="non-empty"):
        check_drift(reference, draw(rng, 100).iloc[:0])
    with pytest.raises(DriftError, match="reference"):
        check_drift({"format": "learnburn-reference"}, draw(rng, 100))


@pytest.mark.parametrize("preset", ["learnburn", "psi"])
def test_rules_that_do_not_read_the_values_judge_as_if_they_were_kept(preset, monkeypatch):
    rng = np.random.default_rng(3)
    train = pd.DataFrame({"x": rng.normal(size=2000), "c": rng.choice(["a", "b"], 2000)})
    now = pd.DataFrame({"x": rng.normal(0.3, 1, 1500), "c": rng.choice(["a", "b", "z"], 1500)})
    now.loc[::7, "x"] = np.nan
    reference = build_reference(train, numeric=["x"], categorical=["c"])
    dropped = check_drift(reference, now, preset=preset)
    rule = PRESETS[preset]
    assert not rule.reads_values
    monkeypatch.setitem(PRESETS, preset, replace(rule, reads_values=True))
    kept = check_drift(reference, now, preset=preset)
    assert dropped == kept
    assert [c.rows_current for c in dropped.columns] == [1500, 1500]


def test_a_tall_table_checked_on_threads_gives_the_same_report(monkeypatch):
    rng = np.random.default_rng(5)
    train = pd.DataFrame({"x": rng.normal(size=3000), "c": rng.choice(["a", "b"], 3000)})
    now = pd.DataFrame({"x": rng.normal(0.2, 1, 2000), "c": rng.choice(["a", "b"], 2000)})
    reference = build_reference(train, numeric=["x"], categorical=["c"])
    sample = train.sample(500, random_state=1)
    alone = check_drift(reference, now, reference_sample=sample)
    monkeypatch.setattr("learnburn.monitoring._drift.PARALLEL_ROWS", 1)
    monkeypatch.setattr("learnburn.monitoring._drift.os.cpu_count", lambda: 4)
    threaded = check_drift(reference, now, reference_sample=sample)
    assert threaded == alone
