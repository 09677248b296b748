"""The model registry in the run store: named models, their versions (finished runs' bundles),
aliases such as ``production``, and the append-only history of every alias move.

Every change of a model happens in one write transaction that first locks the model's row
(``SELECT ... FOR UPDATE`` on PostgreSQL; on SQLite the write transaction itself is
``BEGIN IMMEDIATE``, one writer at a time), then reads the alias, moves it, bumps its revision
and appends the history entry. Two promotes of one alias therefore take turns: the second sees
the first's move, and the history has both, in order, each entry's ``from_version`` the
previous entry's ``to_version``. History rows are only ever inserted.

Rollback walks the history back: promotes push a version, rollbacks pop one, so rolling back
twice goes two versions back, and a rollback restores the exact bundle (same sha256) the alias
named before.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any, Protocol

from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from learnburn.errors import RunStoreError
from learnburn.runs._engine import reading, writing
from learnburn.runs._names import validate_name
from learnburn.runs._process import now_text
from learnburn.runs._records import from_json, to_json
from learnburn.runs._registry_records import (
    AliasMove,
    AliasState,
    ModelDetail,
    ModelSummary,
    ModelVersion,
)
from learnburn.runs._schema import (
    alias_history,
    aliases,
    artifacts,
    model_versions,
    models,
    runs,
)


class _Database(Protocol):
    """What the registry uses of the run store that owns it: its engine and its translation of
    database errors into ``RunStoreError`` (``RunStore`` is one; the store imports this module,
    so this module names the shape, not the class)."""

    _engine: Any

    def _translated(self, action: str) -> AbstractContextManager[None]: ...


ACTIONS = ("promote", "rollback", "keep")
_VERSION_COLUMNS = (
    model_versions.c.model,
    model_versions.c.version,
    model_versions.c.run_id,
    model_versions.c.bundle_sha256,
    model_versions.c.created_at,
    runs.c.experiment,
    runs.c.metric,
    runs.c.holdout,
    runs.c.data_hash,
    runs.c.commit_sha,
)


class ModelRegistry:
    """Models, versions, aliases and alias history, in the store's database."""

    def __init__(self, store: _Database) -> None:
        self._store = store

    def register(self, model: str, run_id: str, bundle_sha256: str) -> ModelVersion:
        """Make the bundle of a finished run the next version of ``model`` (created if new);
        a run already registered keeps its version."""
        validate_name(model, "model name")
        with self._write("register a model version") as connection:
            _check_bundle_of(connection, run_id, bundle_sha256)
            _lock_model(connection, model, create=True)
            held = connection.execute(
                select(model_versions.c.version).where(
                    model_versions.c.model == model, model_versions.c.run_id == run_id
                )
            ).scalar()
            if held is None:
                held = (
                    connection.execute(
                        select(func.max(model_versions.c.version)).where(
                            model_versions.c.model == model
                        )
                    ).scalar()
                    or 0
                ) + 1
                connection.execute(
                    insert(model_versions).values(
                        model=model, version=held, run_id=run_id,
                        bundle_sha256=bundle_sha256, created_at=now_text(),
                    )
                )  # fmt: skip
        return self.get_version(model, held)

    def move_alias(
        self,
        model: str,
        alias: str,
        version: int,
        *,
        actor: str,
        reason: str = "",
        evidence: dict | None = None,
    ) -> AliasMove:
        """Point ``alias`` of ``model`` at ``version`` and record the move ("promote")."""
        validate_name(alias, "alias")
        with self._write("move an alias") as connection:
            _lock_model(connection, model)
            if _version_row(connection, model, version) is None:
                raise _unknown_version(model, version)
            return _append(connection, model, alias, "promote", version, actor, reason, evidence)

    def rollback(self, model: str, alias: str, *, actor: str, reason: str = "") -> AliasMove:
        """Move ``alias`` back to the version it named before its last promote."""
        validate_name(alias, "alias")
        with self._write("roll back an alias") as connection:
            _lock_model(connection, model)
            stack = _stack(_history(connection, model, alias))
            if len(stack) < 2:
                raise RunStoreError(
                    f"{model}@{alias} has no earlier version to roll back to"
                    + (f" (it has only named v{stack[0]})" if stack else " (it was never set)"),
                    hint=f"`learnburn models show {model}` lists its history; promote a version "
                    "instead",
                )
            return _append(connection, model, alias, "rollback", stack[-2], actor, reason, None)

    def record_kept(
        self, model: str, alias: str, *, actor: str, reason: str, evidence: dict | None
    ) -> AliasMove:
        """Record that a challenge left ``alias`` where it is ("keep"), with its evidence."""
        with self._write("record a challenge") as connection:
            _lock_model(connection, model)
            current = _alias_row(connection, model, alias)
            if current is None:
                raise _unknown_alias(model, alias)
            return _append(
                connection, model, alias, "keep", current.version, actor, reason, evidence
            )

    def list_models(self) -> list[ModelSummary]:
        """Every model, by name, with its version count and aliases."""
        with self._read("list models") as connection:
            rows = connection.execute(select(models).order_by(models.c.name)).all()
            counts = dict(
                connection.execute(
                    select(model_versions.c.model, func.max(model_versions.c.version)).group_by(
                        model_versions.c.model
                    )
                ).all()
            )
            pointed: dict[str, dict[str, int]] = {}
            for model, alias, version in connection.execute(
                select(aliases.c.model, aliases.c.alias, aliases.c.version).order_by(
                    aliases.c.model, aliases.c.alias
                )
            ):
                pointed.setdefault(model, {})[alias] = version
        return [
            ModelSummary(
                name=row.name, created_at=row.created_at, versions=counts.get(row.name) or 0,
                latest=counts.get(row.name), aliases=pointed.get(row.name, {}),
            )
            for row in rows
        ]  # fmt: skip

    def get_model(self, model: str) -> ModelDetail:
        """One model: its versions, aliases and whole history (oldest first)."""
        with self._read("read a model") as connection:
            row = connection.execute(select(models).where(models.c.name == model)).first()
            if row is None:
                raise _unknown_model(model)
            versions = connection.execute(
                _versions_query().where(model_versions.c.model == model)
            ).all()
            states = connection.execute(
                select(aliases.c.alias, aliases.c.version, aliases.c.revision, aliases.c.moved_at)
                .where(aliases.c.model == model)
                .order_by(aliases.c.alias)
            ).all()
            history = _history(connection, model)
        return ModelDetail(
            name=row.name,
            created_at=row.created_at,
            versions=tuple(ModelVersion(*v) for v in versions),
            aliases=tuple(AliasState(*s) for s in states),
            history=tuple(history),
        )

    def get_version(self, model: str, version: int) -> ModelVersion:
        """One version of a model."""
        with self._read("read a model version") as connection:
            row = connection.execute(
                _versions_query().where(
                    model_versions.c.model == model, model_versions.c.version == int(version)
                )
            ).first()
            if row is None:
                if connection.execute(select(models).where(models.c.name == model)).first():
                    raise _unknown_version(model, version)
                raise _unknown_model(model)
        return ModelVersion(*row)

    def resolve(self, model: str, alias: str) -> ModelVersion:
        """The version ``alias`` of ``model`` names now."""
        with self._read("resolve an alias") as connection:
            row = _alias_row(connection, model, alias)
            if row is None:
                if connection.execute(select(models).where(models.c.name == model)).first():
                    raise _unknown_alias(model, alias)
                raise _unknown_model(model)
        return self.get_version(model, row.version)

    def history(self, model: str, alias: str | None = None) -> list[AliasMove]:
        """The alias moves of ``model`` (of one alias, when given), oldest first."""
        with self._read("read alias history") as connection:
            return _history(connection, model, alias)

    def _write(self, action: str) -> AbstractContextManager[Connection]:
        return _using(self._store, action, writing)

    def _read(self, action: str) -> AbstractContextManager[Connection]:
        return _using(self._store, action, reading)


