"""The default backend: tasks in this process (``jobs=1``) or in a pool of local processes.

The pool is joblib's loky executor, the same machinery scikit-learn's own ``n_jobs`` uses. The
shared payload (the training table) travels to each worker once through the pool's initializer.
Native thread pools (OpenMP, BLAS) are limited to one thread per worker, because the
parallelism is across tasks; this also keeps results identical whatever ``jobs`` is.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import as_completed
from typing import Any

from threadpoolctl import threadpool_limits

from learnburn.backends._base import TaskFunction
from learnburn.errors import BackendError

_ONE_THREAD = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}

_shared: Any = None  # the payload installed in each worker by the pool's initializer


class _Payload:
    """Wraps the shared data; compared by identity so a new run never reuses stale workers."""

    def __init__(self, value: Any) -> None:
        self.value = value


def _install(payload: _Payload) -> None:
    global _shared
    _shared = payload.value


def _call_in_worker(fn: TaskFunction, task: Any) -> Any:
    with threadpool_limits(limits=1):
        return fn(_shared, task)


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
            return self._map_here(fn, tasks, shared, on_result)
        return self._map_in_pool(fn, tasks, shared, on_result)

    def _map_here(self, fn, tasks, shared, on_result) -> list[Any]:
        results = []
        for index, task in enumerate(tasks):
            with threadpool_limits(limits=1):
                result = fn(shared, task)
            results.append(result)
            if on_result is not None:
                on_result(index, result)
        return results

    def _map_in_pool(self, fn, tasks, shared, on_result) -> list[Any]:
        from joblib.externals.loky import get_reusable_executor

        executor = get_reusable_executor(
            max_workers=min(self.jobs, len(tasks)),
            initializer=_install,
            initargs=(_Payload(shared),),
            env=_ONE_THREAD,
        )
        results: list[Any] = [None] * len(tasks)
        futures = {executor.submit(_call_in_worker, fn, task): i for i, task in enumerate(tasks)}
        try:
            for future in as_completed(futures):
                index = futures[future]
                results[index] = future.result()
                if on_result is not None:
                    on_result(index, results[index])
        except Exception as exc:
            for future in futures:
                future.cancel()
            if _is_pool_failure(exc):
                raise BackendError(
                    f"a local worker process died while running tasks: {exc}",
                    hint="the machine may be out of memory; retry with fewer --jobs",
                ) from exc
            raise
        return results


def _is_pool_failure(exc: BaseException) -> bool:
    from concurrent.futures.process import BrokenProcessPool

    return isinstance(exc, BrokenProcessPool) or type(exc).__name__ == "TerminatedWorkerError"
