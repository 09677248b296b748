"""Data capture: what the server saw and answered, written as Parquet off the request path.

A scoring request that is sampled (``rate``, default every request) gets an event id, sent back
in the ``X-Learnburn-Event-Id`` header so that labels can be joined to it later; its rows, the
probabilities and the decisions go on a bounded queue (``QUEUE_EVENTS`` requests,
``QUEUE_ROWS`` rows) and the request goes on. One writer thread wakes every ``flush_s`` (5 s),
or as soon as ``WAKE_ROWS`` rows wait, and writes what the queue holds: few, large writes cost
the server least. When it is full the event is dropped and counted
(``learnburn_capture_events_total{outcome="dropped"}``), and the answer carries no event id: a
request never waits for the disk.

The files (format ``learnburn-capture`` version 1), under the capture folder::

    YYYY/MM/DD/HH/capture-YYYYMMDDTHHMMSSZ-PID-N.parquet

one row per scored row: ``event_id`` (32 hex digits), ``row`` (its position in the request),
``time`` (UTC, microseconds, when the request was scored), ``bundle_id``, then ``input.NAME``
for each of the bundle's columns (numeric columns as float64, the others as text, missing as
null), ``proba.CLASS`` for each class and ``decision`` (text). The schema metadata
``learnburn.capture`` holds the format, its version, the bundle id, the columns and the classes.
Within a file, rows are in the order the requests were scored.

A file is written as ``NAME.parquet.partial`` and renamed to ``NAME.parquet`` once closed, so a
reader sees complete files only. A file is closed after ``rotate_s`` seconds or once it reaches
``rotate_bytes``, and when the server shuts down (SIGTERM included): the queue is drained first.
Buffered events are written as a row group at least every ``flush_s`` seconds (a file is read
only once it is complete, so writing more often would make nothing readable sooner). A process
killed with SIGKILL loses its open ``.partial`` file.

An ``s3://bucket/prefix/`` capture (boto3, the ``aws`` extra, the standard credential chain)
writes the same files in a local staging folder (``$LEARNBURN_CAPTURE_STAGING``, else the
temporary folder) and uploads each one, by the writer thread, once it is closed, to the same
path below the prefix; an uploaded file is removed locally. A file that fails to upload stays
staged and is tried again at each wake of the writer and at shutdown (counted in
``learnburn_capture_files_total{outcome="upload_failed"}``; ``uploaded`` counts the others).
The bucket is checked when the capture is set up, so a missing bucket, denied access or no
credentials stop the server from starting instead of losing events.
"""

from __future__ import annotations

import array
import hashlib
import logging
import math
import operator
import os
import random
import struct
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import orjson

from learnburn._frames import is_frame
from learnburn.bundles import Bundle
from learnburn.errors import LearnburnError

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    from learnburn.data._objects import ObjectURL

logger = logging.getLogger(__name__)

EVENT_HEADER = "X-Learnburn-Event-Id"
FORMAT = "learnburn-capture"
VERSION = 1
METADATA_KEY = b"learnburn.capture"
INPUT_PREFIX = "input."
PROBA_PREFIX = "proba."
STAGING_ENV = "LEARNBURN_CAPTURE_STAGING"  # where an s3:// capture's files wait to upload
QUEUE_EVENTS = 10_000  # requests waiting to be written; more are dropped and counted
QUEUE_ROWS = 100_000  # ... and their rows (a request alone in the queue is never dropped)
ROTATE_S = 3600.0  # a file holds at most an hour of events
ROTATE_BYTES = 128 * 1024 * 1024  # ... and about this many bytes
FLUSH_S = 5.0  # buffered events are written at least this often
WAKE_ROWS = 4_000  # ... and as soon as this many rows wait
FLUSH_ROWS = 4_000  # rows converted and written at a time (a row group)
ID_POOL = 4_096  # event ids drawn from the system's random source at a time


