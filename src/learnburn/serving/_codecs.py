"""Request bodies to tables, predictions to response bodies: CSV and JSON (with orjson).

Never unpickles: only ``text/csv`` and ``application/json`` are read. CSV values arrive as
text and numeric columns are coerced with the batch checks, so a bad value is a SchemaError
naming its column and row. JSON values are typed: a numeric column takes numbers or null, and
any other column a scalar, compared as text with the training categories (``true`` is "True").
Columns the bundle does not use are ignored; names are matched exactly, never normalised (an
NFD "café" is not the NFC column "café"). Infinite numbers are refused; an empty CSV field or a
JSON null is a missing value, left to the bundle's imputation.

A CSV body is split with the stdlib ``csv`` module (RFC 4180 quoting); a few rows whose numbers
are plain decimals become records for the bundle's fast path (``csv_records``), as JSON records
do, and any other body goes through pandas (``csv_table``), which gives the same answer and
explains a bad value.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from itertools import chain
from operator import itemgetter
from typing import TYPE_CHECKING

import numpy as np
import orjson

from learnburn.bundles import Bundle
from learnburn.errors import RequestError, SchemaError
from learnburn.serving._checks import SHOWN_ROWS, check_columns, coerce_numeric

if TYPE_CHECKING:
    import pandas as pd

CSV = "text/csv"
JSON = "application/json"
READABLE = (CSV, JSON)
_CHARSETS = ("utf-8", "utf8", "us-ascii", "ascii")
_SCALARS = (str, int, float, bool)
_NUMBERS = (int, float)  # exact types: a JSON true is not the number 1
_ABSENT = object()
# The characters of a plain decimal number, which pandas and Python read alike (Python's float
# also takes spaces, "_", non-ASCII digits, "inf" and "nan": those take the pandas path)
_DECIMAL = "0123456789+-.eE"


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
    """The rows of a CSV or JSON body as a table of the bundle's columns, numbers coerced.

    Columns the bundle does not use are ignored. In CSV every value is text and numeric columns
    are parsed; in JSON a numeric column takes numbers or null, any other column any scalar
    (compared as text with the training categories), and every record names every column.
    """
    if media != CSV:
        return records_frame(json_records(body, bundle), bundle)
    return csv_table(csv_rows(body, bundle.columns), bundle)


def csv_rows(body: bytes, columns: Sequence[str]) -> list[list[str]]:
    """A CSV body, with a header row or (columns in bundle order) without one, as rows of text:
    the bundle's columns only, in bundle order. Linear in the body: a header of many (repeated)
    names costs one pass, never a pass per name."""
    text = _decode(body)
    try:
        rows = [row for row in csv.reader(io.StringIO(text, newline=""), strict=True) if row]
    except csv.Error as exc:
        hint = "send RFC 4180 CSV: quoted fields closed, one record per line"
        if "field larger than field limit" in str(exc):
            hint = f"keep every field under {csv.field_size_limit():,} characters"
        raise Unparseable(f"the CSV body is malformed: {exc}", hint=hint) from exc
    if not rows:
        raise Unparseable("the CSV body has no rows", hint="send at least one row to score")
    wanted = frozenset(columns)
    header = any(field in wanted for field in rows[0])
    names = rows[0] if header else list(columns)
    data = rows[1:] if header else rows
    position = {name: i for i, name in enumerate(names)}
    if len(position) != len(names):
        repeated = sorted(name for name, count in Counter(names).items() if count > 1)
        raise SchemaError(
            f"the CSV header repeats the column names {_shorten(repeated)}",
            hint="name every column once",
        )
    width = len(names)
    for number, row in enumerate(data, start=1):
        if len(row) != width:
            raise SchemaError(
                f"row {number} of the CSV body has {len(row)} fields, expected {width} "
                f"({'the header' if header else 'the bundle columns'} {_shorten(names)})",
                hint="send one field per column in every row, or a header row naming them",
            )
    if not data:
        raise Unparseable("the CSV body has a header but no rows", hint="send rows to score")
    check_columns(position, columns, "the CSV body")
    where = [position[name] for name in columns]
    if where == list(range(width)):
        return data  # the bundle's columns, in order, and no others: the common case
    return [[row[i] for i in where] for row in data]


def csv_records(rows: Sequence[Sequence[str]], bundle: Bundle) -> list[dict] | None:
    """``csv_rows`` as records for ``Bundle.predict_proba_records``, without pandas: empty
    fields None, numeric fields parsed. None unless every numeric field is empty or a plain
    decimal number that is finite (the common case); ``csv_table`` reads and explains the rest,
    so both ways give the same answer."""
    columns = bundle.columns
    numeric = [name for name in columns if name in bundle.numeric_columns]
    others = [name for name in columns if name not in bundle.numeric_columns]
    take_numeric = _picker([columns.index(name) for name in numeric])
    take_others = _picker([columns.index(name) for name in others])
    texts = list(chain.from_iterable(map(take_numeric, rows)))
    if "".join(texts).strip(_DECIMAL):  # one pass over every numeric field, in C
        return None  # a character no plain decimal has: spaces, "_", "inf", "nan", text
    try:
        if "" in texts:
            numbers = [float(text) if text else None for text in texts]
        else:
            numbers = list(map(float, texts))
    except ValueError:  # such as "1e" or "+-"
        return None
    total = sum(filter(None, numbers))
    if total - total != 0.0:  # an infinite number (or a sum too big to tell): pandas checks
        return None
    width, records = len(numeric), []
    for start, row in zip(range(0, len(numbers), width or 1), rows, strict=False):
        record = dict(zip(numeric, numbers[start : start + width], strict=True))
        record.update(zip(others, take_others(row), strict=True))
        if "" in row:
            for name in others:
                if not record[name]:
                    record[name] = None
        records.append(record)
    return records


def _picker(positions: list[int]) -> Callable[[Sequence[str]], tuple[str, ...]]:
    """A function giving the fields of a row at ``positions``, as a tuple."""
    if len(positions) > 1:
        return itemgetter(*positions)
    return lambda row: tuple(row[i] for i in positions)


def csv_table(rows: Sequence[Sequence[str]], bundle: Bundle) -> pd.DataFrame:
    """``csv_rows`` as a table of the bundle's columns: empty fields missing, numeric columns
    coerced (text in one, or an infinite number, is a SchemaError naming column and row)."""
    import pandas as pd

    columns = list(bundle.columns)
    numeric = [c["name"] for c in bundle.schema["columns"] if c["kind"] == "numeric"]
    frame = pd.DataFrame(list(rows), columns=columns, dtype=object)
    where = "the CSV body"
    frame = coerce_numeric(frame.where(frame != "", None), numeric, 1, where)
    _check_finite({name: frame[name].to_numpy(dtype=float) for name in numeric}, where)
    return frame


def json_records(body: bytes, bundle: Bundle) -> list[dict]:
    """The records of a JSON body, checked: ``{"instances": [records]}`` or ``[records]``,
    records being objects that give every column a value of its kind (other keys are ignored),
    numbers finite."""
    columns = bundle.columns
    numeric = bundle.numeric_columns
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
    if _plainly_valid(records, columns, numeric):
        return records  # the common case, checked in one pass; the rest explains the problem
    for number, record in enumerate(records, start=1):
        if len(record) >= len(columns) and all(name in record for name in columns):
            continue
        missing = [name for name in columns if name not in record]
        raise SchemaError(
            f"record {number} of the JSON body lacks the column"
            f"{'s' if len(missing) > 1 else ''} {_shorten(missing)}",
            hint=f"give every record the columns {_shorten(list(columns))}, "
            "with null for a missing value",
        )
    values = {name: [record[name] for record in records] for name in columns}
    problems = [_wrong_types(name, values[name], name in numeric) for name in columns]
    problems = [problem for problem in problems if problem]
    if problems:
        raise SchemaError(
            "the JSON body has values of the wrong type: " + "; ".join(problems),
            hint="give numeric columns numbers or null, other columns a string, number, "
            "boolean or null; GET /v1/model lists each column's kind",
        )
    ordered = [name for name in columns if name in numeric]
    _check_finite({name: np.array(values[name], dtype=float) for name in ordered}, "the JSON body")
    return records


def _plainly_valid(records: list[dict], columns: Sequence[str], numeric: frozenset) -> bool:
    """Whether every record has every column with a value of its kind, numbers finite."""
    for record in records:
        for name in columns:
            value = record.get(name, _ABSENT)
            if value is None:
                continue
            kind = type(value)
            if name in numeric:
                if kind is float:
                    if value - value != 0.0:  # inf (JSON has no NaN)
                        return False
                elif kind is not int:
                    return False
            elif kind not in _SCALARS:
                return False
    return True


def records_frame(records: Sequence[Mapping], bundle: Bundle) -> pd.DataFrame:
    """Checked records (``json_records``) as a table of the bundle's columns."""
    import pandas as pd

    numeric = {c["name"] for c in bundle.schema["columns"] if c["kind"] == "numeric"}
    table = {
        name: np.array([record[name] for record in records], dtype=float)
        if name in numeric
        else pd.Series([_as_text(record[name]) for record in records], dtype=object)
        for name in bundle.columns
    }
    return pd.DataFrame(table, columns=list(bundle.columns))


