"""The request deadline (504, 408) and the concurrency limit (503), on a real uvicorn server
with a model that sleeps before each prediction."""

from __future__ import annotations

import dataclasses
import socket
import threading
import time
from urllib.parse import urlsplit

import httpx
import orjson
import pytest

from learnburn.serving import Settings, create_app

BODY = orjson.dumps([{"income": 50.0, "debt": 0.1, "region": "north", "member": True}])
JSON = {"content-type": "application/json"}


@pytest.fixture
def sleepy_bundle(bundle, sleepy):
    """The plain bundle with a model whose ``delay`` (seconds, 0 at first) the test sets."""
    return dataclasses.replace(bundle, model=sleepy.SleepyClassifier(bundle.model).fit())


def score(base: str, path: str = "/v1/predict") -> httpx.Response:
    return httpx.post(f"{base}{path}", content=BODY, headers=JSON, timeout=30)


def in_flight(base: str, endpoint: str) -> float:
    """The in-flight gauge of ``endpoint``, read from /metrics."""
    for line in httpx.get(f"{base}/metrics").text.splitlines():
        if line.startswith(f'learnburn_requests_in_flight{{endpoint="{endpoint}"}}'):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def read_response(sock: socket.socket) -> bytes:
    """One HTTP response, read whole (its head, then Content-Length bytes of body)."""
    answer = b""
    while b"\r\n\r\n" not in answer:
        answer += sock.recv(65536)
    head, _, body = answer.partition(b"\r\n\r\n")
    length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
    while len(body) < length:
        body += sock.recv(65536)
    return head + b"\r\n\r\n" + body


def wait_for(condition, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.02)


def test_a_prediction_past_the_deadline_is_a_504_and_later_requests_are_answered(
    sleepy_bundle, serve
):
    """A model slower than timeout_s gets a JSON 504 at the deadline; the worker then answers
    the next request normally."""
    sleepy_bundle.model.delay = 1.5
    with serve(create_app(sleepy_bundle, Settings(timeout_s=0.3))) as base:
        start = time.monotonic()
        answer = score(base)
        elapsed = time.monotonic() - start
        assert answer.status_code == 504, answer.text
        body = answer.json()
        assert body["error"] == "timeout" and "0.3 s" in body["detail"]
        assert "--timeout" in body["hint"]
        assert elapsed < 1.0
        assert httpx.get(f"{base}/ping").status_code == 200
        sleepy_bundle.model.delay = 0.0
        assert score(base).status_code == 200
        assert score(base, "/invocations").status_code == 200


def test_requests_over_the_concurrency_limit_get_503_at_once_while_ping_answers(
    sleepy_bundle, serve
):
    """With every slot busy, a scoring request gets 503 + Retry-After at once; /ping and
    /metrics still answer; once the slow requests end, scoring works again."""
    sleepy_bundle.model.delay = 1.5
    with serve(create_app(sleepy_bundle, Settings(max_concurrency=2))) as base:
        answers = []
        slow = [threading.Thread(target=lambda: answers.append(score(base))) for _ in range(2)]
        for thread in slow:
            thread.start()
        wait_for(lambda: in_flight(base, "/v1/predict") == 2)
        start = time.monotonic()
        refused = score(base, "/invocations")
        assert time.monotonic() - start < 0.5
        assert refused.status_code == 503, refused.text
        assert refused.headers["retry-after"] == "1"
        body = refused.json()
        assert body["error"] == "overloaded" and "2 scoring slots" in body["detail"]
        assert "--max-concurrency" in body["hint"]
        assert httpx.get(f"{base}/ping", timeout=2).status_code == 200
        assert 'status="503"' in httpx.get(f"{base}/metrics", timeout=2).text
        for thread in slow:
            thread.join()
        assert [answer.status_code for answer in answers] == [200, 200]
        sleepy_bundle.model.delay = 0.0
        assert score(base).status_code == 200


