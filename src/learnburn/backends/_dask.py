"""The Dask backend: fold tasks on a Dask cluster (``--cluster tcp://HOST:8786``).

The shared payload (the training table) is scattered to every worker once per run, and each
task is submitted as ``fn(payload, task)`` with the payload's future as its argument, so a task
carries only its own few bytes. Results come back in task order; ``on_result`` is called in
completion order as the futures finish. Each task runs with one native thread (OpenMP, BLAS), as
it does in the local backend, so the scores are the same.

A worker that dies mid-run is survived: the scheduler runs its tasks again on another worker (up
to its ``distributed.scheduler.allowed-failures``, 3 by default), whatever ``retries`` says;
``retries`` is for a task that raised (the fold tasks record their own errors, so 0). Should
the cluster lose a task for good (every copy of the payload, or a result not fetched yet, lost
with the workers holding it), the payload is scattered again and the unfinished tasks are
submitted again.

Every failure of the cluster itself (the scheduler gone, a connection lost, workers that do not
come back within ``worker_timeout``, a cluster that cannot start or stop) is a BackendError with
a hint; a task's own exception reaches the caller as it is, as with the local backend.

dask is imported only when a DaskBackend is made: plain ``learnburn run`` never imports it.
``address`` may also be ``local`` or ``local:N``: a cluster of N worker processes started for
this backend on 127.0.0.1 only, and closed with it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from threadpoolctl import threadpool_limits

from learnburn.backends._base import Backend, TaskFunction
from learnburn.backends._local import LocalBackend
from learnburn.errors import BackendError

DEFAULT_PORT = 8786
LOOPBACK = "127.0.0.1"
_ROUNDS = 4  # submissions of the unfinished tasks, when the cluster loses some of them
_WORKER_TIMEOUT = 120  # seconds to wait for a worker: a busy machine starts one slowly
_LOST_HINT = (
    "check that the scheduler and its workers are still running (their logs say why one "
    "stopped); on a busy machine, allow workers longer to start (worker_timeout)"
)
_CONNECT_HINT = (
    "check the address (tcp://HOST:8786 or tls://HOST:8786); start a cluster with "
    "`dask scheduler` and `dask worker tcp://HOST:8786 --nworkers N --nthreads 1`; a tls:// "
    "scheduler also needs the client certificate in the dask config (distributed.comm.tls)"
)


def _call(fn: TaskFunction, shared: Any, task: Any) -> Any:
    """Run one task on a worker with one native thread, as the local backend does."""
    with threadpool_limits(limits=1):
        return fn(shared, task)


class DaskBackend:
    """Run tasks on the Dask cluster whose scheduler is at ``address``.

    Connects at once: an unreachable scheduler is a BackendError with a hint within ``timeout``
    seconds. ``retries``: times a task that raised is run again (a lost worker's tasks are run
    again anyway). ``worker_timeout``: how long to wait for a worker when the cluster has none
    running (all of them died and are being restarted, say) before giving up with a
    BackendError. Close it (or use it as a context manager) to disconnect.
    """

    name = "dask"

    def __init__(
        self,
        address: str,
        *,
        timeout: float = 10,
        retries: int = 0,
        worker_timeout: float = _WORKER_TIMEOUT,
    ) -> None:
        if not isinstance(address, str) or not address.strip():
            raise BackendError(
                f"the cluster address must be a non-empty string, got {address!r}",
                hint="pass --cluster tcp://HOST:8786 (or local:N for a cluster on this machine)",
            )
        if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
            raise BackendError(
                f"retries must be a whole number >= 0, got {retries!r}",
                hint="retries is how many times a task that raised is run again",
            )
        if not isinstance(worker_timeout, int | float) or not worker_timeout > 0:
            raise BackendError(
                f"worker_timeout must be a number of seconds > 0, got {worker_timeout!r}",
                hint="worker_timeout is how long to wait for a worker to (re)start",
            )
        self.address = address.strip()
        self.retries = retries
        self.worker_timeout = float(worker_timeout)
        self.cluster = None
        if self.address == "local" or self.address.startswith("local:"):
            self.cluster = start_local_cluster(_local_workers(self.address))
            try:
                self.client = connect(self.cluster.scheduler_address, timeout=timeout)
            except BaseException:
                self.cluster.close()
                raise
        else:
            self.client = connect(self.address, timeout=timeout)

    def __repr__(self) -> str:
        return f"DaskBackend({self.address!r})"

    def __enter__(self) -> DaskBackend:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Disconnect from the scheduler (and stop the cluster this backend started)."""
        cluster, self.cluster = self.cluster, None
        try:
            with self._cluster_errors("disconnect from the scheduler"):
                self.client.close()
        finally:
            if cluster is not None:
                with self._cluster_errors("stop the local cluster"):
                    cluster.close()

    def wait_for_workers(self, count: int = 1, *, timeout: float | None = None) -> None:
        """Wait until ``count`` workers are running, at most ``timeout`` seconds (default
        ``worker_timeout``); a BackendError saying how many came when they do not."""
        timeout = self.worker_timeout if timeout is None else timeout
        from distributed.exceptions import WorkerStartTimeoutError

        with self._cluster_errors("wait for workers"):
            try:
                self.client.wait_for_workers(count, timeout=timeout)
            except WorkerStartTimeoutError as late:
                raise BackendError(
                    f"only {late.available_workers} of the {count} Dask worker(s) wanted were "
                    f"running at {self.address} after {timeout:g} s",
                    hint="start workers with `dask worker ADDRESS --nworkers N --nthreads 1`, or "
                    "look at their logs for why they stopped; a busy machine starts workers "
                    "slowly, so allow more time (worker_timeout)",
                ) from late

    def map(
        self,
        fn: TaskFunction,
        tasks: Sequence[Any],
        *,
        shared: Any,
        on_result: Callable[[int, Any], None] | None = None,
    ) -> list[Any]:
        results: list[Any] = [None] * len(tasks)
        pending = set(range(len(tasks)))
        run = uuid.uuid4().hex[:12]
        for round_ in range(_ROUNDS):
            if not pending:
                return results
            payload = self._scatter(shared)
            with self._cluster_errors("take the tasks"):
                futures = {
                    self.client.submit(
                        _call, fn, payload, tasks[index], key=f"learnburn-{run}-{round_}-{index}",
                        retries=self.retries, pure=False,
                    ): index
                    for index in sorted(pending)
                }  # fmt: skip
            try:
                self._collect(futures, results, pending, on_result)
            finally:
                # tidying only: a scheduler gone by now forgets the tasks anyway, and an error
                # here would hide the one that brought us here
                with contextlib.suppress(Exception):
                    self.client.cancel([*futures, payload])
        if pending:
            raise BackendError(
                f"the Dask cluster at {self.address} lost tasks or their shared data "
                f"{_ROUNDS} times in one run",
                hint="workers keep dying or leaving: check their memory limit and their logs",
            )
        return results

    def _scatter(self, shared: Any):
        """Send the shared payload to every worker once (waiting for one to be running); its
        future."""
        self.wait_for_workers(1)
        try:
            [payload] = self.client.scatter(
                [shared], broadcast=True, hash=False, timeout=self.worker_timeout
            )
        except Exception as exc:  # the scheduler is gone, or the payload cannot be pickled
            raise BackendError(
                f"cannot send the shared data to the Dask cluster at {self.address}: "
                f"{type(exc).__name__}: {exc}",
                hint="check that the scheduler is still running and has workers",
            ) from exc
        return payload

    def _collect(self, futures, results, pending, on_result) -> None:
        """Take the results as they finish. Return early when the cluster cancelled one (its
        shared data, or its result not fetched yet, was lost with a worker): the caller then
        sends the shared data again and submits the unfinished tasks again."""
        from concurrent.futures import CancelledError

        from distributed import as_completed
        from distributed.scheduler import KilledWorker

        with self._cluster_errors("follow the tasks"):
            finished = iter(as_completed(futures, loop=self.client.loop))
        while True:
            with self._cluster_errors("follow the tasks"):
                future = next(finished, None)
            if future is None:
                return
            index = futures[future]
            try:
                value = future.result()
            except CancelledError:  # distributed's FutureCancelledError is one
                return
            except KilledWorker as exc:
                raise BackendError(
                    f"a task killed every Dask worker that ran it: {exc}",
                    hint="the workers may be out of memory: give them more (dask worker "
                    "--memory-limit) or evaluate fewer candidates at once",
                ) from exc
            except Exception as exc:
                if future.status == "error":  # the task raised: its own error, as it is
                    raise
                raise BackendError(
                    f"cannot fetch a result from the Dask cluster at {self.address}: "
                    f"{type(exc).__name__}: {exc}",
                    hint=_LOST_HINT,
                ) from exc
            results[index] = value
            pending.discard(index)
            if on_result is not None:
                on_result(index, value)

    @contextlib.contextmanager
    def _cluster_errors(self, action: str) -> Iterator[None]:
        """Any failure of the scheduler, the workers or the connection becomes a BackendError."""
        try:
            yield
        except BackendError:
            raise
        except Exception as exc:
            raise BackendError(
                f"the Dask cluster at {self.address} failed to {action}: "
                f"{type(exc).__name__}: {exc}",
                hint=_LOST_HINT,
            ) from exc


