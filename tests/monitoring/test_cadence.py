import json

import numpy as np
import pytest

from learnburn.errors import CadenceError
from learnburn.monitoring._cadence import (
    backtest_cadence,
    plan_cadence,
    plan_windows,
    summarise_cadence,
    summarise_windows,
)
from learnburn.monitoring._cadence_checks import parse_windows, search_widths
from learnburn.testing import sea_stream

ROWS_PER_PERIOD = 300


def threshold_learner(total: np.ndarray, label: np.ndarray):
    """A fast exact learner for SEA: the cut on f1 + f2 that best fits the training rows;
    scored by accuracy on each group of test rows."""

    def fit_and_score(train, groups):
        order = np.argsort(total[train])
        ordered, y = total[train][order], label[train][order]
        ones_before = np.concatenate([[0], np.cumsum(y)])
        zeros_after = (len(y) - np.arange(len(y) + 1)) - (y.sum() - ones_before)
        k = int(np.argmax(ones_before + zeros_after))
        theta = ordered[k - 1] if k else -np.inf
        return [float(np.mean((total[g] <= theta) == label[g])) for g in groups]

    return fit_and_score


def sea_backtest(drift_every: int | None, *, seed: int = 0, window="sliding:2", **kwargs):
    n_periods = 60
    n = n_periods * ROWS_PER_PERIOD
    step = (drift_every or n_periods) * ROWS_PER_PERIOD
    frame = sea_stream(n, drift_points=tuple(range(step, n, step)), seed=seed)
    periods = np.arange(n) // ROWS_PER_PERIOD
    learner = threshold_learner((frame["f1"] + frame["f2"]).to_numpy(), frame["label"].to_numpy())
    kwargs.setdefault("tolerance", 0.01)
    return backtest_cadence(periods, (1, 2, 4, 8), learner, window=window, **kwargs)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("window", ["expanding", "sliding:2"])
def test_a_stationary_stream_recommends_the_longest_interval_with_no_loss(seed, window):
    """Without drift, waiting costs nothing: the longest interval tested, degradation ~ 0."""
    report = sea_backtest(None, seed=seed, window=window)
    assert report.recommended == 8
    for result in report.intervals:
        assert abs(result.mean_degradation) < 0.002
        assert result.within_tolerance


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_frequent_abrupt_drift_shrinks_the_recommended_interval(seed):
    """A change every 5 periods calls for retraining every period; one every 30 allows 4+."""
    rare = sea_backtest(30, seed=seed)
    frequent = sea_backtest(5, seed=seed)
    assert rare.recommended >= 4
    assert frequent.recommended == 1 < rare.recommended
    assert frequent.interval(2).mean_degradation > rare.interval(2).mean_degradation


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_window_search_recommends_a_shorter_interval_for_more_frequent_drift(seed):
    """With the default window search, a change every 5 periods gets a shorter recommended
    interval than a change every 20, on a short sliding window."""
    frequent = sea_backtest(5, seed=seed, window="auto")
    rare = sea_backtest(20, seed=seed, window="auto")
    assert frequent.recommended < rare.recommended
    assert frequent.window.startswith("sliding:")
    assert [w.window for w in frequent.windows] == [
        "expanding", "sliding:2", "sliding:4", "sliding:8", "sliding:15"
    ]  # fmt: skip


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_expanding_window_alone_hides_frequent_drift_and_the_search_says_so(seed):
    """Backtested alone, the expanding window recommends the longest interval for a change
    every 5 periods (its every-period model already trails the data); the search recommends
    retraining every period and notes what the expanding window loses."""
    assert sea_backtest(5, seed=seed, window="expanding").recommended == 8
    searched = sea_backtest(5, seed=seed, window="auto")
    assert searched.recommended == 1
    assert any(note.startswith("the expanding window loses") for note in searched.notes)
    assert searched.reason.startswith(f"retrain every 1 period on a {searched.window} window")


