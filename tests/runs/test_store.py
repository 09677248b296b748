import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select, update
from store_helpers import fake_record, start

from learnburn.errors import RunStoreError
from learnburn.runs import RunDetail, RunStore, RunSummary, validate_name
from learnburn.runs._engine import reading, writing
from learnburn.runs._schema import runs


def _row(store: RunStore, run_id: str):
    with reading(store._engine) as connection:
        return connection.execute(select(runs).where(runs.c.id == run_id)).one()


def _set(store: RunStore, run_id: str, **values) -> None:
    with writing(store._engine) as connection:
        connection.execute(update(runs).where(runs.c.id == run_id).values(**values))


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_finished_run_round_trips_summary_candidates_folds_and_record(store):
    """A finished run reads back with its summary columns, every fold row and the full record."""
    run_id = start(store, "loans", in_git=True, commit="f" * 40, dirty=True)
    record = fake_record("loans")
    store.finish_run(run_id, record)

    detail = store.get_run(run_id)
    assert isinstance(detail, RunDetail)
    assert detail.summary == RunSummary(
        id=run_id, experiment="loans", status="finished",
        started_at=detail.summary.started_at, finished_at=detail.summary.finished_at,
        metric="roc_auc", winner="logistic_regression", score=0.8, holdout=0.79,
        commit="f" * 40, dirty=True, data_hash="ab" * 32,
    )  # fmt: skip
    assert detail.summary.finished_at >= detail.summary.started_at
    assert detail.record == record
    assert detail.error is None
    assert detail.spec_hash == "e" * 64 and detail.seed == 3
    assert detail.provenance == {"in_git": True, "commit": "f" * 40, "dirty": True}
    assert detail.environment == {"python": "3.11"}
    assert len(detail.folds) == len(record["folds"]) == 12
    first = detail.folds[0]
    assert first == {
        "candidate": "logistic_regression", "repeat": 0, "fold": 0, "score": 0.8,
        "scores": {"roc_auc": 0.8, "accuracy": 0.75}, "fit_time": 0.01, "predict_time": 0.001,
        "n_train": 160, "n_test": 80, "error": None,
    }  # fmt: skip
    row = _row(store, run_id)
    assert (row.data_rows, row.data_schema_hash, row.data_source) == (240, "cd" * 32, "table.csv")
    assert row.best == "logistic_regression" and row.source == "experiment.toml"


def test_finished_run_stores_one_row_per_candidate(store):
    """Every candidate summary becomes a row of the candidates table."""
    from learnburn.runs._schema import candidates

    run_id = start(store)
    store.finish_run(run_id, fake_record(candidates=("a", "b", "c")))
    with reading(store._engine) as connection:
        rows = connection.execute(
            select(candidates.c.name, candidates.c.mean, candidates.c.rank)
            .where(candidates.c.run_id == run_id)
            .order_by(candidates.c.name)
        ).all()
    assert [tuple(r) for r in rows] == [("a", 0.8, 1), ("b", 0.79, 2), ("c", 0.78, 3)]


def test_started_run_is_running_with_host_pid_and_heartbeat(store):
    """start_run records a running run, who runs it, and a heartbeat that heartbeat() moves."""
    run_id = start(store)
    detail = store.get_run(run_id)
    assert detail.summary.status == "running"
    assert detail.record is None and detail.folds == () and detail.summary.score is None
    row = _row(store, run_id)
    assert row.pid == os.getpid() and row.host
    assert row.heartbeat_at == row.started_at
    store.heartbeat(run_id)
    assert _row(store, run_id).heartbeat_at > row.started_at


def test_list_runs_is_newest_first_and_filters(store):
    """list_runs orders newest first and filters by experiment, status and limit."""
    first = start(store, "loans")
    store.finish_run(first, fake_record())
    second = start(store, "churn")
    store.fail_run(second, status="failed", error="ValueError: boom")
    third = start(store, "loans")

    assert [s.id for s in store.list_runs()] == [third, second, first]
    assert [s.id for s in store.list_runs(experiment="loans")] == [third, first]
    assert [s.id for s in store.list_runs(status="failed")] == [second]
    assert [s.id for s in store.list_runs(experiment="loans", status="running")] == [third]
    assert [s.id for s in store.list_runs(limit=2)] == [third, second]
    assert store.list_runs(experiment="nothing") == []


