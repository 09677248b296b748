"""Benchmark: reading a query's result with ``read_sql`` (server-side cursor, 50,000-row chunks
into Arrow) against ``pandas.read_sql`` on the same SQLAlchemy engine (the whole result fetched
at once), on the PostgreSQL server named by ``LEARNBURN_TEST_POSTGRES`` (or ``--url``).

A table of ``--rows`` rows (integers, doubles, numerics, text, a timestamp and NULLs in every
fifth row) is created once in a fresh schema and dropped at the end. Each reader runs
``--repeats`` times; the best time counts. The two tables are compared on their values. Prints
rows/s, the dtypes each gives, and one line per target:

- ``read_sql rows/s / pandas.read_sql rows/s >= 0.8``: typed chunked reading costs at most a
  fifth of the plain read.

    LEARNBURN_TEST_POSTGRES=postgresql+psycopg://... python benchmarks/sql_read.py --rows 500000
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid

import pandas as pd
from sqlalchemy import create_engine

from learnburn.data import read_sql

GOAL = 0.8


def _table(engine, schema: str, rows: int) -> str:
    with engine.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
        connection.exec_driver_sql(
            f"CREATE TABLE {schema}.loans AS SELECT g AS id, "
            "CASE WHEN mod(g, 5) = 0 THEN NULL ELSE mod(g::bigint * 7919, 1000) END AS amount, "
            "sin(g) AS score, (mod(g, 997) / 7.0)::numeric(10, 2) AS rate, "
            "'region_' || mod(g, 11) AS region, "
            "TIMESTAMP '2024-01-01' + g * INTERVAL '1 minute' AS applied_at, "
            "mod(g, 3) = 0 AS approved "
            f"FROM generate_series(1, {rows}) AS g"
        )
    return f"SELECT * FROM {schema}.loans ORDER BY id"


def _best(read, repeats: int) -> tuple[float, pd.DataFrame]:
    best, frame = float("inf"), None
    for _ in range(repeats):
        started = time.perf_counter()
        frame = read()
        best = min(best, time.perf_counter() - started)
    return best, frame


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=500_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--url", default=os.environ.get("LEARNBURN_TEST_POSTGRES", ""))
    args = parser.parse_args()
    if not args.url:
        print("set LEARNBURN_TEST_POSTGRES or pass --url", file=sys.stderr)
        return 0
    engine = create_engine(args.url)
    schema = f"lb_bench_{uuid.uuid4().hex[:10]}"
    try:
        query = _table(engine, schema, args.rows)
        ours, frame = _best(lambda: read_sql(args.url, query).frame, args.repeats)
        theirs, baseline = _best(lambda: pd.read_sql(query, engine), args.repeats)
    finally:
        with engine.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        engine.dispose()
    same = frame.equals(baseline) and len(frame) == len(baseline)
    print(f"rows: {args.rows:,}, best of {args.repeats}; same values: {same}")
    for name, seconds in (("read_sql, 50,000-row chunks", ours), ("pandas.read_sql", theirs)):
        print(f"  {name:28s} {args.rows / seconds:>12,.0f} rows/s ({seconds:.2f} s)")
    print(f"  dtypes ours: {dict(frame.dtypes.astype(str))}")
    print(f"  dtypes pandas: {dict(baseline.dtypes.astype(str))}")
    ratio = theirs / ours
    verdict = "met" if ratio >= GOAL else "missed"
    print(f"target read_sql_vs_pandas: {ratio:.2f} (goal >= {GOAL}) {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
