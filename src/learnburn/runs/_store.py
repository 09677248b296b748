"""The run store: every run, its status, summary, candidates, folds and artifacts, in SQLite (a
file in ``.learnburn/``) or PostgreSQL, through SQLAlchemy Core.

Each method is one short transaction. A run is recorded when it starts ("running"), refreshed by
heartbeats, and ends "finished" (with its whole record, in one transaction), "failed" or
"interrupted"; a run whose process died is found and marked "interrupted" by :meth:`reap`.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from learnburn.errors import RunStoreError
from learnburn.runs._artifacts import ArtifactCheck, ArtifactStore
from learnburn.runs._engine import create_store_engine, reading, writing
from learnburn.runs._location import STORE_HINT, StoreLocation, locate_store, prepare_folders
from learnburn.runs._migrations import ensure_schema, read_version
from learnburn.runs._names import not_one_run, run_id_prefix, unknown_run, validate_name
from learnburn.runs._process import gone_reason, now_text, this_process
from learnburn.runs._records import (
    SUMMARY_COLUMNS,
    ArtifactRef,
    RunDetail,
    RunList,
    candidate_rows,
    fold_from_row,
    fold_rows,
    from_json,
    summary_from_row,
    summary_values,
    to_json,
)
from learnburn.runs._registry import ModelRegistry
from learnburn.runs._schema import artifacts, candidates, folds, runs
from learnburn.runs._space import database_full_hint

STATUSES = ("running", "finished", "failed", "interrupted")
_OPEN = ("running", "interrupted")  # a reaped run whose process was alive after all may finish
_SUMMARY = [runs.c[name] for name in SUMMARY_COLUMNS]


class RunStore:
    """Runs recorded in SQLite or PostgreSQL, and their artifacts in a content-addressed folder.

    >>> with RunStore.open() as store:  # doctest: +SKIP
    ...     for run in store.list_runs(limit=5):
    ...         print(run.id[:8], run.experiment, run.status, run.score)
    """

    def __init__(self, engine: Engine, location: StoreLocation) -> None:
        self._engine = engine
        self._location = location
        self.url = location.shown
        self.artifacts = ArtifactStore(location.folder / "artifacts")
        self.registry = ModelRegistry(self)

    @classmethod
    def open(
        cls,
        url: str | os.PathLike | None = None,
        *,
        folder: Path | None = None,
        default_folder: Path | None = None,
    ) -> RunStore:
        """Open (creating or upgrading) the store at ``url``: an SQLAlchemy URL or a path to an
        SQLite file; None: ``store.db`` in the store folder.

        The artifacts go to ``folder`` when given; else beside an SQLite file; else (no URL, or
        a database that is not a file) to ``default_folder``, by default ``.learnburn`` at the
        root of the git repository holding the working directory."""
        location = locate_store(url, folder, default_folder=default_folder)
        prepare_folders(location)
        try:
            engine = create_store_engine(location)
        except ImportError as error:
            raise RunStoreError(
                f"cannot open the run store {location.shown}: {error}",
                hint="install the PostgreSQL driver: pip install 'psycopg[binary]>=3.1'",
            ) from error
        store = cls(engine, location)
        try:
            with store._translated("open"):
                ensure_schema(engine, location.shown)
            store.reap()
        except BaseException:
            engine.dispose()
            raise
        return store

    def start_run(
        self,
        *,
        experiment: str,
        spec_text: str,
        spec_hash: str,
        seed: int,
        provenance: dict,
        environment: dict,
        source: str = "",
    ) -> str:
        """Record a new run as "running"; return its id."""
        validate_name(experiment)
        run_id, now, here = uuid.uuid4().hex, now_text(), this_process()
        values = {
            "id": run_id,
            "experiment": experiment,
            "status": "running",
            "started_at": now,
            "heartbeat_at": now,
            "spec_text": spec_text,
            "spec_hash": spec_hash,
            "seed": None if seed is None else int(seed),
            "provenance": to_json(provenance, "provenance"),
            "environment": to_json(environment, "environment"),
            "commit_sha": provenance.get("commit"),
            "dirty": bool(provenance.get("dirty", False)),
            "source": str(source or ""),
            "host": here.host,
            "pid": here.pid,
            "process_started": here.started,
        }
        with self._translated("start a run"), writing(self._engine) as connection:
            connection.execute(insert(runs).values(values))
        return run_id

    def heartbeat(self, run_id: str) -> None:
        """Say that the run's process is still working on it."""
        with self._translated("record a heartbeat"), writing(self._engine) as connection:
            done = connection.execute(
                update(runs).where(runs.c.id == run_id).values(heartbeat_at=now_text())
            )
            if done.rowcount != 1:
                raise unknown_run(run_id)

    def finish_run(self, run_id: str, record: dict | None) -> None:
        """Record the run's result (``ExperimentResult.to_dict()``): status "finished", its
        summary, one row per candidate and per fold, and the full record, in one transaction.

        ``None``: a run that finished without a result record (an executed notebook: what it
        produced is stored as artifacts)."""
        values, candidate_values, fold_values = {}, [], []
        try:
            if record is not None:
                values = summary_values(record)
                candidate_values = candidate_rows(run_id, record)
                fold_values = fold_rows(run_id, record)
        except (KeyError, TypeError, AttributeError) as error:
            raise RunStoreError(
                f"the record of run {run_id} is not a result record: {error!r}",
                hint="pass ExperimentResult.to_dict()",
            ) from error
        values |= {"status": "finished", "finished_at": now_text(), "error": None}
        values["record"] = None if record is None else to_json(record, "record")
        with self._translated("finish a run"), writing(self._engine) as connection:
            self._end(connection, run_id, values)  # only a run without rows yet gets here
            if candidate_values:
                connection.execute(insert(candidates), candidate_values)
            if fold_values:
                connection.execute(insert(folds), fold_values)

    def fail_run(self, run_id: str, *, status: str, error: str) -> None:
        """Record that the run ended without a result: ``status`` "failed" or "interrupted"."""
        if status not in ("failed", "interrupted"):
            raise RunStoreError(
                f"The 'status' parameter of fail_run must be 'failed' or 'interrupted'. "
                f"Got {status!r} instead.",
                hint="finish_run records a finished run",
            )
        values = {"status": status, "finished_at": now_text(), "error": str(error)}
        with self._translated("record a failed run"), writing(self._engine) as connection:
            self._end(connection, run_id, values)

    def add_artifact(self, run_id: str, name: str, sha256: str, size: int, kind: str = "") -> None:
        """Record that the artifact with ``sha256`` belongs to the run, under ``name``."""
        validate_name(name, "artifact name")
        self.artifacts.path_of(sha256)  # validates the digest
        row = {"run_id": run_id, "name": name, "sha256": sha256, "size": int(size), "kind": kind}
        with self._translated("record an artifact"), writing(self._engine) as connection:
            if connection.execute(select(runs.c.id).where(runs.c.id == run_id)).first() is None:
                raise unknown_run(run_id)
            held = connection.execute(
                select(artifacts.c.sha256).where(
                    artifacts.c.run_id == run_id, artifacts.c.name == name
                )
            ).scalar()
            if held == sha256:
                return
            if held is not None:
                raise RunStoreError(
                    f"run {run_id} already has an artifact {name!r} with other content",
                    hint="artifacts are immutable: record the new content under another name",
                )
            connection.execute(insert(artifacts).values(row | {"created_at": now_text()}))

    def list_runs(
        self,
        *,
        experiment: str | None = None,
        status: str | None = None,
        limit: int | None = None,
    ) -> RunList:
        """Runs newest first, optionally of one experiment, with one status, at most ``limit``."""
        query = select(*_SUMMARY).order_by(runs.c.started_at.desc(), runs.c.id.desc())
        if experiment is not None:
            query = query.where(runs.c.experiment == experiment)
        if status is not None:
            query = query.where(runs.c.status == _status(status))
        if limit is not None:
            query = query.limit(max(int(limit), 0))
        with self._translated("list runs"), reading(self._engine) as connection:
            rows = connection.execute(query).all()
        return RunList(summary_from_row(row) for row in rows)

    def get_run(self, run_id: str) -> RunDetail:
        """One run, by its id or a unique prefix of it (at least 4 characters)."""
        key = run_id_prefix(run_id)
        with self._translated("read a run"), reading(self._engine) as connection:
            found = connection.execute(
                select(runs.c.id).where(runs.c.id.startswith(key)).order_by(runs.c.id).limit(6)
            ).scalars().all()  # fmt: skip
            if len(found) != 1:
                raise not_one_run(run_id, found)
            row = connection.execute(select(runs).where(runs.c.id == found[0])).one()
            stored = connection.execute(
                select(artifacts.c.name, artifacts.c.sha256, artifacts.c.size, artifacts.c.kind)
                .where(artifacts.c.run_id == found[0])
                .order_by(artifacts.c.name)
            ).all()
            fold_list = connection.execute(
                select(folds)
                .where(folds.c.run_id == found[0])
                .order_by(folds.c.candidate, folds.c.repeat, folds.c.fold)
            ).all()
        return RunDetail(
            summary=summary_from_row(tuple(row._mapping[c] for c in SUMMARY_COLUMNS)),
            spec_text=row.spec_text,
            spec_hash=row.spec_hash,
            seed=row.seed,
            provenance=from_json(row.provenance) or {},
            environment=from_json(row.environment) or {},
            record=from_json(row.record),
            error=row.error,
            artifacts=tuple(ArtifactRef(*a) for a in stored),
            folds=tuple(fold_from_row(f) for f in fold_list),
        )

    def reap(self) -> int:
        """Mark "interrupted" every run still "running" whose process is gone; return how many."""
        now, here = datetime.now(UTC), this_process()
        query = select(
            runs.c.id, runs.c.host, runs.c.pid, runs.c.process_started, runs.c.heartbeat_at
        ).where(runs.c.status == "running")
        with self._translated("look for dead runs"), reading(self._engine) as connection:
            running = connection.execute(query).all()
        gone = {}
        for row in running:
            reason = gone_reason(*row[1:], here=here, now=now)
            if reason is not None:
                gone[row.id] = reason
        if not gone:
            return 0
        count = 0
        with self._translated("mark dead runs interrupted"), writing(self._engine) as connection:
            for run_id, reason in gone.items():
                done = connection.execute(
                    update(runs)
                    .where(runs.c.id == run_id, runs.c.status == "running")
                    .values(status="interrupted", finished_at=now_text(now), error=reason)
                )
                count += done.rowcount
        return count

    def verify(self) -> list[ArtifactCheck]:
        """Check the artifact store: every file intact (its content has the sha256 it is named
        by), no stray or unexpected file, and every artifact a run refers to present."""
        query = select(artifacts.c.sha256, artifacts.c.run_id, artifacts.c.name).order_by(
            artifacts.c.sha256, artifacts.c.run_id, artifacts.c.name
        )
        with self._translated("list the artifacts"), reading(self._engine) as connection:
            rows = connection.execute(query).all()
        referrers: dict[str, list[str]] = {}
        for sha256, run_id, name in rows:
            referrers.setdefault(sha256, []).append(f"{name!r} of run {run_id[:8]}")
        return self.artifacts.verify(
            {sha256: _referrers(names) for sha256, names in referrers.items()}
        )

    def schema_version(self) -> int:
        """The store's schema version (after :meth:`open`, the latest this code knows)."""
        with self._translated("read the schema version"), reading(self._engine) as connection:
            return read_version(connection, self.url)

    def close(self) -> None:
        """Release the database connections."""
        self._engine.dispose()

    def __enter__(self) -> RunStore:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"RunStore({self.url!r})"

    def _end(self, connection, run_id: str, values: dict) -> None:
        done = connection.execute(
            update(runs).where(runs.c.id == run_id, runs.c.status.in_(_OPEN)).values(values)
        )
        if done.rowcount == 1:
            return
        status = connection.execute(select(runs.c.status).where(runs.c.id == run_id)).scalar()
        if status is None:
            raise unknown_run(run_id)
        raise RunStoreError(
            f"run {run_id} already ended ({status}); it cannot be ended again",
            hint="start a new run to record another result",
        )

    @contextmanager
    def _translated(self, action: str) -> Iterator[None]:
        """Database errors become RunStoreError naming the store (password masked)."""
        try:
            yield
        except SQLAlchemyError as error:
            cause = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
            password = self._location.url.password
            if password:
                cause = cause.replace(str(password), "***")
            raise RunStoreError(
                f"the run store {self.url} failed to {action}: {cause}",
                hint=database_full_hint(self._location.database, error) or STORE_HINT,
            ) from error


def _referrers(names: list[str], shown: int = 3) -> str:
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return "recorded as " + ", ".join(names[:shown]) + more


def _status(status: str) -> str:
    if status not in STATUSES:
        raise RunStoreError(
            f"The status filter must be one of {', '.join(STATUSES)}. Got {status!r} instead.",
            hint="e.g. --status finished",
        )
    return status
