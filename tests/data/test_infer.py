"""Tests of infer_schema: the kind of each column, its counts and its flags."""

from __future__ import annotations

import numpy as np
import pandas as pd

from learnburn.data import infer_schema


def column(values, dtype=None, **kwargs):
    """The inferred ColumnSchema of one column named 'x'."""
    frame = pd.DataFrame({"x": pd.Series(values, dtype=dtype)})
    return infer_schema(frame, **kwargs)["x"]


def test_infer_schema_keeps_the_table_column_order():
    """The schema lists the columns in the table's order."""
    frame = pd.DataFrame({"b": [1.0, 2.0], "a": ["x", "y"], "c": [True, False]})
    assert infer_schema(frame).names == ("b", "a", "c")


def test_integer_column_is_numeric_with_its_range():
    """An integer column with many values is numeric, with its minimum and maximum."""
    schema = column([5, 3, 9, 3])
    assert schema.kind == "numeric"
    assert (schema.minimum, schema.maximum) == (3.0, 9.0)
    assert schema.categories is None


def test_float_column_counts_missing_and_distinct_values():
    """A float column counts its missing values and its distinct non-missing values."""
    schema = column([1.5, None, 2.5, 1.5, None])
    assert (schema.kind, schema.missing, schema.unique) == ("numeric", 2, 2)


def test_bool_dtype_is_boolean():
    """A bool column is boolean, its categories most frequent first."""
    schema = column([True, False, True])
    assert schema.kind == "boolean"
    assert schema.categories == ("True", "False")


def test_zero_one_integer_column_is_boolean():
    """An integer column holding exactly 0 and 1 is boolean, not numeric."""
    schema = column([0, 1, 1, 1, 0, 1])
    assert schema.kind == "boolean"
    assert schema.categories == ("1", "0")
    assert schema.minimum is None


def test_zero_one_float_column_with_missing_values_is_boolean():
    """A 0/1 column that pandas read as float because of gaps is boolean, labelled 0 and 1."""
    schema = column([0.0, 1.0, None, 0.0])
    assert (schema.kind, schema.missing) == ("boolean", 1)
    assert schema.categories == ("0", "1")


def test_two_valued_integers_other_than_zero_one_are_numeric():
    """Integers holding two values other than 0 and 1 stay numeric."""
    assert column([1, 2, 2, 1]).kind == "numeric"


def test_all_zero_column_is_numeric_and_constant_not_boolean():
    """A column holding only 0 has one value, so it is a constant numeric column."""
    schema = column([0, 0, 0])
    assert (schema.kind, schema.constant) == ("numeric", True)


def test_yes_no_strings_are_boolean_whatever_their_case():
    """Strings that are yes/no in any case are boolean."""
    schema = column(["Yes", "no", "YES", None])
    assert schema.kind == "boolean"
    assert set(schema.categories) == {"Yes", "no", "YES"}


def test_true_false_strings_are_boolean():
    """The strings 'true' and 'false' are boolean."""
    assert column(["true", "false", "False"]).kind == "boolean"


def test_object_column_of_python_bools_with_gaps_is_boolean():
    """An object column of True/False with missing values is boolean."""
    assert column([True, None, False], dtype=object).kind == "boolean"


def test_other_two_valued_strings_are_categorical():
    """Two strings that are not a yes/no or true/false pair are categorical."""
    assert column(["yes", "maybe", "yes"]).kind == "categorical"


def test_datetime_dtype_is_datetime():
    """A datetime64 column is datetime."""
    schema = column(pd.to_datetime(["2024-01-01", "2024-02-01"]))
    assert schema.kind == "datetime"


def test_iso_date_strings_with_gaps_are_datetime():
    """Strings that all parse as ISO dates or timestamps are datetime; gaps are allowed."""
    schema = column(["2024-01-31", "2024-02-01T10:30:00", None, "2024-03-01 08:00"])
    assert (schema.kind, schema.missing) == ("datetime", 1)


