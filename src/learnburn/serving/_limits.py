"""How many scoring requests a worker takes at once, and how long each may take.

A scoring request's body is read first, on the event loop, within its own short deadline (408
past it); only then does the request take a slot, so clients that send a little body and stall
(a slowloris) hold connections, never slots, and valid requests are scored meanwhile. Bodies
being read are not counted: the bytes they hold are bounded by what clients can send within the
body deadline (and 6 MB each). With every slot taken a request is refused at once (503,
``Retry-After``) rather than queued without bound. The work runs on a pool of threads; a
request whose deadline passes is answered 504 and the event loop moves on. Python cannot stop a
running thread, so a computation past its deadline stops at the next stage it reaches (after
parsing, after the model) and keeps its slot until then; the parsers are linear in the body, so
that is about a second for the largest body. A model that hangs fills the slots and the worker
answers 503 rather than piling up threads (and, at shutdown, the process waits for it until the
orchestrator's SIGKILL). ``/ping`` and ``/metrics`` take no slot, so health checks answer under
saturation.

The pool has fewer threads than slots (the CPU count + 4, as ``concurrent.futures`` chooses):
scoring holds the GIL much of the time, so more threads add contention, not throughput; a
request holding a slot while no thread is free waits in the pool's queue, within its deadline.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

from learnburn.errors import RequestError

T = TypeVar("T")
RETRY_AFTER_S = 1  # a scoring request takes milliseconds: a slot is free again within a second


class Overloaded(RequestError):
    """Every scoring slot of this worker is taken."""


class TimedOut(RequestError):
    """The request was not answered within the deadline."""


class SlowBody(RequestError):
    """The request's body did not arrive within its deadline."""


class Slots:
    """A fixed number of scoring slots, and the threads that do the work."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._free = threading.BoundedSemaphore(size)
        threads = min(size, (os.cpu_count() or 1) + 4)
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="learnburn-scoring")

    def take(self) -> None:
        """Take a free slot, or raise Overloaded without waiting."""
        if not self._free.acquire(blocking=False):
            raise Overloaded(
                f"all {self.size} scoring slots of this worker are busy",
                hint=f"retry after {RETRY_AFTER_S} s, send fewer requests at once, "
                "or run more workers (--workers) or --max-concurrency",
            )

    def give(self, _: object = None) -> None:
        """Give a slot back."""
        self._free.release()

    async def run(self, work: Callable[..., T], *args: object) -> T:
        """``work(*args)`` on a pool thread; the slot taken for it is given back when the work
        ends or, if it never started, when it is cancelled."""
        future: Future[T] = self._pool.submit(work, *args)
        future.add_done_callback(self.give)
        return await asyncio.wrap_future(future)

    def close(self) -> None:
        """Stop the threads once the work already started is done; drop work not started."""
        self._pool.shutdown(wait=False, cancel_futures=True)
