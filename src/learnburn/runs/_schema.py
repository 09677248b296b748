"""The tables of the run store, at the latest schema version (SQLAlchemy Core, portable between
SQLite and PostgreSQL: JSON lives in TEXT columns, times are UTC ISO-8601 text of fixed width,
so they sort and compare as text).

``_migrations.py`` brings older stores up to these tables; change both together (see there).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

SCHEMA_VERSION = 3

metadata = MetaData()

meta = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

runs = Table(
    "runs",
    metadata,
    Column("id", String(32), primary_key=True),  # uuid4 hex
    Column("experiment", String(128), nullable=False),
    Column("status", String(16), nullable=False),  # running | finished | failed | interrupted
    Column("started_at", String(32), nullable=False),
    Column("finished_at", String(32)),
    Column("spec_hash", String(64), nullable=False),
    Column("seed", BigInteger),
    Column("metric", String(64)),
    Column("winner", Text),
    Column("best", Text),
    Column("score", Float),  # mean CV score of the winner
    Column("holdout", Float),  # the winner's holdout score
    Column("commit_sha", String(64)),
    Column("dirty", Boolean),
    Column("data_hash", String(64)),
    Column("data_rows", BigInteger),
    Column("data_schema_hash", String(64)),
    Column("data_source", Text),
    Column("error", Text),
    Column("spec_text", Text, nullable=False),
    Column("provenance", Text, nullable=False),  # JSON
    Column("environment", Text, nullable=False),  # JSON
    Column("record", Text),  # JSON: the full ExperimentResult.to_dict(); never listed
    # version 2: what the reaper needs, and where the run came from
    Column("source", Text, nullable=False, server_default=""),
    Column("host", Text),
    Column("pid", Integer),
    Column("process_started", BigInteger),  # clock ticks after boot (Linux), to spot pid reuse
    Column("heartbeat_at", String(32)),
    Index("ix_runs_started_at", "started_at"),
    Index("ix_runs_experiment_started_at", "experiment", "started_at"),
    Index("ix_runs_status", "status"),  # version 2
)

candidates = Table(
    "candidates",
    metadata,
    Column("run_id", String(32), ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    Column("name", Text, primary_key=True),
    Column("model", Text),
    Column("status", String(16)),
    Column("mean", Float),
    Column("std", Float),
    Column("ci_low", Float),
    Column("ci_high", Float),
    Column("n_folds", Integer),
    Column("rank", Integer),
    Column("fit_time", Float),
    Column("predict_time", Float),
    Column("verdict", Text),  # version 2
    Column("error", Text),  # version 2
)

folds = Table(
    "folds",
    metadata,
    Column("run_id", String(32), ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    Column("candidate", Text, primary_key=True),
    Column("repeat", Integer, primary_key=True),
    Column("fold", Integer, primary_key=True),
    Column("score", Float),
    Column("scores", Text),  # JSON
    Column("fit_time", Float),
    Column("predict_time", Float),
    Column("n_train", Integer),
    Column("n_test", Integer),
    Column("error", Text),
)

artifacts = Table(
    "artifacts",
    metadata,
    Column("run_id", String(32), ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    Column("name", String(128), primary_key=True),
    Column("sha256", String(64), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("kind", Text, nullable=False, server_default=""),  # version 2
)

# version 3: the model registry. A model is a name; its versions are finished runs' bundles (by
# sha256, so a version names exact bytes); an alias (production, staging...) points at one
# version and carries a revision that every move bumps; the history of every alias move (and
# every challenge that kept the champion) is append-only: the store never updates or deletes it.
models = Table(
    "models",
    metadata,
    Column("name", String(128), primary_key=True),
    Column("created_at", String(32), nullable=False),
)

model_versions = Table(
    "model_versions",
    metadata,
    Column("model", String(128), ForeignKey("models.name"), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("run_id", String(32), ForeignKey("runs.id"), nullable=False),
    Column("bundle_sha256", String(64), nullable=False),
    Column("created_at", String(32), nullable=False),
    Index("uq_model_versions_run", "model", "run_id", unique=True),
)

aliases = Table(
    "aliases",
    metadata,
    Column("model", String(128), ForeignKey("models.name"), primary_key=True),
    Column("alias", String(64), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("revision", Integer, nullable=False),  # bumped by every move
    Column("moved_at", String(32), nullable=False),
)

alias_history = Table(
    "alias_history",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("model", String(128), ForeignKey("models.name"), nullable=False),
    Column("alias", String(64), nullable=False),
    Column("action", String(16), nullable=False),  # promote | rollback | keep
    Column("from_version", Integer),
    Column("to_version", Integer),
    Column("revision", Integer, nullable=False),  # the alias's revision after this entry
    Column("at", String(32), nullable=False),
    Column("actor", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("evidence", Text),  # JSON: the challenge record, when a challenge decided
    Index("ix_alias_history_model_alias", "model", "alias", "id"),
)
