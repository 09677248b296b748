import os
import signal
import socket
import sys
import time
from dataclasses import astuple, replace

import pytest

pytest.importorskip("distributed")

import cloudpickle
import dask

from learnburn.backends import DaskBackend, LocalBackend, start_local_cluster
from learnburn.errors import BackendError
from learnburn.spec import load_spec
from learnburn.workflows import run_experiment


@pytest.fixture(scope="module", autouse=True)
def _pickle_this_module_by_value():
    """Worker processes cannot import test modules, so send these task functions by value."""
    module = sys.modules[__name__]
    cloudpickle.register_pickle_by_value(module)
    yield
    cloudpickle.unregister_pickle_by_value(module)


WORKER_TIMEOUT = 600  # a loaded machine may take minutes to restart a killed worker


@pytest.fixture(scope="module")
def cluster():
    """One real LocalCluster for the module: 2 worker processes, 1 thread each, on 127.0.0.1.
    A task may kill 2 workers before it is failed (not 4, the default): a shorter test.

    The cluster drops for good a worker that has not come back within its lost-worker timeout
    (15 s by default), read whenever a worker leaves; and a timer left by one kill may fire
    during a later one. A loaded machine restarts workers slowly, so the tests that kill
    workers and wait for both to come back allow as long as they wait."""
    settings = {
        "distributed.scheduler.allowed-failures": 1,
        "distributed.deploy.lost-worker-timeout": f"{WORKER_TIMEOUT}s",
    }
    with dask.config.set(settings), start_local_cluster(2) as started:
        yield started


@pytest.fixture(scope="module")
def backend(cluster):
    with DaskBackend(cluster.scheduler_address, worker_timeout=WORKER_TIMEOUT) as connected:
        yield connected


class _ByValue:
    """A test function that travels by value: dask pickles a task's arguments by reference."""

    def __init__(self, fn):
        self.fn = fn

    def __call__(self, *args):
        return self.fn(*args)

    def __reduce__(self):
        return cloudpickle.loads, (cloudpickle.dumps(self.fn),)


def _scaled(shared, task):
    return shared["factor"] * task


def _pid_and_payload_id(shared, task):
    time.sleep(0.01)
    return os.getpid(), id(shared)


def _raise_value_error(shared, task):
    raise ValueError(f"bad task {task}")


def _sleep_then_return(shared, task):
    time.sleep(0.1)
    return task * shared["factor"]


def _wait_for_the_first_report(shared, task):
    """Task 0 returns at once; the others wait (up to 10 minutes) for the caller to have been
    told of a result, and say whether it was."""
    if task == 0:
        return True
    marker = shared["marker"]
    deadline = time.monotonic() + 600
    while not os.path.exists(marker) and time.monotonic() < deadline:
        time.sleep(0.05)
    return os.path.exists(marker)


def _kill_own_worker_on_task_0(shared, task):
    if task == 0:
        os.kill(os.getpid(), signal.SIGKILL)
    return task


def _worker_pids(backend) -> list[int]:
    return list(backend.client.run(os.getpid).values())


def _kill_workers(backend, count: int) -> list[int]:
    """SIGKILL ``count`` worker processes (their nannies start new ones); their pids."""
    pids = _worker_pids(backend)[:count]
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    return pids


def _folds(result):
    """Every fold's outcome, without the timings (which differ from run to run) and the pickled
    model size (which moves by a few bytes with how pickle shares numpy dtype objects in the
    process that fitted it, not with the model)."""
    return [
        astuple(replace(fold, fit_time=0.0, predict_time=0.0, model_bytes=None))
        for fold in result.folds
    ]


def test_results_come_back_in_task_order_and_each_is_reported(backend):
    """Results are in task order; on_result sees every task once, in this process."""
    seen = []
    results = backend.map(
        _ByValue(_scaled), list(range(20)), shared={"factor": 3},
        on_result=lambda index, result: seen.append((index, result)),
    )  # fmt: skip
    assert results == [3 * i for i in range(20)]
    assert sorted(seen) == [(i, 3 * i) for i in range(20)]


def test_tasks_run_on_the_workers_with_the_payload_sent_once_per_worker(backend):
    """Tasks run in the worker processes, and every task a worker runs sees one payload."""
    seen = backend.map(_ByValue(_pid_and_payload_id), list(range(30)), shared={"big": [0] * 1000})
    payload_ids: dict[int, set[int]] = {}
    for pid, payload in seen:
        payload_ids.setdefault(pid, set()).add(payload)
    assert os.getpid() not in payload_ids
    assert set(payload_ids) <= set(_worker_pids(backend))
    assert all(len(ids) == 1 for ids in payload_ids.values())


