"""A loaded bundle: the model, what it expects, and how it decides."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from learnburn.errors import SchemaError
from learnburn.thresholds import Calibrator, decide


@dataclass(frozen=True, eq=False)
class Bundle:
    """A verified bundle, loaded: the fitted pipeline and the documents saved with it."""

    model: object
    schema: dict  # the input columns (``Schema.to_dict()``)
    classes: tuple  # the class labels, in the order of ``predict_proba``'s columns
    meta: dict  # the caller's metadata, with "saved_with": library versions
    decision: dict | None  # the decision policy (``DecisionPolicy.to_dict()``), or None
    calibrator: Calibrator | None
    manifest: dict
    path: Path

    @property
    def columns(self) -> tuple[str, ...]:
        """The names of the input columns, in schema order."""
        return tuple(column["name"] for column in self.schema["columns"])

    def predict_proba(self, frame: pd.DataFrame) -> np.ndarray:
        """Probabilities with one column per class of ``classes`` (0 for a class the model did
        not see in training)."""
        frame = self._check_frame(frame)
        try:
            proba = np.asarray(self.model.predict_proba(frame), dtype=float)
        except (ValueError, TypeError, KeyError) as exc:
            raise SchemaError(
                f"the bundle's model cannot score this table: {exc}",
                hint="score tables with the columns and types listed in the bundle's schema",
            ) from exc
        fitted = list(getattr(self.model, "classes_", self.classes))
        if fitted == list(self.classes):
            return proba
        aligned = np.zeros((len(frame), len(self.classes)))
        for column, label in enumerate(fitted):
            aligned[:, self.classes.index(label)] = proba[:, column]
        return aligned

    def decide(self, frame: pd.DataFrame) -> np.ndarray:
        """The decided label of each row: the bundle's threshold or least-cost rule, on the
        calibrated probabilities when there is a calibrator; the most probable class when the
        bundle holds no decision."""
        return self.decide_proba(self.predict_proba(frame))

    def decide_proba(self, proba: np.ndarray) -> np.ndarray:
        """``decide`` on probabilities already computed by ``predict_proba`` (so a caller that
        needs both runs the model once)."""
        labels = np.asarray(self.classes)
        if self.decision is None:
            return labels[np.argmax(proba, axis=1)]
        if self.calibrator is not None:
            proba = self.calibrator.transform(proba)
        return decide(
            proba, self.decision["cost"], self.classes, threshold=self.decision["threshold"]
        )

    def _check_frame(self, frame: object) -> pd.DataFrame:
        if not isinstance(frame, pd.DataFrame):
            raise SchemaError(
                f"expected a pandas DataFrame, got {type(frame).__name__}",
                hint="pass the table to score as a DataFrame with the schema's columns",
            )
        absent = [name for name in self.columns if name not in frame.columns]
        if absent:
            raise SchemaError(
                f"the table lacks the columns {absent} that the bundle's model needs",
                hint=f"score tables with the columns {list(self.columns)}",
            )
        return frame