def test_list_runs_refuses_an_unknown_status(store):
    """A status filter outside the four statuses is an error naming them."""
    with pytest.raises(RunStoreError, match="running, finished, failed, interrupted"):
        store.list_runs(status="done")


def test_get_run_accepts_a_unique_prefix_in_any_case(store):
    """A run is found by its full id or by a unique prefix of at least 4 characters."""
    run_id = start(store)
    assert store.get_run(run_id).summary.id == run_id
    assert store.get_run(run_id[:4]).summary.id == run_id
    assert store.get_run(" " + run_id[:8].upper()).summary.id == run_id


def test_get_run_reports_unknown_ambiguous_and_malformed_ids(store, monkeypatch):
    """Unknown, ambiguous, too short or non-hex ids are errors pointing to `learnburn runs`."""
    ids = iter(["abcd0000" * 4, "abcd1111" * 4])
    monkeypatch.setattr(uuid, "uuid4", lambda: uuid.UUID(next(ids)))
    start(store)
    start(store)
    with pytest.raises(RunStoreError, match="matches 2 runs") as ambiguous:
        store.get_run("abcd")
    assert "more characters" in ambiguous.value.hint
    assert store.get_run("abcd1").summary.id == "abcd1111" * 4
    for bad in ("ffff", "abc", "abcd/../x", "", "%", "abcd%"):
        with pytest.raises(RunStoreError) as info:
            store.get_run(bad)
        assert "learnburn runs" in info.value.hint


def test_fail_run_records_status_and_error_and_a_run_ends_once(store):
    """fail_run keeps the run with its status and error; an ended run cannot end again."""
    failed, stopped = start(store), start(store)
    store.fail_run(failed, status="failed", error="ValueError: boom")
    store.fail_run(stopped, status="interrupted", error="interrupted by the user")
    assert store.get_run(failed).error == "ValueError: boom"
    assert store.get_run(stopped).summary.status == "interrupted"
    with pytest.raises(RunStoreError, match="already ended"):
        store.finish_run(failed, fake_record())
    with pytest.raises(RunStoreError, match="'failed' or 'interrupted'"):
        store.fail_run(start(store), status="finished", error="")
    with pytest.raises(RunStoreError, match="no run"):
        store.fail_run("0" * 32, status="failed", error="x")


def test_an_interrupted_run_may_still_finish(store):
    """A run the reaper marked interrupted records its result if its process finishes after all."""
    run_id = start(store)
    store.fail_run(run_id, status="interrupted", error="no heartbeat")
    store.finish_run(run_id, fake_record())
    detail = store.get_run(run_id)
    assert detail.summary.status == "finished" and detail.error is None


def test_finish_run_is_all_or_nothing(store):
    """A record that cannot be stored whole (a duplicate fold) leaves the run running, no rows."""
    run_id = start(store)
    record = fake_record()
    record["folds"].append(dict(record["folds"][0]))
    with pytest.raises(RunStoreError, match="failed to finish a run"):
        store.finish_run(run_id, record)
    detail = store.get_run(run_id)
    assert detail.summary.status == "running" and detail.folds == () and detail.record is None


def test_finish_run_refuses_records_that_are_not_json(store):
    """NaN or live objects in a record are refused before anything is written."""
    run_id = start(store)
    with pytest.raises(RunStoreError, match="JSON"):
        store.finish_run(run_id, fake_record() | {"timings": {"total": float("nan")}})
    with pytest.raises(RunStoreError, match="not a result record"):
        store.finish_run(run_id, {"candidates": [{"mean": 1.0}]})
    assert store.get_run(run_id).summary.status == "running"


def test_heartbeat_and_finish_of_an_unknown_run_are_errors(store):
    """A run id that was never started is reported, not silently ignored."""
    with pytest.raises(RunStoreError, match="no run"):
        store.heartbeat("0" * 32)
    with pytest.raises(RunStoreError, match="no run"):
        store.finish_run("0" * 32, fake_record())


