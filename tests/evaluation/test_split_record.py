"""The splits' record: compact arrays that give back every fold, by the rule they state."""

import base64
import zlib

import numpy as np
import pandas as pd

from learnburn.evaluation import make_splits, record_splits, splits_table
from learnburn.spec import EvaluationSpec


def _labels(recorded: dict) -> list[np.ndarray]:
    a = recorded["assignment"]
    return [np.frombuffer(zlib.decompress(base64.b64decode(t)), a["dtype"]) for t in a["folds"]]


def _holdout(recorded: dict) -> np.ndarray:
    a = recorded["assignment"]
    raw = zlib.decompress(base64.b64decode(a["holdout"]))
    return np.flatnonzero(np.frombuffer(raw, a["dtype"]))


def test_shuffled_folds_come_back_from_the_labels():
    """Each fold tests the rows labelled with it and trains on every other development row."""
    target = pd.Series(np.tile(["a", "b", "c"], 100))
    evaluation = EvaluationSpec(folds=4, repeats=3, seed=7, holdout=0.2)
    splits = make_splits(target, evaluation)
    recorded = record_splits(splits, evaluation, n_rows=300)
    assert (_holdout(recorded) == splits.holdout).all()
    labels = _labels(recorded)
    assert len(labels) == 3 and recorded["assignment"]["train"] == "every other development row"
    for fold in splits.folds:
        mine = labels[fold.repeat]
        assert (np.flatnonzero(mine == fold.fold) == fold.test).all()
        assert (np.flatnonzero(mine != fold.fold) == fold.train).all()


def test_walk_forward_folds_train_on_every_lower_label():
    """Walk-forward: fold k tests on label k and trains on every lower label (-1 included)."""
    time = pd.Series(np.repeat(np.arange(60), 5)).sample(frac=1, random_state=1)
    time = time.reset_index(drop=True)
    evaluation = EvaluationSpec(folds=4, repeats=1, seed=0, holdout=0.2, splitter="walk-forward")
    splits = make_splits(None, evaluation, time=time)
    recorded = record_splits(splits, evaluation, n_rows=300)
    [labels] = _labels(recorded)
    assert recorded["assignment"]["train"] == "development rows with a lower label"
    assert (labels == -1).sum() > 0  # the first block is only ever trained on
    for fold in splits.folds:
        assert (np.flatnonzero(labels == fold.fold) == fold.test).all()
        assert (np.flatnonzero(labels < fold.fold) == fold.train).all()
    assert "time column" in recorded["procedure"]


def test_the_assignment_is_compact():
    """10,000 rows x 5 repeats of 5 folds take under 40 KB of text in the record."""
    target = pd.Series(np.arange(10_000) % 2)
    evaluation = EvaluationSpec(folds=5, repeats=5, seed=0, holdout=0.2)
    recorded = record_splits(make_splits(target, evaluation), evaluation, n_rows=10_000)
    a = recorded["assignment"]
    assert len(a["holdout"]) + sum(len(text) for text in a["folds"]) < 40_000


def test_the_table_has_a_row_per_table_row_and_blank_folds_on_the_holdout():
    """splits_table: row, holdout, repeat_R; holdout rows have no fold."""
    target = pd.Series(np.arange(50) % 2)
    evaluation = EvaluationSpec(folds=2, repeats=2, seed=0, holdout=0.2)
    splits = make_splits(target, evaluation)
    table = splits_table(record_splits(splits, evaluation, n_rows=50))
    assert list(table.columns) == ["row", "holdout", "repeat_0", "repeat_1"]
    assert table.loc[splits.holdout, "repeat_0"].isna().all()
    assert set(table.loc[splits.development, "repeat_1"]) == {0, 1}
