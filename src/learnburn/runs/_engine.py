"""The SQLAlchemy engine of a run store, and its short read and write transactions.

SQLite (the default) is set up on every new connection for many writers in many processes:

- ``journal_mode=WAL``: readers never block the writer, the writer never blocks readers;
- ``busy_timeout`` of 30 s: a writer waits for the one ahead of it instead of failing with
  "database is locked";
- ``synchronous=NORMAL``: with WAL, a commit survives a killed process (not a power cut
  between checkpoints, which costs the last commits, never the file's integrity);
- ``foreign_keys=ON``.

Python's ``sqlite3`` opens a transaction lazily at the first write, so a transaction that reads
first and writes later takes its write lock too late and fails without waiting on the busy
timeout. SQLAlchemy's documented recipe fixes this: the driver emits no BEGIN
(``isolation_level = None``) and a ``begin`` event emits our own: ``BEGIN IMMEDIATE`` for writes,
which queue on the busy timeout, a plain ``BEGIN`` for reads.

PostgreSQL needs none of this; reads run at REPEATABLE READ so that the several statements of one
read (a run, its folds, its artifacts) see one snapshot; the engine gives up on an unreachable
server after 10 s.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, create_engine, event

from learnburn.runs._location import StoreLocation

BUSY_TIMEOUT_MS = 30_000
CONNECT_TIMEOUT_S = 10
_WRITE = "learnburn_write"


def create_store_engine(location: StoreLocation) -> Engine:
    """An engine for the store at ``location``, set up for its database."""
    if location.dialect == "sqlite":
        engine = create_engine(location.url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _configure_sqlite)
        event.listen(engine, "begin", _begin_sqlite)
        return engine
    connect_args = {}
    if "connect_timeout" not in location.url.query:
        connect_args["connect_timeout"] = CONNECT_TIMEOUT_S
    return create_engine(location.url, connect_args=connect_args)


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """One write transaction: committed when the block ends, rolled back if it raises."""
    with engine.connect() as connection:
        connection.execution_options(**{_WRITE: True})
        with connection.begin():
            yield connection


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """One read transaction, a consistent snapshot; nothing is written."""
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":  # one snapshot for all the statements
            connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            yield connection


def _configure_sqlite(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (see _begin_sqlite)
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        _switch_to_wal(cursor)
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
    finally:
        cursor.close()


def _switch_to_wal(cursor) -> None:
    """Turn on WAL mode. Switching a rollback-journal file needs an exclusive lock, and SQLite
    answers "database is locked" at once instead of waiting on the busy timeout when another
    connection holds it, so retry until the busy timeout has passed."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def _begin_sqlite(connection: Connection) -> None:
    write = connection.get_execution_options().get(_WRITE, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")