def two_windows(tolerance: float):
    """Expanding scores 0.9 fresh and loses 0.02 per period of age; sliding:3 scores 0.895
    at every age."""
    search = plan_windows(np.repeat(np.arange(40), 5), (1, 2, 4), windows="expanding,sliding:3")
    expanding, sliding = search.plans
    flat = {key: 0.895 for key in scored_by_age(sliding, 0.0)}
    return summarise_windows(
        [(expanding, scored_by_age(expanding, 0.02)), (sliding, flat)], tolerance=tolerance
    )


def test_the_pair_is_the_longest_interval_any_window_keeps_within_the_tolerance():
    """Against the best every-period model (expanding, 0.9), expanding every 2 loses 0.01 and
    sliding:3 loses 0.005 at every interval: within 0.008 the pair is (4, sliding:3), and the
    sentence names the reference and the bound."""
    report = two_windows(0.008)
    assert (report.recommended, report.window) == (4, "sliding:3")
    assert report.reference_window == "expanding"
    expanding, sliding = report.windows
    assert expanding.recommended == 1 and sliding.recommended == 4
    assert [i.mean_degradation for i in sliding.intervals] == pytest.approx([0.005] * 3)
    assert report.interval(1).mean_degradation == pytest.approx(0.005)  # not the base here
    assert "expanding retrained every period scores best (mean metric 0.9000" in report.reason
    assert "sliding:3 every 4 periods stays within 0.008 of it" in report.reason


def test_at_equal_interval_the_window_that_loses_least_is_recommended():
    """When both windows keep the longest interval within the tolerance, the one that loses
    less wins: here the tolerance admits expanding every 4 (loss 0.03) and sliding:3 (0.005)."""
    report = two_windows(0.04)
    assert (report.recommended, report.window) == (4, "sliding:3")
    assert all(w.recommended == 4 for w in report.windows)


def test_a_window_that_leaves_a_retrain_nothing_to_learn_from_is_left_out_with_a_note():
    """A gap in the data empties a short sliding window: the search goes on without it."""
    periods = np.concatenate([np.repeat(np.arange(20), 3), np.repeat(np.arange(23, 60), 3)])
    search = plan_windows(periods, (1, 2), windows="expanding,sliding:2,sliding:8")
    assert [p.window for p in search.plans] == [None, 8]
    assert search.notes[0].startswith("sliding:2 window left out: no labelled rows")


def test_a_bad_list_of_windows_is_a_cadence_error_with_a_hint():
    """An empty entry in a list of windows says what a list looks like."""
    with pytest.raises(CadenceError, match="a list of them separated by commas") as caught:
        plan_windows(np.repeat(np.arange(30), 2), (1, 2), windows="expanding,")
    assert "--window expanding,sliding:8" in caught.value.hint


def test_search_widths_span_2_periods_to_a_quarter_of_the_data():
    """Four sliding windows on a log scale from 2 periods to a quarter of the periods."""
    assert search_widths(60) == (2, 4, 8, 15)
    assert search_widths(104) == (2, 5, 11, 26)
    assert search_widths(7) == ()
    assert parse_windows("auto") is None
    assert parse_windows("expanding, sliding:4") == (None, 4)


def test_under_drift_the_loss_grows_with_the_interval_and_with_model_age():
    """Waiting longer loses more, and older models score worse than fresh ones."""
    report = sea_backtest(5)
    losses = [r.mean_degradation for r in report.intervals]
    assert losses == sorted(losses) and losses[-1] > 0.02
    aging = {point.age: point for point in report.aging}
    assert aging[0].degradation["0.5"] == 0.0
    assert aging[7].mean_degradation > aging[1].mean_degradation > 0
    assert aging[7].mean_metric < aging[0].mean_metric
    assert report.crossing_age is not None and report.crossing_age <= 4


def scored_by_age(plan, slope: float):
    """Scores that fall by ``slope`` per period of model age: m(r, p) = 0.9 - slope (p - r)."""
    return {(t.period, p): 0.9 - slope * (p - t.period) for t in plan.tasks for p in t.tests}


