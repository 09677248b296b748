import threading
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect

from learnburn.errors import RunStoreError
from learnburn.runs import RunStore
from learnburn.runs._schema import SCHEMA_VERSION, metadata

FIXTURE = Path(__file__).parent.parent / "fixtures" / "store_v1.sql"
FIXTURE_V2 = Path(__file__).parent.parent / "fixtures" / "store_v2.sql"
FINISHED = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
FAILED = "1b2c3d4e5f60718293a4b5c6d7e8f90a"
LEFT_RUNNING = "2c3d4e5f60718293a4b5c6d7e8f90a1b"


def _statements(sql: str) -> list[str]:
    lines = [line for line in sql.splitlines() if not line.startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";\n") if s.strip().rstrip(";")]


def _load(url: str, sql: str) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            for statement in _statements(sql):
                connection.exec_driver_sql(statement.rstrip(";"))
    finally:
        engine.dispose()


def _shape(url: str) -> dict:
    engine = create_engine(url)
    try:
        tables = inspect(engine)
        return {
            name: (
                sorted(c["name"] for c in tables.get_columns(name)),
                sorted(i["name"] for i in tables.get_indexes(name)),
            )
            for name in sorted(metadata.tables)
        }
    finally:
        engine.dispose()


def test_a_version_1_store_is_upgraded_and_its_runs_read_intact(store_url, tmp_path):
    """The committed v1 fixture opens at the latest version with every old run as it was."""
    _load(store_url, FIXTURE.read_text())
    with RunStore.open(store_url, folder=tmp_path) as store:
        assert store.schema_version() == SCHEMA_VERSION
        listed = {s.id: s for s in store.list_runs()}
        assert list(listed) == [LEFT_RUNNING, FAILED, FINISHED]

        finished = store.get_run(FINISHED)
        summary = finished.summary
        assert (summary.experiment, summary.status, summary.metric) == (
            "loans",
            "finished",
            "roc_auc",
        )
        assert (summary.winner, summary.score, summary.holdout) == (
            "logistic_regression",
            0.79,
            0.81,
        )
        assert (summary.commit, summary.dirty) == (
            "3f8e2a1c9b7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f",
            False,
        )
        assert summary.data_hash == "d47a" * 16
        assert finished.record["winner"] == "logistic_regression"
        assert [f["score"] for f in finished.record["folds"]] == [0.78, 0.8, 0.75, 0.79]
        assert [(f["candidate"], f["fold"], f["score"]) for f in finished.folds] == [
            ("logistic_regression", 0, 0.78),
            ("logistic_regression", 1, 0.8),
            ("random_forest", 0, 0.75),
            ("random_forest", 1, 0.79),
        ]
        assert finished.folds[0]["scores"] == {"roc_auc": 0.78, "accuracy": 0.88}
        assert finished.provenance["branch"] == "main"
        assert finished.spec_text == '[experiment]\nname = "loans"\n'
        assert [(a.name, a.size, a.kind) for a in finished.artifacts] == [("result.json", 2048, "")]

        failed = store.get_run(FAILED)
        assert failed.summary.status == "failed" and failed.summary.dirty is True
        assert failed.error == "DataError: data/loans.csv is empty" and failed.record is None

        orphan = store.get_run(LEFT_RUNNING)
        assert orphan.summary.status == "interrupted"  # no heartbeat since 2024: reaped on open
        assert "no heartbeat" in orphan.error


def test_an_upgraded_store_has_the_tables_of_a_new_one(store_url, tmp_path):
    """Migrating v1 gives exactly the columns and indexes that a new store is created with."""
    _load(store_url, FIXTURE.read_text())
    RunStore.open(store_url, folder=tmp_path).close()
    upgraded = _shape(store_url)
    fresh_url = f"sqlite:///{tmp_path / 'fresh.db'}"
    RunStore.open(fresh_url, folder=tmp_path).close()
    assert upgraded == _shape(fresh_url)


