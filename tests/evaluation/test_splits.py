import numpy as np
import pandas as pd
import pytest

from learnburn.errors import DataError
from learnburn.evaluation import make_splits
from learnburn.spec import EvaluationSpec


def _target(n=200, positive_share=0.3, seed=0):
    rng = np.random.default_rng(seed)
    return pd.Series(rng.random(n) < positive_share).astype(int)


def test_holdout_and_development_partition_the_rows():
    """Holdout and development rows are disjoint and cover every row once."""
    splits = make_splits(_target(), EvaluationSpec(holdout=0.25))
    assert len(np.intersect1d(splits.holdout, splits.development)) == 0
    assert sorted([*splits.holdout, *splits.development]) == list(range(200))
    assert len(splits.holdout) == 50


def test_holdout_is_never_in_any_fold():
    """Folds index only development rows, so the holdout stays untouched."""
    splits = make_splits(_target(), EvaluationSpec(folds=4, repeats=2))
    n_dev = len(splits.development)
    for fold in splits.folds:
        assert fold.train.max() < n_dev and fold.test.max() < n_dev
        assert len(np.intersect1d(fold.train, fold.test)) == 0


def test_repeated_stratified_kfold_makes_folds_times_repeats_splits():
    """5 folds x 3 repeats give 15 splits; each repeat tests every development row once."""
    splits = make_splits(_target(), EvaluationSpec(folds=5, repeats=3))
    assert len(splits.folds) == 15
    for repeat in range(3):
        tested = np.concatenate([f.test for f in splits.folds if f.repeat == repeat])
        assert sorted(tested) == list(range(len(splits.development)))


def test_stratified_folds_keep_the_class_balance():
    """Each stratified test fold has close to the overall positive share."""
    target = _target(1000, 0.2)
    splits = make_splits(target, EvaluationSpec(folds=5, repeats=1, holdout=0.0))
    overall = target.mean()
    for fold in splits.folds:
        assert abs(target.to_numpy()[fold.test].mean() - overall) < 0.01


def test_same_seed_gives_identical_splits_and_another_seed_differs():
    """The seed alone decides the splits."""
    a = make_splits(_target(), EvaluationSpec(seed=7))
    b = make_splits(_target(), EvaluationSpec(seed=7))
    c = make_splits(_target(), EvaluationSpec(seed=8))
    assert np.array_equal(a.holdout, b.holdout)
    assert all(np.array_equal(x.test, y.test) for x, y in zip(a.folds, b.folds, strict=True))
    assert not np.array_equal(a.holdout, c.holdout)


def test_too_few_rows_of_a_class_for_the_folds_is_a_clear_error():
    """A class with fewer rows than folds names the class and suggests fewer folds."""
    target = pd.Series([0] * 100 + [1] * 4)
    with pytest.raises(DataError, match="1") as info:
        make_splits(target, EvaluationSpec(folds=5, holdout=0.0))
    assert "evaluation.folds" in info.value.hint


def test_walk_forward_never_trains_on_a_row_later_than_a_test_row():
    """With a time column, every training row is no later than every test row, also at ties."""
    rng = np.random.default_rng(1)
    time = pd.Series(rng.integers(0, 60, size=500))  # many ties
    splits = make_splits(_target(500), EvaluationSpec(folds=4, holdout=0.2), time=time)
    assert splits.method == "walk-forward"
    dev_time = time.to_numpy()[splits.development]
    assert time.to_numpy()[splits.holdout].min() > dev_time.max()
    assert len(splits.folds) == 4
    for fold in splits.folds:
        assert dev_time[fold.train].max() < dev_time[fold.test].min()


def test_walk_forward_ignores_repeats_with_a_note():
    """Walk-forward splits are not repeated, and the record says so."""
    time = pd.Series(pd.date_range("2024-01-01", periods=300, freq="D"))
    splits = make_splits(_target(300), EvaluationSpec(folds=3, repeats=5), time=time)
    assert {f.repeat for f in splits.folds} == {0}
    assert any("repeats" in note for note in splits.notes)


def test_walk_forward_without_time_column_is_an_error():
    """Asking for walk-forward splits without a time column explains what to set."""
    with pytest.raises(DataError) as info:
        make_splits(_target(), EvaluationSpec(splitter="walk-forward"))
    assert "time_column" in info.value.hint


def test_zero_holdout_keeps_every_row_for_development():
    """holdout = 0 sets nothing aside."""
    splits = make_splits(_target(), EvaluationSpec(holdout=0.0))
    assert len(splits.holdout) == 0 and len(splits.development) == 200