class Capture:
    """The capture of one app: ``offer`` on the request path, a writer thread behind it.

    ``offer`` does as little as it can: it takes an event id from a pool drawn ahead, and
    queues the request's rows (records or a table, as the app read them), probabilities and
    decisions as they are, under a lock held for a list append. It runs right after the
    model, whose work leaves the processor's caches cold, so each step there costs several
    times what it costs in a loop: measured in a server, about 4 us a request, where packing
    the values on the spot (and a Prometheus counter) cost 17-20 us. It counts the events
    queued in a plain integer (``queued_total``), which the app adds to /metrics when read.

    The writer converts: consecutive requests given as records (the JSON and small CSV bodies)
    become one ``_Batch`` (numeric values packed into one array of doubles, the others one
    tuple a row), whose numeric columns Arrow reads straight from the array and whose other
    columns are each turned into Arrow in one call. A request scored as a table is written as
    it is, in order between the batches. On a server every microsecond the writer spends is
    taken from the requests (it shares the interpreter lock and the cores), so it works in few,
    large writes.

    ``gate`` (tests only) is an event the writer waits on before taking the queued events, so
    a test can hold the writer and fill the queue."""

    def __init__(
        self,
        folder: str | os.PathLike,
        bundle: Bundle,
        *,
        rate: float = 1.0,
        queue_events: int = QUEUE_EVENTS,
        queue_rows: int = QUEUE_ROWS,
        rotate_s: float = ROTATE_S,
        rotate_bytes: int = ROTATE_BYTES,
        flush_s: float = FLUSH_S,
        count: Callable[[str, int], None] | None = None,
        gate: threading.Event | None = None,
    ) -> None:
        self.folder, self.remote = capture_target(folder)
        self.rate = check_rate(rate)
        self.bundle_id = bundle_id(bundle)
        self.columns = tuple(bundle.columns)
        self.numeric = frozenset(bundle.numeric_columns)
        self.classes = tuple(str(label) for label in bundle.classes)
        self.schema = _schema(self.columns, self.numeric, self.classes, self.bundle_id)
        text = [INPUT_PREFIX + name for name in self.columns if name not in self.numeric]
        self.repeated = frozenset(["bundle_id", "decision", *text])  # text whose values repeat
        self._numbers = _getter([c for c in self.columns if c in self.numeric])
        self._texts = _getter([c for c in self.columns if c not in self.numeric])
        self._pack = struct.Struct(f"={len(self._numbers.names)}d").pack  # numbers as doubles
        self._lock = threading.Lock()  # over the queue, its count and the event ids
        # (event id, time in ns, rows, proba, decisions) in order; rows are the records, the one
        # record of a request of one, or a table
        self._events: list = []
        self._queued = 0  # events in the queue
        self._queued_rows = 0  # ... and their rows
        self.queued_total = 0  # events queued since the start
        self._ids: list[str] = []  # event ids not given yet
        self.queue_events, self.queue_rows = queue_events, queue_rows
        self._stop = threading.Event()
        self._wake = threading.Event()  # set to wake the writer before flush_s
        self.rotate_s, self.rotate_bytes, self.flush_s = rotate_s, rotate_bytes, flush_s
        self.count = count or (lambda outcome, n: None)
        self.gate = gate
        self.files: list[Path] = []  # complete files written, oldest first
        self.count_files: Callable[[str, int], None] = lambda outcome, n: None
        self.staged: list[Path] = []  # complete files not uploaded yet (s3:// only)
        self.uploaded: list[str] = []  # the URLs of the files uploaded, oldest first
        self._sequence = 0
        self._random = random.Random()  # samples requests at ``rate``
        self._thread = threading.Thread(target=self._run, name="learnburn-capture", daemon=True)
        self._started = False

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self._thread.start()
        self._started = True

    def offer(self, rows: Sequence[dict] | pd.DataFrame, proba, decisions) -> str | None:
        """Queue one scored request: its event id, or None when it was not sampled or the
        queue was full (then it is counted as dropped). Never waits for the writer: the lock
        is held only to append, and the writer holds it only to take what is queued. The
        rows are kept as they are: nothing changes them once they are scored."""
        if self.rate < 1.0 and self._random.random() >= self.rate:
            return None
        stamp, count = time.time_ns(), len(proba)  # its rows: one probability row each
        if type(rows) is list and len(rows) == 1 and type(rows[0]) is dict:
            # the record alone: an event of plain values then leaves the garbage collector's
            # lists at its next pass, where a list would keep it in them until written
            rows = rows[0]
        with self._lock:
            waiting = self._queued_rows
            room = waiting + count <= self.queue_rows or not self._queued
            if room and self._queued < self.queue_events:
                event_id = (self._ids or self._draw_ids()).pop()
                self._events.append((event_id, stamp, rows, proba, decisions))
                self._queued += 1
                self._queued_rows = waiting + count
                self.queued_total += 1
                if waiting < WAKE_ROWS <= waiting + count:
                    self._wake.set()
                return event_id
        self.count("dropped", 1)
        return None

    def _draw_ids(self) -> list[str]:
        """ID_POOL new event ids (128 random bits each, from the system's source), drawn in
        one call: once in ID_POOL requests instead of on each (with the lock held)."""
        digits = os.urandom(16 * ID_POOL).hex()
        self._ids = [digits[i : i + 32] for i in range(0, len(digits), 32)]
        return self._ids

    def take_queued(self) -> list:
        """The events queued so far, in order, leaving the queue empty."""
        with self._lock:
            events, self._events = self._events, []
            self._queued = self._queued_rows = 0
        return events

    def close(self, timeout: float = 30.0) -> None:
        """Write what is queued, close the open file and stop the writer."""
        if not self._started:
            return
        if self.gate is not None:
            self.gate.set()
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)
        if self._thread.is_alive():
            logger.error("capture: the writer did not finish within %s s", timeout)
        self._started = False

    def _run(self) -> None:
        import_writer_libraries()
        writer = _Writer(self)
        while True:
            self._wake.wait(self.flush_s)
            self._wake.clear()
            stopping = self._stop.is_set()
            if self.gate is not None:
                self.gate.wait()
            self._write_queued(writer)
            writer.rotate_if_due(time.monotonic())
            if stopping:
                self._write_queued(writer)  # what arrived while the last batch was written
                writer.close()
                self._upload_staged(final=True)
                return
            self._upload_staged()

    def closed(self, path: Path) -> None:
        """A complete file: kept, or staged for upload to an s3:// capture."""
        self.files.append(path)
        if self.remote is not None:
            self.staged.append(path)

    def _upload_staged(self, final: bool = False) -> None:
        """Upload the staged files in order; one that fails stays staged for the next try."""
        if not self.staged:
            return
        from learnburn.data._objects import upload_file

        for path in list(self.staged):
            url = self.remote_url(path)
            try:
                upload_file(path, url)
            except LearnburnError as error:
                self.count_files("upload_failed", 1)
                where = f"; it stays at {path}" if final else "; it is tried again"
                logger.error("capture: could not upload %s to %s: %s%s", path, url, error, where)
                continue
            self.staged.remove(path)
            self.uploaded.append(url)
            self.count_files("uploaded", 1)
            path.unlink(missing_ok=True)

    def remote_url(self, path: Path) -> str:
        """Where a staged file goes: its path below the staging folder, below the prefix."""
        relative = path.relative_to(self.folder).as_posix()
        return f"s3://{self.remote.bucket}/{self.remote.key}{relative}"

    def _write_queued(self, writer: _Writer) -> None:
        """Take the events queued now, and write them in row groups of about FLUSH_ROWS."""
        group, rows = [], 0
        for event in self.take_queued():
            group.append(event)
            rows += len(event[3])  # its probabilities: one row each
            if rows >= FLUSH_ROWS:
                writer.write(group)
                group, rows = [], 0
        if group:
            writer.write(group)

    def next_path(self, started: float) -> Path:
        """Where the next file goes (its final name, without ``.partial``)."""
        stamp = time.gmtime(started)
        self._sequence += 1
        folder = self.folder / time.strftime("%Y/%m/%d/%H", stamp)
        name = f"capture-{time.strftime('%Y%m%dT%H%M%SZ', stamp)}-{os.getpid()}-{self._sequence}"
        return folder / f"{name}.parquet"