def test_a_timed_out_prediction_keeps_its_slot_until_the_model_returns(sleepy_bundle, serve):
    """Python cannot stop the thread of a timed-out prediction, so its slot stays taken until
    the model returns: a hung model makes the worker answer 503, not pile up threads."""
    sleepy_bundle.model.delay = 1.0
    with serve(create_app(sleepy_bundle, Settings(timeout_s=0.2, max_concurrency=1))) as base:
        assert score(base).status_code == 504
        assert score(base).status_code == 503
        sleepy_bundle.model.delay = 0.0
        wait_for(lambda: score(base).status_code == 200)


SLOW_HEAD = (
    b"POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\n"
    b"Content-Length: 1000\r\n\r\nincome,debt"
)  # 11 of the 1,000 bytes it declares


def slow_clients(base: str, count: int) -> list[socket.socket]:
    """``count`` connections that send a request head and the start of its body, then stall."""
    address = urlsplit(base)
    clients = []
    for _ in range(count):
        sock = socket.create_connection((address.hostname, address.port), timeout=10)
        sock.sendall(SLOW_HEAD)
        clients.append(sock)
    return clients


def test_a_body_that_does_not_arrive_in_time_is_a_408_at_the_body_deadline(bundle, serve):
    """A client that declares more body than it sends (a lying Content-Length, a slowloris) gets
    a JSON 408 at the body deadline, long before the request deadline, naming --body-timeout."""
    settings = Settings(timeout_s=60, body_timeout_s=0.5)
    with serve(create_app(bundle, settings)) as base:
        [sock] = slow_clients(base, 1)
        with sock:
            answer = read_response(sock)
        assert answer.startswith(b"HTTP/1.1 408"), answer
        body = orjson.loads(answer.partition(b"\r\n\r\n")[2])
        assert body["error"] == "request_timeout" and "0.5 s" in body["detail"]
        assert "--body-timeout" in body["hint"]
        assert score(base).status_code == 200


@pytest.mark.parametrize("http", ["h11", "httptools"])
def test_64_slow_bodies_hold_no_slot_and_a_valid_request_is_answered_within_1_s(
    bundle, serve, http
):
    """64 clients that send a head and part of a body, then stall, hold no scoring slot (a slot
    is taken once a body is complete): with the default limits (64 slots), a valid request sent
    while all 64 wait is answered 200 within 1 s, with either of uvicorn's HTTP parsers."""
    with serve(create_app(bundle, Settings()), http=http) as base:
        assert score(base).status_code == 200  # warm: the first request imports and caches
        clients = slow_clients(base, 64)
        try:
            wait_for(lambda: in_flight(base, "/invocations") == 64)
            start = time.monotonic()
            answer = score(base)
            elapsed = time.monotonic() - start
            assert answer.status_code == 200, answer.text
            assert elapsed < 1.0
        finally:
            for sock in clients:
                sock.close()


def test_a_csv_request_past_its_deadline_stops_before_the_model(sleepy_bundle, serve):
    """Python cannot stop a thread, but the work of a request answered 504 stops at the next
    stage: a CSV body that takes longer to parse than the deadline never reaches the model, and
    its slot is free once the parse ends. (6 MB of short rows take over a second to parse and
    a few hundredths to send over loopback; the deadline is 0.4 s.)"""
    model = sleepy_bundle.model
    real = model.predict_proba
    scored = []
    model.predict_proba = lambda frame: scored.append(len(frame)) or real(frame)
    rows = "51.2,0.3,north,True\n" * 300_000  # 6 MB, just under the limit
    body = ("income,debt,region,member\n" + rows).encode()
    settings = Settings(timeout_s=0.4, max_concurrency=1)
    with serve(create_app(sleepy_bundle, settings)) as base:
        answer = httpx.post(
            f"{base}/invocations", content=body, headers={"content-type": "text/csv"}, timeout=30
        )
        assert answer.status_code == 504, answer.text
        wait_for(lambda: score(base).status_code == 200, timeout=60)
    assert scored == [1]  # the JSON request only
