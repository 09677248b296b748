"""The default backend: tasks in this process (``jobs=1``) or in a pool of local processes.

The pool is a loky process executor, the machinery scikit-learn's own ``n_jobs`` uses, but a
private one (joblib owns loky's process-wide pool, and sharing it breaks both). It is kept
between runs, as joblib keeps its own, so repeated runs in a notebook do not pay for starting
workers again; idle workers exit after a while.

The shared payload (the training table) travels to each worker once per run: it is written to a
private temporary folder of this process, and each worker loads it on its first task of the run
and keeps it while the run lasts. Native thread pools (OpenMP, BLAS) are limited to one thread
per worker, because the parallelism is across tasks; this also keeps results identical whatever
``jobs`` is.

Workers die with the process that started them: each one runs a watchdog thread that exits the
worker as soon as its parent is gone (killed with SIGKILL, say), instead of finishing a fold
nobody will read; loky's resource tracker, which waits for every worker to let go of it, then
exits too.
"""

from __future__ import annotations

import os
import pickle
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import as_completed
from pathlib import Path
from typing import Any

from threadpoolctl import threadpool_limits

from learnburn.backends._base import TaskFunction
from learnburn.errors import BackendError

_ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
_IDLE_SECONDS = 300
_WATCH_SECONDS = 0.5  # how often a worker looks for its parent

_pools: dict[int, Any] = {}  # jobs -> executor, in the process that submits
_pools_lock = threading.Lock()
_loaded: dict[str, Any] = {}  # in a worker: the payload of the current run, by run token


def _die_with_parent(parent: int) -> None:
    """In a new worker: start a thread that ends this process once ``parent`` is gone."""
    threading.Thread(
        target=_watch_parent, args=(parent,), name="learnburn-watch-parent", daemon=True
    ).start()


def _watch_parent(parent: int) -> None:
    # Once the parent dies this process is re-parented (to init or a subreaper), so its parent
    # id changes; a pid is never reused while its child lives, so the comparison is exact.
    while os.getppid() == parent:
        time.sleep(_WATCH_SECONDS)
    os._exit(1)


def _call_in_worker(fn: TaskFunction, token: str, payload_file: str, task: Any) -> Any:
    if token not in _loaded:
        _loaded.clear()
        # written by the submitting process, moments ago, into its own private folder
        with open(payload_file, "rb") as stream:
            _loaded[token] = pickle.load(stream)
    return fn(_loaded[token], task)


class LocalBackend:
    """Run tasks here (``jobs=1``) or on ``jobs`` local worker processes (``-1``: one per CPU)."""

    name = "local"

    def __init__(self, jobs: int = 1) -> None:
        if not isinstance(jobs, int) or isinstance(jobs, bool) or jobs == 0 or jobs < -1:
            raise BackendError(
                f"jobs must be a positive integer or -1, got {jobs!r}",
                hint="use --jobs 1 to run here, --jobs N for N processes, -1 for one per CPU",
            )
        self.jobs = (os.cpu_count() or 1) if jobs == -1 else jobs

    def map(
        self,
        fn: TaskFunction,
        tasks: Sequence[Any],
        *,
        shared: Any,
        on_result: Callable[[int, Any], None] | None = None,
    ) -> list[Any]:
        if self.jobs == 1 or len(tasks) <= 1:
            return _map_here(fn, tasks, shared, on_result)
        folder = tempfile.mkdtemp(prefix="learnburn-")  # mode 0700: this user only
        try:
            payload_file = Path(folder) / "payload.pickle"
            with open(payload_file, "wb") as stream:
                pickle.dump(shared, stream, protocol=pickle.HIGHEST_PROTOCOL)
            return self._map_in_pool(fn, tasks, str(payload_file), on_result)
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def _map_in_pool(self, fn, tasks, payload_file, on_result) -> list[Any]:
        executor = _pool(self.jobs)
        token = uuid.uuid4().hex
        futures = {
            executor.submit(_call_in_worker, fn, token, payload_file, task): index
            for index, task in enumerate(tasks)
        }
        results: list[Any] = [None] * len(tasks)
        try:
            for future in as_completed(futures):
                index = futures[future]
                results[index] = future.result()
                if on_result is not None:
                    on_result(index, results[index])
        except BaseException as exc:
            for future in futures:
                future.cancel()
            if _is_pool_failure(exc):
                _discard_pool(self.jobs)
                raise BackendError(
                    f"a local worker process died while running tasks: {exc}",
                    hint="the machine may be out of memory; retry with fewer --jobs",
                ) from exc
            raise
        return results


def _map_here(fn, tasks, shared, on_result) -> list[Any]:
    results = []
    with threadpool_limits(limits=1):
        for index, task in enumerate(tasks):
            results.append(fn(shared, task))
            if on_result is not None:
                on_result(index, results[-1])
    return results


def _pool(jobs: int):
    from joblib.externals.loky.process_executor import ProcessPoolExecutor

    with _pools_lock:
        executor = _pools.get(jobs)
        if executor is None or _is_broken(executor):
            executor = ProcessPoolExecutor(
                max_workers=jobs,
                timeout=_IDLE_SECONDS,
                env=_ONE_THREAD,
                initializer=_die_with_parent,
                initargs=(os.getpid(),),
            )
            _pools[jobs] = executor
        return executor


def _discard_pool(jobs: int) -> None:
    with _pools_lock:
        executor = _pools.pop(jobs, None)
    if executor is not None:
        executor.shutdown(wait=False, kill_workers=True)


def _is_broken(executor) -> bool:
    return bool(getattr(executor, "_flags", None) and executor._flags.broken)


def _is_pool_failure(exc: BaseException) -> bool:
    from concurrent.futures.process import BrokenProcessPool

    return isinstance(exc, BrokenProcessPool) or type(exc).__name__ == "TerminatedWorkerError"
