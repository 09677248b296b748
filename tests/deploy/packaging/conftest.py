"""Bundles to package (logistic regression, LightGBM, XGBoost), a packaged build folder, and
the packaged entrypoint started as SageMaker and ECS start it, on loopback."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx
import pandas as pd
import pytest

from learnburn.bundles import save_bundle, unpack_bundle
from learnburn.candidates import build_pipeline
from learnburn.data import infer_schema
from learnburn.deploy import PackageSummary, package_bundle

CLASSES = ["no", "yes"]
VENV_BIN = str(Path(sys.executable).parent)
START_SECONDS = 60  # SageMaker allows 4 minutes from start to a passing /ping
STOP_SECONDS = 30  # SageMaker's SIGKILL follows SIGTERM after 30 s


@pytest.fixture(scope="session")
def features(mixed_features_maker) -> pd.DataFrame:
    return mixed_features_maker(120)


@pytest.fixture(scope="session")
def bundles(tmp_path_factory, features, mixed_target_maker) -> dict[str, Path]:
    """Bundles of one table: "logistic" (.lbm), "logistic_dir" (the same, unpacked),
    "lightgbm" and "xgboost" (.lbm)."""
    folder = tmp_path_factory.mktemp("bundles")
    schema = infer_schema(features)
    target = mixed_target_maker(features)
    found = {}
    for name, candidate in [
        ("logistic", "logistic_regression"),
        ("lightgbm", "lightgbm"),
        ("xgboost", "xgboost"),
    ]:
        model = build_pipeline(candidate, {}, schema, seed=0).fit(features, target)
        found[name] = save_bundle(
            model, folder / f"{name}.lbm", schema=schema.to_dict(), classes=CLASSES, meta={}
        )
    found["logistic_dir"] = unpack_bundle(found["logistic"], folder / "logistic_dir")
    return found


@pytest.fixture(scope="session")
def packaged(tmp_path_factory, bundles) -> PackageSummary:
    """The logistic-regression bundle, packaged into a new build folder."""
    return package_bundle(bundles["logistic"], tmp_path_factory.mktemp("package") / "build")


@dataclass
class Server:
    """The packaged entrypoint, running: its process and its address."""

    process: subprocess.Popen
    base: str

    def stop(self) -> tuple[int, str]:
        """SIGTERM, then the exit code and the log (SIGKILL only if it outlives the grace).
        Whatever is left of the process group it started in is killed too, so a server that
        outlived a shell around it cannot hold the log open."""
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        log = self.process.stdout.read().decode()
        self.process.stdout.close()
        return self.process.returncode, log


def find_free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def make_env(build: Path, **extra: str) -> dict[str, str]:
    """The environment of the image, on this machine: the venv's python first on PATH, the
    vendored learnburn on PYTHONPATH, loopback, one worker; ``extra`` added."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("LEARNBURN_", "SAGEMAKER_"))
    }
    env.update(
        PATH=f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}",
        PYTHONPATH=str(build / "app"),
        PYTHONDONTWRITEBYTECODE="1",
        LEARNBURN_HOST="127.0.0.1",
        LEARNBURN_WORKERS="1",
        SAGEMAKER_BIND_TO_PORT=str(find_free_port()),
    )
    env.update(extra)
    return env


def start_server(build: Path, env: Mapping[str, str]) -> Server:
    """Run ``sh entrypoint.sh serve`` as SageMaker does, and wait until /ping answers 200."""
    process = subprocess.Popen(
        ["sh", str(build / "entrypoint.sh"), "serve"],
        env=dict(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, ended by Server.stop
    )
    server = Server(process, f"http://127.0.0.1:{env['SAGEMAKER_BIND_TO_PORT']}")
    deadline = time.monotonic() + START_SECONDS
    while True:
        if process.poll() is not None:
            raise AssertionError(f"the server exited early:\n{process.stdout.read().decode()}")
        try:
            if httpx.get(f"{server.base}/ping", timeout=2).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            server.stop()
            raise AssertionError(f"/ping did not answer 200 within {START_SECONDS} s")
        time.sleep(0.1)


@pytest.fixture(scope="session")
def free_port():
    """``free_port()``: a TCP port free on 127.0.0.1 now."""
    return find_free_port


@pytest.fixture(scope="session")
def entrypoint_env():
    """``entrypoint_env(build, **extra)``: the image's environment on this machine (the venv's
    python first on PATH, the vendored learnburn on PYTHONPATH, loopback on a free port, one
    worker), with ``extra`` added."""
    return make_env


@pytest.fixture(scope="module")
def sagemaker_server(packaged, bundles, tmp_path_factory) -> Iterator[Server]:
    """The packaged entrypoint serving as on SageMaker: the model directory holds the
    unpacked bundle, as SageMaker leaves a model.tar.gz of the bundle's files."""
    model_dir = unpack_bundle(bundles["logistic"], tmp_path_factory.mktemp("opt-ml") / "model")
    server = start_server(
        packaged.output, make_env(packaged.output, LEARNBURN_MODEL_DIR=str(model_dir))
    )
    yield server
    if server.process.poll() is None:
        server.stop()


@pytest.fixture
def serve() -> Iterator:
    """``serve(build, env)`` starts the packaged entrypoint; whatever is left running is
    stopped at the end of the test."""
    started: list[Server] = []

    def start(build: Path, env: Mapping[str, str]) -> Server:
        server = start_server(build, env)
        started.append(server)
        return server

    yield start
    for server in started:
        if server.process.poll() is None:
            server.stop()
