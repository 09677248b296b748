"""SageMaker's container contract, checked on the generated entrypoint.sh run as SageMaker
runs the image (`serve`, the model in a model directory, the port in SAGEMAKER_BIND_TO_PORT),
over loopback: /ping, /invocations in CSV and JSON, Accept, order of answers, SIGTERM."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import numpy as np
import orjson
import pytest

from learnburn.bundles import load_bundle

PING_SECONDS = 2.0  # SageMaker's timeout for one /ping
CSV_TYPE = {"content-type": "text/csv"}


@pytest.fixture(scope="module")
def bundle(bundles):
    return load_bundle(bundles["logistic"])


@pytest.fixture(scope="module")
def rows(features):
    """50 rows to score, numeric, categorical and boolean, with missing values."""
    return features.head(50)


def answer_lines(text: str) -> tuple[np.ndarray, list[str]]:
    """A CSV answer: one line per row of class probabilities, then the decision."""
    lines = list(csv.reader(io.StringIO(text)))
    proba = np.array([[float(value) for value in line[:-1]] for line in lines])
    return proba, [line[-1] for line in lines]


def records(frame) -> list[dict]:
    """The rows as JSON records, numbers exact (NaN becomes null)."""
    return orjson.loads(orjson.dumps(frame.to_dict(orient="records")))


def assert_same_as_in_process(bundle, frame, proba, decisions) -> None:
    expected = bundle.predict_proba(frame)
    np.testing.assert_allclose(proba, expected, rtol=1e-12, atol=0)
    assert list(decisions) == [str(label) for label in bundle.decide_proba(expected)]


def test_ping_answers_200_quickly_every_time(sagemaker_server):
    """/ping: 200, each answer well within SageMaker's 2 s timeout."""
    for _ in range(10):
        started = time.monotonic()
        response = httpx.get(f"{sagemaker_server.base}/ping", timeout=PING_SECONDS)
        assert response.status_code == 200
        assert time.monotonic() - started < PING_SECONDS


def test_the_entrypoint_execs_the_server_so_signals_reach_it(sagemaker_server):
    """The process SageMaker signals is the server itself, not a shell around it."""
    cmdline = Path(f"/proc/{sagemaker_server.process.pid}/cmdline")
    if not cmdline.exists():
        pytest.skip("no /proc on this system")
    args = cmdline.read_bytes().decode().split("\0")
    assert "learnburn" in args and "serve" in args
    assert Path(args[0]).name.startswith("python")


