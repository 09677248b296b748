"""Reading a query's result from a real PostgreSQL server: types, chunks, NULLs, errors."""

from __future__ import annotations

import socket
import threading

import pandas as pd
import pytest
from sqlalchemy.engine import make_url

from learnburn.data import fingerprint_table, read_sql
from learnburn.errors import DataError

TYPES = """
CREATE TABLE {table} (
    n_small smallint, n_int integer, n_big bigint, ratio real, amount numeric(10, 2),
    score double precision, name text, code varchar(8), day date, at timestamp,
    at_utc timestamptz, flag boolean, extra jsonb
);
INSERT INTO {table} VALUES
    (1, 2, 3, 0.5, 12.25, 0.125, 'ann', 'A1', '2024-01-02', '2024-01-02 03:04:05',
     '2024-01-02 03:04:05+02', true, '{"k": 1}'),
    (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
"""


def test_read_sql_maps_each_database_type_to_its_pandas_dtype(postgres, sql_table):
    """Integers, numbers, text, dates and timestamps come back with the dtypes CSV would give."""
    table = sql_table(TYPES)
    frame = read_sql(postgres, f"SELECT * FROM {table}").frame
    dtypes = {name: str(dtype) for name, dtype in frame.dtypes.items()}
    assert dtypes == {
        "n_small": "float64", "n_int": "float64", "n_big": "float64", "ratio": "float64",
        "amount": "float64", "score": "float64", "name": "str", "code": "str",
        "day": "datetime64[us]", "at": "datetime64[us]", "at_utc": "datetime64[us, UTC]",
        "flag": "object", "extra": "str",
    }  # fmt: skip
    assert frame.loc[0, "at_utc"] == pd.Timestamp("2024-01-02 01:04:05", tz="UTC")
    assert frame.loc[0, "amount"] == 12.25
    assert frame.loc[0, "extra"] == '{"k": 1}'


def test_read_sql_reads_nulls_as_missing_in_every_column(postgres, sql_table):
    """A row of NULLs is a row of missing values, whatever each column's type."""
    table = sql_table(TYPES)
    frame = read_sql(postgres, f"SELECT * FROM {table}").frame
    assert frame.iloc[1].isna().all()


def test_read_sql_keeps_integers_without_nulls_as_int64(postgres, sql_table):
    """An integer column with no NULL stays int64."""
    table = sql_table("CREATE TABLE {table} (n integer); INSERT INTO {table} VALUES (1), (2)")
    assert str(read_sql(postgres, f"SELECT n FROM {table}").frame["n"].dtype) == "int64"


def test_read_sql_in_small_chunks_reads_the_same_table(postgres, sql_table):
    """Reading 7 rows at a time gives the same table, in order, as reading it at once."""
    table = sql_table(
        "CREATE TABLE {table} AS SELECT g AS id, g * 0.5 AS x, "
        "CASE WHEN mod(g, 3) = 0 THEN NULL ELSE 'v' || g END AS label "
        "FROM generate_series(1, 50) AS g"
    )
    query = f"SELECT * FROM {table} ORDER BY id"
    progress: list[int] = []
    chunked = read_sql(postgres, query, chunk_rows=7, on_chunk=progress.append).frame
    whole = read_sql(postgres, query, chunk_rows=1000).frame
    assert progress == [7, 14, 21, 28, 35, 42, 49, 50]  # fetched 7 rows at a time
    pd.testing.assert_frame_equal(chunked, whole)
    assert len(chunked) == 50 and chunked["label"].isna().sum() == 16


def test_read_sql_in_chunks_promotes_a_column_null_in_its_first_chunk(postgres, sql_table):
    """A column whose first chunk is all NULL still gets its database type."""
    table = sql_table(
        "CREATE TABLE {table} (id int, x int); "
        "INSERT INTO {table} VALUES (1, NULL), (2, NULL), (3, 7)"
    )
    frame = read_sql(postgres, f"SELECT * FROM {table} ORDER BY id", chunk_rows=2).frame
    assert frame["x"].tolist()[2] == 7.0 and str(frame["x"].dtype) == "float64"


def test_fingerprint_of_a_query_result_is_stable_and_follows_the_data(postgres, sql_table):
    """Reading twice gives one fingerprint; changing one value gives another."""
    table = sql_table(
        "CREATE TABLE {table} (id int, x double precision); "
        "INSERT INTO {table} VALUES (1, 0.5), (2, 1.5)"
    )
    query = f"SELECT * FROM {table} ORDER BY id"
    first = fingerprint_table(read_sql(postgres, query).frame)
    assert fingerprint_table(read_sql(postgres, query, chunk_rows=1).frame) == first
    sql_table("UPDATE {table} SET x = 2.5 WHERE id = 2")
    assert fingerprint_table(read_sql(postgres, query).frame) != first


def test_read_sql_resolves_an_env_url_and_records_only_the_variable_name(
    postgres, sql_table, monkeypatch
):
    """``env:NAME`` reads the URL from the environment; the origin names NAME, not the URL."""
    table = sql_table("CREATE TABLE {table} (n int); INSERT INTO {table} VALUES (1)")
    monkeypatch.setenv("LB_TEST_LOANS_DB", postgres)
    read = read_sql("env:LB_TEST_LOANS_DB", f"SELECT n FROM {table}")
    assert read.origin["url"] == "env:LB_TEST_LOANS_DB"
    assert read.frame["n"].tolist() == [1]