def test_an_upgraded_store_takes_new_runs(store_url, tmp_path):
    """After the upgrade, new runs are recorded next to the old ones."""
    _load(store_url, FIXTURE.read_text())
    with RunStore.open(store_url, folder=tmp_path) as store:
        run_id = store.start_run(
            experiment="loans", spec_text="", spec_hash="0" * 64, seed=1, provenance={},
            environment={}, source="loans.toml",
        )  # fmt: skip
        store.fail_run(run_id, status="failed", error="x")
        assert len(store.list_runs(experiment="loans")) == 3


def test_a_store_newer_than_this_code_is_refused(store_url, tmp_path):
    """A schema version above the latest known is refused with a hint to upgrade learnburn."""
    RunStore.open(store_url, folder=tmp_path).close()
    _load(store_url, f"UPDATE meta SET value = '{SCHEMA_VERSION + 1}'")
    with pytest.raises(RunStoreError, match=f"schema version {SCHEMA_VERSION + 1}") as info:
        RunStore.open(store_url, folder=tmp_path)
    assert "upgrade learnburn" in info.value.hint


def test_a_runs_table_without_meta_is_not_taken_for_a_store(store_url, tmp_path):
    """A database that has some other 'runs' table is refused, not altered."""
    _load(store_url, "CREATE TABLE runs (id INTEGER PRIMARY KEY)")
    with pytest.raises(RunStoreError, match="not a learnburn run store"):
        RunStore.open(store_url, folder=tmp_path)


def test_a_new_store_starts_at_the_latest_version(store_url, tmp_path):
    """Opening an empty database creates the latest schema."""
    with RunStore.open(store_url, folder=tmp_path) as store:
        assert store.schema_version() == SCHEMA_VERSION == 3


def test_concurrent_openers_upgrade_a_version_1_store_once(store_url, tmp_path):
    """8 stores opened at once on a v1 store take turns: one upgrade, no error, no lost run."""
    _load(store_url, FIXTURE.read_text())
    errors, barrier = [], threading.Barrier(8)

    def open_store() -> None:
        try:
            barrier.wait(timeout=30)
            with RunStore.open(store_url, folder=tmp_path) as store:
                assert store.schema_version() == SCHEMA_VERSION
        except Exception as error:  # reported below, with the others
            errors.append(error)

    threads = [threading.Thread(target=open_store) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    with RunStore.open(store_url, folder=tmp_path) as store:
        assert len(store.list_runs()) == 3
        assert len(store.get_run(FINISHED).folds) == 4


def test_a_version_2_store_is_upgraded_and_its_bundle_can_be_promoted(store_url, tmp_path):
    """The committed v2 fixture opens at the latest version; its finished run's bundle becomes
    a model version and an alias names it."""
    _load(store_url, FIXTURE_V2.read_text())
    with RunStore.open(store_url, folder=tmp_path) as store:
        assert store.schema_version() == SCHEMA_VERSION
        assert [s.id for s in store.list_runs()] == [LEFT_RUNNING, FAILED, FINISHED]
        bundle = next(a for a in store.get_run(FINISHED).artifacts if a.kind == "bundle")
        version = store.registry.register("loans", FINISHED, bundle.sha256)
        store.registry.move_alias("loans", "production", version.version, actor="ana")
        assert store.registry.resolve("loans", "production").bundle_sha256 == "b0" * 32


def test_an_upgraded_version_2_store_has_the_tables_of_a_new_one(store_url, tmp_path):
    """Migrating v2 gives exactly the columns and indexes that a new store is created with."""
    _load(store_url, FIXTURE_V2.read_text())
    RunStore.open(store_url, folder=tmp_path).close()
    fresh_url = f"sqlite:///{tmp_path / 'fresh.db'}"
    RunStore.open(fresh_url, folder=tmp_path).close()
    assert _shape(store_url) == _shape(fresh_url)
