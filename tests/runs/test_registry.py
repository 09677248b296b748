"""The model registry in a real store (SQLite file and PostgreSQL schema)."""

import threading

import pytest
from store_helpers import fake_record, start

from learnburn.errors import RunStoreError
from learnburn.runs import RunStore

PROMOTERS, PROMOTES_EACH = 4, 5


def _finished_with_bundle(store: RunStore, content: bytes) -> tuple[str, str]:
    run_id = start(store)
    store.finish_run(run_id, fake_record())
    sha, size = store.artifacts.put_bytes(content)
    store.add_artifact(run_id, "bundle.lbm", sha, size, "bundle")
    return run_id, sha


def _versions(store: RunStore, count: int) -> list[int]:
    numbers = []
    for index in range(count):
        run_id, sha = _finished_with_bundle(store, f"bundle {index}".encode())
        numbers.append(store.registry.register("loans", run_id, sha).version)
    return numbers


def test_registering_runs_numbers_versions_and_keeps_a_run_at_its_version(store):
    """Versions count up from 1; registering a run again returns its version."""
    run_id, sha = _finished_with_bundle(store, b"one")
    other, other_sha = _finished_with_bundle(store, b"two")
    assert store.registry.register("loans", run_id, sha).version == 1
    assert store.registry.register("loans", other, other_sha).version == 2
    again = store.registry.register("loans", run_id, sha)
    assert (again.version, again.bundle_sha256, again.experiment) == (1, sha, "loans")


def test_a_run_without_that_bundle_cannot_be_registered(store):
    """Only a finished run's own bundle becomes a version."""
    running = start(store)
    with pytest.raises(RunStoreError, match="only a finished run's bundle"):
        store.registry.register("loans", running, "ab" * 32)


def test_promote_moves_the_alias_and_appends_history(store):
    """Each promote moves the alias, bumps its revision and adds one history entry."""
    _versions(store, 2)
    store.registry.move_alias("loans", "production", 1, actor="ana", reason="first")
    moved = store.registry.move_alias("loans", "production", 2, actor="bo", reason="better")
    assert (moved.from_version, moved.to_version, moved.revision) == (1, 2, 2)
    assert store.registry.resolve("loans", "production").version == 2
    history = store.registry.history("loans", "production")
    assert [(h.action, h.from_version, h.to_version, h.actor, h.reason) for h in history] == [
        ("promote", None, 1, "ana", "first"),
        ("promote", 1, 2, "bo", "better"),
    ]


def test_rollback_restores_the_exact_previous_bundle(store):
    """Rolling back returns the alias to the version, and the bundle sha256, it named before."""
    _versions(store, 3)
    for version in (1, 2, 3):
        store.registry.move_alias("loans", "production", version, actor="ana")
    before = store.registry.get_version("loans", 2).bundle_sha256
    moved = store.registry.rollback("loans", "production", actor="ana", reason="bad")
    assert (moved.action, moved.from_version, moved.to_version) == ("rollback", 3, 2)
    assert store.registry.resolve("loans", "production").bundle_sha256 == before
    store.registry.rollback("loans", "production", actor="ana")
    assert store.registry.resolve("loans", "production").version == 1


def test_rollback_without_an_earlier_version_is_refused(store):
    """An alias that named one version only has nothing to roll back to."""
    _versions(store, 1)
    store.registry.move_alias("loans", "production", 1, actor="ana")
    with pytest.raises(RunStoreError, match="no earlier version"):
        store.registry.rollback("loans", "production", actor="ana")


def test_a_kept_challenge_is_recorded_with_its_evidence(store):
    """A challenge that keeps the champion adds a 'keep' entry with its evidence."""
    _versions(store, 1)
    store.registry.move_alias("loans", "production", 1, actor="ana")
    kept = store.registry.record_kept(
        "loans", "production", actor="cron", reason="worse", evidence={"verdict": "worse"}
    )
    assert (kept.action, kept.from_version, kept.to_version) == ("keep", 1, 1)
    assert store.registry.history("loans")[-1].evidence == {"verdict": "worse"}


def test_models_lists_versions_and_aliases(store):
    """list_models gives each model's latest version and where its aliases point."""
    _versions(store, 2)
    store.registry.move_alias("loans", "staging", 2, actor="ana")
    [summary] = store.registry.list_models()
    assert (summary.name, summary.versions, summary.aliases) == ("loans", 2, {"staging": 2})


def test_an_unknown_alias_says_how_to_set_it(store):
    """Resolving an alias that was never set names the promote command."""
    _versions(store, 1)
    with pytest.raises(RunStoreError, match="no alias 'production'") as info:
        store.registry.resolve("loans", "production")
    assert "learnburn promote loans" in info.value.hint


def test_concurrent_promotes_of_one_alias_serialise(store_url, tmp_path):
    """4 threads, each with its own store, promote one alias 5 times at once: the history has all
    20 moves, revisions 1..20 in order, each starting where the one before ended."""
    with RunStore.open(store_url, folder=tmp_path) as store:
        numbers = _versions(store, PROMOTERS)
    errors, barrier = [], threading.Barrier(PROMOTERS)

    def promote(version: int) -> None:
        try:
            with RunStore.open(store_url, folder=tmp_path) as own:
                barrier.wait(timeout=60)
                for turn in range(PROMOTES_EACH):
                    own.registry.move_alias(
                        "loans", "production", version, actor=f"w{version}", reason=str(turn)
                    )
        except Exception as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=promote, args=(n,)) for n in numbers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    with RunStore.open(store_url, folder=tmp_path) as store:
        history = store.registry.history("loans", "production")
        final = store.registry.resolve("loans", "production")
    assert len(history) == PROMOTERS * PROMOTES_EACH
    assert [h.revision for h in history] == list(range(1, len(history) + 1))
    assert [h.from_version for h in history[1:]] == [h.to_version for h in history[:-1]]
    assert final.version == history[-1].to_version
