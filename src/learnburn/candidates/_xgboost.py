"""XGBoost's classifier, taught to take any class labels.

``xgboost.XGBClassifier`` refuses targets other than ``0..k-1`` ("Invalid classes inferred from
unique values of `y`"), while every other candidate takes labels as they come. This subclass
encodes the labels before fitting and decodes predictions, so all candidates share one contract.
Importing this module imports xgboost: only ``build_pipeline`` does, when it builds one.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from xgboost import XGBClassifier


class LabelledXGBClassifier(XGBClassifier):
    """``XGBClassifier`` whose ``classes_`` are the labels it was fitted on."""

    def fit(self, X: Any, y: Any, **kwargs: Any) -> LabelledXGBClassifier:
        labels, codes = np.unique(np.asarray(y), return_inverse=True)
        self.__dict__.pop("labels_", None)  # xgboost checks codes against classes_ while fitting
        super().fit(X, codes, **kwargs)
        self.labels_ = labels
        return self

    def predict(self, X: Any, **kwargs: Any) -> np.ndarray:
        predicted = super().predict(X, **kwargs)
        if kwargs.get("output_margin"):
            return predicted
        return self.classes_[np.asarray(predicted, dtype=np.intp)]

    @property
    def classes_(self) -> np.ndarray:
        labels = self.__dict__.get("labels_")
        return np.arange(self.n_classes_) if labels is None else labels
