import os
import sys

import cloudpickle
import pytest

from learnburn.backends import LocalBackend
from learnburn.errors import BackendError


@pytest.fixture(autouse=True)
def _pickle_this_module_by_value():
    """Worker processes cannot import test modules, so send these task functions by value."""
    module = sys.modules[__name__]
    cloudpickle.register_pickle_by_value(module)
    yield
    cloudpickle.unregister_pickle_by_value(module)


def _scaled(shared, task):
    return shared["factor"] * task


def _worker_pid(shared, task):
    return os.getpid()


def _kill_self(shared, task):
    os._exit(1)


def test_in_process_backend_returns_results_in_task_order():
    """jobs=1 runs each task with the shared payload and keeps task order."""
    seen = []
    results = LocalBackend(1).map(
        _scaled, [1, 2, 3], shared={"factor": 10}, on_result=lambda i, r: seen.append(i)
    )
    assert results == [10, 20, 30]
    assert seen == [0, 1, 2]


def test_process_pool_returns_results_in_task_order_and_reports_each():
    """jobs=2 runs in other processes, returns results in task order and reports every task."""
    seen = []
    backend = LocalBackend(2)
    results = backend.map(
        _scaled, list(range(20)), shared={"factor": 3}, on_result=lambda i, r: seen.append(i)
    )
    assert results == [3 * i for i in range(20)]
    assert sorted(seen) == list(range(20))
    pids = backend.map(_worker_pid, list(range(8)), shared={})
    assert os.getpid() not in pids


def test_dead_worker_is_a_backend_error_with_a_hint():
    """A worker process that dies surfaces as BackendError, not a hang."""
    with pytest.raises(BackendError) as info:
        LocalBackend(2).map(_kill_self, [1, 2], shared={})
    assert "jobs" in info.value.hint


@pytest.mark.parametrize("jobs", [0, -2, 1.5, True])
def test_invalid_jobs_is_rejected(jobs):
    """jobs must be a positive integer or -1."""
    with pytest.raises(BackendError):
        LocalBackend(jobs)


def test_pool_does_not_disturb_joblib_in_the_same_process():
    """scikit-learn's n_jobs (joblib) still works before and after a learnburn pool."""
    from joblib import Parallel, delayed

    assert Parallel(n_jobs=2)(delayed(abs)(-i) for i in range(4)) == [0, 1, 2, 3]
    assert LocalBackend(2).map(_scaled, [1, 2], shared={"factor": 2}) == [2, 4]
    assert Parallel(n_jobs=2)(delayed(abs)(-i) for i in range(4)) == [0, 1, 2, 3]


def _pid_and_payload_id(shared, task):
    return os.getpid(), id(shared)


def test_shared_payload_is_loaded_once_per_worker_per_run():
    """Every task a worker runs in one run sees the same payload object (loaded once)."""
    seen = LocalBackend(2).map(_pid_and_payload_id, list(range(30)), shared={"big": [0] * 1000})
    payload_ids: dict[int, set[int]] = {}
    for pid, payload in seen:
        payload_ids.setdefault(pid, set()).add(payload)
    assert all(len(ids) == 1 for ids in payload_ids.values())


def test_a_new_run_gets_its_own_payload():
    """A second run with other shared data never sees the first run's payload."""
    backend = LocalBackend(2)
    assert backend.map(_scaled, [1, 2, 3], shared={"factor": 1}) == [1, 2, 3]
    assert backend.map(_scaled, [1, 2, 3], shared={"factor": 5}) == [5, 10, 15]