def test_a_task_error_is_raised_as_it_is(backend):
    """A task's own exception reaches the caller unchanged, as with the local backend."""
    with pytest.raises(ValueError, match="bad task"):
        backend.map(_ByValue(_raise_value_error), [1, 2], shared={})


def test_per_fold_scores_are_identical_to_the_local_backend(backend, small_spec):
    """The same spec gives the same per-fold scores, winner and holdout on Dask as locally."""
    spec = load_spec(small_spec)
    local = run_experiment(spec, backend=LocalBackend(1))
    events = []
    remote = run_experiment(spec, backend=backend, progress=events.append)
    assert _folds(remote) == _folds(local)
    assert remote.winner == local.winner
    assert remote.holdout.score == local.holdout.score
    assert sum(event.kind == "fold" for event in events) == len(local.folds)


def test_an_unreachable_scheduler_fails_fast_with_a_hint():
    """Nothing listening at the address: a BackendError with a hint, at once (well within the
    10 s timeout, which a refusal does not wait for)."""
    with socket.socket() as placeholder:
        placeholder.bind(("127.0.0.1", 0))
        port = placeholder.getsockname()[1]  # free once closed
    started = time.monotonic()
    with pytest.raises(BackendError) as info:
        DaskBackend(f"tcp://127.0.0.1:{port}")
    assert time.monotonic() - started < 10
    assert "no answer" not in info.value.message
    assert f"127.0.0.1:{port}" in info.value.message
    assert "dask scheduler" in info.value.hint and "dask worker" in info.value.hint


def test_a_peer_that_never_answers_fails_within_the_timeout():
    """A socket that accepts but never speaks Dask is an error after `timeout`, not a hang."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        started = time.monotonic()
        with pytest.raises(BackendError, match="answer within 1 s"):
            DaskBackend(f"tcp://127.0.0.1:{silent.getsockname()[1]}", timeout=1)
        assert time.monotonic() - started < 30  # a hang would be for ever


@pytest.mark.parametrize("address", ["", "local:0", "local:two", "bogus://somewhere:1"])
def test_a_malformed_address_is_a_backend_error(address):
    """Empty, a bad local worker count, or an unknown scheme: a BackendError with a hint."""
    with pytest.raises(BackendError) as info:
        DaskBackend(address)
    assert info.value.hint


def test_a_worker_address_is_refused_as_not_a_scheduler(cluster):
    """A worker's address (a Dask peer, but not the scheduler): an error saying so."""
    worker = next(iter(cluster.scheduler_info["workers"]))
    with pytest.raises(BackendError, match="not as a scheduler") as info:
        DaskBackend(worker)
    assert "scheduler's address" in info.value.hint


def test_a_tls_address_without_tls_settings_says_what_to_set(cluster):
    """tls:// with no client certificate in the dask config: an error naming the settings."""
    port = cluster.scheduler_address.rsplit(":", 1)[1]
    with pytest.raises(BackendError, match="no TLS settings") as info:
        DaskBackend(f"tls://127.0.0.1:{port}")
    assert "distributed.comm.tls.client.cert" in info.value.hint


def test_a_started_cluster_binds_loopback_only(cluster):
    """The scheduler, its HTTP endpoint, the nannies and the workers all listen on 127.0.0.1."""
    import psutil

    ours = [cluster.scheduler_address, cluster.dashboard_link]
    ours += [nanny.address for nanny in cluster.workers.values()]
    ports = {int(a.split(":")[2].split("/")[0]) for a in ours}
    here = [c for c in psutil.Process().net_connections("tcp") if c.laddr.port in ports]
    assert {c.laddr.port for c in here if c.status == "LISTEN"} == ports
    assert {c.laddr.ip for c in here} == {"127.0.0.1"}
    for nanny in cluster.workers.values():
        worker = psutil.Process(nanny.process.process.pid)
        listening = [c for c in worker.net_connections("tcp") if c.status == "LISTEN"]
        assert listening and {c.laddr.ip for c in listening} == {"127.0.0.1"}