class _Batch:
    """Requests given as records: per request its event id, time (ns), number of rows,
    probabilities and decisions; per row its numeric values (in ``numbers``, row after row)
    and its other values (a tuple in ``texts``)."""

    __slots__ = ("decisions", "ids", "numbers", "proba", "rows", "sizes", "stamps", "texts")

    def __init__(self, events: list) -> None:
        self.ids: list[str] = [event[0] for event in events]
        self.stamps: list[int] = [event[1] for event in events]
        self.sizes: list[int] = [len(event[3]) for event in events]  # rows: probabilities
        self.proba: list = [event[3] for event in events]
        self.decisions: list = [event[4] for event in events]
        self.numbers = array.array("d")  # each row's numeric columns, row after row (NaN: null)
        self.texts: list[tuple] = []  # each row's other columns' values, as sent
        self.rows = sum(self.sizes)


def _records_batch(capture: Capture, events: list) -> _Batch:
    """The batch of consecutive requests given as records."""
    batch = _Batch(events)
    numbers, texts = batch.numbers, batch.texts
    get_numbers, get_texts, pack = capture._numbers.get, capture._texts.get, capture._pack
    for event in events:
        for record in (event[2],) if type(event[2]) is dict else event[2]:
            try:  # the numbers, packed as doubles: compact, and no Python object kept
                numbers.frombytes(pack(*get_numbers(record)))
            except (KeyError, TypeError, OverflowError, struct.error):  # None, or not sent
                numbers.extend([_float(record.get(name)) for name in capture._numbers.names])
            try:
                texts.append(get_texts(record))
            except KeyError:  # never, once the codecs checked the record
                texts.append(tuple(record.get(name) for name in capture._texts.names))
    return batch


