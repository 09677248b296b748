"""The image itself, built and run with Docker: only where a Docker daemon answers and
LEARNBURN_DOCKER_TESTS=1 asks for it (it downloads the base image and the libraries)."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid

import httpx
import pytest

from learnburn.deploy import package_bundle


def docker_ready() -> bool:
    if shutil.which("docker") is None:
        return False
    try:
        return subprocess.run(["docker", "info"], capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


pytestmark = pytest.mark.skipif(
    os.environ.get("LEARNBURN_DOCKER_TESTS") != "1" or not docker_ready(),
    reason="builds a Docker image: needs a running Docker daemon and LEARNBURN_DOCKER_TESTS=1",
)


def test_the_image_builds_serves_as_sagemaker_runs_it_and_stops_on_sigterm(
    bundles, features, tmp_path, free_port
):
    """docker build; docker run IMAGE serve; /ping and /invocations; docker stop exits 0."""
    summary = package_bundle(bundles["logistic"], tmp_path / "build")
    image = f"{summary.image}:test-{uuid.uuid4().hex[:8]}"
    subprocess.run(["docker", "build", "-t", image, str(summary.output)], check=True)
    port = free_port()
    name = f"learnburn-test-{uuid.uuid4().hex[:8]}"
    run = ["docker", "run", "-d", "--name", name, "-p", f"127.0.0.1:{port}:8080", image, "serve"]
    subprocess.run(run, check=True, capture_output=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{base}/ping", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the container did not answer /ping"
            time.sleep(0.5)
        response = httpx.post(
            f"{base}/invocations",
            content=features.head(5).to_csv(index=False, header=False),
            headers={"content-type": "text/csv", "accept": "text/csv"},
        )
        assert response.status_code == 200 and len(response.text.splitlines()) == 5
        user = subprocess.run(
            ["docker", "exec", name, "id", "-u"], capture_output=True, text=True, check=True
        )
        assert user.stdout.strip() != "0"
        subprocess.run(["docker", "stop", "-t", "30", name], check=True, capture_output=True)
        state = subprocess.run(
            ["docker", "inspect", "-f", "{{.State.ExitCode}}", name],
            capture_output=True,
            text=True,
            check=True,
        )
        assert state.stdout.strip() in ("0", "143")  # 143: re-raised SIGTERM, not SIGKILL (137)
    finally:
        subprocess.run(["docker", "rm", "-f", name], capture_output=True)
        subprocess.run(["docker", "rmi", "-f", image], capture_output=True)
