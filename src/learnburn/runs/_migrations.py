"""Create the run store's tables, or bring an older store forward to the latest version.

The version lives in the ``meta`` table (key ``schema_version``). Opening a store:

- no tables: create the latest ones (``_schema.py``) and record :data:`SCHEMA_VERSION`;
- an older version ``n``: apply ``STEPS[n]``, ``STEPS[n + 1]``, ... each in its own transaction
  that also records the version it reached, so a step is applied entirely or not at all;
- a newer version: refuse, since this code would misread it.

Concurrent openers take turns: SQLite's ``BEGIN IMMEDIATE`` and a PostgreSQL advisory lock let one
transaction at a time read the version and change the schema; the others then find it done.

To change the schema: add the columns/tables/indexes to ``_schema.py``, bump ``SCHEMA_VERSION``,
add a step here from the previous version (portable SQL: SQLite and PostgreSQL), and commit a
fixture of a store at the previous version (``tests/fixtures/store_vN.sql``) with a test that
opens it. Never edit a released step.

Version 1: ``runs`` without ``source``, ``host``, ``pid``, ``process_started``, ``heartbeat_at``;
``candidates`` without ``verdict``, ``error``; ``artifacts`` without ``kind``; no status index.
Version 2: adds them (what the reaper needs to tell a live run from a dead one).
Version 3: adds the model registry: ``models``, ``model_versions``, ``aliases`` and the
append-only ``alias_history``.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection, Engine, inspect, select

from learnburn.errors import RunStoreError
from learnburn.runs._engine import reading, writing
from learnburn.runs._schema import SCHEMA_VERSION, meta, metadata

_VERSION_KEY = "schema_version"
_LOCK_KEY = 7_268_115_003_121_034_591  # PostgreSQL advisory lock: "learnburn store migration"


def _v1_to_v2(connection: Connection) -> None:
    for statement in (
        "ALTER TABLE runs ADD COLUMN source TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE runs ADD COLUMN host TEXT",
        "ALTER TABLE runs ADD COLUMN pid INTEGER",
        "ALTER TABLE runs ADD COLUMN process_started BIGINT",
        "ALTER TABLE runs ADD COLUMN heartbeat_at VARCHAR(32)",
        "UPDATE runs SET heartbeat_at = COALESCE(finished_at, started_at)",
        "CREATE INDEX ix_runs_status ON runs (status)",
        "ALTER TABLE candidates ADD COLUMN verdict TEXT",
        "ALTER TABLE candidates ADD COLUMN error TEXT",
        "ALTER TABLE artifacts ADD COLUMN kind TEXT NOT NULL DEFAULT ''",
    ):
        connection.exec_driver_sql(statement)


def _v2_to_v3(connection: Connection) -> None:
    serial = "SERIAL" if connection.dialect.name == "postgresql" else "INTEGER"
    for statement in (
        "CREATE TABLE models (name VARCHAR(128) NOT NULL PRIMARY KEY, "
        "created_at VARCHAR(32) NOT NULL)",
        "CREATE TABLE model_versions (model VARCHAR(128) NOT NULL REFERENCES models (name), "
        "version INTEGER NOT NULL, run_id VARCHAR(32) NOT NULL REFERENCES runs (id), "
        "bundle_sha256 VARCHAR(64) NOT NULL, created_at VARCHAR(32) NOT NULL, "
        "PRIMARY KEY (model, version))",
        "CREATE UNIQUE INDEX uq_model_versions_run ON model_versions (model, run_id)",
        "CREATE TABLE aliases (model VARCHAR(128) NOT NULL REFERENCES models (name), "
        "alias VARCHAR(64) NOT NULL, version INTEGER NOT NULL, revision INTEGER NOT NULL, "
        "moved_at VARCHAR(32) NOT NULL, PRIMARY KEY (model, alias))",
        f"CREATE TABLE alias_history (id {serial} NOT NULL PRIMARY KEY, "
        "model VARCHAR(128) NOT NULL REFERENCES models (name), alias VARCHAR(64) NOT NULL, "
        "action VARCHAR(16) NOT NULL, from_version INTEGER, to_version INTEGER, "
        "revision INTEGER NOT NULL, at VARCHAR(32) NOT NULL, actor TEXT NOT NULL, "
        "reason TEXT NOT NULL, evidence TEXT)",
        "CREATE INDEX ix_alias_history_model_alias ON alias_history (model, alias, id)",
    ):
        connection.exec_driver_sql(statement)


STEPS: dict[int, Callable[[Connection], None]] = {1: _v1_to_v2, 2: _v2_to_v3}


def ensure_schema(engine: Engine, shown: str) -> None:
    """Create the store's tables, or upgrade them to :data:`SCHEMA_VERSION`."""
    with reading(engine) as connection:  # the common case, without taking the lock
        found = read_version(connection, shown, strict=False)
    _refuse_newer(found, shown)
    if found == SCHEMA_VERSION:
        return
    while True:
        with writing(engine) as connection:
            _lock(connection)
            version = read_version(connection, shown)
            _refuse_newer(version, shown)
            if version is None:
                metadata.create_all(connection)
                _record_version(connection, SCHEMA_VERSION, insert=True)
                return
            if version == SCHEMA_VERSION:
                return
            STEPS[version](connection)
            _record_version(connection, version + 1)


def read_version(connection: Connection, shown: str, *, strict: bool = True) -> int | None:
    """The store's schema version, or None when it has no tables yet.

    ``strict``: also refuse a foreign ``runs`` table. Only under the migration lock: otherwise,
    on PostgreSQL, another opener may commit the new tables between the two lookups."""
    tables = inspect(connection)
    if not tables.has_table("meta"):
        if strict and tables.has_table("runs"):
            raise RunStoreError(
                f"{shown} has a 'runs' table but no 'meta' table: it is not a learnburn run store",
                hint="point --store / LEARNBURN_STORE at a learnburn store or an empty database",
            )
        return None
    value = connection.execute(select(meta.c.value).where(meta.c.key == _VERSION_KEY)).scalar()
    try:
        return int(value)
    except (TypeError, ValueError):
        raise RunStoreError(
            f"{shown} records no valid schema version (found {value!r}): the store is corrupt",
            hint="restore the store from a backup, or start a new one with --store",
        ) from None


def _refuse_newer(version: int | None, shown: str) -> None:
    if version is not None and version > SCHEMA_VERSION:
        raise RunStoreError(
            f"the run store {shown} has schema version {version}; this learnburn reads versions "
            f"up to {SCHEMA_VERSION}",
            hint="upgrade learnburn (pip install -U learnburn) to read this store",
        )
    if version is not None and version < 1:
        raise RunStoreError(
            f"the run store {shown} has an invalid schema version {version}",
            hint="restore the store from a backup, or start a new one with --store",
        )


def _lock(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_LOCK_KEY})")


def _record_version(connection: Connection, version: int, *, insert: bool = False) -> None:
    if insert:
        connection.execute(meta.insert().values(key=_VERSION_KEY, value=str(version)))
    else:
        connection.execute(
            meta.update().where(meta.c.key == _VERSION_KEY).values(value=str(version))
        )
