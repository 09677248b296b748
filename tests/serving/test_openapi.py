"""GET /openapi.json: an OpenAPI 3.0 document generated from the bundle's schema."""

from __future__ import annotations

import warnings

import schemathesis

from learnburn.serving import STATUS, create_app
from learnburn.serving._openapi import openapi_document

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from starlette.testclient import TestClient


def test_the_document_is_served_and_loads_in_schemathesis(bundle):
    """The app serves its document as JSON; schemathesis loads it (and so validates it)."""
    document = TestClient(create_app(bundle)).get("/openapi.json").json()
    assert document["openapi"].startswith("3.0.")
    assert document == openapi_document(bundle)
    schema = schemathesis.openapi.from_dict(document)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} >= {"/ping", "/invocations", "/v1/predict", "/v1/model"}


def test_a_record_has_one_typed_property_per_bundle_column(bundle):
    """Numeric columns take numbers or null, the others any scalar; all are required; other
    properties are allowed."""
    record = openapi_document(bundle)["components"]["schemas"]["Record"]
    assert record["required"] == ["income", "debt", "region", "member"]
    assert record["additionalProperties"] is True
    assert record["properties"]["income"]["type"] == "number"
    assert record["properties"]["income"]["nullable"] is True
    kinds = {branch["type"] for branch in record["properties"]["region"]["anyOf"]}
    assert kinds == {"string", "number", "boolean"}
    assert "north" in record["properties"]["region"]["description"]


def test_requests_are_instances_or_a_list_and_csv_for_invocations(bundle):
    """/v1/predict reads JSON; /invocations JSON or CSV, and answers either."""
    paths = openapi_document(bundle)["paths"]
    predict = paths["/v1/predict"]["post"]
    invocations = paths["/invocations"]["post"]
    assert set(predict["requestBody"]["content"]) == {"application/json"}
    assert set(invocations["requestBody"]["content"]) == {"application/json", "text/csv"}
    assert set(invocations["responses"]["200"]["content"]) == {"application/json", "text/csv"}
    request = openapi_document(bundle)["components"]["schemas"]["Request"]
    assert len(request["oneOf"]) == 2


def test_every_request_error_status_is_documented_with_the_error_body(bundle):
    """Every status of STATUS a client can see is a documented response of both scoring paths,
    with the {error, detail, hint} schema."""
    paths = openapi_document(bundle)["paths"]
    statuses = {str(status) for _, status, _ in STATUS if status != 499}
    for path in ("/invocations", "/v1/predict"):
        responses = paths[path]["post"]["responses"]
        assert statuses <= set(responses)
        for status in statuses:
            schema = responses[status]["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/Error"}


def test_predictions_name_each_class(bundle):
    """A prediction holds the probability of each class and a decision among them."""
    schemas = openapi_document(bundle)["components"]["schemas"]
    prediction = schemas["Predictions"]["properties"]["predictions"]["items"]
    assert prediction["properties"]["proba"]["required"] == ["no", "yes"]
    assert prediction["properties"]["decision"]["enum"] == ["no", "yes"]