def test_strings_with_one_non_date_are_categorical():
    """One value that is not an ISO date keeps a string column categorical."""
    assert column(["2024-01-31", "2024-02-01", "soon", "2024-02-01"]).kind == "categorical"


def test_impossible_dates_are_not_datetime():
    """Strings shaped like dates that are not real dates keep a column categorical."""
    assert column(["2024-13-45", "2024-01-01", "2024-01-01"]).kind == "categorical"


def test_strings_are_categorical_with_categories_most_frequent_first():
    """A string column is categorical; categories go most frequent first, ties by appearance."""
    schema = column(["b", "a", "a", "c", "b", "a"])
    assert schema.kind == "categorical"
    assert schema.categories == ("a", "b", "c")
    assert schema.unique == 3


def test_category_dtype_lists_only_observed_categories():
    """A category column is categorical and lists only the categories that occur."""
    values = pd.Categorical(["lo", "hi", "lo"], categories=["lo", "mid", "hi"])
    schema = column(values)
    assert schema.kind == "categorical"
    assert schema.categories == ("lo", "hi")


def test_mixed_object_column_is_categorical():
    """An object column mixing numbers and strings is categorical, its values as text."""
    schema = column([1, "one", 1, "two"], dtype=object)
    assert schema.kind == "categorical"
    assert schema.categories[0] == "1"


def test_categories_are_capped_at_one_thousand():
    """At most 1,000 categories are kept, the most frequent ones."""
    values = ["common"] * 5 + [f"v{i}" for i in range(1500)] * 2
    schema = column(values)
    assert len(schema.categories) == 1000
    assert schema.categories[0] == "common"
    assert schema.unique == 1501


def test_column_with_one_value_is_constant():
    """A column with one distinct non-missing value is constant."""
    assert column(["a", None, "a"]).constant


def test_column_with_two_values_is_not_constant():
    """A column with two distinct values is not constant."""
    assert not column(["a", "b", "a"]).constant


def test_all_distinct_strings_are_identifier_like():
    """A string column whose values are all distinct looks like an identifier."""
    assert column(["k1", "k2", "k3"]).identifier_like


def test_nearly_distinct_strings_with_enough_rows_are_identifier_like():
    """A string column at least 95% distinct over 20 or more rows looks like an identifier."""
    values = [f"k{i}" for i in range(39)] + ["k0"]
    assert column(values).identifier_like


def test_strings_below_the_distinct_ratio_are_not_identifier_like():
    """A string column under 95% distinct is an ordinary categorical column."""
    values = [f"k{i}" for i in range(18)] + ["k0", "k1"]
    assert not column(values).identifier_like


def test_monotonic_distinct_integers_are_identifier_like():
    """An integer column of distinct, strictly increasing values looks like a row id."""
    assert column([101, 102, 107, 230]).identifier_like


def test_shuffled_distinct_integers_are_not_identifier_like():
    """Distinct integers out of order are a numeric feature, not an id."""
    assert not column([7, 3, 9, 1]).identifier_like


def test_distinct_increasing_floats_are_not_identifier_like():
    """Only integer columns can look like a row id."""
    assert not column([0.5, 1.5, 2.5, 3.5]).identifier_like


def test_sample_limit_infers_from_that_many_rows_in_table_order():
    """With sample_limit, counts describe a sample of that size, kept in table order."""
    frame = pd.DataFrame({"id": np.arange(10_000), "v": np.tile([0.5, 1.5], 5_000)})
    schema = infer_schema(frame, sample_limit=500)
    assert schema["id"].unique == 500
    assert schema["id"].identifier_like
    assert schema["v"].unique == 2


def test_sample_limit_larger_than_the_table_uses_every_row():
    """A sample_limit above the number of rows changes nothing."""
    frame = pd.DataFrame({"v": [1.0, 2.0, 3.0, None]})
    assert infer_schema(frame, sample_limit=100) == infer_schema(frame)
