"""The load generator: bounded, keep-alive, loopback only, against a real uvicorn server."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import pytest

from learnburn.errors import DataError
from learnburn.profiling._load import build_request, loopback_target, run_load


@pytest.fixture(scope="module")
def bare_server():
    """The bare constant endpoint on uvicorn, on a free loopback port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [
        sys.executable, "-m", "uvicorn", "learnburn.profiling._bare:app", "--host", "127.0.0.1",
        "--port", str(port), "--log-level", "warning",
    ]  # fmt: skip
    process = subprocess.Popen(command)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}/"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_it_answers_every_request_over_keep_alive_connections(bare_server):
    """400 POSTs over 8 connections: all answered 200, with latencies and a rate."""
    result = run_load(bare_server, body=b'{"instances": []}', concurrency=8, requests=400)
    assert result.requests == 400 and result.statuses == {200: 400} and result.errors == 0
    assert len(result.latencies_ms) == 400 and result.rps > 0
    assert 0 < result.percentile(50) <= result.percentile(99)
    summary = result.to_dict()
    assert summary["statuses"] == {"200": 400} and summary["concurrency"] == 8


def test_it_stops_at_its_time_limit(bare_server):
    """A run asked for a million requests ends at its time limit."""
    start = time.perf_counter()
    result = run_load(bare_server, concurrency=2, requests=1_000_000, seconds=0.5)
    assert time.perf_counter() - start < 3
    assert 0 < result.requests < 1_000_000


def test_a_closed_port_counts_failures_instead_of_hanging():
    """Nothing listening: every request is a counted failure, within the time limit."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = run_load(f"http://127.0.0.1:{port}/", requests=5, seconds=2)
    assert result.requests == 0 and result.failures == 5 and result.errors == 5


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1:8080/",
        "http://192.168.1.10:80/ping",
        "http://8.8.8.8:53/",
        "http://[2001:db8::1]:8080/",
        "https://127.0.0.1:8080/",
        "ftp://127.0.0.1:21/",
        "http://127.0.0.1/",
    ],
)
def test_it_refuses_anything_but_a_loopback_http_address(url):
    """The generator measures servers on this machine only."""
    with pytest.raises(DataError) as caught:
        run_load(url, requests=1)
    assert caught.value.hint


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8080/x", "http://127.5.6.7:1/", "http://[::1]:80/"]
)
def test_loopback_addresses_are_accepted(url):
    _, port, path = loopback_target(url)
    assert port and path.startswith("/")


def test_requests_are_plain_http_1_1_with_a_length():
    request = build_request("127.0.0.1", 80, "/invocations", body=b"{}", content_type=None)
    head, _, body = request.partition(b"\r\n\r\n")
    assert head.startswith(b"POST /invocations HTTP/1.1\r\n") and body == b"{}"
    assert b"Content-Length: 2" in head and b"Content-Type: application/json" in head
