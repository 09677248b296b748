"""The HTTP app: SageMaker's ``/ping`` and ``/invocations``, plus ``/v1/predict``,
``/v1/model``, ``/metrics`` (Prometheus) and ``/openapi.json``. Every error a request can cause
maps to a status in ``STATUS``, answered as JSON ``{"error", "detail", "hint"}``; anything else
is a 500 with a generic body.

Scoring requests (``/invocations``, ``/v1/predict``) have ``Settings.body_timeout_s`` for
their body to arrive (else 408); then they take one of ``Settings.max_concurrency`` slots or are
refused with a 503, and are answered within ``Settings.timeout_s`` of their start or get a 504
(see ``_limits.py``); the other endpoints are cheap and always answer.

Every answer is checked before it is sent: probabilities that are not finite are a 422 (the
request's values overflowed the model), and probabilities outside [0, 1] or whose row does not
sum to 1 are the served model's fault, not the client's: a 500 ``model_error``, logged. So is
a bundle whose lazily loaded model fails its checks when first needed: a 500 ``bundle_error``,
logged.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import time
from collections.abc import AsyncIterator

import anyio
import numpy as np
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route

from learnburn.bundles import Bundle, load_bundle
from learnburn.errors import BundleError, DataError, RequestError, SchemaError
from learnburn.serving._capture import EVENT_HEADER, Capture, import_writer_libraries
from learnburn.serving._codecs import (
    CSV,
    JSON,
    NotAcceptable,
    TooLarge,
    Unparseable,
    UnsupportedType,
    accepted,
    content_type,
    csv_records,
    csv_rows,
    csv_table,
    encode_json,
    json_records,
    predictions_csv,
    predictions_json,
    records_frame,
)
from learnburn.serving._limits import RETRY_AFTER_S, Overloaded, Slots, SlowBody, TimedOut
from learnburn.serving._metrics import CONTENT_TYPE, Metrics, MetricsMiddleware
from learnburn.serving._openapi import openapi_document
from learnburn.serving._settings import Settings

logger = logging.getLogger(__name__)
_EVENT_HEADER = EVENT_HEADER.lower().encode("latin-1")
RECORDS_LIMIT = 256  # requests of up to this many JSON records or CSV rows skip pandas
INLINE_BYTES = 16 * 1024  # fast-path bodies up to this size are scored on the event loop
ENDPOINTS_TEXT = (
    "GET /ping, POST /invocations, POST /v1/predict, GET /v1/model, GET /metrics, GET /openapi.json"
)
MAX_DETAIL = 1000  # characters of an error's detail (a request value can be megabytes)
# How far a probability may stray from [0, 1], and a row's sum from 1, per class: float32
# runtimes (ONNX Runtime) round each probability to about 6e-8, so 1e-6 per class is ample.
PROBABILITY_TOLERANCE = 1e-6


class ModelFault(RequestError):
    """The served model gave probabilities that are not probabilities: the server's fault."""


# (error type, status, code): the first type the error is an instance of wins.
STATUS: tuple[tuple[type[Exception], int, str], ...] = (
    (TooLarge, 413, "payload_too_large"),
    (UnsupportedType, 415, "unsupported_media_type"),
    (NotAcceptable, 406, "not_acceptable"),
    (Overloaded, 503, "overloaded"),
    (TimedOut, 504, "timeout"),
    (SlowBody, 408, "request_timeout"),
    (SchemaError, 422, "schema_mismatch"),
    (Unparseable, 400, "bad_request"),
    (DataError, 400, "bad_request"),
    (ClientDisconnect, 499, "client_closed_request"),  # nobody reads it; /metrics counts it
    (ModelFault, 500, "model_error"),  # logged: the bundle is broken, not the request
    (BundleError, 500, "bundle_error"),  # logged: a lazily loaded model failed its checks
)


def create_app(
    bundle: Bundle, settings: Settings | None = None, *, capture: Capture | None = None
) -> Starlette:
    """A Starlette app that scores requests with ``bundle``; ``capture`` (else the one
    ``settings.capture`` names, if any) records what it scores."""
    settings = settings or Settings()
    service = _Service(bundle, settings, capture)
    routes = [
        Route("/ping", service.ping, methods=["GET"]),
        Route("/invocations", service.invocations, methods=["POST"]),
        Route("/v1/predict", service.predict, methods=["POST"]),
        Route("/v1/model", service.model, methods=["GET"]),
        Route("/metrics", service.metrics_text, methods=["GET"]),
        Route("/openapi.json", service.openapi, methods=["GET"]),
    ]
    handlers = {Exception: _internal_error, HTTPException: _http_error}
    for kind, _, _ in STATUS:
        handlers[kind] = _request_error
    return Starlette(
        routes=routes,
        exception_handlers=handlers,
        middleware=[Middleware(MetricsMiddleware, metrics=service.metrics)],
        lifespan=service.lifespan,
    )