def test_artifacts_are_listed_with_their_run_and_recorded_once(store):
    """add_artifact links content to a run by name; the same content again is a no-op."""
    run_id = start(store)
    sha, size = store.artifacts.put_bytes(b"diff --git a b")
    store.add_artifact(run_id, "diff.patch", sha, size, "diff")
    store.add_artifact(run_id, "diff.patch", sha, size, "diff")
    other, other_size = store.artifacts.put_bytes(b"{}")
    store.add_artifact(run_id, "result.json", other, other_size)
    refs = store.get_run(run_id).artifacts
    assert [(a.name, a.sha256, a.size, a.kind) for a in refs] == [
        ("diff.patch", sha, size, "diff"),
        ("result.json", other, 2, ""),
    ]
    with pytest.raises(RunStoreError, match="other content"):
        store.add_artifact(run_id, "diff.patch", other, other_size)
    with pytest.raises(RunStoreError, match="artifact name"):
        store.add_artifact(run_id, "../diff.patch", sha, size)
    with pytest.raises(RunStoreError, match="sha256"):
        store.add_artifact(run_id, "x.txt", "../" + sha[3:], size)
    with pytest.raises(RunStoreError, match="no run"):
        store.add_artifact("0" * 32, "x.txt", sha, size)


TRAVERSALS = [
    "../x", "..", "a/../b", "/etc/passwd", "..\\x", "a\\b", "x\x00y", ".hidden", "", " loans",
    "loans ", "a" * 129, "..%2f", "%2e%2e/", "//proc/self/root", "file:///etc/",
    "http:///#/../../etc/", "C:\\x", "a\u2215b", "a\uff0fb", "loans\n", "a..b",
]  # fmt: skip


@pytest.mark.parametrize("name", TRAVERSALS)
def test_names_that_could_be_paths_are_refused(name):
    """Experiment names with separators, '..', NUL, a leading dot or look-alikes are refused."""
    with pytest.raises(RunStoreError) as info:
        validate_name(name)
    assert "names are labels" in info.value.hint


def test_start_run_refuses_a_path_like_experiment_name_and_writes_nothing(store):
    """start_run validates the experiment name before recording anything."""
    with pytest.raises(RunStoreError, match="experiment name"):
        start(store, "../../etc")
    assert store.list_runs() == []


@pytest.mark.parametrize("name", ["loans", "loans-v2.1", "A_b", "x", "9" * 128, "CON"])
def test_plain_names_are_accepted(name):
    """Letters, digits, '_', '.' and '-' (up to 128 characters) make a valid name."""
    assert validate_name(name) == name


def test_reap_interrupts_a_run_whose_process_is_gone(store):
    """A running run of this host whose pid no longer exists is marked interrupted."""
    alive, dead = start(store), start(store)
    _set(store, dead, pid=_dead_pid())
    assert store.reap() == 1
    assert store.get_run(dead).summary.status == "interrupted"
    assert "ended without recording" in store.get_run(dead).error
    assert store.get_run(alive).summary.status == "running"
    assert store.reap() == 0


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc (Linux)")
def test_reap_spots_a_reused_pid(store):
    """A live pid whose process started at another time than the run's is a reused pid."""
    run_id = start(store)
    started = _row(store, run_id).process_started
    _set(store, run_id, process_started=started - 1)
    assert store.reap() == 1
    assert "pid now belongs to another" in store.get_run(run_id).error


def test_reap_judges_other_hosts_by_their_heartbeat(store):
    """Runs of another host are interrupted only when their heartbeat is over 10 minutes old."""
    stale, fresh = start(store), start(store)
    _set(store, stale, host="elsewhere", heartbeat_at="2020-01-01T00:00:00.000000+00:00")
    _set(store, fresh, host="elsewhere")
    store.heartbeat(fresh)
    assert store.reap() == 1
    assert store.get_run(stale).summary.status == "interrupted"
    assert store.get_run(fresh).summary.status == "running"


def test_open_reaps_dead_runs(store_url, tmp_path):
    """Opening a store marks the runs of dead processes interrupted."""
    with RunStore.open(store_url, folder=tmp_path) as first:
        run_id = start(first)
        _set(first, run_id, pid=_dead_pid())
    with RunStore.open(store_url, folder=tmp_path) as second:
        assert second.get_run(run_id).summary.status == "interrupted"