class _getter:
    """The values of ``names`` in a record, as a tuple (``operator.itemgetter`` gives a bare
    value for one name); ``names`` is kept for the slow path."""

    def __init__(self, names: list[str]) -> None:
        self.names = tuple(names)
        if len(names) == 1:
            name = names[0]
            self.get = lambda record: (record[name],)
        elif names:
            self.get = operator.itemgetter(*names)
        else:
            self.get = lambda record: ()


def _float(value) -> float:
    """A value of a numeric column as a double; missing or no number is NaN (written null)."""
    number = _number(value)
    return math.nan if number is None else number


class _Writer:
    """The open file of a capture, rotated by age and size; used by the writer thread only."""

    def __init__(self, capture: Capture) -> None:
        self.capture = capture
        self.path: Path | None = None
        self.sink = None
        self.parquet: pq.ParquetWriter | None = None
        self.opened = 0.0

    def write(self, queued: list) -> None:
        events = len(queued)
        try:
            table = event_table(self.capture, queued)
            if self.parquet is None:
                self._open()
            self.parquet.write_table(table)
            self.capture.count("written", events)
        except Exception:  # a full disk, a value Arrow refuses: count, log, keep serving
            logger.exception("capture: could not write %d events", events)
            self.capture.count("failed", events)
            return
        if self.sink.tell() >= self.capture.rotate_bytes:
            self.close()

    def rotate_if_due(self, now: float) -> None:
        if self.parquet is not None and now - self.opened >= self.capture.rotate_s:
            self.close()

    def _open(self) -> None:
        import pyarrow.parquet as pq

        self.path = self.capture.next_path(time.time())
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.sink = open(self.partial, "wb")  # noqa: SIM115 - closed in close()
        schema = self.capture.schema
        self.parquet = pq.ParquetWriter(
            self.sink,
            schema,
            compression="snappy",
            # dictionaries for text that repeats, statistics for the time readers select by:
            # each costs as much to write as the data, and is of no use on the other columns
            use_dictionary=[f.name for f in schema if f.name in self.capture.repeated],
            write_statistics=["time"],
        )
        self.opened = time.monotonic()

    @property
    def partial(self) -> Path:
        return self.path.with_name(self.path.name + ".partial")

    def close(self) -> None:
        if self.parquet is None:
            return
        try:
            self.parquet.close()
            self.sink.flush()
            os.fsync(self.sink.fileno())
            self.sink.close()
            os.replace(self.partial, self.path)
            self.capture.closed(self.path)
        except OSError:
            logger.exception("capture: could not close %s", self.partial)
        self.parquet = self.sink = None