def test_plain_imports_do_not_import_dask():
    """`import learnburn.cli` (what plain `learnburn run` loads) leaves dask unimported."""
    import subprocess

    code = "import sys, learnburn.cli; print('dask' in sys.modules or 'distributed' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_progress_is_reported_as_each_task_finishes(backend, tmp_path):
    """on_result fires as each future finishes: the other tasks wait for the first report, so
    they end only because it came before them."""
    marker = tmp_path / "reported"
    reported = []

    def report(index, result):
        reported.append(index)
        marker.touch()

    results = backend.map(
        _ByValue(_wait_for_the_first_report), list(range(6)), shared={"marker": str(marker)},
        on_result=report,
    )  # fmt: skip
    assert results == [True] * 6
    assert reported[0] == 0 and sorted(reported) == list(range(6))


def test_a_worker_killed_mid_run_leaves_the_scores_unchanged(backend, small_spec):
    """A worker process killed after the first fold: its tasks run elsewhere, same scores."""
    spec = load_spec(small_spec)
    local = run_experiment(spec, backend=LocalBackend(1))
    killed: list[int] = []

    def kill_one_after_the_first_fold(event):
        if event.kind == "fold" and not killed:
            killed.extend(_kill_workers(backend, 1))

    remote = run_experiment(spec, backend=backend, progress=kill_one_after_the_first_fold)
    assert _folds(remote) == _folds(local)
    backend.wait_for_workers(2)
    assert killed and killed[0] not in _worker_pids(backend)


def test_losing_every_copy_of_the_shared_data_sends_it_again(backend, monkeypatch):
    """Every worker killed mid-run (the payload with them): it is sent again, the run ends."""
    scatters, killed, done = [], [], []
    scatter = backend.client.scatter
    monkeypatch.setattr(
        backend.client, "scatter", lambda *a, **k: scatters.append(1) or scatter(*a, **k)
    )

    def kill_every_worker_after_two(index, result):
        done.append(index)
        if len(done) == 2:
            killed.extend(_kill_workers(backend, 2))

    results = backend.map(
        _ByValue(_sleep_then_return), list(range(12)), shared={"factor": 5},
        on_result=kill_every_worker_after_two,
    )  # fmt: skip
    assert results == [5 * i for i in range(12)]
    assert len(killed) == 2 and len(scatters) >= 2
    assert sorted(done) == list(range(12))
    backend.wait_for_workers(2)


def test_a_task_that_kills_every_worker_it_runs_on_is_a_backend_error(backend):
    """A task that kills its worker each time: a BackendError with a hint, not an endless run.
    Which error depends on a race in the scheduler: the task is marked as having killed its
    workers, or the payload and results are lost with them until learnburn stops resending."""
    expected = "killed every Dask worker|lost tasks or their shared data"
    with pytest.raises(BackendError, match=expected) as info:
        backend.map(_ByValue(_kill_own_worker_on_task_0), [0, 1, 2], shared={})
    assert "memory" in info.value.hint
    backend.wait_for_workers(2)


def test_workers_that_do_not_come_within_the_timeout_are_a_backend_error(backend):
    """Waiting for more workers than come: distributed's WorkerStartTimeoutError becomes a
    BackendError saying how many came, with a hint."""
    from distributed.exceptions import WorkerStartTimeoutError

    with pytest.raises(BackendError, match="only 2 of the 3 Dask worker") as info:
        backend.wait_for_workers(3, timeout=1)
    assert isinstance(info.value.__cause__, WorkerStartTimeoutError)
    assert "worker_timeout" in info.value.hint


def test_a_cluster_whose_workers_never_come_back_is_a_backend_error():
    """A cluster with no worker running (all of them dead, none restarted within
    worker_timeout): the run ends with a BackendError, not distributed's own timeout."""
    with (
        start_local_cluster(0) as empty,
        DaskBackend(empty.scheduler_address, worker_timeout=1) as backend,
        pytest.raises(BackendError, match="only 0 of the 1 Dask worker") as info,
    ):
        backend.map(_ByValue(_scaled), [1, 2], shared={"factor": 1})
    assert "dask worker" in info.value.hint


def test_a_scheduler_that_stops_mid_run_is_a_backend_error():
    """The scheduler stops after the first result: the run ends with a BackendError with a
    hint, whatever distributed raises on its side."""
    stopped = []
    with (
        start_local_cluster(1) as own,
        DaskBackend(own.scheduler_address, worker_timeout=5) as backend,
    ):

        def stop_the_scheduler(index, result):
            if not stopped:
                stopped.append(index)
                own.close()

        with pytest.raises(BackendError) as info:
            backend.map(
                _ByValue(_sleep_then_return), list(range(6)), shared={"factor": 1},
                on_result=stop_the_scheduler,
            )  # fmt: skip
    assert stopped and info.value.hint
