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
