"""Read a table from a SQL query through SQLAlchemy, in chunks, into Arrow and then pandas.

The database URL is a SQLAlchemy URL (``postgresql+psycopg://user@host/db``) or ``env:NAME``, the
name of an environment variable that holds one, so that no credential is written in a spec. The
password never leaves this module: messages and the recorded origin name the URL with the
password removed (``env:NAME`` is recorded as the variable's name alone).

Rows are fetched ``chunk_rows`` at a time from a server-side cursor; each chunk becomes an Arrow
record batch whose types come from the database's column types (``_TYPES``, PostgreSQL type
OIDs: integers -> int64, real/double/numeric -> float64, boolean, text, date and timestamps ->
timestamp, ``timestamptz`` -> UTC timestamp; json, uuid and the rest -> text). A database whose
driver reports no types (SQLite) has them inferred from the values. NULL is missing whatever the
type; an integer column with NULLs becomes float64 in pandas, as it does when read from CSV.

``{since}`` and ``{until}`` in the query are bound parameters (never pasted into the text).
Connecting waits at most ``connect_timeout`` seconds.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pyarrow as pa

from learnburn.data._source import SourceRead
from learnburn.errors import DataError

ENV_PREFIX = "env:"
CHUNK_ROWS = 50_000
CONNECT_TIMEOUT = 10
_PLACEHOLDER = re.compile(r"\{(since|until)\}")
_TIMEOUT_ARGUMENT = {
    "psycopg": "connect_timeout",
    "psycopg2": "connect_timeout",
    "pg8000": "timeout",
    "pymysql": "connect_timeout",
    "mysqldb": "connect_timeout",
}
_DRIVER_EXTRA = {"psycopg": "postgres", "psycopg2": "postgres"}
_INT, _FLOAT, _TEXT = pa.int64(), pa.float64(), pa.string()
_TIME, _DATE = pa.timestamp("us"), pa.date32()
# PostgreSQL type OIDs (pg_type) -> the Arrow type their column becomes.
_TYPES = {
    16: pa.bool_(),
    20: _INT, 21: _INT, 23: _INT, 26: _INT,
    700: _FLOAT, 701: _FLOAT, 1700: _FLOAT,
    18: _TEXT, 19: _TEXT, 25: _TEXT, 1042: _TEXT, 1043: _TEXT, 114: _TEXT, 3802: _TEXT,
    2950: _TEXT,
    1082: _DATE, 1114: _TIME, 1184: pa.timestamp("us", tz="UTC"),
}  # fmt: skip


@dataclass(frozen=True)
class DatabaseURL:
    """A database URL as written (``env:NAME`` or a URL), resolved; ``shown`` has no password."""

    written: str
    url: Any  # sqlalchemy.engine.URL
    shown: str

    @property
    def driver(self) -> str:
        return self.url.drivername

    @property
    def where(self) -> str:
        """Host, port and database, for messages: ``127.0.0.1:5432/loans`` (a file database:
        its path)."""
        if not self.url.host:
            return self.url.database or ""
        port = f":{self.url.port}" if self.url.port else ""
        return f"{self.url.host}{port}/{self.url.database or ''}"

    def recorded(self) -> str:
        """What a run record keeps: the variable's name, or the URL without its password."""
        return self.written if self.written.startswith(ENV_PREFIX) else self.shown


