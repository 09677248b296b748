"""NativeColumns: categories learned at fit, cast at transform, plain fitted state."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from learnburn.candidates._native import NativeColumns
from learnburn.errors import SchemaError


def _fitted(train: pd.DataFrame, **kwargs) -> NativeColumns:
    return NativeColumns(["n"], ["c"], **kwargs).fit(train)


def _train() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "n": pd.array([1, None, 3, 4, 5, 6], dtype="Int64"),
            "c": ["b", "a", "b", None, "c", "b"],
            "other": list("uvwxyz"),
        }
    )


def test_categories_are_learned_most_frequent_first():
    """Fitted categories are the column's non-missing values by frequency, ties by value."""
    assert _fitted(_train()).categories_ == {"c": ["b", "a", "c"]}


def test_transform_gives_floats_and_categories_with_the_learned_dtype():
    """Numeric columns become float64 (NA -> NaN), categorical ones the fitted categories."""
    out = _fitted(_train()).transform(_train())
    assert list(out.columns) == ["n", "c"]
    assert out["n"].dtype == np.float64 and np.isnan(out["n"].iloc[1])
    assert list(out["c"].cat.categories) == ["b", "a", "c"]
    assert out["c"].isna().tolist() == [False, False, False, True, False, False]


def test_unseen_categories_become_missing():
    """A category not seen at fit is NaN at transform, and the dtype does not change."""
    scored = pd.DataFrame({"n": [1.0, 2.0], "c": ["zebra", "a"]})
    out = _fitted(_train()).transform(scored)
    assert out["c"].isna().tolist() == [True, False]
    assert list(out["c"].cat.categories) == ["b", "a", "c"]


def test_rare_categories_beyond_the_cap_become_missing():
    """With max_categories=1 only the most frequent category is kept."""
    columns = _fitted(_train(), max_categories=1)
    assert columns.categories_ == {"c": ["b"]}
    assert columns.transform(_train())["c"].isna().sum() == 3


def test_booleans_and_numbers_in_categorical_columns_become_strings():
    """Non-string categories are kept as their string form, so the dtype is uniform."""
    frame = pd.DataFrame({"flag": [True, False, None, True], "code": [3, 1, 3, 2]})
    columns = NativeColumns([], ["flag", "code"]).fit(frame)
    assert columns.categories_ == {"flag": ["True", "False"], "code": ["3", "1", "2"]}


def test_feature_names_out_are_the_selected_columns():
    """Output names are the numeric then the categorical columns; others are dropped."""
    columns = _fitted(_train())
    assert list(columns.get_feature_names_out()) == ["n", "c"]
    assert list(columns.feature_names_in_) == ["n", "c"]


def test_clone_gives_an_unfitted_copy_with_the_same_params():
    """It is a proper scikit-learn estimator: params in __init__, state only after fit."""
    copy = clone(_fitted(_train(), max_categories=7))
    assert copy.get_params() == {"numeric": ["n"], "categorical": ["c"], "max_categories": 7}
    assert not hasattr(copy, "categories_")


def test_fitted_state_is_plain_python_values():
    """The fitted categories are a dict of lists of str, ready for skops."""
    categories = _fitted(_train()).categories_
    assert type(categories) is dict
    assert all(type(v) is list and all(type(s) is str for s in v) for v in categories.values())


def test_missing_column_at_transform_is_a_schema_error():
    """Scoring a table without a trained column raises SchemaError naming it."""
    with pytest.raises(SchemaError, match=r"lacks the feature columns \['c'\]"):
        _fitted(_train()).transform(pd.DataFrame({"n": [1.0]}))


def test_non_frame_input_is_a_schema_error():
    """Columns are selected by name, so a bare array is refused with a hint."""
    with pytest.raises(SchemaError, match="expected a pandas DataFrame") as raised:
        NativeColumns(["n"], []).fit(np.zeros((3, 1)))
    assert raised.value.hint


def test_text_in_a_numeric_column_is_a_schema_error():
    """A numeric column holding text is reported, not silently turned into NaN."""
    frame = pd.DataFrame({"n": ["1", "two"], "c": ["a", "b"]})
    with pytest.raises(SchemaError, match="not numbers") as raised:
        NativeColumns(["n"], ["c"]).fit_transform(frame)
    assert isinstance(raised.value.__cause__, ValueError)


def test_columns_without_any_value_at_fit_are_left_out():
    """All-missing columns carry nothing (and trip HGB and XGBoost), so they are not output."""
    train = pd.DataFrame({"n": [np.nan, np.nan], "m": [1.0, 2.0], "c": [None, None]})
    columns = NativeColumns(["n", "m"], ["c"]).fit(train)
    assert columns.empty_ == ["n", "c"]
    assert list(columns.transform(train).columns) == ["m"]
    assert list(columns.get_feature_names_out()) == ["m"]