def test_fifty_csv_lines_come_back_in_order_equal_to_in_process_predictions(
    sagemaker_server, bundle, rows
):
    """Batch transform's MultiRecord: 50 header-less CSV lines in, 50 answer lines out, in
    the same order, equal to the bundle's own predictions."""
    response = httpx.post(
        f"{sagemaker_server.base}/invocations",
        content=rows.to_csv(index=False, header=False),
        headers={**CSV_TYPE, "accept": "text/csv"},
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    proba, decisions = answer_lines(response.text)
    assert len(proba) == 50 and len(set(decisions)) == 2  # order matters: the rows differ
    assert_same_as_in_process(bundle, rows, proba, decisions)


def test_csv_with_a_header_row_is_read_by_column_name(sagemaker_server, bundle, rows):
    """A header row names the columns (here in reverse order); answers are unchanged."""
    shuffled = rows[list(reversed(rows.columns))]
    response = httpx.post(
        f"{sagemaker_server.base}/invocations",
        content=shuffled.to_csv(index=False),
        headers={**CSV_TYPE, "accept": "text/csv"},
    )
    assert response.status_code == 200, response.text
    proba, decisions = answer_lines(response.text)
    assert_same_as_in_process(bundle, rows, proba, decisions)


def test_json_instances_are_answered_in_json(sagemaker_server, bundle, rows):
    """{"instances": [...]} with Accept: application/json gives one prediction per record."""
    response = httpx.post(
        f"{sagemaker_server.base}/invocations",
        json={"instances": records(rows)},
        headers={"accept": "application/json"},
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    predictions = response.json()["predictions"]
    proba = np.array([[p["proba"][str(c)] for c in bundle.classes] for p in predictions])
    assert_same_as_in_process(bundle, rows, proba, [p["decision"] for p in predictions])


def test_accept_chooses_the_answer_type(sagemaker_server, rows):
    """CSV in, JSON out and the reverse; no Accept means JSON."""
    body = rows.head(3).to_csv(index=False, header=False)
    url = f"{sagemaker_server.base}/invocations"
    as_json = httpx.post(url, content=body, headers={**CSV_TYPE, "accept": "application/json"})
    assert len(as_json.json()["predictions"]) == 3
    default = httpx.post(url, content=body, headers=CSV_TYPE)
    assert default.headers["content-type"].startswith("application/json")
    as_csv = httpx.post(url, json=records(rows.head(3)), headers={"accept": "text/csv"})
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert len(as_csv.text.splitlines()) == 3


def test_an_unsupported_accept_is_406(sagemaker_server, rows):
    """Accept: application/xml cannot be answered: 406 with a JSON error saying what can."""
    response = httpx.post(
        f"{sagemaker_server.base}/invocations",
        content=rows.head(2).to_csv(index=False, header=False),
        headers={**CSV_TYPE, "accept": "application/xml"},
    )
    assert response.status_code == 406
    assert response.json()["error"] == "not_acceptable"


def test_extra_headers_are_ignored(sagemaker_server, rows):
    """SageMaker adds headers (custom attributes, inference id): they change nothing."""
    response = httpx.post(
        f"{sagemaker_server.base}/invocations",
        content=rows.head(2).to_csv(index=False, header=False),
        headers={
            **CSV_TYPE,
            "accept": "text/csv",
            "X-Amzn-SageMaker-Custom-Attributes": "trace=1",
            "X-Amzn-SageMaker-Inference-Id": "abc",
        },
    )
    assert response.status_code == 200 and len(response.text.splitlines()) == 2


def test_the_dockerfile_healthcheck_passes_against_the_server(sagemaker_server, packaged):
    """The HEALTHCHECK command of the Dockerfile exits 0 against the running server."""
    text = re.sub(r"\\\n\s*", " ", (packaged.output / "Dockerfile").read_text())
    [line] = [line for line in text.splitlines() if line.startswith("HEALTHCHECK")]
    command = json.loads(line.split(" CMD ", 1)[1])
    port = sagemaker_server.base.rsplit(":", 1)[1]
    env = {**os.environ, "SAGEMAKER_BIND_TO_PORT": port}
    command[0] = sys.executable
    assert subprocess.run(command, env=env, timeout=10).returncode == 0


def test_a_model_dir_with_one_lbm_serves_it_and_stops_on_sigterm(
    packaged, bundles, bundle, rows, tmp_path, entrypoint_env, serve
):
    """A model directory holding one .lbm: served; SIGTERM stops it cleanly within SageMaker's
    30 s grace."""
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    shutil.copy(bundles["logistic"], model_dir / "churn.lbm")
    server = serve(
        packaged.output, entrypoint_env(packaged.output, LEARNBURN_MODEL_DIR=str(model_dir))
    )
    response = httpx.post(
        f"{server.base}/invocations",
        content=rows.to_csv(index=False, header=False),
        headers={**CSV_TYPE, "accept": "text/csv"},
    )
    assert response.status_code == 200, response.text
    assert_same_as_in_process(bundle, rows, *answer_lines(response.text))
    started = time.monotonic()
    code, log = server.stop()
    assert time.monotonic() - started < 30
    assert code in (0, -signal.SIGTERM), log  # uvicorn re-raises SIGTERM after shutting down
    assert "Shutting down" in log


def test_ecs_learnburn_bundle_is_served(
    packaged, bundles, bundle, rows, tmp_path, entrypoint_env, serve
):
    """ECS: LEARNBURN_BUNDLE names the bundle (the model directory is empty) and it serves."""
    empty = tmp_path / "model"
    empty.mkdir()
    env = entrypoint_env(
        packaged.output, LEARNBURN_BUNDLE=str(bundles["logistic"]), LEARNBURN_MODEL_DIR=str(empty)
    )
    server = serve(packaged.output, env)
    model = httpx.get(f"{server.base}/v1/model").json()
    assert model["classes"] == list(bundle.classes)
    response = httpx.post(
        f"{server.base}/invocations",
        content=rows.head(5).to_csv(index=False, header=False),
        headers={**CSV_TYPE, "accept": "text/csv"},
    )
    assert_same_as_in_process(bundle, rows.head(5), *answer_lines(response.text))


def test_an_empty_model_dir_exits_2_before_starting_python(packaged, tmp_path, entrypoint_env):
    """No bundle in the model directory: the entrypoint exits 2 with an error and a hint."""
    empty = tmp_path / "model"
    empty.mkdir()
    done = subprocess.run(
        ["sh", str(packaged.output / "entrypoint.sh"), "serve"],
        env=entrypoint_env(packaged.output, LEARNBURN_MODEL_DIR=str(empty)),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2
    assert "error: no bundle in the model directory" in done.stderr
    assert "hint:" in done.stderr