def app_from_env() -> Starlette:
    """The app for the bundle named by ``LEARNBURN_BUNDLE`` (an app factory for workers)."""
    settings = Settings.from_env()
    if settings.bundle is None:
        raise DataError("LEARNBURN_BUNDLE is not set", hint="set it to the bundle's path")
    app = create_app(load_bundle(settings.bundle, trusted=settings.trust, lazy=True), settings)
    freeze_start_up(settings)
    return app


def freeze_start_up(settings: Settings) -> None:
    """For a server process only (``learnburn serve`` and its workers), once its app is made:
    collect, then move every object made so far (the modules, the bundle, and with a capture
    the libraries its writer imports, imported here first) out of the garbage collector's
    generations (``gc.freeze``). They live as long as the process, and each full collection
    would walk them all again: tens of milliseconds, more often when a capture keeps
    requests waiting to be written. Not for apps in a test or a notebook, which come and go."""
    if settings.capture is not None:
        import_writer_libraries()
    gc.collect()
    gc.freeze()


class _Service:
    def __init__(self, bundle: Bundle, settings: Settings, capture: Capture | None) -> None:
        self.bundle = bundle
        self.settings = settings
        self.slots = Slots(settings.max_concurrency)
        model = {
            "run_id": bundle.meta.get("run_id") or "",
            "format_version": bundle.manifest.get("version", ""),
        }
        self.metrics = Metrics(model)
        self.document = encode_json(openapi_document(bundle))
        self.capture = capture
        if capture is None and settings.capture is not None:
            self.capture = Capture(settings.capture, bundle, rate=settings.capture_rate)
        if self.capture is not None:
            counters = self.metrics.capture_counters()
            self.capture.count = lambda outcome, n: counters[outcome].inc(n)
            self._queued_counter, self._queued_shown = counters["queued"], 0
            if self.capture.remote is not None:
                files = self.metrics.capture_file_counters()
                self.capture.count_files = lambda outcome, n: files[outcome].inc(n)

    @contextlib.asynccontextmanager
    async def lifespan(self, app: Starlette) -> AsyncIterator[None]:
        """Starts the capture writer; when the server shuts down, stops the scoring threads
        and writes what the capture holds."""
        if self.capture is not None:
            self.capture.start()
        try:
            yield
        finally:
            self.slots.close()
            if self.capture is not None:
                self.capture.close()

    async def ping(self, request: Request) -> Response:
        return Response(status_code=200)

    async def invocations(self, request: Request) -> Response:
        answer = accepted(request.headers.get("accept"), (JSON, CSV))
        media = content_type(request.headers.get("content-type"))
        return await self._score(request, media, answer)

    async def predict(self, request: Request) -> Response:
        answer = accepted(request.headers.get("accept"), (JSON,))
        media = content_type(request.headers.get("content-type"), (JSON,))
        return await self._score(request, media, answer)

    async def model(self, request: Request) -> Response:
        bundle = self.bundle
        columns = [
            {"name": c["name"], "kind": c["kind"], "dtype": c.get("dtype")}
            for c in bundle.schema["columns"]
        ]
        decision = bundle.decision or {}
        document = {
            "meta": bundle.meta,
            "classes": list(bundle.classes),
            "columns": columns,
            "decision": {
                "threshold": decision.get("threshold"),
                "cost": decision.get("cost"),
                "calibrated": bundle.calibrator is not None,
            },
        }
        return Response(encode_json(document), media_type=JSON)

    async def metrics_text(self, request: Request) -> Response:
        if self.capture is not None:
            self._show_queued()
        return Response(self.metrics.render(), media_type=CONTENT_TYPE)

    def _show_queued(self) -> None:
        """Add the events the capture queued since the last scrape to its counter: the capture
        counts them in a plain integer, as a counter's lock on every request would cost it
        more (run on the event loop only, so two scrapes never add the same events)."""
        total = self.capture.queued_total
        self._queued_counter.inc(total - self._queued_shown)
        self._queued_shown = total

    async def openapi(self, request: Request) -> Response:
        return Response(self.document, media_type=JSON)

    async def _score(self, request: Request, media: str, answer: str) -> Response:
        """Read the body (or 408), then take a slot (or 503) and score it (or 504): on the
        event loop for a small fast-path request, else on a pool thread. The slot is taken only
        once the body is here, so clients that send their bodies slowly hold no slot."""
        start = time.monotonic()
        deadline = start + self.settings.timeout_s
        body = await self._read(request, min(start + self.settings.body_timeout_s, deadline))
        self.slots.take()
        if self.bundle.fast is not None and len(body) <= INLINE_BYTES:
            # a few rows on the fast path take microseconds: a pool thread would cost more
            try:
                content, rows, event_id = self._answer(body, media, answer, deadline)
            finally:
                self.slots.give()
        else:
            content, rows, event_id = await self._answer_on_thread(body, media, answer, deadline)
        self.metrics.rows.inc(rows)
        response = Response(content, media_type=answer)
        if event_id is not None:  # appended as bytes: a headers dict costs a microsecond more
            response.raw_headers.append((_EVENT_HEADER, event_id.encode("ascii")))
        return response

    async def _answer_on_thread(
        self, body: bytes, media: str, answer: str, deadline: float
    ) -> tuple[bytes, int, str | None]:
        """``_answer`` on a pool thread, or TimedOut at the deadline; the slot is given back
        when the work ends, even past the deadline."""
        with anyio.move_on_after(max(deadline - time.monotonic(), 0)):
            return await self.slots.run(self._answer, body, media, answer, deadline)
        raise _timed_out(self.settings.timeout_s)  # reached only when the deadline passed

    async def _read(self, request: Request, deadline: float) -> bytes:
        """The request body, read by ``deadline`` (or SlowBody)."""
        with anyio.move_on_after(deadline - time.monotonic()):
            return await _read_body(request, self.settings.max_body_bytes)
        # reached only when the deadline passed
        raise _slow_body(min(self.settings.body_timeout_s, self.settings.timeout_s))

    def _answer(
        self, body: bytes, media: str, answer: str, deadline: float
    ) -> tuple[bytes, int, str | None]:
        """The response body for a request body, its number of rows, and its capture event
        id (None when not captured)."""
        start = time.perf_counter()
        inputs, proba, decisions = self._predict(body, media, deadline)
        if answer == CSV:
            content = predictions_csv(proba, decisions)
        else:
            content = predictions_json(self.bundle.classes, proba, decisions)
        event_id = None if self.capture is None else self.capture.offer(inputs, proba, decisions)
        self.metrics.scoring.observe(time.perf_counter() - start)
        return content, len(proba), event_id

    def _predict(self, body: bytes, media: str, deadline: float):
        """The one place a request body is parsed and scored: the rows read (records or a
        table), their probabilities and decisions."""
        with np.errstate(all="ignore"):  # an overflow shows as a non-finite row, refused below
            inputs, proba = self._proba(body, media, deadline)
        _check_finite(proba)
        _check_probabilities(proba)
        self._in_time(deadline)
        return inputs, proba, self.bundle.decide_proba(proba)

    def _proba(self, body: bytes, media: str, deadline: float):
        if media == JSON:
            records = json_records(body, self.bundle)
            if self.bundle.fast is not None and len(records) <= RECORDS_LIMIT:
                # no pandas: microseconds
                return records, self.bundle.predict_proba_records(records)
            frame = records_frame(records, self.bundle)
        else:
            rows = csv_rows(body, self.bundle.columns)
            small = self.bundle.fast is not None and len(rows) <= RECORDS_LIMIT
            records = csv_records(rows, self.bundle) if small else None
            if records is not None:
                return records, self.bundle.predict_proba_records(records)  # as for JSON
            frame = csv_table(rows, self.bundle)
        self._in_time(deadline)
        return frame, self.bundle.predict_proba(frame)

    def _in_time(self, deadline: float) -> None:
        """Raise TimedOut past ``deadline``: between the stages of a request, a pool thread
        stops work whose client has had its 504 (Python cannot stop a stage midway)."""
        if time.monotonic() > deadline:
            raise _timed_out(self.settings.timeout_s)


