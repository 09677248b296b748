"""The HTTP app: SageMaker's ``/ping`` and ``/invocations``, plus ``/v1/predict`` and
``/v1/model``. Every error a request can cause maps to a status in ``STATUS``, answered as JSON
``{"error", "detail", "hint"}``; anything else is a 500 with a generic body."""

from __future__ import annotations

import logging

import numpy as np
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from learnburn.bundles import Bundle, load_bundle
from learnburn.errors import DataError, SchemaError
from learnburn.serving._codecs import (
    CSV,
    JSON,
    NotAcceptable,
    TooLarge,
    Unparseable,
    UnsupportedType,
    accepted,
    content_type,
    encode_json,
    predictions_csv,
    predictions_json,
    read_table,
)
from learnburn.serving._settings import Settings

logger = logging.getLogger(__name__)

# (error type, status, code): the first type the error is an instance of wins.
STATUS: tuple[tuple[type[Exception], int, str], ...] = (
    (TooLarge, 413, "payload_too_large"),
    (UnsupportedType, 415, "unsupported_media_type"),
    (NotAcceptable, 406, "not_acceptable"),
    (SchemaError, 422, "schema_mismatch"),
    (Unparseable, 400, "bad_request"),
    (DataError, 400, "bad_request"),
)


def create_app(bundle: Bundle, settings: Settings | None = None) -> Starlette:
    """A Starlette app that scores requests with ``bundle``."""
    settings = settings or Settings()
    service = _Service(bundle, settings)
    routes = [
        Route("/ping", service.ping, methods=["GET"]),
        Route("/invocations", service.invocations, methods=["POST"]),
        Route("/v1/predict", service.predict, methods=["POST"]),
        Route("/v1/model", service.model, methods=["GET"]),
    ]
    handlers = {Exception: _internal_error, HTTPException: _http_error}
    for kind, _, _ in STATUS:
        handlers[kind] = _request_error
    return Starlette(routes=routes, exception_handlers=handlers)


def app_from_env() -> Starlette:
    """The app for the bundle named by ``LEARNBURN_BUNDLE`` (an app factory for workers)."""
    settings = Settings.from_env()
    if settings.bundle is None:
        raise DataError("LEARNBURN_BUNDLE is not set", hint="set it to the bundle's path")
    return create_app(load_bundle(settings.bundle, trusted=settings.trust), settings)


class _Service:
    def __init__(self, bundle: Bundle, settings: Settings) -> None:
        self.bundle = bundle
        self.settings = settings

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

    async def _score(self, request: Request, media: str, answer: str) -> Response:
        body = await _read_body(request, self.settings.max_body_bytes)
        proba, decisions = await run_in_threadpool(self._predict, body, media)
        if answer == CSV:
            return Response(predictions_csv(proba, decisions), media_type=CSV)
        return Response(predictions_json(self.bundle.classes, proba, decisions), media_type=JSON)

    def _predict(self, body: bytes, media: str) -> tuple[np.ndarray, np.ndarray]:
        frame = read_table(body, media, self.bundle)
        proba = self.bundle.predict_proba(frame)
        return proba, self.bundle.decide_proba(proba)


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


def _error(status: int, code: str, detail: str, hint: str = "") -> Response:
    body = encode_json({"error": code, "detail": detail, "hint": hint})
    return Response(body, status_code=status, media_type=JSON)


async def _request_error(request: Request, exc: Exception) -> Response:
    for kind, status, code in STATUS:
        if isinstance(exc, kind):
            message = getattr(exc, "message", str(exc))
            return _error(status, code, message, getattr(exc, "hint", ""))
    return await _internal_error(request, exc)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return _error(exc.status_code, "http_error", str(exc.detail))


async def _internal_error(request: Request, exc: Exception) -> Response:
    logger.error("unexpected error on %s", request.url.path, exc_info=exc)
    return _error(500, "internal_error", "the server could not score this request")
