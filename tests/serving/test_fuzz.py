"""Schemathesis, from the app's own /openapi.json, against a real uvicorn server: generated
valid and invalid requests to every operation never get a 5xx, and every answer matches the
document (status, content type, body schema); invalid bodies are refused with a 4xx.

Hypothesis runs derandomized (the same cases on every run) so CI is deterministic. The cases
come from each operation's strategy (schemathesis' pytest loader does not run on pytest 9).
"""

from __future__ import annotations

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from learnburn.serving import create_app

EXAMPLES = 500  # generated requests per operation
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
OPERATIONS = [
    ("POST", "/invocations"),
    ("POST", "/v1/predict"),
    ("GET", "/ping"),
    ("GET", "/v1/model"),
    ("GET", "/metrics"),
    ("GET", "/openapi.json"),
]


@pytest.fixture(scope="module")
def base(bundle, serve):
    with serve(create_app(bundle)) as url:
        yield url


@pytest.fixture(scope="module")
def api(base):
    return schemathesis.openapi.from_url(f"{base}/openapi.json")


def test_every_operation_of_the_document_is_fuzzed(api):
    """The document's operations are the ones fuzzed here."""
    paths = api.raw_schema["paths"]
    found = {(method.upper(), path) for path, methods in paths.items() for method in methods}
    assert found == set(OPERATIONS)


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_generated_requests_get_no_server_error_and_match_the_document(api, base, method, path):
    """Valid and invalid generated requests (about half each) get a documented status, never a
    5xx, with a body of its schema; an invalid body is refused."""
    operation = api[path][method]
    cases = operation.as_strategy(GenerationMode.POSITIVE)
    if method == "POST":  # a GET without parameters cannot be made invalid
        cases |= operation.as_strategy(GenerationMode.NEGATIVE)
    statuses = []

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(case=cases)
    def fuzz(case):
        response = case.call_and_validate(base_url=base, session=session, checks=CHECKS)
        statuses.append(response.status_code)

    with requests.Session() as session:
        fuzz()
    if method == "POST":
        assert len(statuses) >= EXAMPLES
        assert {200, 400, 422} <= set(statuses) and max(statuses) < 500