def test_read_sql_records_the_url_without_its_password(postgres, sql_table):
    """A literal URL is recorded with its password removed."""
    table = sql_table("CREATE TABLE {table} (n int); INSERT INTO {table} VALUES (1)")
    read = read_sql(postgres, f"SELECT n FROM {table}")
    recorded, given = make_url(read.origin["url"]), make_url(postgres)
    assert given.password and recorded.password is None
    assert (recorded.username, recorded.host, recorded.database) == (
        given.username, given.host, given.database,
    )  # fmt: skip


def test_read_sql_binds_since_and_until_as_parameters(postgres, sql_table):
    """``{since}``/``{until}`` are bound values: the query keeps the rows in the window."""
    table = sql_table(
        "CREATE TABLE {table} (day date, n int); INSERT INTO {table} VALUES "
        "('2024-01-01', 1), ('2024-02-01', 2), ('2024-03-01', 3)"
    )
    query = f"SELECT * FROM {table} WHERE day >= {{since}} AND day < {{until}} ORDER BY day"
    read = read_sql(postgres, query, since="2024-01-15", until="2024-03-01")
    assert read.frame["n"].tolist() == [2]
    assert read.origin["params"] == {"since": "2024-01-15", "until": "2024-03-01"}


def test_read_sql_passes_a_percent_sign_through_to_the_database(postgres, sql_table):
    """``%`` (modulo, LIKE patterns) in a query is the database's, not a parameter marker."""
    table = sql_table("CREATE TABLE {table} (n int); INSERT INTO {table} VALUES (1), (2), (3)")
    query = f"SELECT n FROM {table} WHERE n % 2 = 1 AND 'a%' LIKE 'a%' ORDER BY n"
    assert read_sql(postgres, query).frame["n"].tolist() == [1, 3]


def test_read_sql_of_a_missing_variable_names_it(monkeypatch):
    """``env:NAME`` with NAME unset says which variable to export."""
    monkeypatch.delenv("LB_TEST_UNSET_DB", raising=False)
    with pytest.raises(DataError, match="LB_TEST_UNSET_DB, which is not set"):
        read_sql("env:LB_TEST_UNSET_DB", "SELECT 1")


def test_read_sql_of_a_failing_query_gives_the_database_message(postgres):
    """A query the database refuses is a DataError carrying the database's own message."""
    with pytest.raises(DataError, match='relation "lb_no_such_table" does not exist'):
        read_sql(postgres, "SELECT * FROM lb_no_such_table")


def test_read_sql_of_an_empty_result_is_an_error(postgres, sql_table):
    """A query that returns no rows is a DataError, not an empty table."""
    table = sql_table("CREATE TABLE {table} (n int)")
    with pytest.raises(DataError, match="returned no rows"):
        read_sql(postgres, f"SELECT * FROM {table}")


def test_unreachable_database_names_host_and_driver_never_the_password(postgres):
    """A refused connection names host, port and driver; the password appears nowhere."""
    url = make_url(postgres).set(host="127.0.0.1", port=_closed_port(), password="s3cr3t-pw")
    with pytest.raises(DataError) as caught:
        read_sql(url.render_as_string(hide_password=False), "SELECT 1")
    error = caught.value
    assert "Cannot connect to the database at 127.0.0.1:" in error.message
    assert "driver postgresql+psycopg" in error.message
    assert "s3cr3t-pw" not in f"{error.message} {error.hint} {error!r}"
    assert error.__cause__ is None and error.__suppress_context__


def test_a_server_that_never_answers_fails_after_the_connect_timeout(postgres):
    """A host that accepts the connection but never answers fails after connect_timeout
    instead of hanging."""
    with _silent_server() as port:
        url = make_url(postgres).set(host="127.0.0.1", port=port)
        with pytest.raises(DataError, match=r"Cannot connect to the database at 127\.0\.0\.1"):
            read_sql(url.render_as_string(hide_password=False), "SELECT 1", connect_timeout=2)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _silent_server:
    """A TCP server on 127.0.0.1 that accepts connections and never says anything."""

    def __enter__(self) -> int:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.accepted: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()
        return self.sock.getsockname()[1]

    def _accept(self) -> None:
        while True:
            try:
                self.accepted.append(self.sock.accept()[0])
            except OSError:
                return

    def __exit__(self, *exc) -> None:
        self.sock.shutdown(socket.SHUT_RDWR)  # wakes the accept() in the thread
        self.sock.close()
        for connection in self.accepted:
            connection.close()
        self.thread.join(timeout=10)


def test_read_sql_on_sqlite_infers_types_from_the_values(tmp_path):
    """A driver that reports no column types (SQLite) gets them from the values, NULLs kept."""
    import sqlite3

    path = tmp_path / "loans.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE loans (n INTEGER, x REAL, name TEXT)")
        connection.executemany(
            "INSERT INTO loans VALUES (?, ?, ?)", [(1, 0.5, "a"), (None, None, None), (3, 2.5, "c")]
        )
    frame = read_sql(f"sqlite:///{path}", "SELECT * FROM loans", chunk_rows=1).frame
    assert {c: str(t) for c, t in frame.dtypes.items()} == {
        "n": "float64", "x": "float64", "name": "str",
    }  # fmt: skip
    assert frame["name"].isna().tolist() == [False, True, False]


def test_a_malformed_url_in_the_environment_is_named_without_echoing_it(monkeypatch):
    """A variable holding no URL is named; its text (a password in it) is not repeated."""
    monkeypatch.setenv("LB_TEST_BAD_DB", "postgresql//me:hunter2@db/loans")
    with pytest.raises(DataError) as caught:
        read_sql("env:LB_TEST_BAD_DB", "SELECT 1")
    error = caught.value
    assert "environment variable LB_TEST_BAD_DB is not a database URL" in error.message
    assert "hunter2" not in f"{error.message} {error.hint}" and error.__cause__ is None
