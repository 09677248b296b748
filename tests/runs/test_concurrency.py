import multiprocessing
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
import store_helpers
from store_helpers import fake_record, start

from learnburn.runs import RunStore

WORKERS, RUNS_EACH = 8, 25
FOLDS_PER_RUN = len(store_helpers.CANDIDATES) * store_helpers.REPEATS * store_helpers.FOLDS


def _integrity(store_url: str) -> None:
    if store_url.startswith("sqlite:///"):
        connection = sqlite3.connect(store_url.removeprefix("sqlite:///"))
        try:
            assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        finally:
            connection.close()


@pytest.fixture(scope="module")
def spawned():
    """8 spawned processes and a barrier, started once (imports paid once) for both backends."""
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager, ProcessPoolExecutor(WORKERS, mp_context=context) as pool:
        list(pool.map(store_helpers.pause, [0.5] * WORKERS))  # start all 8 processes now
        yield pool, manager.Barrier(WORKERS)


def test_concurrent_writers_lose_no_run(store_url, tmp_path, spawned):
    """8 processes x 25 runs into one new store: all 200 runs finished, each with all its folds."""
    pool, barrier = spawned
    barrier.reset()
    writers = [
        pool.submit(store_helpers.write_runs, store_url, str(tmp_path), worker, RUNS_EACH, barrier)
        for worker in range(WORKERS)
    ]
    pids = [writer.result(timeout=120) for writer in writers]
    assert len(set(pids)) == WORKERS  # the barrier holds each writer until all 8 are in

    with RunStore.open(store_url, folder=tmp_path) as store:
        listed = store.list_runs()
        assert len(listed) == WORKERS * RUNS_EACH
        assert {s.status for s in listed} == {"finished"}
        for worker in range(WORKERS):
            assert len(store.list_runs(experiment=f"worker-{worker}")) == RUNS_EACH
        assert {len(store.get_run(s.id).folds) for s in listed} == {FOLDS_PER_RUN}
    _integrity(store_url)


def test_a_run_killed_with_sigkill_is_interrupted_and_the_store_stays_sound(store_url, tmp_path):
    """kill -9 mid-run (and mid-write): reopening marks it interrupted, every other run is whole,
    the database passes its integrity check and takes new runs."""
    script = Path(store_helpers.__file__)
    child = subprocess.Popen(
        [sys.executable, str(script), "hold", store_url, str(tmp_path)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        long_run = child.stdout.readline().strip()
        assert len(long_run) == 32, "the child did not start its run"
        time.sleep(0.5)  # the child records small runs meanwhile
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        child.stdout.close()
    assert child.returncode == -signal.SIGKILL

    _integrity(store_url)
    with RunStore.open(store_url, folder=tmp_path) as store:
        assert store.get_run(long_run).summary.status == "interrupted"
        busy = store.list_runs(experiment="busy")
        finished = [s for s in busy if s.status == "finished"]
        assert finished, "the child recorded no run before it was killed"
        assert {s.status for s in busy} <= {"finished", "interrupted"}
        for summary in finished:
            assert len(store.get_run(summary.id).folds) == FOLDS_PER_RUN
        assert store.reap() == 0

        run_id = start(store)
        store.finish_run(run_id, fake_record())
        assert store.get_run(run_id).summary.status == "finished"
    _integrity(store_url)


def test_threads_sharing_one_store_lose_no_run(store):
    """4 threads writing through one RunStore (heartbeats from a progress thread, say) all land."""
    errors = []

    def write(worker: int) -> None:
        try:
            for _ in range(10):
                run_id = start(store, f"thread-{worker}")
                store.heartbeat(run_id)
                store.finish_run(run_id, fake_record())
        except Exception as error:  # reported below, with the others
            errors.append(error)

    threads = [threading.Thread(target=write, args=(worker,)) for worker in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len(store.list_runs(status="finished")) == 40
