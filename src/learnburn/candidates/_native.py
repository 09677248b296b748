"""The "native" preprocessing: hand categories to models that split on them directly.

HistGradientBoosting (``categorical_features="from_dtype"``), LightGBM and XGBoost
(``enable_categorical=True``) all read pandas ``category`` columns. ``NativeColumns`` learns each
categorical column's categories at fit (the most frequent first, at most ``max_categories`` so
HistGradientBoosting's 255-bin limit holds) and casts to exactly those at transform, so a fold
and the data scored later share one coding; unseen or dropped categories become missing. A
column with no value at fit (all missing) is left out of the output.
Its fitted state is plain lists and dicts, so that skops can store it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from learnburn.candidates._columns import as_float_frame, category_strings, require_frame
from learnburn.errors import SchemaError


class NativeColumns(TransformerMixin, BaseEstimator):
    """Select columns by name: numeric ones as float64, categorical ones as pandas categories."""

    def __init__(
        self,
        numeric: Sequence[str] = (),
        categorical: Sequence[str] = (),
        max_categories: int | None = 250,
    ) -> None:
        self.numeric = numeric
        self.categorical = categorical
        self.max_categories = max_categories

    def fit(self, X: pd.DataFrame, y: object = None) -> NativeColumns:
        frame = self._select(X)
        self.categories_ = {
            name: _frequent_first(category_strings(frame[name]), self.max_categories)
            for name in self.categorical
        }
        empty_numeric = [name for name in self.numeric if frame[name].isna().all()]
        self.empty_ = empty_numeric + [
            name for name in self.categorical if not self.categories_[name]
        ]
        self.feature_names_in_ = np.asarray(list(frame.columns), dtype=object)
        self.n_features_in_ = len(frame.columns)
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        check_is_fitted(self, "empty_")
        frame = self._select(X)
        numeric = as_float_frame(frame[self._kept(self.numeric)])
        columns = dict(numeric.items())
        for name in self._kept(self.categorical):
            known = pd.Index(self.categories_[name], dtype=object)
            codes = known.get_indexer(category_strings(frame[name]))  # -1: missing or unseen
            values = pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(known))
            columns[name] = pd.Series(values, index=frame.index, name=name)
        return pd.DataFrame(columns, index=frame.index, columns=self._output_names())

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        check_is_fitted(self, "empty_")
        return np.asarray(self._output_names(), dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.categorical = True
        tags.input_tags.string = True
        return tags

    def _names(self) -> list[str]:
        return [*self.numeric, *self.categorical]

    def _kept(self, names: Sequence[str]) -> list[str]:
        """The names with a value at fit: all-missing columns carry nothing, and they trip
        HistGradientBoosting (numeric) and XGBoost (categorical), so they are left out."""
        return [name for name in names if name not in self.empty_]

    def _output_names(self) -> list[str]:
        return [*self._kept(self.numeric), *self._kept(self.categorical)]

    def _select(self, X: object) -> pd.DataFrame:
        frame = require_frame(X)
        absent = [name for name in self._names() if name not in frame.columns]
        if absent:
            raise SchemaError(
                f"the table lacks the feature columns {absent}",
                hint="score tables with the same columns the model was trained on",
            )
        return frame[self._names()]


def _frequent_first(values: np.ndarray, limit: int | None) -> list[str]:
    """The distinct non-missing values, most frequent first (ties by value), at most ``limit``."""
    counts = Counter(v for v in values if isinstance(v, str))
    ranked = sorted(counts, key=lambda v: (-counts[v], v))
    return ranked if limit is None else ranked[:limit]