async def _read_body(request: Request, limit: int) -> bytes:
    """The body, refused as soon as its declared or read length is over ``limit`` bytes."""
    hint = f"send at most {limit:,} bytes per request; split the rows over several requests"
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.strip().isdigit():
            raise Unparseable(f"bad Content-Length {declared!r}", hint="send a byte count")
        if int(declared) > limit:
            raise TooLarge(f"the body is {int(declared):,} bytes, over the limit", hint=hint)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge(f"the body is over the limit of {limit:,} bytes", hint=hint)
        chunks.append(chunk)
    return b"".join(chunks)


def _check_finite(proba: np.ndarray) -> None:
    """Every row has finite probabilities: a NaN never reaches a 200 (JSON has no NaN)."""
    bad = (~np.isfinite(proba).all(axis=1)).nonzero()[0]
    if len(bad):
        rows = ", ".join(str(int(row) + 1) for row in bad[:5])
        raise SchemaError(
            f"the model gave no probabilities for row{'s' if len(bad) > 1 else ''} {rows}"
            f"{f' and {len(bad) - 5} more' if len(bad) > 5 else ''}",
            hint="check those rows' values: numbers far outside the training range can "
            "overflow the model (GET /v1/model lists the columns)",
        )


def _check_probabilities(proba: np.ndarray) -> None:
    """Every row's probabilities lie in [0, 1] and sum to 1: a model that answers otherwise
    is broken (or crafted), and its numbers are not sent, not even in the error (a crafted
    model could encode data in them); the server log has the first bad row."""
    tolerance = PROBABILITY_TOLERANCE * max(proba.shape[1], 1)
    outside = (proba < -tolerance) | (proba > 1 + tolerance)
    unsummed = np.abs(proba.sum(axis=1) - 1) > tolerance
    bad = (outside.any(axis=1) | unsummed).nonzero()[0]
    if len(bad):
        rows = ", ".join(str(int(row) + 1) for row in bad[:5])
        message = (
            f"the served model gave probabilities outside [0, 1] or not summing to 1 for "
            f"row{'s' if len(bad) > 1 else ''} {rows}"
            f"{f' and {len(bad) - 5} more' if len(bad) > 5 else ''}"
        )
        first = np.array2string(proba[bad[0]], precision=6, threshold=16)
        logger.error("%s (model_error; row %d: %s)", message, bad[0] + 1, first)
        raise ModelFault(
            message,
            hint="the served bundle's model is faulty, not the request: whoever runs this "
            "server should replace the bundle (the server log has the model's answer)",
        )


