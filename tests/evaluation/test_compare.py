from dataclasses import replace

import numpy as np
import pytest

from learnburn.evaluation import CandidateSummary, FoldScore, choose_candidate, compare_candidates


def _folds(name, scores, n_train=80, n_test=20):
    return [
        FoldScore(name, i // 5, i % 5, s, {}, 0.01, 0.001, n_train, n_test)
        for i, s in enumerate(scores)
    ]


def _summary(name, scores, rank, predict_time=0.001, model_bytes=1000):
    scores = np.asarray(scores)
    return CandidateSummary(
        name=name, model=name, params={}, preprocessing="auto", status="ok",
        mean=float(scores.mean()), std=float(scores.std(ddof=1)), ci_low=np.nan, ci_high=np.nan,
        n_folds=len(scores), fit_time=0.01, predict_time=predict_time, model_bytes=model_bytes,
        rank=rank,
    )  # fmt: skip


def _setup(gap, spread=0.01, seed=0, slow_best=True):
    rng = np.random.default_rng(seed)
    base = 0.85 + rng.normal(0, spread, 10)
    best = base + gap + rng.normal(0, spread / 4, 10)
    other = base
    folds = _folds("best", best) + _folds("other", other)
    summaries = [
        _summary("best", best, 1, predict_time=0.004 if slow_best else 0.001, model_bytes=9000),
        _summary("other", other, 2, predict_time=0.001, model_bytes=1000),
    ]
    return summaries, folds


def test_comparison_fills_corrected_intervals_probabilities_and_holm_p_values():
    """Every candidate gets a corrected interval; non-best ones get P(b/e/w) and a p-value."""
    summaries, folds = _setup(gap=0.05)
    result, comparison = compare_candidates(summaries, folds, metric="roc_auc", rope=0.01)
    by_name = {s.name: s for s in result}
    for s in result:
        assert s.ci_low < s.mean < s.ci_high
    other = by_name["other"]
    total = other.p_better + other.p_equivalent + other.p_worse
    assert total == pytest.approx(1.0)
    assert other.p_worse > 0.95 and "worse than best" in other.verdict
    assert 0 <= other.p_value <= 1
    assert comparison.best == "best"
    assert comparison.p_better["best"]["other"] == pytest.approx(other.p_worse)


def test_corrected_interval_is_wider_than_the_naive_one():
    """The corrected variance (1/J + n_test/n_train) widens the interval over the naive t."""
    summaries, folds = _setup(gap=0.0)
    result, _ = compare_candidates(summaries, folds, metric="roc_auc", rope=0.01)
    s = result[0]
    half_naive = 2.262 * s.std / np.sqrt(10)  # t(0.975, 9) = 2.262
    assert (s.ci_high - s.ci_low) / 2 > half_naive


def test_simplest_equivalent_picks_a_smaller_candidate_that_is_not_practically_worse():
    """A smaller candidate within the ROPE of the best is chosen, with a reason naming the size."""
    summaries, folds = _setup(gap=0.001, spread=0.002)
    result, comparison = compare_candidates(summaries, folds, metric="roc_auc", rope=0.01)
    assert comparison.chosen == "other"
    assert "not practically worse" in comparison.reason
    assert "by model size (1 KB against 9 KB)" in comparison.reason
    best_policy, reason = choose_candidate(result, policy="best")
    assert best_policy == "best" and "best mean" in reason


def test_simplest_equivalent_keeps_the_best_when_the_smaller_one_may_be_worse():
    """A smaller candidate clearly worse than the best is not chosen."""
    summaries, folds = _setup(gap=0.05)
    _, comparison = compare_candidates(summaries, folds, metric="roc_auc", rope=0.01)
    assert comparison.chosen == "best"
    assert "no other candidate is safely not worse" in comparison.reason


def test_losses_compare_in_the_right_direction():
    """For log_loss the lowest mean is best, and a higher loss is 'worse'."""
    rng = np.random.default_rng(3)
    low = 0.30 + rng.normal(0, 0.005, 10)
    high = low + 0.08
    folds = _folds("low", low) + _folds("high", high)
    summaries = [_summary("low", low, 1), _summary("high", high, 2)]
    result, comparison = compare_candidates(summaries, folds, metric="log_loss", rope=0.02)
    assert comparison.best == "low"
    assert {s.name: s for s in result}["high"].p_worse > 0.95


def test_simplest_equivalent_ranks_by_model_size_not_by_measured_time():
    """A smaller model wins even when its measured predict time is the slower one."""
    summaries, folds = _setup(gap=0.001, spread=0.002)
    summaries[1] = replace(summaries[1], predict_time=0.5)  # "other": smaller, but slow today
    _, comparison = compare_candidates(summaries, folds, metric="roc_auc", rope=0.01)
    assert comparison.chosen == "other"
    assert comparison.costs == {"best": 9000, "other": 1000}


def test_verdicts_state_the_size_ratio_and_never_a_measured_time():
    """The verdict says how much smaller the model is; predict times leave it unchanged."""
    summaries, folds = _setup(gap=0.001, spread=0.002)
    slow = [replace(s, predict_time=s.predict_time * 100) for s in summaries]
    verdict = {s.name: s.verdict for s in compare_candidates(summaries, folds, metric="roc_auc",
                                                             rope=0.01)[0]}  # fmt: skip
    again = {s.name: s.verdict for s in compare_candidates(slow, folds, metric="roc_auc",
                                                           rope=0.01)[0]}  # fmt: skip
    assert verdict == again
    assert verdict["other"].endswith("; 9.0x smaller model")
    assert "predict" not in verdict["other"]


def test_equal_sizes_go_to_the_better_mean():
    """Two equivalent candidates of the same size: the better-ranked one is chosen."""
    summaries, folds = _setup(gap=0.001, spread=0.002)
    summaries = [replace(s, model_bytes=1000) for s in summaries]
    _, comparison = compare_candidates(summaries, folds, metric="roc_auc", rope=0.01)
    assert comparison.chosen == "best"


def _near_one(scores_per_candidate, folds_per_repeat=5):
    folds, summaries = [], []
    for rank, (name, scores) in enumerate(scores_per_candidate.items(), start=1):
        folds += [
            FoldScore(name, i // folds_per_repeat, i % folds_per_repeat, s, {}, 0.01, 0.001, 80, 20)
            for i, s in enumerate(scores)
        ]
        summaries.append(_summary(name, scores, rank))
    return summaries, folds


def test_corrected_interval_of_a_bounded_metric_is_clipped_to_its_range_with_a_note():
    """An AUC near 1 whose t interval passes 1 ends at 1, and the interval note says so."""
    scores = [1.0, 0.99, 1.0, 0.995, 1.0, 0.985, 1.0, 1.0, 0.99, 1.0]
    summaries, folds = _near_one({"a": scores})
    (result,), _ = compare_candidates(summaries, folds, metric="roc_auc", rope=0.01)
    assert result.ci_high == 1.0
    assert result.ci_low < result.mean
    assert "clipped to the metric's range [0, 1]" in result.interval
    assert "the t interval was [" in result.interval


def test_intervals_of_bounded_metrics_never_leave_zero_to_one():
    """Over random fold scores near either bound, every [0, 1] metric's interval stays inside."""
    rng = np.random.default_rng(5)
    for metric in ("roc_auc", "average_precision", "accuracy", "balanced_accuracy", "f1"):
        for centre in (0.02, 0.5, 0.98):
            scores = np.clip(centre + rng.normal(0, 0.05, 10), 0, 1)
            summaries, folds = _near_one({"a": scores})
            (result,), _ = compare_candidates(summaries, folds, metric=metric, rope=0.01)
            assert 0.0 <= result.ci_low <= result.ci_high <= 1.0


def test_log_loss_interval_is_clipped_at_zero_only():
    """log_loss lies in [0, inf): its interval may not go below 0 and has no upper clip."""
    scores = [0.01, 0.2, 0.02, 0.3, 0.01, 0.25, 0.02, 0.4, 0.01, 0.5]
    summaries, folds = _near_one({"a": scores})
    (result,), _ = compare_candidates(summaries, folds, metric="log_loss", rope=0.01)
    assert result.ci_low == 0.0
    assert "[0, inf]" in result.interval
    assert result.ci_high > max(scores) / 2


def test_two_folds_by_one_repeat_warn_that_the_intervals_mean_little_and_record_it():
    """2 folds x 1 repeat: an EvaluationWarning, and the same sentence in the comparison."""
    from learnburn.errors import EvaluationWarning

    summaries, folds = _near_one({"a": [0.8, 0.9], "b": [0.7, 0.75]}, folds_per_repeat=2)
    with pytest.warns(EvaluationWarning, match=r"Only 2 fold scores .*2 folds x 1 repeats"):
        result, comparison = compare_candidates(summaries, folds, metric="roc_auc", rope=0.01)
    assert len(comparison.warnings) == 1
    assert "at least 5" in comparison.warnings[0]
    assert all(0 <= s.ci_low <= s.ci_high <= 1 for s in result)


def test_five_fold_scores_are_enough_and_do_not_warn():
    """5 folds x 1 repeat meets the rule (J >= 5): no warning, nothing recorded."""
    import warnings

    summaries, folds = _near_one({"a": [0.8, 0.9, 0.85, 0.82, 0.88]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _, comparison = compare_candidates(summaries, folds, metric="roc_auc", rope=0.01)
    assert comparison.warnings == ()