def _wrong_types(name: str, values: list, numeric: bool) -> str:
    """The values of a JSON column that its kind does not take, described; "" when none."""
    allowed = _NUMBERS if numeric else _SCALARS
    bad = [
        (i, v) for i, v in enumerate(values, start=1) if v is not None and type(v) not in allowed
    ]
    if not bad:
        return ""
    takes = "numbers or null" if numeric else "a string, number, boolean or null"
    shown = ", ".join(f"{_shorten(v)} (record {i})" for i, v in bad[:SHOWN_ROWS])
    more = f" and {len(bad) - SHOWN_ROWS} more" if len(bad) > SHOWN_ROWS else ""
    return f"column {name!r} takes {takes}; got {shown}{more}"


def _check_finite(numeric: Mapping[str, np.ndarray], where: str) -> None:
    """Numeric columns hold finite numbers or missing values; infinity is a SchemaError."""
    problems = []
    for name, column in numeric.items():
        rows = np.isinf(column).nonzero()[0]
        if len(rows):
            shown = ", ".join(str(int(row) + 1) for row in rows[:SHOWN_ROWS])
            more = f" and {len(rows) - SHOWN_ROWS} more" if len(rows) > SHOWN_ROWS else ""
            problems.append(f"column {name!r} at rows {shown}{more}")
    if problems:
        raise SchemaError(
            f"{where} has infinite numbers: " + "; ".join(problems),
            hint="send finite numbers; leave a missing value empty (CSV) or null (JSON)",
        )


def _shorten(value: object, limit: int = 80) -> str:
    """``repr(value)``, cut to ``limit`` characters (request values can be megabytes)."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


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