def test_an_intervals_loss_is_its_mean_over_phases_of_the_age_loss():
    """With a loss of 0.01 per period of age, every N periods loses 0.01 (N - 1) / 2 in every
    period (the mean over the N phases), the bound equals it, and the recommendation is the
    longest interval within tolerance."""
    periods = np.repeat(np.arange(40), 5)
    plan = plan_cadence(periods, (1, 2, 4, 8))
    report = summarise_cadence(plan, scored_by_age(plan, 0.01), tolerance=0.016)
    for result in report.intervals:
        expected = 0.01 * (result.every - 1) / 2
        assert result.mean_degradation == pytest.approx(expected)
        assert result.upper_bound == pytest.approx(expected)
        assert result.mean_metric == pytest.approx(0.9 - expected)
    assert report.recommended == 4  # 0.015 <= 0.016 < 0.035
    assert [p.age for p in report.aging] == list(range(8))
    assert report.aging[3].degradation["0.5"] == pytest.approx(0.03)
    assert report.crossing_age == 2  # 0.02 > 0.016


def test_a_loss_metric_counts_a_rising_score_as_degradation():
    """For a metric where lower is better (log loss), a score rising with age is a loss."""
    periods = np.repeat(np.arange(40), 5)
    plan = plan_cadence(periods, (1, 2, 4))
    scores = {key: 1.8 - value for key, value in scored_by_age(plan, 0.01).items()}
    report = summarise_cadence(plan, scores, tolerance=0.01, greater_is_better=False)
    assert report.interval(4).mean_degradation == pytest.approx(0.015)
    assert report.recommended == 2


def test_every_interval_is_compared_on_the_same_periods_and_interval_1_is_added():
    """The baseline is always there, and every interval is scored from t0 + longest - 1."""
    periods = np.repeat(np.arange(30), 3)
    plan = plan_cadence(periods, (4, 2), warmup=3, label_delay=1)
    assert plan.intervals == (1, 2, 4)
    assert plan.first == 4 and plan.scored == range(7, 30)
    report = summarise_cadence(plan, scored_by_age(plan, 0.0), tolerance=0.0)
    assert {r.periods for r in report.intervals} == {23}
    assert len(report.periods) == 23 and report.periods[0] == "7"
    assert report.recommended == 4  # no loss at all: the longest passes even at tolerance 0


def test_retrains_learn_only_from_labels_known_by_then_within_the_window():
    """A model retrained at period r learns from periods < r - delay (the last W of them with
    a sliding window) and is scored on r up to r + longest - 1."""
    periods = np.repeat(np.arange(24), 4)
    plan = plan_cadence(periods, (1, 3), label_delay=2, window="sliding:5")
    assert plan.first == 7  # delay 2 + warmup 5 (the window)
    for task in plan.tasks:
        seen = set(periods[plan.train_rows(task)])
        assert seen == set(range(task.period - 7, task.period - 2))
        assert list(task.tests) == list(range(task.period, min(task.period + 3, 24)))
        tested = zip(task.tests, plan.test_rows(task), strict=True)
        assert all(set(periods[rows]) == {p} for p, rows in tested)
    expanding = plan_cadence(periods, (1, 3), label_delay=2)
    last = expanding.tasks[-1]
    assert set(periods[expanding.train_rows(last)]) == set(range(0, last.period - 2))


def test_rows_keep_table_order_when_the_table_is_not_sorted_by_time():
    """Rows are found by period wherever they sit in the table, and come back in table order."""
    periods = np.tile(np.arange(20), 3)  # period 0, 1, ..., 19, 0, 1, ...
    plan = plan_cadence(periods, (1, 2))
    assert list(plan.rows(3)) == [3, 23, 43]
    assert list(plan.train_rows(plan.tasks[0])) == [0, 1, 20, 21, 40, 41]