@contextmanager
def _using(store: _Database, action: str, opener: Any) -> Iterator[Connection]:
    with store._translated(action), opener(store._engine) as connection:
        yield connection


def _lock_model(connection: Connection, model: str, *, create: bool = False) -> None:
    """Lock the model's row for this transaction (creating the model when ``create``)."""
    locked = select(models.c.name).where(models.c.name == model).with_for_update()
    if connection.execute(locked).first() is not None:
        return
    if not create:
        raise _unknown_model(model)
    try:
        with connection.begin_nested():
            connection.execute(insert(models).values(name=model, created_at=now_text()))
    except IntegrityError:  # another writer created it meanwhile: lock theirs
        pass
    connection.execute(locked).one()


def _check_bundle_of(connection: Connection, run_id: str, bundle_sha256: str) -> None:
    status = connection.execute(select(runs.c.status).where(runs.c.id == run_id)).scalar()
    if status is None:
        raise RunStoreError(f"no run {run_id!r} in the store", hint="`learnburn runs` lists them")
    held = connection.execute(
        select(artifacts.c.name).where(
            artifacts.c.run_id == run_id, artifacts.c.sha256 == bundle_sha256
        )
    ).first()
    if status != "finished" or held is None:
        raise RunStoreError(
            f"run {run_id[:8]} ({status}) has no bundle {bundle_sha256[:12]}: only a finished "
            "run's bundle can be a model version",
            hint="`learnburn show RUN` lists a run's artifacts; promote a finished run",
        )


