"""The scoring fast path: the fitted pipeline as a plain feature plan plus a compiled model.

scikit-learn's ``Pipeline.predict_proba`` on a one-row DataFrame spends milliseconds in pandas
and validation for microseconds of arithmetic. A bundle may carry a faster path that gives the
same probabilities:

- a **feature plan** (``fast.json``): for each column of the model's input matrix, which input
  column it comes from and the fitted arithmetic that makes it (median fill, standard scaling,
  one-hot or ordinal codes), read from the fitted preprocessing step;
- a **compiled model** for the estimator alone: ONNX (``fast.onnx``, run by ONNX Runtime) or a
  Treelite checkpoint (``fast.treelite``, run by Treelite's GTIL).

A path is kept only when, at save time, its probabilities matched the native pipeline's within
``TOLERANCE`` on the rows given (the run's holdout); ``fast.json`` records each attempt and why
a runtime was refused. Loading refuses an ONNX model that references external files
(``_onnx.py``).
"""

from __future__ import annotations

import contextlib
import math
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from learnburn._frames import is_pandas_na
from learnburn._records import Record
from learnburn.bundles._format import FAST
from learnburn.bundles._format import FAST_ONNX as ONNX
from learnburn.bundles._format import FAST_TREELITE as TREELITE
from learnburn.bundles._json import load_object
from learnburn.bundles._onnx import check_onnx
from learnburn.bundles._proof import prove
from learnburn.errors import BundleError, SchemaError

if TYPE_CHECKING:
    import pandas as pd

RUNTIME_FILES = {"onnxruntime": ONNX, "treelite": TREELITE}
SMALL = 256  # up to this many records are encoded in plain Python, without pandas
BATCH_ROWS = 10_000  # matrices this tall are scored with a thread per core


@dataclass(frozen=True)
class Feature(Record):
    """One input column's share of the model's matrix.

    ``op`` is "number" (float; ``fill`` replaces missing; then ``(x - center) / scale``),
    "onehot" (one matrix column per category; missing takes ``fill``; unseen is all zeros) or
    "code" (the category's position; missing and unseen become ``unknown``)."""

    column: str
    op: str
    fill: Any = None
    center: float = 0.0
    scale: float = 1.0
    categories: tuple[str, ...] = ()
    unknown: float = math.nan

    @property
    def width(self) -> int:
        return len(self.categories) if self.op == "onehot" else 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "column": self.column,
            "op": self.op,
            "fill": self.fill,
            "center": self.center,
            "scale": self.scale,
            "categories": list(self.categories),
            "unknown": None if math.isnan(self.unknown) else self.unknown,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Feature:
        unknown = data.get("unknown")
        return cls(
            column=str(data["column"]),
            op=str(data["op"]),
            fill=data.get("fill"),
            center=float(data.get("center", 0.0)),
            scale=float(data.get("scale", 1.0)),
            categories=tuple(str(c) for c in data.get("categories", ())),
            unknown=math.nan if unknown is None else float(unknown),
        )


class FeaturePlan:
    """Rows (records or a DataFrame) to the model's float matrix, as the fitted preprocessing
    step would make it."""

    def __init__(self, features: Sequence[Feature]) -> None:
        self.features = tuple(features)
        self.columns = tuple(dict.fromkeys(f.column for f in self.features))
        self.width = sum(f.width for f in self.features)
        ops = {"number": 0, "code": 1, "onehot": 2}
        self._steps = []  # (column, op code, category -> position, first matrix column, feature)
        offset = 0
        for feature in self.features:
            lookup = None if feature.op == "number" else _positions(feature.categories)
            self._steps.append((feature.column, ops[feature.op], lookup, offset, feature))
            offset += feature.width

    def to_list(self) -> list[dict[str, Any]]:
        return [f.to_dict() for f in self.features]

    def encode_records(self, records: Sequence[Mapping[str, Any]]) -> np.ndarray:
        """The matrix of a few records (dicts of column -> scalar), in plain Python."""
        if len(records) > SMALL:
            import pandas as pd

            return self.encode_frame(pd.DataFrame.from_records(list(records)))
        rows = []
        for r, record in enumerate(records):
            row = [0.0] * self.width
            for column, op, lookup, offset, feature in self._steps:
                value = record.get(column)
                if op == 0:  # a number: int and float take the short way (bool is not int)
                    kind = type(value)
                    if kind is float or kind is int:
                        number = float(value)
                        if number != number and feature.fill is not None:
                            number = float(feature.fill)
                        row[offset] = (number - feature.center) / feature.scale
                    else:
                        row[offset] = _number(feature, value, r)
                    continue
                text = value if type(value) is str else _text(value)
                if op == 1:  # a code
                    position = lookup.get(text) if text is not None else None
                    row[offset] = feature.unknown if position is None else position
                    continue
                if text is None:
                    text = feature.fill
                position = lookup.get(text) if text is not None else None
                if position is not None:
                    row[offset + position] = 1.0
            rows.append(row)
        return np.array(rows, dtype=np.float64).reshape(len(records), self.width)

    def encode_frame(self, frame: pd.DataFrame) -> np.ndarray:
        """The matrix of a DataFrame, one vectorised step per column."""
        matrix = np.zeros((len(frame), self.width), dtype=np.float64)
        for column_name, op, lookup, offset, feature in self._steps:
            column = frame[column_name]
            if op == 0:
                matrix[:, offset] = _numbers(feature, column)
                continue
            codes, missing = _category_positions(column, lookup)
            if op == 1:
                matrix[:, offset] = np.where(codes >= 0, codes, feature.unknown)
                continue
            if feature.fill is not None:
                codes = np.where(missing, lookup.get(feature.fill, -1), codes)
            rows = np.flatnonzero(codes >= 0)
            matrix[rows, offset + codes[rows]] = 1.0
        return matrix