def _slow_body(timeout: float) -> SlowBody:
    return SlowBody(
        f"the request body did not arrive within the deadline of {timeout:g} s",
        hint="send the whole body at once, or a smaller one, or raise the deadline "
        "(learnburn serve --body-timeout)",
    )


def _timed_out(timeout: float) -> TimedOut:
    return TimedOut(
        f"the prediction was not ready within the deadline of {timeout:g} s",
        hint="send fewer rows per request, or raise the deadline (learnburn serve --timeout)",
    )


def _error(
    status: int, code: str, detail: str, hint: str = "", headers: dict | None = None
) -> Response:
    if len(detail) > MAX_DETAIL:
        detail = f"{detail[:MAX_DETAIL]}... ({len(detail) - MAX_DETAIL:,} more characters)"
    body = encode_json({"error": code, "detail": detail, "hint": hint})
    return Response(body, status_code=status, media_type=JSON, headers=headers)


async def _request_error(request: Request, exc: Exception) -> Response:
    for kind, status, code in STATUS:
        if isinstance(exc, kind):
            message = getattr(exc, "message", None) or str(exc) or "the client went away"
            if isinstance(exc, BundleError):
                logger.error("%s (bundle_error on %s)", message, request.url.path)
            headers = {"Retry-After": str(RETRY_AFTER_S)} if status == 503 else None
            return _error(status, code, message, getattr(exc, "hint", ""), headers)
    return await _internal_error(request, exc)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    detail = f"{request.method} {request.url.path}: {exc.detail}"
    if exc.status_code == 405 and exc.headers and "Allow" in exc.headers:
        hint = f"this path answers {exc.headers['Allow']}"
    else:
        hint = f"the endpoints are {ENDPOINTS_TEXT}; GET /openapi.json describes them"
    return _error(exc.status_code, "http_error", detail, hint, headers=exc.headers)


async def _internal_error(request: Request, exc: Exception) -> Response:
    logger.error("unexpected error on %s", request.url.path, exc_info=exc)
    return _error(500, "internal_error", "the server could not score this request")
