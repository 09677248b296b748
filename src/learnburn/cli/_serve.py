"""``learnburn serve BUNDLE``: answer predictions over HTTP (SageMaker's container contract)."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from learnburn.bundles import load_bundle
from learnburn.cli._errors import handles_errors
from learnburn.serving import Settings, create_app
from learnburn.serving._settings import worker_env

FACTORY = "learnburn.serving:app_from_env"


@handles_errors
def serve(
    bundle_path: Path = typer.Argument(
        ..., metavar="BUNDLE", help="The bundle: a NAME.lbm file or a directory."
    ),
    host: str = typer.Option(
        "127.0.0.1", "--host", help="Address to bind (loopback unless told otherwise)."
    ),
    port: int | None = typer.Option(
        None,
        "--port",
        min=0,
        max=65535,
        help="Port to listen on [default: $SAGEMAKER_BIND_TO_PORT or 8080].",
    ),
    workers: int = typer.Option(1, "--workers", min=1, help="Worker processes."),
    trust: list[str] = typer.Option(
        [], "--trust", help="Also load this type from the bundle's model (repeatable)."
    ),
) -> None:
    """Serve the bundle: GET /ping, POST /invocations (CSV or JSON), POST /v1/predict and
    GET /v1/model."""
    import uvicorn

    defaults = Settings.from_env()
    settings = Settings(host=host, port=defaults.port if port is None else port)
    bundle = load_bundle(bundle_path, trusted=trust)  # fail here, not in every worker
    if workers == 1:
        app = create_app(bundle, settings)
        uvicorn.run(app, host=settings.host, port=settings.port)
        return
    os.environ.update(worker_env(str(bundle_path.resolve()), trust))
    uvicorn.run(FACTORY, factory=True, host=settings.host, port=settings.port, workers=workers)
