"""`learnburn serve` in a subprocess, reached over loopback with httpx: it answers, and on
SIGTERM it drains the requests in flight and exits 0."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import orjson
import pytest

COMMAND = "from learnburn.cli import main; main()"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """A `learnburn serve` process: ``start`` waits for /ping, ``stop`` sends SIGTERM."""

    def __init__(self, *args: str, pythonpath: Path | None = None) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ)
        if pythonpath is not None:
            env["PYTHONPATH"] = os.pathsep.join([str(pythonpath), env.get("PYTHONPATH", "")])
        self.process = subprocess.Popen(
            [sys.executable, "-c", COMMAND, "serve", *args, "--port", str(self.port)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=env,
        )
        self.log = ""

    def wait_until_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while True:
            assert self.process.poll() is None, self.process.stdout.read().decode()
            try:
                if httpx.get(f"{self.base}/ping", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not answer /ping in time"
            time.sleep(0.1)

    def terminate(self) -> None:
        self.process.send_signal(signal.SIGTERM)

    def wait(self, timeout: float) -> int:
        """The exit status, once the process has ended (killed after ``timeout`` seconds)."""
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log = self.process.stdout.read().decode()
        self.process.stdout.close()
        return self.process.returncode


@pytest.fixture
def start():
    """``start(*args)``: a ready `learnburn serve` process; any left running are killed."""
    servers = []

    def started(*args: str, pythonpath: Path | None = None) -> Server:
        server = Server(*args, pythonpath=pythonpath)
        servers.append(server)
        server.wait_until_ready()
        return server

    yield started
    for server in servers:
        if server.process.returncode is None:
            server.terminate()
            server.wait(timeout=10)


def test_learnburn_serve_answers_csv_and_json_then_exits_0_on_sigterm(start, bundles, features):
    """`learnburn serve` binds 127.0.0.1, answers /ping, CSV, JSON, /metrics and /openapi.json,
    and on SIGTERM shuts down and exits 0 (not -15)."""
    server = start(str(bundles["decided"]))
    rows = features.head(4)
    answer = httpx.post(
        f"{server.base}/invocations",
        content=rows.to_csv(index=False, header=False),
        headers={"content-type": "text/csv", "accept": "text/csv"},
    )
    assert answer.status_code == 200, answer.text
    assert len(answer.text.splitlines()) == 4
    records = orjson.loads(rows.to_json(orient="records"))
    answer = httpx.post(f"{server.base}/invocations", json={"instances": records})
    assert answer.status_code == 200, answer.text
    assert len(answer.json()["predictions"]) == 4
    metrics = httpx.get(f"{server.base}/metrics").text
    assert 'learnburn_requests_total{endpoint="/invocations",status="200"} 2.0' in metrics
    assert httpx.get(f"{server.base}/openapi.json").json()["openapi"].startswith("3.0")
    server.terminate()
    assert server.wait(timeout=10) == 0, server.log
    assert "Shutting down" in server.log and "127.0.0.1" in server.log
    assert "Warning" not in server.log


def test_sigterm_drains_the_request_in_flight_and_exits_0(start, slow_bundle_path, sleepy):
    """A request in flight when SIGTERM arrives still gets its 200; new connections are refused
    at once; the process exits 0 well within SageMaker's 30 s window."""
    server = start(
        str(slow_bundle_path),
        "--trust",
        "sleepy_model.SleepyClassifier",
        "--grace",
        "10",
        pythonpath=Path(sleepy.__file__).parent,
    )
    record = {"income": 50.0, "debt": 0.1, "region": "north", "member": True}
    answers = []

    def score() -> None:
        answers.append(httpx.post(f"{server.base}/v1/predict", json=[record], timeout=30))

    in_flight = threading.Thread(target=score)
    in_flight.start()
    deadline = time.monotonic() + 10
    while 'in_flight{endpoint="/v1/predict"} 1.0' not in httpx.get(f"{server.base}/metrics").text:
        assert time.monotonic() < deadline, "the request never started"
        time.sleep(0.02)
    sent = time.monotonic()
    server.terminate()
    time.sleep(0.5)  # the model sleeps 2 s: the request is still in flight
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{server.base}/ping", timeout=2)
    in_flight.join(timeout=30)
    assert [answer.status_code for answer in answers] == [200]
    assert server.wait(timeout=15) == 0, server.log
    assert time.monotonic() - sent < 10
    assert "Waiting for connections to close" in server.log


def test_slow_bodies_do_not_lock_out_scoring_and_get_408_at_the_body_deadline(start, bundles):
    """`learnburn serve` as shipped (uvicorn's default parser and loop): 64 clients that send a
    head and part of a body, then stall, do not take the scoring slots (64 by default): a
    valid request is answered 200 within 1 s while they wait, and each of them gets a 408 at
    --body-timeout."""
    server = start(str(bundles["fast"]), "--body-timeout", "3")
    record = {"income": 50.0, "debt": 0.1, "region": "north", "member": True}
    assert httpx.post(f"{server.base}/v1/predict", json=[record]).status_code == 200
    head = (
        b"POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\n"
        b"Content-Length: 1000\r\n\r\nincome,debt"
    )
    clients = [socket.create_connection(("127.0.0.1", server.port), timeout=20) for _ in range(64)]
    try:
        for sock in clients:
            sock.sendall(head)
        gauge = 'learnburn_requests_in_flight{endpoint="/invocations"} 64.0'
        deadline = time.monotonic() + 20
        while gauge not in httpx.get(f"{server.base}/metrics").text:
            assert time.monotonic() < deadline, "the slow clients never all started"
            time.sleep(0.05)
        sent = time.monotonic()
        answer = httpx.post(f"{server.base}/v1/predict", json=[record], timeout=10)
        elapsed = time.monotonic() - sent
        assert answer.status_code == 200, answer.text
        assert elapsed < 1.0
        for sock in clients:
            assert sock.recv(65536).startswith(b"HTTP/1.1 408"), "no 408 for a slow body"
    finally:
        for sock in clients:
            sock.close()


def test_capture_files_are_complete_after_sigterm(start, bundles, features, tmp_path):
    """`learnburn serve --capture DIR` writes every answered request; after SIGTERM the process
    exits 0 and DIR holds complete Parquet files (no .partial left) with every event."""
    import pyarrow.parquet as pq

    folder = tmp_path / "capture"
    server = start(str(bundles["fast"]), "--capture", str(folder))
    records = orjson.loads(features.head(20).to_json(orient="records"))
    ids = []
    with httpx.Client(base_url=server.base) as client:
        for record in records:
            answer = client.post("/v1/predict", json=[record])
            assert answer.status_code == 200, answer.text
            ids.append(answer.headers["X-Learnburn-Event-Id"])
    server.terminate()
    assert server.wait(timeout=30) == 0, server.log
    assert not list(folder.rglob("*.partial"))
    files = sorted(folder.rglob("*.parquet"))
    events = [e for path in files for e in pq.read_table(path, columns=["event_id"])["event_id"]]
    assert [event.as_py() for event in events] == ids
