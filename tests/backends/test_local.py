import os
import signal
import subprocess
import sys
import time

import cloudpickle
import pytest

import learnburn
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


SLOW_ESTIMATOR = '''
import os
import time
from pathlib import Path

from sklearn.base import BaseEstimator, ClassifierMixin


class SlowClassifier(ClassifierMixin, BaseEstimator):
    """Says which process fits it, then takes an hour."""

    def fit(self, X, y):
        Path(os.environ["LEARNBURN_TEST_FITTING"], str(os.getpid())).touch()
        time.sleep(3600)
        return self
'''

SLOW_SPEC = """
[experiment]
name = "slow"
[data]
path = "table.csv"
target = "label"
[evaluation]
folds = 3
metric = "accuracy"
[candidates.slow]
model = "slowfit:SlowClassifier"
"""


def _processes() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, state) of every process, from /proc."""
    found = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rpartition(")")[2].split()
            except OSError:  # gone meanwhile
                continue
            found[int(entry)] = (int(fields[1]), fields[0])
    return found


def _descendants(root: int) -> set[int]:
    table, found, frontier = _processes(), set(), {root}
    while frontier:
        frontier = {pid for pid, (parent, _) in table.items() if parent in frontier} - found
        found |= frontier
    return found


def _living(pids: set[int]) -> set[int]:
    """Those of ``pids`` still running (a zombie has exited: only its exit status is left)."""
    table = _processes()
    return {pid for pid in pids if pid in table and table[pid][1] != "Z"}


def _wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout:g} s: {what}")
        time.sleep(0.2)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the process table in /proc")
def test_fold_workers_die_with_a_run_killed_by_sigkill(tmp_path, table_maker):
    """SIGKILL of `learnburn run --jobs 2` mid-fold: its worker processes (and loky's resource
    tracker) all exit soon after, instead of finishing folds nobody will read."""
    (tmp_path / "slowfit.py").write_text(SLOW_ESTIMATOR)
    table_maker().to_csv(tmp_path / "table.csv", index=False)
    (tmp_path / "slow.toml").write_text(SLOW_SPEC)
    fitting = tmp_path / "fitting"
    fitting.mkdir()
    source = os.path.dirname(os.path.dirname(learnburn.__file__))
    env = os.environ | {
        "PYTHONPATH": os.pathsep.join([str(tmp_path), source]),
        "LEARNBURN_TEST_FITTING": str(fitting),
    }
    command = [sys.executable, "-m", "learnburn", "run", "slow.toml", "--jobs", "2", "-q"]
    command += ["--store", str(tmp_path / "store.db")]
    log = tmp_path / "run.log"
    with open(log, "wb") as output:
        run = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=output, stderr=output)
    try:
        _wait_until(
            lambda: len(os.listdir(fitting)) >= 2 or run.poll() is not None,
            timeout=300,
            what="two workers fitting a fold",
        )
        assert run.poll() is None, log.read_text()
        workers = {int(name) for name in os.listdir(fitting)}
        family = _descendants(run.pid)
        assert workers <= family
        run.kill()
        run.wait(timeout=60)
        _wait_until(lambda: not _living(family), timeout=60, what=f"{family} gone")
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()
        for pid in _living(_descendants(run.pid) | {int(n) for n in os.listdir(fitting)}):
            os.kill(pid, signal.SIGKILL)