def resolve_url(written: str, environ: Mapping[str, str] | None = None) -> DatabaseURL:
    """The database URL ``written`` names: itself, or the value of ``env:NAME``."""
    from sqlalchemy.engine import URL, make_url
    from sqlalchemy.exc import ArgumentError

    text = written
    if written.startswith(ENV_PREFIX):
        name = written.removeprefix(ENV_PREFIX)
        text = (os.environ if environ is None else environ).get(name, "").strip()
        if not text:
            raise DataError(
                f"The database URL is read from the environment variable {name}, which is not set",
                hint=f"export {name}=postgresql+psycopg://USER:PASSWORD@HOST/DATABASE "
                "(the URL stays out of the spec)",
            )
    try:
        url = make_url(text)
    except ArgumentError:
        where = (
            f"the environment variable {written.removeprefix(ENV_PREFIX)}"
            if text != written
            else "url"
        )
        raise DataError(
            f"The database URL in {where} is not a database URL",
            hint="write it as DIALECT+DRIVER://USER:PASSWORD@HOST:PORT/DATABASE, "
            "e.g. postgresql+psycopg://loans@db.internal/loans",
        ) from None  # the parser's message repeats the URL, password and all
    # URL.set(password=None) keeps the password: build the URL without one instead
    shown = URL.create(
        url.drivername, url.username, None, url.host, url.port, url.database, url.query
    ).render_as_string(hide_password=False)
    return DatabaseURL(written, url, shown)


def read_sql(
    url: str,
    query: str,
    *,
    since: Any = None,
    until: Any = None,
    chunk_rows: int = CHUNK_ROWS,
    connect_timeout: int = CONNECT_TIMEOUT,
    environ: Mapping[str, str] | None = None,
    on_chunk: Callable[[int], None] | None = None,
) -> SourceRead:
    """Run ``query`` on the database at ``url`` and return its result as a DataFrame;
    ``on_chunk`` is called with the rows read so far after each chunk."""
    database = resolve_url(url, environ)
    text, params = bind_window(query, since, until)
    engine = _engine(database, connect_timeout)
    try:
        table = _fetch(engine, database, text, params, chunk_rows, on_chunk or (lambda _rows: None))
    finally:
        engine.dispose()
    source = describe_sql(database)
    if table.num_columns == 0 or table.num_rows == 0:
        raise DataError(
            f"The query on {source} returned no rows",
            hint="check the query's WHERE clause (and since/until); run it in a SQL client "
            "to see what it returns",
        )
    frame = table.to_pandas()
    origin = {
        "kind": "sql",
        "url": database.recorded(),
        "query_sha256": hashlib.sha256(query.encode()).hexdigest(),
        "params": {key: str(value) for key, value in params.items()},
    }
    return SourceRead(frame, source, origin)


def describe_sql(database: DatabaseURL) -> str:
    """How a SQL source is named in messages and records: ``SQL on DRIVER://HOST/DB``."""
    return f"SQL on {database.driver}://{database.where}"


def bind_window(query: str, since: Any, until: Any) -> tuple[str, dict[str, Any]]:
    """The query with ``{since}``/``{until}`` turned into bound parameters, and their values."""
    values = {"since": since, "until": until}
    named = set(_PLACEHOLDER.findall(query))
    missing = sorted(name for name in named if values[name] is None)
    if missing:
        raise DataError(
            f"The query uses {{{missing[0]}}} but no {missing[0]} was given",
            hint=f"set {missing[0]} under [data] (an ISO date), or pass --{missing[0]}",
        )
    return _PLACEHOLDER.sub(r":\1", query), {name: values[name] for name in sorted(named)}


def _engine(database: DatabaseURL, connect_timeout: int):
    from sqlalchemy import create_engine
    from sqlalchemy.exc import NoSuchModuleError
    from sqlalchemy.pool import NullPool

    driver = database.url.get_driver_name()
    argument = _TIMEOUT_ARGUMENT.get(driver)
    connect_args = {argument: connect_timeout} if argument else {}
    try:
        return create_engine(database.url, poolclass=NullPool, connect_args=connect_args)
    except (NoSuchModuleError, ImportError) as error:
        extra = _DRIVER_EXTRA.get(driver)
        install = f"pip install 'learnburn[{extra}]'" if extra else f"install the {driver} driver"
        raise DataError(
            f"No database driver {database.driver!r} for {describe_sql(database)}: {error}",
            hint=f"{install}, or name an installed driver in the URL (DIALECT+DRIVER://...)",
        ) from error