def test_the_report_is_plain_json_with_undefined_values_as_null():
    """to_dict() has only JSON values; a period whose metric is undefined becomes null."""
    periods = np.repeat(np.arange(30), 3)
    plan = plan_cadence(periods, (1, 2))
    scores = scored_by_age(plan, 0.001)
    scores[(10, 10)] = float("nan")
    data = summarise_cadence(plan, scores, tolerance=0.01).to_dict()
    text = json.dumps(data, allow_nan=False)
    assert json.loads(text)["intervals"][0]["degradation"].count(None) == 1
    assert data["recommended"] == 2 and data["window"] == "expanding"


def test_the_bound_is_reproducible_under_the_seed():
    """The same seed gives the same bounds; the bootstrap is not the system clock."""
    a = sea_backtest(10, seed=1, resamples=500)
    b = sea_backtest(10, seed=1, resamples=500)
    assert [r.upper_bound for r in a.intervals] == [r.upper_bound for r in b.intervals]


def test_a_shorter_interval_failing_while_a_longer_passes_is_noted():
    """When the loss is not monotone in the interval, the report says so."""
    periods = np.repeat(np.arange(40), 2)
    plan = plan_cadence(periods, (1, 2, 4))
    scores = scored_by_age(plan, 0.0)
    for r, p in scores:  # age 1 is bad, ages 2-3 fine: every 2 loses 0.05, every 4 0.025
        scores[(r, p)] = 0.8 if p - r == 1 else 0.9
    report = summarise_cadence(plan, scores, tolerance=0.03)
    assert report.recommended == 4
    assert any("not monotone" in note for note in report.notes)


BAD_SETTINGS = [
    ({"intervals": (0, 2)}, "intervals must be whole numbers"),
    ({"intervals": ("2",)}, "intervals must be whole numbers"),
    ({"window": "rolling:4"}, "window must be 'expanding' or 'sliding:W'"),
    ({"window": "sliding:0"}, "window must be 'expanding' or 'sliding:W'"),
    ({"label_delay": -1}, "label_delay must be a whole number"),
    ({"warmup": 0}, "warmup must be a whole number"),
    ({"intervals": (1, 13)}, "needs at least"),
    ({"periods": np.array([0.5, 1.5])}, "periods must be integers"),
    ({"periods": np.array([-1, 0, 1])}, "periods must be integers >= 0"),
]


@pytest.mark.parametrize(("change", "words"), BAD_SETTINGS)
def test_bad_settings_are_cadence_errors_with_a_hint(change, words):
    """Each bad setting says what was expected and what came, and how to fix it."""
    settings = {"periods": np.repeat(np.arange(30), 2), "intervals": (1, 2, 4), **change}
    with pytest.raises(CadenceError, match=words) as caught:
        plan_cadence(settings.pop("periods"), settings.pop("intervals"), **settings)
    assert caught.value.hint
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize("tolerance", [-0.01, float("nan"), float("inf"), "0.01"])
def test_a_bad_tolerance_is_a_cadence_error(tolerance):
    """The tolerance must be a finite number >= 0 in the metric's units."""
    plan = plan_cadence(np.repeat(np.arange(20), 2), (1, 2))
    with pytest.raises(CadenceError, match="tolerance") as caught:
        summarise_cadence(plan, {}, tolerance=tolerance)
    assert "metric's units" in caught.value.hint


def test_a_window_with_no_labelled_rows_is_refused_naming_the_period():
    """A gap in the data that leaves a retrain with nothing to learn from is an error."""
    periods = np.concatenate([np.repeat(np.arange(10), 3), np.repeat(np.arange(13, 40), 3)])
    with pytest.raises(CadenceError, match="at period 12: periods 10-11 are empty"):
        plan_cadence(periods, (1, 2), window="sliding:2")


def test_a_hook_returning_the_wrong_number_of_scores_is_refused():
    """fit_and_score must return one value per group of test rows."""
    with pytest.raises(CadenceError, match="returned 1 scores"):
        backtest_cadence(np.repeat(np.arange(20), 2), (1, 2), lambda train, groups: [0.5],
                         tolerance=0.01)  # fmt: skip
