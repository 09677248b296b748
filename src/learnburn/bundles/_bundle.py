"""A loaded bundle: the model, what it expects, and how it decides."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from learnburn._frames import is_frame
from learnburn.bundles._fast import FastPath
from learnburn.bundles._reference import read_sample
from learnburn.errors import SchemaError
from learnburn.thresholds import Calibrator, decide

if TYPE_CHECKING:
    import pandas as pd


class Deferred:
    """A model not loaded yet: ``load()`` checks and loads it on first use (once)."""

    def __init__(self, load: Callable[[], object]) -> None:
        self.load = load
        self.lock = threading.Lock()


class _Model:
    """``Bundle.model``: the fitted pipeline, loaded on first use when it was deferred."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.slot = "_" + name

    def __get__(self, bundle: object, owner: type | None = None) -> object:
        if bundle is None:
            raise AttributeError("model")  # no default: the dataclass field is required
        value = bundle.__dict__[self.slot]
        if isinstance(value, Deferred):
            with value.lock:
                value = bundle.__dict__[self.slot]
                if isinstance(value, Deferred):
                    loaded = value.load()
                    bundle.__dict__[self.slot] = loaded
                    value = loaded
        return value

    def __set__(self, bundle: object, value: object) -> None:
        bundle.__dict__[self.slot] = value