def connect(address: str, *, timeout: float = 10):
    """A ``distributed.Client`` connected to the scheduler at ``address``; a BackendError with a
    hint within about ``timeout`` seconds when no Dask scheduler answers there.

    Before the client is made, the address is checked in two steps that cannot hang: a plain
    connection (a refusal fails at once, where Dask would retry it until the timeout), then
    Dask's own handshake and an ``identity`` call, bounded by the timeout (Dask waits for a
    silent peer's handshake for ever) and in a thread of their own (a notebook's event loop is
    left alone)."""
    distributed = _import_distributed()
    deadline = time.monotonic() + timeout
    _check_listening(address, timeout)
    _check_scheduler(address, max(0.5, deadline - time.monotonic()), timeout)
    try:
        return distributed.Client(
            address, timeout=max(1.0, deadline - time.monotonic()), set_as_default=False
        )
    except Exception as exc:
        raise BackendError(
            f"cannot connect to the Dask scheduler at {address}: {type(exc).__name__}: {exc}",
            hint=_CONNECT_HINT,
        ) from exc


def _check_listening(address: str, timeout: float) -> None:
    """Something listens at a tcp:// or tls:// address (other schemes are left to Dask)."""
    from distributed.comm import parse_address, parse_host_port

    try:
        scheme, location = parse_address(address)
        host, port = parse_host_port(location, default_port=DEFAULT_PORT)
    except (ValueError, TypeError) as exc:
        raise BackendError(
            f"{address!r} is not a Dask scheduler address: {exc}", hint=_CONNECT_HINT
        ) from exc
    if scheme == "tls":
        _check_tls_settings(address)
    if scheme not in ("tcp", "tls"):
        return
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError as exc:
        timed_out = isinstance(exc, TimeoutError)
        reason = f"no answer within {timeout:g} s" if timed_out else (exc.strerror or str(exc))
        raise BackendError(
            f"cannot reach a Dask scheduler at {address}: {reason}",
            hint=_CONNECT_HINT,
        ) from exc


