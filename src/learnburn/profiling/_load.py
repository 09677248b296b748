"""A bounded HTTP load generator for loopback servers: keep-alive connections over raw asyncio
sockets, so the client is not the bottleneck (a Python httpx loop adds about 0.8 ms a request).

It only targets loopback addresses (127.0.0.0/8, ::1): it is for measuring the server on this
machine, never a tool to load someone else's. Every run is bounded in requests and in seconds.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import numpy as np

from learnburn._records import Record
from learnburn.errors import DataError

MAX_REQUESTS = 1_000_000
MAX_SECONDS = 120.0
_HEADER_END = b"\r\n\r\n"


@dataclass(frozen=True)
class LoadResult(Record):
    """What one load run measured: per-request latencies and the statuses answered."""

    concurrency: int
    requests: int  # answered requests
    seconds: float  # wall time from the first request to the last answer
    latencies_ms: np.ndarray = field(repr=False)
    statuses: dict[int, int]
    failures: int  # requests that got no answer (connection closed or refused)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0

    @property
    def errors(self) -> int:
        """Answers other than 2xx, plus requests with no answer."""
        return self.failures + sum(n for status, n in self.statuses.items() if status >= 300)

    def percentile(self, q: float) -> float:
        return float(np.percentile(self.latencies_ms, q)) if len(self.latencies_ms) else 0.0

    def to_dict(self) -> dict:
        return {
            "concurrency": self.concurrency,
            "requests": self.requests,
            "seconds": round(self.seconds, 4),
            "rps": round(self.rps, 1),
            "p50_ms": round(self.percentile(50), 4),
            "p90_ms": round(self.percentile(90), 4),
            "p99_ms": round(self.percentile(99), 4),
            "errors": self.errors,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
        }


def loopback_target(url: str) -> tuple[str, int, str]:
    """(host, port, path) of an http:// URL on a loopback address; anything else is refused."""
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname or parts.port is None:
        raise DataError(
            f"the load generator needs an http://HOST:PORT/PATH URL, got {url!r}",
            hint="give the server's address on this machine, e.g. http://127.0.0.1:8080/ping",
        )
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise DataError(f"cannot resolve {parts.hostname!r}: {exc}", hint="use 127.0.0.1") from exc
    addresses = {info[4][0] for info in infos}
    if not addresses or not all(ipaddress.ip_address(a).is_loopback for a in addresses):
        raise DataError(
            f"the load generator only targets loopback addresses; {parts.hostname!r} is "
            f"{', '.join(sorted(addresses))}",
            hint="profile a server running on this machine, bound to 127.0.0.1",
        )
    return parts.hostname, parts.port, parts.path or "/"


def build_request(
    host: str, port: int, path: str, *, body: bytes | None, content_type: str | None
) -> bytes:
    """One keep-alive HTTP/1.1 request, as bytes: GET without a body, POST with one."""
    method = "GET" if body is None else "POST"
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}:{port}", "Connection: keep-alive"]
    if body is not None:
        lines += [f"Content-Type: {content_type or 'application/json'}"]
        lines += [f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body or b"")


def run_load(
    url: str,
    *,
    body: bytes | None = None,
    content_type: str | None = None,
    concurrency: int = 1,
    requests: int = 1000,
    seconds: float = 10.0,
) -> LoadResult:
    """Send ``requests`` requests over ``concurrency`` keep-alive connections (at most
    ``seconds`` long) and measure each one's latency."""
    if not 1 <= concurrency <= 1024:
        raise DataError(f"concurrency must be in 1..1024, got {concurrency}", hint="lower it")
    requests = max(1, min(int(requests), MAX_REQUESTS))
    seconds = max(0.1, min(float(seconds), MAX_SECONDS))
    host, port, path = loopback_target(url)
    payload = build_request(host, port, path, body=body, content_type=content_type)
    return asyncio.run(_run(host, port, payload, concurrency, requests, seconds))


async def _run(
    host: str, port: int, payload: bytes, concurrency: int, requests: int, seconds: float
) -> LoadResult:
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    state = {"left": requests, "failures": 0}
    start = time.perf_counter()
    deadline = start + seconds
    clients = [
        _client(host, port, payload, state, latencies, statuses, deadline)
        for _ in range(min(concurrency, requests))
    ]
    await asyncio.gather(*clients)
    elapsed = time.perf_counter() - start
    return LoadResult(
        concurrency=concurrency,
        requests=len(latencies),
        seconds=elapsed,
        latencies_ms=np.asarray(latencies) * 1e3,
        statuses=dict(statuses),
        failures=state["failures"],
    )


async def _client(host, port, payload, state, latencies, statuses, deadline) -> None:
    reader = writer = None
    clock = time.perf_counter
    try:
        while state["left"] > 0 and clock() < deadline:
            state["left"] -= 1
            if writer is None:
                try:
                    reader, writer = await asyncio.open_connection(host, port)
                except OSError:
                    state["failures"] += 1
                    await asyncio.sleep(0.01)
                    continue
            sent = clock()
            try:
                writer.write(payload)
                status, close = await _read_response(reader)
            except (OSError, asyncio.IncompleteReadError, ValueError):
                state["failures"] += 1
                writer.close()
                reader = writer = None
                continue
            latencies.append(clock() - sent)
            statuses[status] += 1
            if close:
                writer.close()
                reader = writer = None
    finally:
        if writer is not None:
            writer.close()


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """The status of one response, and whether the server closes the connection after it."""
    head = await reader.readuntil(_HEADER_END)
    status_line, _, rest = head.partition(b"\r\n")
    status = int(status_line.split(b" ", 2)[1])
    length, close, chunked = 0, False, False
    for line in rest.split(b"\r\n"):
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value.strip())
        elif name == b"connection":
            close = value.strip().lower() == b"close"
        elif name == b"transfer-encoding":
            chunked = b"chunked" in value.lower()
    if chunked:
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip().split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif length:
        await reader.readexactly(length)
    return status, close