def event_table(capture: Capture, events: list) -> pa.Table:
    """The Arrow table of queued events (``take_queued``), in order: each run of requests
    given as records is one batch, each request given as a table its own part."""
    import pyarrow as pa

    parts, run = [], []
    for event in events:
        if type(event[2]) in (dict, list) or not is_frame(event[2]):
            run.append(event)
            continue
        if run:
            parts.append(_segment_table(capture, _records_batch(capture, run)))
            run = []
        parts.append(_segment_table(capture, event))
    if run:
        parts.append(_segment_table(capture, _records_batch(capture, run)))
    return parts[0] if len(parts) == 1 else pa.concat_tables(parts)


def _segment_table(capture: Capture, segment) -> pa.Table:
    if type(segment) is _Batch:
        numbers = np.frombuffer(segment.numbers, dtype=float).reshape(segment.rows, -1)
        texts = list(zip(*segment.texts, strict=True)) or [()] * len(capture._texts.names)
        found = dict(zip(capture._numbers.names, numbers.T, strict=True))
        found |= zip(capture._texts.names, texts, strict=True)
        inputs = [
            _from_numpy(found[name]) if name in capture.numeric else _text_column(found[name])
            for name in capture.columns
        ]
        return _assemble(capture, segment, inputs)
    import pandas as pd

    frame = segment[2]
    inputs = []
    for name in capture.columns:
        if name in capture.numeric:
            values = pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=float)
            inputs.append(_from_numpy(values))
        else:
            inputs.append(_text_column([_text(v) for v in frame[name].tolist()]))
    return _assemble(capture, _Batch([segment]), inputs)


def import_writer_libraries() -> None:
    """Import pyarrow and pandas, which pyarrow imports on its first array: done when the
    writer starts, beside the server's start-up, not on its first write under load, where the
    import would hold the interpreter lock for a few hundred milliseconds."""
    import pandas  # noqa: F401
    import pyarrow.parquet  # noqa: F401


def _from_numpy(values: np.ndarray):
    """Arrow's float64 array of ``values`` (copied first when they are not side by side, as a
    column of the batch's rows is not); NaN is missing (null). Made from its buffers:
    ``pa.array`` would look at each value for a missing one."""
    import pyarrow as pa

    values = np.ascontiguousarray(values, dtype=np.float64)
    missing = np.isnan(values)
    nulls = int(np.count_nonzero(missing))
    valid = pa.py_buffer(np.packbits(~missing, bitorder="little")) if nulls else None
    buffers = [valid, pa.py_buffer(values)]
    return pa.Array.from_buffers(pa.float64(), len(values), buffers, null_count=nulls)


def _text_column(values):
    """Arrow's text array of a text column's values as the codecs read them: text as it is,
    a JSON number as Python writes it ("3", "1.5"), True as "True", None as null. Text, whole
    numbers (Arrow's cast) and floats (each distinct value formatted once: JSON numbers in a
    categorical column repeat) take fast paths; other values are converted one by one."""
    import pyarrow as pa

    try:
        inferred = pa.array(values)  # text, or numbers from JSON: each in one pass
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError):
        inferred = None
    if inferred is not None:
        if pa.types.is_string(inferred.type):
            return inferred
        if pa.types.is_integer(inferred.type) or pa.types.is_null(inferred.type):
            return inferred.cast(pa.string())  # as Python writes whole numbers
        if pa.types.is_floating(inferred.type) and set(map(type, values)) <= _FLOATS:
            return _float_texts(inferred)
    if None in values:
        return pa.array([None if v is None else str(v) for v in values], pa.string())
    return pa.array(list(map(str, values)), pa.string())  # as the codecs read them


_FLOATS = frozenset([float, type(None)])


def _float_texts(numbers: pa.Array) -> pa.Array:
    """Python's text of each float (``str``, which Arrow's cast does not match: 1.0 is
    "1.0"), each distinct value formatted once; distinct by their bits, so 0.0 and -0.0
    stay apart; null stays null."""
    import pyarrow as pa

    bits = numbers.to_numpy(zero_copy_only=False).view(np.int64)  # null: NaN, masked below
    distinct, positions = np.unique(bits, return_inverse=True)
    texts = pa.array(list(map(str, distinct.view(np.float64).tolist())), pa.string())
    mask = numbers.is_null().to_numpy(zero_copy_only=False) if numbers.null_count else None
    return texts.take(pa.array(positions.astype(np.int32), mask=mask))