def _check_tls_settings(address: str) -> None:
    """A tls:// scheduler needs this client's certificate, key and CA in the dask config."""
    from distributed.security import Security

    if Security().get_connection_args("client").get("ssl_context") is None:
        raise BackendError(
            f"{address} is a TLS address, but the dask config holds no TLS settings for a client",
            hint="set distributed.comm.tls.ca-file, distributed.comm.tls.client.cert and "
            "distributed.comm.tls.client.key in ~/.config/dask/*.yaml, or the environment "
            "variables DASK_DISTRIBUTED__COMM__TLS__CA_FILE, ..._CLIENT__CERT, ..._CLIENT__KEY",
        )


def _check_scheduler(address: str, seconds: float, timeout: float) -> None:
    """A Dask scheduler (not a worker, not another server) answers at ``address`` in time."""
    outcome: dict[str, Any] = {}

    def ask() -> None:
        try:
            outcome["identity"] = asyncio.run(asyncio.wait_for(_identity(address), seconds))
        except BaseException as exc:  # reported below, in the caller's thread
            outcome["error"] = exc

    asker = threading.Thread(target=ask, name="learnburn-dask-check", daemon=True)
    asker.start()
    asker.join(seconds + 1)
    error = outcome.get("error")
    if "identity" not in outcome:
        late = error is None or isinstance(error, TimeoutError)
        reason = (
            f"no Dask answer within {timeout:g} s" if late else f"{type(error).__name__}: {error}"
        )
        raise BackendError(
            f"cannot connect to a Dask scheduler at {address}: {reason}", hint=_CONNECT_HINT
        ) from error
    kind = outcome["identity"].get("type") if isinstance(outcome["identity"], dict) else None
    if kind != "Scheduler":
        raise BackendError(
            f"{address} answers as a Dask {kind or 'peer'}, not as a scheduler",
            hint="give the scheduler's address (dask scheduler prints it), not a worker's",
        )