def _positions(categories: Sequence[str]) -> dict[str, int]:
    return {category: position for position, category in enumerate(categories)}


def _number(feature: Feature, value: Any, row: int) -> float:
    if value is None or isinstance(value, bool):
        number = math.nan if value is None else float(value)
    elif isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        number = _parse_number(value, feature.column, row)
    else:
        number = float(value)
    if number != number and feature.fill is not None:
        number = float(feature.fill)
    return (number - feature.center) / feature.scale


def _parse_number(text: str, column: str, row: int) -> float:
    stripped = text.strip()
    if not stripped:
        return math.nan
    try:
        if "_" in stripped:
            raise ValueError(text)
        return float(stripped)
    except ValueError:
        raise SchemaError(
            f"numeric column {column!r} holds the text {text!r} in row {row + 1}",
            hint="numeric columns must hold numbers or be empty",
        ) from None


def _numbers(feature: Feature, column: pd.Series) -> np.ndarray:
    import pandas as pd

    values = None
    if pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
        values = column.to_numpy(dtype=np.float64, na_value=np.nan)
    elif column.dtype == object:
        with contextlib.suppress(TypeError, ValueError):  # as ``astype(float)``: None is NaN
            values = np.array(column.to_numpy(), dtype=np.float64)
    if values is None:
        values = pd.to_numeric(column, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        bad = column.notna().to_numpy() & np.isnan(values)
        text = column.astype(str).str.strip().to_numpy()
        bad &= text != ""
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise SchemaError(
                f"numeric column {feature.column!r} holds the text {column.iloc[row]!r} in row "
                f"{row + 1}",
                hint="numeric columns must hold numbers or be empty",
            )
    if feature.fill is not None:
        values = np.where(np.isnan(values), float(feature.fill), values)
    return (values - feature.center) / feature.scale


def _text(value: Any) -> str | None:
    """A categorical value as the fitted encoders saw it: ``str(value)``; missing is None."""
    if type(value) is int:  # a JSON number for a categorical column: the common case here
        return str(value)
    if value is None or (isinstance(value, float) and value != value) or is_pandas_na(value):
        return None
    return value if isinstance(value, str) else str(value)


def _category_positions(column: pd.Series, lookup: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """Each row's category position (-1 for missing or unseen) and whether it is missing: the
    column's distinct values are found on its own codes (text columns stay in Arrow), and each
    is converted to text and looked up once."""
    import pandas as pd

    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    positions = [lookup.get(_text(value), -1) for value in uniques]
    return np.array([*positions, -1], dtype=np.intp)[codes], codes < 0  # -1 picks the last


# -- runtimes -------------------------------------------------------------------------------------


class OnnxRunner:
    """An ONNX model with input ``X`` (float32 matrix) and a probabilities output.

    Requests of a few rows run on one thread (a server runs one worker per CPU); batches of
    ``BATCH_ROWS`` rows or more use a second session with ONNX Runtime's threads on every core.
    """

    name = "onnxruntime"

    def __init__(self, data: bytes, where: str) -> None:
        check_onnx(data, where)
        self.data = data
        self.where = where
        self.session = self._session(threads=1)
        self._batch_session = None
        self._lock = threading.Lock()
        self.input = self.session.get_inputs()[0].name
        outputs = [o.name for o in self.session.get_outputs()]
        self.output = "probabilities" if "probabilities" in outputs else outputs[-1]

    def _session(self, threads: int):
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads  # 0: one per core
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        try:
            return onnxruntime.InferenceSession(
                self.data, sess_options=options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # ONNX Runtime raises its own kinds on bad models
            raise BundleError(
                f"{self.where}: {ONNX} cannot be loaded by ONNX Runtime: {exc}",
                hint="save the bundle again, or remove its fast path",
            ) from exc

    def predict_proba(self, matrix: np.ndarray) -> np.ndarray:
        session = self.session
        if len(matrix) >= BATCH_ROWS:
            with self._lock:
                if self._batch_session is None:
                    self._batch_session = self._session(threads=0)
            session = self._batch_session
        feed = {self.input: np.ascontiguousarray(matrix, dtype=np.float32)}
        (proba,) = session.run([self.output], feed)
        return _two_columns(np.asarray(proba, dtype=np.float64), len(matrix))


class TreeliteRunner:
    """A Treelite model run by GTIL, Treelite's own tree evaluator, on one thread."""

    name = "treelite"

    def __init__(self, data: bytes, where: str) -> None:
        import treelite

        try:
            self.model = treelite.Model.deserialize_bytes(data)
        except Exception as exc:  # Treelite raises TreeliteError and others on bad bytes
            raise BundleError(
                f"{where}: {TREELITE} cannot be read by Treelite: {exc}",
                hint="save the bundle again, or remove its fast path",
            ) from exc

    def predict_proba(self, matrix: np.ndarray) -> np.ndarray:
        import treelite.gtil

        data = np.ascontiguousarray(matrix, dtype=np.float64)
        threads = 0 if len(matrix) >= BATCH_ROWS else 1  # 0: every core
        proba = treelite.gtil.predict(self.model, data, nthread=threads)
        return _two_columns(np.asarray(proba, dtype=np.float64), len(matrix))


RUNNERS = {OnnxRunner.name: OnnxRunner, TreeliteRunner.name: TreeliteRunner}


def _two_columns(proba: np.ndarray, rows: int) -> np.ndarray:
    proba = proba.reshape(rows, -1)
    if proba.shape[1] == 1:  # binary models give the positive class only
        return np.hstack([1.0 - proba, proba])
    return proba


# -- the loaded fast path -------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class FastPath:
    """A verified fast path: encode rows with the plan, score them with the runtime."""

    plan: FeaturePlan
    runner: OnnxRunner | TreeliteRunner
    classes: tuple  # the model's classes, in the order of the runtime's probabilities
    report: dict

    @property
    def runtime(self) -> str:
        return self.runner.name

    def predict_proba_records(self, records: Sequence[Mapping[str, Any]]) -> np.ndarray:
        return self.runner.predict_proba(self.plan.encode_records(records))

    def predict_proba_frame(self, frame: pd.DataFrame) -> np.ndarray:
        return self.runner.predict_proba(self.plan.encode_frame(frame))


def read_report(data: bytes | None, where: str = "the bundle") -> dict | None:
    """``fast.json`` as a dict (strict JSON, within the document size limit), or None when the
    bundle has none."""
    return None if data is None else load_object(data, f"{where}: {FAST}")


def load_fast_path(
    report: dict | None, files: Mapping[str, bytes], where: str
) -> tuple[FastPath | None, str | None]:
    """The fast path ``report`` (``read_report``) describes, when it is a proven one and passes
    its proof again in a child process (``_proof.py``); else None, with the reason when the
    proof failed (None when the bundle has no fast path)."""
    if not report or report.get("status") != "ready":
        return None, None
    runtime = report.get("runtime")
    name = RUNTIME_FILES.get(runtime)
    if name is None or name not in files:
        raise BundleError(
            f"{where}: {FAST} names the runtime {runtime!r} but the bundle lacks its model file",
            hint="the bundle is inconsistent; save it again",
        )
    try:
        plan = FeaturePlan([Feature.from_dict(f) for f in report["plan"]])
    except (KeyError, TypeError, ValueError) as exc:
        raise BundleError(
            f"{where}: {FAST} holds a malformed feature plan: {exc}",
            hint="the bundle is inconsistent; save it again",
        ) from exc
    classes = report.get("classes")
    if not isinstance(classes, list):
        raise BundleError(
            f"{where}: {FAST} does not list the model's classes",
            hint="the bundle is inconsistent; save it again",
        )
    if runtime == OnnxRunner.name:
        check_onnx(files[name], where)  # before any ONNX Runtime, the child's included
    failure = prove(runtime, files[name], plan.width, report.get("proof"))
    if failure is not None:
        return None, failure
    runner = RUNNERS[runtime](files[name], where)
    return FastPath(plan, runner, tuple(classes), report), None
