"""``learnburn serve BUNDLE``: answer predictions over HTTP (SageMaker's container contract).

On SIGTERM (SageMaker and ECS send it, then SIGKILL 30 s later) uvicorn stops accepting
connections, lets the requests in flight finish for up to ``--grace`` seconds, and the command
exits 0. Recent uvicorn re-raises the signal once it has shut down, which would end the process
with -15 as if it had been killed mid-request; ``_drained`` turns that re-raise into exit 0.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import typer
from rich.markup import escape

from learnburn.bundles import load_bundle, pack_bundle, unpack_bundle
from learnburn.cli._errors import handles_errors, stderr
from learnburn.cli._keys import REQUIRE_SIGNATURE, trusted_keys
from learnburn.cli._reference import REFERENCE_HELP, resolves_bundle
from learnburn.serving import Settings, create_app
from learnburn.serving._app import freeze_start_up
from learnburn.serving._capture import capture_target
from learnburn.serving._settings import (
    BODY_TIMEOUT_S,
    GRACE_S,
    MAX_CONCURRENCY,
    TIMEOUT_S,
    worker_env,
)

FACTORY = "learnburn.serving:app_from_env"


@handles_errors
@resolves_bundle()
def serve(
    bundle_path: Path = typer.Argument(..., metavar="BUNDLE", help=REFERENCE_HELP),
    host: str = typer.Option(
        "127.0.0.1", "--host", help="Address to bind (loopback unless told otherwise)."
    ),
    port: int | None = typer.Option(
        None,
        "--port",
        min=0,
        max=65535,
        help="Port to listen on (default: $SAGEMAKER_BIND_TO_PORT, else 8080).",
    ),
    workers: int = typer.Option(1, "--workers", min=1, help="Worker processes."),
    trust: list[str] = typer.Option(
        [], "--trust", help="Also load this type from the bundle's model (repeatable)."
    ),
    timeout: float = typer.Option(
        TIMEOUT_S,
        "--timeout",
        min=0.001,
        help="Seconds a scoring request may take before it is answered 504 (SageMaker's 60).",
    ),
    body_timeout: float = typer.Option(
        BODY_TIMEOUT_S,
        "--body-timeout",
        min=0.001,
        help="Seconds a request's body may take to arrive before it is answered 408; a body "
        "still arriving holds no scoring slot.",
    ),
    max_concurrency: int = typer.Option(
        MAX_CONCURRENCY,
        "--max-concurrency",
        min=1,
        help="Scoring requests in flight per worker; more are answered 503 with Retry-After.",
    ),
    access_log: bool = typer.Option(
        False,
        "--access-log/--no-access-log",
        help="Log every request (costs tens of microseconds a request; /metrics counts them).",
    ),
    grace: float = typer.Option(
        GRACE_S,
        "--grace",
        min=0.001,
        help="Seconds to finish requests in flight after SIGTERM (keep it under 30 for "
        "SageMaker and ECS, which SIGKILL 30 s after SIGTERM).",
    ),
    capture: str | None = typer.Option(
        None,
        "--capture",
        metavar="DIR",
        help="Capture requests and answers (an event id, the time, the input rows, the "
        "probabilities, the decision) as Parquet files in DIR or s3://BUCKET/PREFIX/ (each "
        "file uploaded once complete), for `learnburn monitor`; "
        "answers carry the event id in the X-Learnburn-Event-Id header "
        "[default: $LEARNBURN_CAPTURE].",
    ),
    capture_rate: float | None = typer.Option(
        None,
        "--capture-rate",
        min=0.0001,
        max=1.0,
        help="The share of requests captured [default: $LEARNBURN_CAPTURE_RATE, else 1].",
    ),
    require_signature: list[Path] = REQUIRE_SIGNATURE,
) -> None:
    """Serve the bundle: GET /ping, POST /invocations (CSV or JSON), POST /v1/predict,
    GET /v1/model, GET /metrics (Prometheus) and GET /openapi.json."""
    defaults = Settings.from_env()
    settings = Settings(
        host=host,
        port=defaults.port if port is None else port,
        timeout_s=timeout,
        body_timeout_s=body_timeout,
        max_concurrency=max_concurrency,
        grace_s=grace,
        capture=defaults.capture if capture is None else capture,
        capture_rate=defaults.capture_rate if capture_rate is None else capture_rate,
    )
    if settings.capture is not None:
        capture_target(settings.capture)  # a bad URL or bucket fails before anything loads
    keys = trusted_keys(require_signature)
    with _served_copy(bundle_path, private=bool(keys) and workers > 1) as served:
        # fail here, not in workers
        bundle = load_bundle(served, trusted=trust, lazy=True, trusted_keys=keys)
        _serve(bundle, served, trust, settings, workers, access_log)


def _serve(bundle, served: Path, trust, settings, workers: int, access_log: bool) -> None:
    import uvicorn

    if not settings.loopback:
        stderr.print(
            f"[yellow]Warning:[/] listening on {escape(settings.host)}: anyone who can reach this "
            "address can score with the model and read its metadata, without authentication. "
            "Keep the default 127.0.0.1 unless a load balancer or container network controls "
            "access."
        )
    options = {
        "host": settings.host,
        "port": settings.port,
        "timeout_graceful_shutdown": settings.grace_s,
        "access_log": access_log,
    }
    with _drained():
        if workers == 1:
            app = create_app(bundle, settings)
            freeze_start_up(settings)
            uvicorn.run(app, **options)
            return
        os.environ.update(worker_env(str(served.resolve()), trust, settings))
        uvicorn.run(FACTORY, factory=True, workers=workers, **options)


@contextlib.contextmanager
def _served_copy(bundle_path: Path, *, private: bool) -> Iterator[Path]:
    """The bundle path to verify and serve: the one given, or (``private``: a signature is
    required and worker processes load the bundle again by path) a copy in a folder only
    this user can write, removed afterwards, so the workers load the very files verified."""
    if not private:
        yield bundle_path
        return
    folder = Path(tempfile.mkdtemp(prefix="learnburn-serve-"))
    try:
        if bundle_path.is_dir():
            yield pack_bundle(bundle_path, folder / "bundle.lbm")
        else:
            yield unpack_bundle(bundle_path, folder / "bundle")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def _drained() -> Iterator[None]:
    """While serving, a SIGTERM uvicorn re-raises after its graceful shutdown exits 0 (the
    drain is done), instead of killing the process with -15. Outside, the old handler is back."""

    def exit_drained(signum: int, frame: object) -> None:
        raise SystemExit(0)

    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers belong to the main thread; uvicorn skips them there too
        return
    previous = signal.signal(signal.SIGTERM, exit_drained)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