async def _identity(address: str) -> Any:
    from distributed.comm import connect as open_comm
    from distributed.security import Security

    comm = await open_comm(address, **Security().get_connection_args("client"))
    try:
        await comm.write({"op": "identity", "reply": True})
        return await comm.read()
    finally:
        comm.abort()


def start_local_cluster(n_workers: int = 2, *, threads_per_worker: int = 1, **kwargs: Any):
    """A ``distributed.LocalCluster`` of ``n_workers`` worker processes bound to 127.0.0.1 only
    (scheduler, workers and the HTTP endpoints), for tests, benchmarks and ``--cluster local:N``.
    Close it when done (it is a context manager)."""
    distributed = _import_distributed()
    options: dict[str, Any] = {
        "n_workers": n_workers,
        "threads_per_worker": threads_per_worker,
        "processes": True,
        "host": LOOPBACK,
        "dashboard_address": f"{LOOPBACK}:0",
        "worker_dashboard_address": None,
    }
    try:
        return distributed.LocalCluster(**(options | kwargs))
    except Exception as exc:
        raise BackendError(
            f"cannot start a local Dask cluster of {n_workers} worker(s): "
            f"{type(exc).__name__}: {exc}",
            hint="a busy machine may not start every worker in time: ask for fewer (local:N), "
            "or start the cluster yourself (`dask scheduler`, `dask worker`) and pass its address",
        ) from exc


@contextlib.contextmanager
def open_backend(
    cluster: str | None = None, *, jobs: int = 1, timeout: float = 10
) -> Iterator[Backend]:
    """The backend for a command: a DaskBackend on ``cluster`` when one is given (closed on
    exit), else a LocalBackend with ``jobs`` processes."""
    if not cluster:
        yield LocalBackend(jobs)
        return
    with DaskBackend(cluster, timeout=timeout) as backend:
        yield backend


def _local_workers(address: str) -> int:
    count = address.partition(":")[2]
    if not count:
        return os.cpu_count() or 1
    if not count.isdigit() or int(count) < 1:
        raise BackendError(
            f"{address!r} does not say how many local workers to start",
            hint="write local:N with N >= 1 (e.g. local:4), or local for one per CPU",
        )
    return int(count)


def _import_distributed():
    try:
        import distributed
    except ImportError as exc:
        raise BackendError(
            "the Dask backend needs dask.distributed, which is not installed",
            hint="pip install 'learnburn[dask]'",
        ) from exc
    return distributed
