"""Preprocessing kinds: what happens to the schema's columns before the model sees them.

Every kind selects columns by name from the schema, so columns left out of it (dropped, ids,
datetimes) never reach the model.

- ``linear``: numeric -> median imputation + standard scaling; categorical/boolean -> most
  frequent imputation + one-hot encoding (unseen categories ignored). For linear models, k-NN.
- ``tree``: numeric kept as floats, NaN included (scikit-learn trees split on missing values);
  categorical/boolean -> ordinal codes, missing and unseen -> -1.
- ``native``: ``NativeColumns``, a DataFrame with pandas categories for models that read them.
- ``none``: no preprocessing step at all; the estimator gets the table as it comes.
"""

from __future__ import annotations

from sklearn.base import TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import (
    FunctionTransformer,
    OneHotEncoder,
    OrdinalEncoder,
    StandardScaler,
)

from learnburn.candidates._columns import as_category_strings, as_float_frame
from learnburn.candidates._native import NativeColumns
from learnburn.data import Schema
from learnburn.errors import CandidateError

CATEGORY_LIMIT = 250  # below HistGradientBoosting's max_bins (255), the strictest native model


def make_preprocessor(
    kind: str, schema: Schema, *, max_categories: int = CATEGORY_LIMIT
) -> TransformerMixin | None:
    """The preprocessing step of the given kind for the schema's columns (None for ``none``)."""
    if kind == "none":
        return None
    numeric = list(schema.names_of("numeric"))
    categorical = list(schema.names_of("categorical", "boolean"))
    if not numeric and not categorical:
        raise CandidateError(
            "the schema has no numeric, categorical or boolean columns to learn from",
            hint="keep at least one feature column (datetime columns are not used directly)",
        )
    if kind == "native":
        return NativeColumns(numeric, categorical, max_categories=max_categories)
    numeric_step, categorical_step = _STEPS[kind]()
    branches = [("numeric", numeric_step, numeric), ("categorical", categorical_step, categorical)]
    return ColumnTransformer([b for b in branches if b[2]], remainder="drop")


def _linear_steps() -> tuple[Pipeline, Pipeline]:
    numeric = Pipeline(
        [
            ("float", _float()),
            ("impute", SimpleImputer(strategy="median", keep_empty_features=True)),
            ("scale", StandardScaler()),
        ]
    )
    categorical = Pipeline(
        [
            ("strings", _strings()),
            ("impute", SimpleImputer(strategy="most_frequent", keep_empty_features=True)),
            ("encode", OneHotEncoder(handle_unknown="ignore")),
        ]
    )
    return numeric, categorical


def _tree_steps() -> tuple[FunctionTransformer, Pipeline]:
    categorical = Pipeline(
        [
            ("strings", _strings()),
            (
                "encode",
                OrdinalEncoder(
                    handle_unknown="use_encoded_value", unknown_value=-1, encoded_missing_value=-1
                ),
            ),
        ]
    )
    return _float(), categorical


def _float() -> FunctionTransformer:
    return FunctionTransformer(as_float_frame, feature_names_out="one-to-one")


def _strings() -> FunctionTransformer:
    return FunctionTransformer(as_category_strings, feature_names_out="one-to-one")


_STEPS = {
    "linear": _linear_steps,
    "tree": _tree_steps,
}
