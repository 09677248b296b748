"""A real uvicorn server in a subprocess, reached over loopback with httpx."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time

import httpx
import orjson


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_learnburn_serve_answers_csv_and_json_then_stops_on_sigterm(bundles, features):
    """`learnburn serve` binds 127.0.0.1, answers /ping, CSV and JSON, and exits on SIGTERM."""
    port = free_port()
    command = "from learnburn.cli import main; main()"
    args = ["serve", str(bundles["decided"]), "--port", str(port)]
    server = subprocess.Popen(
        [sys.executable, "-c", command, *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 15
        while True:
            assert server.poll() is None, server.stdout.read().decode()
            try:
                if httpx.get(f"{base}/ping", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not answer /ping in time"
            time.sleep(0.1)
        rows = features.head(4)
        answer = httpx.post(
            f"{base}/invocations",
            content=rows.to_csv(index=False, header=False),
            headers={"content-type": "text/csv", "accept": "text/csv"},
        )
        assert answer.status_code == 200, answer.text
        assert len(answer.text.splitlines()) == 4
        records = orjson.loads(rows.to_json(orient="records"))
        answer = httpx.post(f"{base}/invocations", json={"instances": records})
        assert answer.status_code == 200, answer.text
        assert len(answer.json()["predictions"]) == 4
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log = server.stdout.read().decode()
        server.stdout.close()
    # uvicorn shuts down gracefully, then re-raises SIGTERM (so -15, like a plain kill)
    assert server.returncode in (0, -signal.SIGTERM)
    assert "Shutting down" in log and "127.0.0.1" in log
