"""Prometheus metrics of one app, served at ``GET /metrics`` in the text exposition format.

::

    learnburn_requests_total{endpoint, status}        counter: answered requests
    learnburn_request_duration_seconds{endpoint}      histogram: arrival to last byte sent
    learnburn_requests_in_flight{endpoint}            gauge: requests being answered now
    learnburn_scoring_duration_seconds                histogram: parse, score, encode (no wait)
    learnburn_rows_scored_total                       counter: rows answered with a prediction
    learnburn_model_info{run_id, format_version}      gauge, always 1: the bundle served
    learnburn_capture_events_total{outcome}           counter: captured requests, by outcome:
                                                      queued, written, dropped (queue full),
                                                      failed (the writer could not write them)
    learnburn_capture_files_total{outcome}            counter: files of an s3:// capture:
                                                      uploaded, upload_failed (tried again)

Labels are bounded: ``endpoint`` is one of ``ENDPOINTS`` (any other path is "other"),
``status`` an HTTP status code, and the model labels come from the bundle, never from a request.
The latency buckets run from 50 us (a /ping) to 60 s (the request deadline).

Each app owns a ``CollectorRegistry``, so several apps in one process (tests, notebooks) never
share or collide on metrics. With ``learnburn serve --workers N`` every worker process is one
app with its own registry: a scrape reaches whichever worker accepts the connection and reports
that worker's counts only. Where totals matter, run one worker per container and scale
containers (each scraped on its own), or sum per-worker series in Prometheus.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ENDPOINTS = ("/ping", "/invocations", "/v1/predict", "/v1/model", "/metrics", "/openapi.json")
OTHER = "other"
BUCKETS = (
    *(0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05),
    *(0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0),
)
MAX_LABEL = 64  # characters of a bundle-supplied label value
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"  # what generate_latest writes


class Metrics:
    """The metrics of one app, in a registry of its own."""

    def __init__(self, model: Mapping[str, object]) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "learnburn_requests_total",
            "HTTP requests answered, by endpoint and status code.",
            ["endpoint", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "learnburn_request_duration_seconds",
            "Time from a request's arrival to its answer, by endpoint.",
            ["endpoint"],
            buckets=BUCKETS,
            registry=self.registry,
        )
        self.in_flight = Gauge(
            "learnburn_requests_in_flight",
            "Requests being answered now, by endpoint.",
            ["endpoint"],
            registry=self.registry,
        )
        self.scoring = Histogram(
            "learnburn_scoring_duration_seconds",
            "Time spent parsing, scoring and encoding a scoring request (no waiting).",
            buckets=BUCKETS,
            registry=self.registry,
        )
        self.rows = Counter(
            "learnburn_rows_scored",
            "Rows answered with a prediction.",
            registry=self.registry,
        )
        info = Gauge(
            "learnburn_model_info",
            "The bundle served (always 1).",
            sorted(model),
            registry=self.registry,
        )
        info.labels(**{name: str(value)[:MAX_LABEL] for name, value in model.items()}).set(1)

        self.capture = Counter(
            "learnburn_capture_events",
            "Captured requests by outcome: queued, written, dropped (queue full) or failed.",
            ["outcome"],
            registry=self.registry,
        )

        self.capture_files = Counter(
            "learnburn_capture_files",
            "Files of an s3:// capture by outcome: uploaded or upload_failed (tried again).",
            ["outcome"],
            registry=self.registry,
        )

        self._children: dict[tuple, tuple] = {}
        self._counted: dict[tuple[str, int], object] = {}

    def capture_counters(self) -> dict[str, object]:
        """The capture counter of each outcome, labelled once (so each shows as 0 at first)."""
        return {
            outcome: self.capture.labels(outcome)
            for outcome in ("queued", "written", "dropped", "failed")
        }

    def capture_file_counters(self) -> dict[str, object]:
        """The capture's upload counter of each outcome, labelled once."""
        return {
            outcome: self.capture_files.labels(outcome) for outcome in ("uploaded", "upload_failed")
        }

    def children(self, endpoint: str) -> tuple:
        """The (in-flight gauge, latency histogram) of an endpoint, labelled once."""
        found = self._children.get(endpoint)
        if found is None:
            found = (self.in_flight.labels(endpoint), self.latency.labels(endpoint))
            self._children[endpoint] = found
        return found

    def count(self, endpoint: str, status: int) -> None:
        """One more request answered with ``status``."""
        counter = self._counted.get((endpoint, status))
        if counter is None:
            counter = self.requests.labels(endpoint, str(status))
            self._counted[(endpoint, status)] = counter
        counter.inc()

    def render(self) -> bytes:
        """Every metric in the Prometheus text format."""
        return generate_latest(self.registry)


def endpoint_label(path: str) -> str:
    """The path when it is one of the app's endpoints, else "other" (bounded cardinality)."""
    return path if path in ENDPOINTS else OTHER


class MetricsMiddleware:
    """Counts and times every HTTP request, whatever answers it (a route, an error handler)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        endpoint = endpoint_label(scope["path"])
        status = 500  # unless a response starts: an exception escaped to the server

        async def send_counted(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        gauge, latency = self.metrics.children(endpoint)
        gauge.inc()
        start = time.perf_counter()
        try:
            await self.app(scope, receive, send_counted)
        finally:
            gauge.dec()
            latency.observe(time.perf_counter() - start)
            self.metrics.count(endpoint, status)
