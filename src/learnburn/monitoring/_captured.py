"""Read what a server captured, window by window: learnburn's Parquet capture files and
SageMaker's data-capture JSON lines, as one table shape.

Each window is a DataFrame with ``event_id``, ``row``, ``time`` (UTC), the bundle's input
columns by their own names, ``proba.CLASS`` for each class and ``decision`` (text).

learnburn files (``serving/_capture.py``) are read a file at a time: first only each file's
``time`` column, to know which windows it reaches, then the whole file for the windows it
reaches, so a month of capture is never in memory at once. ``.partial`` files (still being
written, or left by a killed server) are skipped and counted.

SageMaker's data capture (``*.jsonl``, one event a line, as its documentation lays out)::

    {"captureData": {"endpointInput": {"observedContentType": "text/csv", "mode": "INPUT",
                                       "data": "...", "encoding": "CSV"},
                     "endpointOutput": {"observedContentType": "application/json",
                                        "mode": "OUTPUT", "data": "...", "encoding": "JSON"}},
     "eventMetadata": {"eventId": "...", "inferenceId": "...",
                       "inferenceTime": "2024-05-01T10:00:00Z"},
     "eventVersion": "0"}

``encoding`` is CSV, JSON or BASE64 (the bytes, base64-encoded). The input is read as a
learnburn server reads a request body (CSV with or without a header, JSON records), the output
as a learnburn server writes its answer (CSV: the probabilities then the decision; JSON:
``{"predictions": [{"proba": {...}, "decision": ...}]}``). The event id is ``inferenceId``
when the caller gave one, else ``eventId``. These files are small (SageMaker rotates them
hourly) and are read whole.
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import orjson
import pandas as pd

from learnburn.bundles import Bundle
from learnburn.errors import DataError, LearnburnError
from learnburn.serving._capture import INPUT_PREFIX, PROBA_PREFIX
from learnburn.serving._codecs import csv_rows, csv_table, json_records, records_frame

KEYS = ("event_id", "row", "time")
PARQUET = ".parquet"
JSONL = ".jsonl"


@dataclass(frozen=True)
class CaptureFiles:
    """The complete capture files under a path, and the incomplete ones skipped."""

    parquet: tuple[Path, ...]
    jsonl: tuple[Path, ...]
    partial: int


def find_capture(path: str | os.PathLike) -> CaptureFiles:
    """The capture files at ``path`` (one file, or a folder searched recursively)."""
    root = Path(path)
    if "://" in os.fspath(path):
        raise DataError(
            f"cannot read the capture at {os.fspath(path)!r}: only local files are read",
            hint="`learnburn monitor` and `workflows.run_monitor` read s3:// captures; here, "
            "copy it to a local folder first, e.g. `aws s3 sync s3://... DIR`",
        )
    if not root.exists():
        raise DataError(f"no capture at '{root}'", hint="give the folder passed to --capture")
    files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
    parquet = tuple(p for p in files if p.name.endswith(PARQUET))
    jsonl = tuple(p for p in files if p.name.endswith(JSONL))
    partial = sum(p.name.endswith(".partial") for p in files)
    if not parquet and not jsonl:
        raise DataError(
            f"no capture files (*.parquet or SageMaker *.jsonl) at '{root}'"
            + (f"; {partial} incomplete .partial file(s) skipped" if partial else ""),
            hint="serve with `learnburn serve BUNDLE --capture DIR` and give DIR",
        )
    return CaptureFiles(parquet, jsonl, partial)


def capture_windows(
    files: CaptureFiles, bundle: Bundle, window: pd.Timedelta
) -> Iterator[tuple[pd.Timestamp, pd.Timestamp, pd.DataFrame]]:
    """(start, end, rows) of each window of ``window`` length that holds captured rows, in
    time order; windows start at multiples of ``window`` since the epoch (UTC midnight for a
    day)."""
    sources = [_ParquetFile(path, bundle) for path in files.parquet]
    if files.jsonl:
        sources.append(_Loaded(read_sagemaker(files.jsonl, bundle)))
    sources = [source for source in sources if source.rows]
    if not sources:
        return
    step = window.value // 1000  # microseconds, as the times
    first = min(source.first for source in sources) // step * step
    last = max(source.last for source in sources)
    for start in range(first, last + 1, step):
        parts = [s.between(start, start + step) for s in sources if s.reaches(start, step)]
        parts = [part for part in parts if len(part)]
        if parts:
            frame = parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)
            if not frame["time"].is_monotonic_increasing:
                frame = frame.sort_values("time", kind="stable", ignore_index=True)
            yield _utc(start), _utc(start + step), frame


class _ParquetFile:
    """One learnburn capture file: its first and last times from the file's statistics (or
    its time column), its rows when a window needs them."""

    def __init__(self, path: Path, bundle: Bundle) -> None:
        self.path, self.bundle = path, bundle
        self.first, self.last, self.rows = _time_range(path)
        self._table: pd.DataFrame | None = None
        self.times: np.ndarray | None = None

    def reaches(self, start: int, step: int) -> bool:
        return self.first < start + step and self.last >= start

    def between(self, start: int, end: int) -> pd.DataFrame:
        if self._table is None:
            self._table = read_capture_file(self.path, self.bundle)
            self.times = _epoch_us(self._table["time"])
        table, times = self._table, self.times
        if self.last < end:
            self._table = self.times = None  # no later window needs this file
        if start <= self.first and self.last < end:
            return table
        inside = (times >= start) & (times < end)
        return table[inside].reset_index(drop=True)


def _time_range(path: Path) -> tuple[int, int, int]:
    """(first, last, rows) of a capture file, times in microseconds since the epoch."""
    import pyarrow.parquet as pq

    try:
        meta = pq.ParquetFile(path).metadata
        index = meta.schema.to_arrow_schema().get_field_index("time")
        if index < 0:
            raise KeyError("time")
        groups = [meta.row_group(i).column(index).statistics for i in range(meta.num_row_groups)]
        if meta.num_rows and all(g is not None and g.has_min_max for g in groups):
            lows = [_scalar_us(g.min) for g in groups]
            highs = [_scalar_us(g.max) for g in groups]
            if None not in lows and None not in highs:
                return min(lows), max(highs), meta.num_rows
        times = _epoch_us(pq.read_table(path, columns=["time"])["time"].to_pandas())
    except (OSError, KeyError, ValueError) as error:
        raise DataError(
            f"cannot read the capture file '{path}': {error}",
            hint="give a folder written by `learnburn serve --capture`",
        ) from error
    if not times.size:
        return 0, 0, 0
    return int(times.min()), int(times.max()), int(times.size)


def _scalar_us(value) -> int | None:
    """A time statistic in microseconds; None when it is not a datetime (a bare integer)."""
    if isinstance(value, int):
        return None
    stamp = pd.Timestamp(value)
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return stamp.value // 1000


class _Loaded:
    """Rows already read (SageMaker's capture), cut into windows."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self.times = _epoch_us(frame["time"])
        self.rows = len(frame)
        self.first = int(self.times.min()) if self.rows else 0
        self.last = int(self.times.max()) if self.rows else 0

    def reaches(self, start: int, step: int) -> bool:
        return self.first < start + step and self.last >= start

    def between(self, start: int, end: int) -> pd.DataFrame:
        inside = (self.times >= start) & (self.times < end)
        return self.frame[inside].reset_index(drop=True)


def read_capture_file(path: Path, bundle: Bundle) -> pd.DataFrame:
    """One learnburn capture file in the window shape."""
    import pyarrow.parquet as pq

    inputs = [INPUT_PREFIX + name for name in bundle.columns]
    probas = [PROBA_PREFIX + str(label) for label in bundle.classes]
    wanted = [*KEYS, *inputs, *probas, "decision"]
    try:
        names = set(pq.read_schema(path).names)
        missing = [name for name in wanted if name not in names]
        if missing:
            raise DataError(
                f"the capture file '{path}' lacks the columns {missing[:5]}",
                hint="monitor a capture with the bundle that served it",
            )
        table = pq.read_table(path, columns=wanted).to_pandas()
    except (OSError, ValueError) as error:
        raise DataError(f"cannot read the capture file '{path}': {error}", hint="") from error
    return table.rename(columns={INPUT_PREFIX + name: name for name in bundle.columns})


def read_sagemaker(paths: Sequence[Path], bundle: Bundle) -> pd.DataFrame:
    """SageMaker data-capture JSON lines in the window shape (see the module docstring)."""
    parts = []
    for path in paths:
        with open(path, "rb") as lines:
            for number, line in enumerate(lines, start=1):
                if line.strip():
                    parts.append(_sagemaker_event(line, bundle, f"{path}:{number}"))
    if not parts:
        return _empty(bundle)
    return pd.concat(parts, ignore_index=True)


def _sagemaker_event(line: bytes, bundle: Bundle, where: str) -> pd.DataFrame:
    hint = "give SageMaker data-capture files (one JSON event per line) of this bundle's endpoint"
    try:
        event = orjson.loads(line)
        data = event["captureData"]
        meta = event.get("eventMetadata", {})
        inputs = _table(data["endpointInput"], bundle)
        proba, decisions = _answers(data["endpointOutput"], bundle)
        event_id = str(meta.get("inferenceId") or meta["eventId"])
        when = pd.Timestamp(meta["inferenceTime"])
    except (LearnburnError, KeyError, TypeError, ValueError, binascii.Error) as error:
        detail = error.message if isinstance(error, LearnburnError) else repr(error)
        message = f"{where}: not a readable SageMaker capture event: {detail}"
        raise DataError(message, hint=hint) from error
    if len(proba) != len(inputs):
        raise DataError(
            f"{where}: the event has {len(inputs)} input rows but {len(proba)} answers", hint=hint
        )
    when = when.tz_localize("UTC") if when.tzinfo is None else when.tz_convert("UTC")
    frame = inputs.reset_index(drop=True)
    frame.insert(0, "event_id", event_id)
    frame.insert(1, "row", np.arange(len(frame), dtype=np.int32))
    frame.insert(2, "time", when)
    for index, label in enumerate(bundle.classes):
        frame[PROBA_PREFIX + str(label)] = proba[:, index]
    frame["decision"] = decisions
    return frame


def _payload(part: dict) -> bytes:
    data = part["data"]
    if str(part.get("encoding", "")).upper() == "BASE64":
        return base64.b64decode(data, validate=True)
    return data.encode("utf-8")


def _table(part: dict, bundle: Bundle) -> pd.DataFrame:
    body = _payload(part)
    if "json" in str(part.get("observedContentType", "")).lower() or body.lstrip()[:1] in b"[{":
        return records_frame(json_records(body, bundle), bundle)
    return csv_table(csv_rows(body, bundle.columns), bundle)


def _answers(part: dict, bundle: Bundle) -> tuple[np.ndarray, list[str]]:
    """The probabilities and decisions of a learnburn answer (JSON or CSV)."""
    body = _payload(part)
    classes = [str(label) for label in bundle.classes]
    if body.lstrip()[:1] == b"{":
        rows = orjson.loads(body)["predictions"]
        proba = np.array([[float(r["proba"][c]) for c in classes] for r in rows], dtype=float)
        return proba.reshape(len(rows), len(classes)), [str(r["decision"]) for r in rows]
    rows = [row for row in csv.reader(io.StringIO(body.decode("utf-8"))) if row]
    if any(len(row) != len(classes) + 1 for row in rows):
        raise ValueError(f"an answer row is not {len(classes)} probabilities and a decision")
    proba = np.array([[float(v) for v in row[:-1]] for row in rows], dtype=float)
    return proba.reshape(len(rows), len(classes)), [row[-1] for row in rows]


def _empty(bundle: Bundle) -> pd.DataFrame:
    columns = [*KEYS, *bundle.columns, *(PROBA_PREFIX + str(c) for c in bundle.classes)]
    return pd.DataFrame(columns=[*columns, "decision"])


def _epoch_us(times) -> np.ndarray:
    """Timestamps (a Series or array, tz-aware or not, any unit) as microseconds since the
    epoch, UTC, without a Python object per value."""
    series = times if isinstance(times, pd.Series) else pd.Series(times)
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        series = series.dt.tz_convert("UTC").dt.tz_localize(None)
    return series.to_numpy(dtype="datetime64[us]").astype(np.int64)


def _utc(microseconds: int) -> pd.Timestamp:
    return pd.Timestamp(microseconds, unit="us", tz="UTC")
