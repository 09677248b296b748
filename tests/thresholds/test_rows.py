import numpy as np
import pytest

from learnburn.thresholds._crossfit import assign_folds
from learnburn.thresholds._rows import encode_labels, row_units


def test_groups_make_the_kth_prediction_of_every_repeat_one_unit():
    """With groups only, the unit of a prediction is its position within its repeat."""
    groups = np.array([0, 0, 0, 1, 1, 1, 2, 2, 2])
    assert row_units(9, groups=groups).tolist() == [0, 1, 2, 0, 1, 2, 0, 1, 2]


def test_groups_need_not_be_contiguous():
    """Positions within a repeat count in order of appearance, wherever the rows sit."""
    groups = np.array(["r2", "r1", "r2", "r1"])
    assert row_units(4, groups=groups).tolist() == [0, 0, 1, 1]


def test_row_ids_override_groups():
    """row_ids name the unit of each prediction directly."""
    units = row_units(4, groups=[0, 0, 1, 1], row_ids=["b", "a", "a", "b"])
    assert units.tolist() == [1, 0, 0, 1]


def test_every_prediction_is_a_unit_without_groups_or_row_ids():
    """Without groups or row_ids each prediction is its own unit."""
    assert row_units(3).tolist() == [0, 1, 2]


def test_row_units_checks_lengths():
    """groups of the wrong length are a ValueError."""
    with pytest.raises(ValueError, match="groups"):
        row_units(3, groups=[0, 1])


def test_encode_labels_maps_labels_to_class_positions():
    """Labels become their position in classes, numpy scalars included."""
    classes = (np.int64(3), np.int64(7))
    assert encode_labels(np.array([7, 3, 7]), classes).tolist() == [1, 0, 1]


def test_copies_of_a_row_share_a_fold_and_folds_are_stratified():
    """assign_folds keeps every copy of a unit in one fold and spreads each label evenly."""
    units = np.tile(np.arange(500), 3)
    truth = np.tile(np.arange(500) % 5 == 0, 3).astype(int)
    fold = assign_folds(truth, units, 5, seed=0)
    for unit in range(500):
        assert len(set(fold[units == unit])) == 1
    positives_per_fold = np.bincount(fold[truth == 1], minlength=5)
    assert positives_per_fold.max() - positives_per_fold.min() <= 3