@dataclass(frozen=True, eq=False, repr=False)
class Bundle:
    """A verified bundle, loaded: the fitted pipeline and the documents saved with it.

    ``model`` is the fitted pipeline. A bundle loaded with ``lazy=True`` that has a proven fast
    path loads it (allow-list check first) only when something needs it, such as
    ``predict_proba_native``: scoring needs only the fast path."""

    model: object = _Model()  # type: ignore[assignment]
    schema: dict  # the input columns (``Schema.to_dict()``)
    classes: tuple  # the class labels, in the order of ``predict_proba``'s columns
    meta: dict  # the caller's metadata, with "saved_with": library versions
    decision: dict | None  # the decision policy (``DecisionPolicy.to_dict()``), or None
    calibrator: Calibrator | None
    manifest: dict
    path: Path
    fast: FastPath | None = None  # the proven fast path, when the bundle has one
    fast_report: dict | None = None  # fast.json: what was tried at save time, and why
    fast_refused: str | None = None  # why the proven fast path failed its proof at load
    signed_by: str | None = None  # the id of the trusted key whose signature was verified
    has_signature: bool = False  # whether signature.json sits beside the manifest
    reference: dict | None = None  # reference.json: the training data's drift profile
    reference_sample_bytes: bytes | None = field(default=None, repr=False)  # reference.parquet

    def __repr__(self) -> str:
        return f"Bundle(path={str(self.path)!r}, scoring_path={self.scoring_path!r})"

    @property
    def file_names(self) -> tuple[str, ...]:
        """The names of the bundle's files as they sit in its folder: the manifest, the files
        it lists, and the signature when there is one."""
        signature = ("signature.json",) if self.has_signature else ()
        return ("manifest.json", *sorted(self.manifest["files"]), *signature)

    @property
    def reference_sample(self) -> pd.DataFrame | None:
        """The training rows the bundle carries for the multivariate drift check, or None."""
        where = f"bundle '{self.path}'"
        return read_sample(self.reference_sample_bytes, list(self.columns), where)

    @property
    def model_loaded(self) -> bool:
        """Whether the fitted pipeline itself is in memory (not deferred)."""
        return not isinstance(self.__dict__.get("_model"), Deferred)

    @property
    def scoring_path(self) -> str:
        """The runtime that scores this bundle: "onnxruntime", "treelite" or "native"."""
        return self.fast.runtime if self.fast is not None else "native"

    @property
    def scoring_summary(self) -> str:
        """One line: the path that scores this bundle and its proof, or why it is native."""
        runtime = self.scoring_path if self.fast is not None else None
        return scoring_summary(self.fast_report, runtime, self.fast_refused)

    @functools.cached_property
    def numeric_columns(self) -> frozenset[str]:
        """The names of the numeric input columns."""
        return frozenset(c["name"] for c in self.schema["columns"] if c["kind"] == "numeric")

    @functools.cached_property
    def _column_set(self) -> frozenset[str]:
        return frozenset(self.columns)

    @functools.cached_property
    def columns(self) -> tuple[str, ...]:
        """The names of the input columns, in schema order."""
        return tuple(column["name"] for column in self.schema["columns"])

    @property
    def classes_(self) -> np.ndarray:
        """The class labels as scikit-learn names them: the columns of ``predict_proba``."""
        return np.asarray(self.classes)

    @property
    def feature_names_in_(self) -> np.ndarray:
        """The input column names, as scikit-learn names them."""
        return np.asarray(self.columns, dtype=object)

    @property
    def n_features_in_(self) -> int:
        """The number of input columns."""
        return len(self.columns)

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        """The decided label of each row, as scikit-learn's ``predict``: the same as
        ``decide`` (the bundle's threshold or least-cost rule when it holds a decision)."""
        return self.decide(frame)

    def predict_proba(self, frame: pd.DataFrame) -> np.ndarray:
        """Probabilities with one column per class of ``classes`` (0 for a class the model did
        not see in training)."""
        frame = self._check_frame(frame)
        if self.fast is not None:
            return self._aligned(self.fast.predict_proba_frame(frame), self.fast.classes)
        return self.predict_proba_native(frame)

    def predict_proba_records(self, records: Sequence[Mapping[str, Any]]) -> np.ndarray:
        """``predict_proba`` for records (dicts of column -> scalar): without pandas on the fast
        path, so one request's few rows cost microseconds. Every record must hold every column
        of the schema (None for missing); other keys are ignored."""
        columns, needed = self.columns, self._column_set
        for number, record in enumerate(records, start=1):
            if not needed <= record.keys():
                absent = [name for name in columns if name not in record]
                raise SchemaError(
                    f"record {number} lacks the column{'s' if len(absent) > 1 else ''} {absent} "
                    "that the bundle's model needs",
                    hint=f"the bundle expects the columns {list(columns)} (null for missing)",
                )
        if self.fast is not None:
            return self._aligned(self.fast.predict_proba_records(records), self.fast.classes)
        import pandas as pd

        return self.predict_proba_native(pd.DataFrame.from_records(list(records)))

    def predict_proba_native(self, frame: pd.DataFrame) -> np.ndarray:
        """``predict_proba`` through the fitted pipeline itself, never the fast path."""
        frame = self._check_frame(frame)
        try:
            proba = np.asarray(self.model.predict_proba(frame), dtype=float)
        except (ValueError, TypeError, KeyError) as exc:
            raise SchemaError(
                f"the bundle's model cannot score this table: {exc}",
                hint="score tables with the columns and types listed in the bundle's schema",
            ) from exc
        return self._aligned(proba, getattr(self.model, "classes_", self.classes))

    def _aligned(self, proba: np.ndarray, fitted: Sequence) -> np.ndarray:
        """Probabilities in the order of ``classes``, 0 for a class the model never saw."""
        fitted = list(fitted)
        if fitted == list(self.classes):
            return proba
        aligned = np.zeros((len(proba), len(self.classes)))
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
        if not is_frame(frame):
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


def scoring_summary(report: dict | None, runtime: str | None, refused: str | None = None) -> str:
    """One line from ``fast.json`` (``report``): the ``runtime`` that scores the bundle (None:
    no fast path loaded) and its proof, or why it is native (``refused``: why the fast path
    failed its proof at load)."""
    if not report:
        return "native (the bundle was saved without a fast path)"
    if refused:
        return f"native (its fast path failed its proof at load: {refused})"
    if report.get("status") == "ready" and runtime is not None:
        attempts = report.get("attempts", [])
        chosen = report.get("chosen_attempt")
        proven = [a for a in attempts if a.get("runtime") == runtime]
        if isinstance(chosen, int) and 0 <= chosen < len(attempts):
            proven = [attempts[chosen]]
        difference = proven[0].get("max_abs_difference") if proven else None
        proof = f" within {difference:.1e}" if isinstance(difference, float) else ""
        return (
            f"{runtime} fast path (matched the native model{proof} on "
            f"{report.get('checked_rows')} rows)"
        )
    return f"native ({report.get('reason', 'no fast path was proven')})"
