"""GET /metrics: Prometheus text from a registry per app, with bounded labels."""

from __future__ import annotations

import warnings

import orjson
import pytest
from prometheus_client.parser import text_string_to_metric_families

from learnburn.serving import create_app
from learnburn.serving._metrics import BUCKETS, endpoint_label

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from starlette.testclient import TestClient


def samples(client) -> dict[tuple[str, tuple], float]:
    """Every sample of /metrics as {(name, sorted labels): value}."""
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


@pytest.fixture
def client(bundle):
    return TestClient(create_app(bundle), raise_server_exceptions=False)


def records(features, n: int) -> list[dict]:
    return orjson.loads(features.head(n).to_json(orient="records"))


def test_requests_are_counted_by_endpoint_and_status(client, features):
    """Each request adds one to its endpoint and status; rows scored count the rows answered."""
    client.post("/v1/predict", json=records(features, 3))
    client.post("/invocations", json=records(features, 2))
    client.post("/invocations", content=b"{", headers={"content-type": "application/json"})
    client.get("/ping")
    seen = samples(client)
    assert seen[("learnburn_requests_total", (("endpoint", "/v1/predict"), ("status", "200")))] == 1
    assert (
        seen[("learnburn_requests_total", (("endpoint", "/invocations"), ("status", "200")))] == 1
    )
    assert (
        seen[("learnburn_requests_total", (("endpoint", "/invocations"), ("status", "400")))] == 1
    )
    assert seen[("learnburn_requests_total", (("endpoint", "/ping"), ("status", "200")))] == 1
    assert seen[("learnburn_rows_scored_total", ())] == 5
    assert seen[("learnburn_scoring_duration_seconds_count", ())] == 2


def test_latency_histogram_spans_50_microseconds_to_60_seconds(client):
    """The latency buckets run from 50 us to the 60 s deadline, per endpoint."""
    client.get("/ping")
    seen = samples(client)
    assert BUCKETS[0] == 0.00005 and BUCKETS[-1] == 60
    count = ("learnburn_request_duration_seconds_count", (("endpoint", "/ping"),))
    assert seen[count] == 1
    top = ("learnburn_request_duration_seconds_bucket", (("endpoint", "/ping"), ("le", "60.0")))
    assert seen[top] == 1


def test_unknown_paths_are_labelled_other_never_by_their_path(client):
    """Paths outside the app's endpoints share the label "other": no user string is a label."""
    for n in range(5):
        client.get(f"/secret-{n}")
    text = client.get("/metrics").text
    assert "secret" not in text
    seen = samples(client)
    assert seen[("learnburn_requests_total", (("endpoint", "other"), ("status", "404")))] == 5
    assert endpoint_label("/invocations/../x") == "other"


def test_in_flight_is_back_to_zero_after_requests(client, features):
    """The in-flight gauge counts requests being answered: none once they are done."""
    client.post("/v1/predict", json=records(features, 1))
    seen = samples(client)
    assert seen[("learnburn_requests_in_flight", (("endpoint", "/v1/predict"),))] == 0
    assert seen[("learnburn_requests_in_flight", (("endpoint", "/metrics"),))] == 1


def test_model_info_names_the_run_and_format_version(client, bundle):
    """learnburn_model_info carries the bundle's run id and format version."""
    version = str(bundle.manifest["version"])
    seen = samples(client)
    assert seen[("learnburn_model_info", (("format_version", version), ("run_id", "r1")))] == 1


def test_each_app_has_its_own_registry(bundle, features):
    """Two apps in one process count their own requests (no global registry)."""
    first = TestClient(create_app(bundle))
    second = TestClient(create_app(bundle))
    first.post("/v1/predict", json=records(features, 4))
    assert samples(first)[("learnburn_rows_scored_total", ())] == 4
    assert samples(second)[("learnburn_rows_scored_total", ())] == 0


def test_a_500_is_counted(bundle, features, monkeypatch):
    """An unexpected error is counted with status 500."""
    client = TestClient(create_app(bundle), raise_server_exceptions=False)
    monkeypatch.setattr(type(bundle), "predict_proba", lambda self, frame: 1 / 0)
    assert client.post("/v1/predict", json=records(features, 1)).status_code == 500
    monkeypatch.undo()
    seen = samples(client)
    assert seen[("learnburn_requests_total", (("endpoint", "/v1/predict"), ("status", "500")))] == 1