def _assemble(capture: Capture, batch: _Batch, inputs: list) -> pa.Table:
    import pyarrow as pa

    sizes, count = batch.sizes, len(batch.ids)
    stamps = np.asarray(batch.stamps, dtype=np.int64) // 1000  # ns to us
    if sum(sizes) == count:  # one row per request, the common case
        ids = batch.ids
        rows = np.zeros(count, dtype=np.int32)
    else:
        ids = [
            event_id for event_id, size in zip(batch.ids, sizes, strict=True) for _ in range(size)
        ]
        rows = np.concatenate([np.arange(size, dtype=np.int32) for size in sizes])
        stamps = np.repeat(stamps, sizes)
    proba = np.concatenate([np.asarray(p, dtype=float) for p in batch.proba])
    decisions = np.concatenate([np.asarray(d) for d in batch.decisions]).astype(str)
    arrays = [
        pa.array(ids, pa.string()),
        pa.array(rows, pa.int32()),
        pa.array(stamps.astype("datetime64[us]"), pa.timestamp("us", tz="UTC")),
        pa.DictionaryArray.from_arrays(
            pa.array(np.zeros(len(ids), dtype=np.int32)), pa.array([capture.bundle_id])
        ),
        *inputs,
        *(pa.array(proba[:, i], pa.float64()) for i in range(proba.shape[1])),
        pa.array(decisions.tolist(), pa.string()),
    ]
    return pa.Table.from_arrays(arrays, schema=capture.schema)


def _schema(columns, numeric, classes, bundle: str) -> pa.Schema:
    import pyarrow as pa

    fields = [
        pa.field("event_id", pa.string()),
        pa.field("row", pa.int32()),
        pa.field("time", pa.timestamp("us", tz="UTC")),
        pa.field("bundle_id", pa.dictionary(pa.int32(), pa.string())),
        *(
            pa.field(INPUT_PREFIX + name, pa.float64() if name in numeric else pa.string())
            for name in columns
        ),
        *(pa.field(PROBA_PREFIX + label, pa.float64()) for label in classes),
        pa.field("decision", pa.string()),
    ]
    meta = {"format": FORMAT, "version": VERSION, "bundle_id": bundle}
    meta |= {"columns": list(columns), "classes": list(classes)}
    return pa.schema(fields, metadata={METADATA_KEY: orjson.dumps(meta)})


def _number(value) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError, OverflowError):
        return None


def _text(value) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    return value if isinstance(value, str) else str(value)


def bundle_id(bundle: Bundle) -> str:
    """The bundle's id: the first 16 hex digits of the sha256 of its manifest's file table,
    the same for every copy of the same files."""
    files = orjson.dumps(bundle.manifest.get("files", {}), option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(files).hexdigest()[:16]


def capture_target(folder: str | os.PathLike) -> tuple[Path, ObjectURL | None]:
    """The local folder files are written in, and for an ``s3://`` capture the bucket and
    prefix (ending in ``/``) they are uploaded to, once the bucket is known to be reachable.
    Other URL schemes are refused."""
    text = os.fspath(folder)
    if text.startswith("s3://"):
        from learnburn.data._objects import ObjectURL, check_bucket

        location = check_bucket(text)
        key = location.key if not location.key or location.key.endswith("/") else location.key + "/"
        staging = Path(os.environ.get(STAGING_ENV) or tempfile.gettempdir())
        return staging / f"learnburn-capture-{os.getpid()}", ObjectURL(location.bucket, key)
    if "://" in text:
        raise LearnburnError(
            f"cannot capture to {text!r}: capture goes to a local folder or to s3://",
            hint="give a local folder (in a container, a mounted volume) or s3://BUCKET/PREFIX/",
        )
    return Path(text), None


def check_rate(rate: float) -> float:
    if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 < rate <= 1:
        raise LearnburnError(
            f"the capture rate must be a number in (0, 1], got {rate!r}",
            hint="1 captures every request, 0.1 one in ten",
        )
    return float(rate)