def _append(
    connection: Connection,
    model: str,
    alias: str,
    action: str,
    version: int,
    actor: str,
    reason: str,
    evidence: dict | None,
) -> AliasMove:
    current = _alias_row(connection, model, alias)
    now = now_text()
    if current is None:
        revision = 1
        connection.execute(
            insert(aliases).values(
                model=model, alias=alias, version=version, revision=revision, moved_at=now
            )
        )
    else:
        revision = current.revision + 1
        done = connection.execute(
            update(aliases)
            .where(
                aliases.c.model == model,
                aliases.c.alias == alias,
                aliases.c.revision == current.revision,
            )
            .values(version=version, revision=revision, moved_at=now)
        )
        if done.rowcount != 1:  # cannot happen under the model lock; refuse rather than lose it
            raise RunStoreError(
                f"{model}@{alias} moved while this move was being made",
                hint="run the command again",
            )
    values = {
        "model": model,
        "alias": alias,
        "action": action,
        "from_version": None if current is None else current.version,
        "to_version": version,
        "revision": revision,
        "at": now,
        "actor": str(actor),
        "reason": str(reason or ""),
        "evidence": None if evidence is None else to_json(evidence, "evidence"),
    }
    entry_id = connection.execute(insert(alias_history).values(values)).inserted_primary_key[0]
    return AliasMove(id=int(entry_id), **(values | {"evidence": evidence}))


def _history(connection: Connection, model: str, alias: str | None = None) -> list[AliasMove]:
    query = select(alias_history).where(alias_history.c.model == model)
    if alias is not None:
        query = query.where(alias_history.c.alias == alias)
    rows = connection.execute(query.order_by(alias_history.c.id)).all()
    return [
        AliasMove(**(dict(row._mapping) | {"evidence": from_json(row.evidence)})) for row in rows
    ]


def _stack(moves: list[AliasMove]) -> list[int]:
    """The versions an alias named, in order, with rolled-back ones popped."""
    stack: list[int] = []
    for move in moves:
        if move.action == "promote":
            stack.append(move.to_version)
        elif move.action == "rollback" and stack:
            stack.pop()
    return stack


def _alias_row(connection: Connection, model: str, alias: str):
    return connection.execute(
        select(aliases).where(aliases.c.model == model, aliases.c.alias == alias)
    ).first()


def _version_row(connection: Connection, model: str, version: int):
    return connection.execute(
        select(model_versions.c.version).where(
            model_versions.c.model == model, model_versions.c.version == int(version)
        )
    ).first()


def _versions_query():
    return (
        select(*_VERSION_COLUMNS)
        .join(runs, runs.c.id == model_versions.c.run_id)
        .order_by(model_versions.c.version)
    )


def _unknown_model(model: str) -> RunStoreError:
    return RunStoreError(
        f"no model {model!r} in the registry",
        hint=f"`learnburn models` lists them; `learnburn promote {model} RUN` registers one",
    )


def _unknown_version(model: str, version: int) -> RunStoreError:
    return RunStoreError(
        f"model {model!r} has no version {version}",
        hint=f"`learnburn models show {model}` lists its versions",
    )


def _unknown_alias(model: str, alias: str) -> RunStoreError:
    return RunStoreError(
        f"model {model!r} has no alias {alias!r}",
        hint=f"`learnburn models show {model}` lists its aliases; `learnburn promote {model} "
        f"RUN --alias {alias}` sets it",
    )