def _fetch(
    engine, database: DatabaseURL, query: str, params: dict, chunk_rows: int, on_chunk
) -> pa.Table:
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    try:
        connection = engine.connect()
    except DBAPIError as error:
        raise DataError(
            f"Cannot connect to the database at {database.where} (driver {database.driver}): "
            f"{_reason(error, database)}",
            hint="check that the server is running and reachable from here, and the URL's "
            "host, port, user and password (learnburn never prints the password)",
        ) from None
    try:
        with connection:
            streaming = connection.execution_options(stream_results=True)
            result = streaming.execute(text(query), params)
            description = result.cursor.description if result.returns_rows else None
            if not description:
                raise DataError(
                    f"The statement run on {describe_sql(database)} returns no table",
                    hint="give a SELECT query (or another statement that returns rows)",
                )
            names = [str(column[0]) for column in description]
            _check_unique(names, database)
            types = [_TYPES.get(column[1]) for column in description]
            batches, read = [], 0
            for rows in result.yield_per(chunk_rows).partitions():
                batches.append(_batch(rows, names, types))
                read += batches[-1].num_rows
                on_chunk(read)
    except DBAPIError as error:
        raise DataError(
            f"The query failed on {describe_sql(database)}: {_reason(error, database)}",
            hint="fix the query (run it in a SQL client to see the same message)",
        ) from None
    if not batches:
        return pa.table(
            {name: pa.array([], type or _TEXT) for name, type in zip(names, types, strict=True)}
        )
    return (
        pa.Table.from_batches(batches).combine_chunks() if len(batches) == 1 else _concat(batches)
    )


def _concat(batches: list[pa.RecordBatch]) -> pa.Table:
    tables = [pa.Table.from_batches([batch]) for batch in batches]
    return pa.concat_tables(tables, promote_options="permissive")


def _reason(error: Exception, database: DatabaseURL) -> str:
    """The driver's message (its first two lines, the second when it is a hint rather than the
    statement the driver sent) with the password, if any, blotted out."""
    lines = [line.strip() for line in str(getattr(error, "orig", None) or error).splitlines()]
    lines = [line for line in lines if line and not line.startswith("LINE ")][:2]
    message = "; ".join(lines)
    password = database.url.password
    return message.replace(str(password), "***") if password else message


def _check_unique(names: list[str], database: DatabaseURL) -> None:
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise DataError(
            f"The query on {describe_sql(database)} returns duplicate column names: "
            f"{', '.join(map(repr, repeated))}",
            hint="give each column its own name with AS in the SELECT list",
        )


def _batch(
    rows: Iterable[Any], names: list[str], types: list[pa.DataType | None]
) -> pa.RecordBatch:
    columns = list(zip(*rows, strict=True)) or [() for _ in names]
    arrays = [_array(list(values), type) for values, type in zip(columns, types, strict=True)]
    return pa.RecordBatch.from_arrays(arrays, names=names)


def _array(values: list[Any], kind: pa.DataType | None) -> pa.Array:
    if kind is None:
        return _inferred(values)
    if kind == _DATE:
        return pa.array(values, type=_DATE).cast(_TIME)
    try:  # the driver's values fit the type as they come (the common, fast case)
        return pa.array(values, type=kind)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        pass
    if kind == _FLOAT:  # numeric comes as Decimal
        return pa.array([None if v is None else float(v) for v in values], type=kind)
    if kind == _TEXT:  # uuid, json
        return pa.array([v if v is None or isinstance(v, str) else _text(v) for v in values])
    odd = next(v for v in values if v is not None)
    raise DataError(
        f"A {kind} column holds values of another type: {type(odd).__name__}",
        hint="cast the column in the query (CAST(x AS text))",
    )


def _text(value: Any) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True)
    return str(value)


def _inferred(values: list[Any]) -> pa.Array:
    """A column whose type the driver does not report: from its values, else as text."""
    values = [float(v) if isinstance(v, Decimal) else v for v in values]
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pa.array([None if v is None else _text(v) for v in values], type=_TEXT)
