"""Request bodies to tables, predictions to response bodies: CSV and JSON (with orjson).

Never unpickles: only ``text/csv`` and ``application/json`` are read. CSV values arrive as
text and JSON values as scalars; numeric columns are coerced with the batch checks, so a bad
value is a SchemaError naming its column and row.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

import numpy as np
import orjson
import pandas as pd

from learnburn.bundles import Bundle
from learnburn.errors import SchemaError
from learnburn.serving._checks import check_columns, coerce_numeric, with_columns

CSV = "text/csv"
JSON = "application/json"
READABLE = (CSV, JSON)
_CHARSETS = ("utf-8", "utf8", "us-ascii", "ascii")
_SCALARS = (str, int, float, bool, type(None))


class RequestError(Exception):
    """A request learnburn cannot answer as sent; ``hint`` says how to fix it."""

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class Unparseable(RequestError):
    """The body is not valid CSV or JSON of the expected shape."""


class TooLarge(RequestError):
    """The body is over the payload limit."""


class UnsupportedType(RequestError):
    """The Content-Type is not one learnburn reads."""


class NotAcceptable(RequestError):
    """No type the Accept header allows is one learnburn writes."""


def content_type(header: str | None, allowed: Sequence[str] = READABLE) -> str:
    """The request's media type, when it is one of ``allowed`` (in UTF-8)."""
    media, params = _media(header or "")
    if media not in allowed or params.get("charset", "utf-8") not in _CHARSETS:
        raise UnsupportedType(
            f"cannot read a body of type {header!r}" if header else "the request has no type",
            hint=f"send Content-Type: one of {', '.join(allowed)} (UTF-8)",
        )
    return media


def accepted(header: str | None, offered: Sequence[str] = (JSON, CSV)) -> str:
    """The response type: the first of ``offered`` the Accept header allows, by its q order;
    JSON when there is no Accept header."""
    if not header or not header.strip():
        return offered[0]
    ranges = []
    for position, part in enumerate(header.split(",")):
        media, params = _media(part)
        try:
            quality = float(params.get("q", "1"))
        except ValueError:
            quality = 0.0
        if media and quality > 0:
            ranges.append((-quality, position, media))
    for _, _, media in sorted(ranges):
        for kind in offered:
            if media in (kind, "*/*", kind.split("/")[0] + "/*"):
                return kind
    raise NotAcceptable(
        f"cannot answer in any type of Accept: {header!r}",
        hint=f"accept one of {', '.join(offered)}",
    )


def read_table(body: bytes, media: str, bundle: Bundle) -> pd.DataFrame:
    """The rows of a CSV or JSON body as a table of the bundle's columns, numbers coerced."""
    if media == CSV:
        frame = _csv_frame(body, bundle.columns)
        where = "the CSV body"
    else:
        frame = _json_frame(body)
        where = "the JSON body"
    names = [str(name) for name in frame.columns]
    check_columns(names, bundle.columns, where)
    numeric = [c["name"] for c in bundle.schema["columns"] if c["kind"] == "numeric"]
    text = {name: frame[name].map(_as_text) for name in bundle.columns if name not in numeric}
    frame = with_columns(frame[list(bundle.columns)], text)
    return coerce_numeric(frame, numeric, 1, where)


def _csv_frame(body: bytes, columns: Sequence[str]) -> pd.DataFrame:
    """A CSV body, with a header row or (columns in bundle order) without one, all as text."""
    text = _decode(body)
    try:
        rows = [row for row in csv.reader(io.StringIO(text, newline=""), strict=True) if row]
    except csv.Error as exc:
        raise Unparseable(
            f"the CSV body is malformed: {exc}",
            hint="send RFC 4180 CSV: quoted fields closed, one record per line",
        ) from exc
    if not rows:
        raise Unparseable("the CSV body has no rows", hint="send at least one row to score")
    header = any(field in columns for field in rows[0])
    names = rows[0] if header else list(columns)
    data = rows[1:] if header else rows
    if header and len(set(names)) != len(names):
        raise SchemaError(
            f"the CSV header repeats column names: {names}",
            hint="name every column once",
        )
    for number, row in enumerate(data, start=1):
        if len(row) != len(names):
            raise SchemaError(
                f"row {number} of the CSV body has {len(row)} fields, expected {len(names)} "
                f"({'the header' if header else 'the bundle columns'} {list(names)})",
                hint="send one field per column in every row, or a header row naming them",
            )
    if not data:
        raise Unparseable("the CSV body has a header but no rows", hint="send rows to score")
    frame = pd.DataFrame(data, columns=names, dtype=object)
    return frame.where(frame != "", None)


def _json_frame(body: bytes) -> pd.DataFrame:
    """A JSON body: ``{"instances": [records]}`` or ``[records]``, records being objects."""
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise Unparseable(
            f"the JSON body is malformed: {exc}", hint="send valid UTF-8 JSON"
        ) from exc
    records = document.get("instances") if isinstance(document, dict) else document
    shape_hint = 'send {"instances": [{"column": value, ...}, ...]} or a list of such objects'
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise Unparseable("the JSON body is not a list of records", hint=shape_hint)
    if not records:
        raise Unparseable("the JSON body has no records", hint="send at least one record")
    for number, record in enumerate(records, start=1):
        bad = [name for name, value in record.items() if not isinstance(value, _SCALARS)]
        if bad:
            raise SchemaError(
                f"record {number} of the JSON body has non-scalar values in {bad}",
                hint="give each column a string, number, boolean or null",
            )
    return pd.DataFrame.from_records(records)


def _decode(body: bytes) -> str:
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Unparseable(f"the body is not UTF-8: {exc}", hint="send UTF-8 text") from exc


def _as_text(value: object) -> object:
    """A categorical or boolean value as text, as the batch reader gives it; missing is None."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    return value if isinstance(value, str) else str(value)


def _media(header: str) -> tuple[str, dict[str, str]]:
    media, *rest = header.split(";")
    params = {}
    for part in rest:
        key, _, value = part.partition("=")
        params[key.strip().lower()] = value.strip().strip('"').lower()
    return media.strip().lower(), params


def encode_json(document: object) -> bytes:
    """A JSON body (numpy values allowed; NaN becomes null)."""
    return orjson.dumps(document, option=orjson.OPT_SERIALIZE_NUMPY, default=str)


def predictions_json(classes: Sequence, proba: np.ndarray, decisions: np.ndarray) -> bytes:
    """``{"predictions": [{"proba": {class: p}, "decision": label}, ...]}``."""
    names = [str(label) for label in classes]
    rows = [
        {"proba": dict(zip(names, row, strict=True)), "decision": label}
        for row, label in zip(proba.tolist(), decisions.tolist(), strict=True)
    ]
    return encode_json({"predictions": rows})


def predictions_csv(proba: np.ndarray, decisions: np.ndarray) -> bytes:
    """One line per row: the class probabilities in bundle order, then the decision."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row, label in zip(proba.tolist(), decisions.tolist(), strict=True):
        writer.writerow([*row, label])
    return out.getvalue().encode("utf-8")
